package respcache

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// manualClock is a test clock; the gateway's tests can use
// throttle.ManualClock, which satisfies Clock as well.
type manualClock struct{ ns atomic.Int64 }

func newManualClock() *manualClock {
	c := &manualClock{}
	c.ns.Store(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *manualClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *manualClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func petResponse(body string) *Entry {
	return &Entry{Status: 200, Body: []byte(body)}
}

func newTestMemory(t *testing.T, opts Options) *Memory {
	t.Helper()
	m, err := NewMemory(opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustGet(t *testing.T, c Cache, key string) *Entry {
	t.Helper()
	e, ok := c.Get(key)
	if !ok {
		t.Fatalf("Get(%q) missed, want a hit", key)
	}
	return e
}

func mustMiss(t *testing.T, c Cache, key string) {
	t.Helper()
	if _, ok := c.Get(key); ok {
		t.Fatalf("Get(%q) hit, want a miss", key)
	}
}

func TestMemoryServesUntilTTLExpires(t *testing.T) {
	clock := newManualClock()
	m := newTestMemory(t, Options{CapacityBytes: 1 << 20, Clock: clock})
	if !m.Set("GET /pets", petResponse(`[{"id":1}]`), 300*time.Second) {
		t.Fatal("Set refused a small entry")
	}
	clock.Advance(299 * time.Second)
	if got := mustGet(t, m, "GET /pets"); string(got.Body) != `[{"id":1}]` || got.Status != 200 {
		t.Fatalf("Get = %d %q", got.Status, got.Body)
	}
	clock.Advance(time.Second)
	mustMiss(t, m, "GET /pets")
	st := m.Stats()
	if st.Hits != 1 || st.Misses != 1 || st.Expirations != 1 || st.Entries != 0 || st.Bytes != 0 {
		t.Fatalf("stats after expiry = %+v", st)
	}
}

func TestMemoryRefusesWhatAWSDoesNotCache(t *testing.T) {
	m := newTestMemory(t, Options{CapacityBytes: 4 << 20, Shards: 1})
	tests := []struct {
		name   string
		entry  *Entry
		ttl    time.Duration
		stored bool
	}{
		{"body of exactly 1048576 bytes", &Entry{Status: 200, Body: make([]byte, 1048576)}, time.Minute, true},
		{"body of 1048577 bytes", &Entry{Status: 200, Body: make([]byte, 1048577)}, time.Minute, false},
		{"ttl 0 means caching off", petResponse("x"), 0, false},
		{"nil entry", nil, time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.Set(tt.name, tt.entry, tt.ttl); got != tt.stored {
				t.Fatalf("Set = %v, want %v", got, tt.stored)
			}
			if _, ok := m.Get(tt.name); ok != tt.stored {
				t.Fatalf("Get hit = %v, want %v", ok, tt.stored)
			}
		})
	}
	small := newTestMemory(t, Options{CapacityBytes: 1000, Shards: 1})
	if small.Set("big", &Entry{Body: make([]byte, 2000)}, time.Minute) {
		t.Fatal("stored an entry larger than the whole cache")
	}
}

// entryOf100 is a 100-byte body under a one-byte key: 357 bytes counted.
const entryOf100 = 100 + entryOverhead + 1

func TestMemoryEvictsLeastRecentlyUsed(t *testing.T) {
	m := newTestMemory(t, Options{CapacityBytes: 3 * entryOf100, Shards: 1})
	body := string(make([]byte, 100))
	for _, k := range []string{"a", "b", "c"} {
		m.Set(k, petResponse(body), time.Hour)
	}
	mustGet(t, m, "a") // recency, oldest first: b c a
	m.Set("d", petResponse(body), time.Hour)
	mustMiss(t, m, "b")
	mustGet(t, m, "c") // a d c
	m.Set("e", petResponse(body), time.Hour)
	mustMiss(t, m, "a")
	for _, k := range []string{"c", "d", "e"} {
		mustGet(t, m, k)
	}
	if st := m.Stats(); st.Evictions != 2 || st.Entries != 3 || st.Bytes != 3*entryOf100 {
		t.Fatalf("stats = %+v, want 2 evictions and 3 entries", st)
	}
}

func TestMemoryReplacingAKeyKeepsAccounting(t *testing.T) {
	m := newTestMemory(t, Options{CapacityBytes: 3 * entryOf100, Shards: 1})
	body := string(make([]byte, 100))
	for range 10 {
		m.Set("a", petResponse(body), time.Hour)
	}
	m.Set("b", petResponse(body), time.Hour)
	m.Set("c", petResponse(body), time.Hour)
	if st := m.Stats(); st.Evictions != 0 || st.Entries != 3 || st.Bytes != 3*entryOf100 {
		t.Fatalf("stats = %+v, want 3 entries and no eviction", st)
	}
}

func TestMemoryEvictingExpiredEntriesCountsExpirations(t *testing.T) {
	clock := newManualClock()
	m := newTestMemory(t, Options{CapacityBytes: 2 * entryOf100, Shards: 1, Clock: clock})
	body := string(make([]byte, 100))
	m.Set("a", petResponse(body), time.Second)
	m.Set("b", petResponse(body), time.Hour)
	clock.Advance(2 * time.Second)
	m.Set("c", petResponse(body), time.Hour)
	if st := m.Stats(); st.Expirations != 1 || st.Evictions != 0 {
		t.Fatalf("stats = %+v, want the expired entry counted as an expiration", st)
	}
}

func TestMemoryBytesStayWithinCapacity(t *testing.T) {
	const capacity = 64 << 10
	m := newTestMemory(t, Options{CapacityBytes: capacity, Shards: 4})
	for i := range 2000 {
		e := &Entry{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: make([]byte, i%700)}
		m.Set("k"+strconv.Itoa(i), e, time.Hour)
		if st := m.Stats(); st.Bytes > capacity {
			t.Fatalf("after %d sets the cache holds %d bytes, over its capacity %d", i+1, st.Bytes, capacity)
		}
	}
	if st := m.Stats(); st.Evictions == 0 || st.Bytes < capacity/2 {
		t.Fatalf("stats = %+v: expected a full cache that evicted", st)
	}
}

func TestMemoryFlush(t *testing.T) {
	m := newTestMemory(t, Options{CapacityBytes: 1 << 20})
	for i := range 100 {
		m.Set("pets/"+strconv.Itoa(i), petResponse("{}"), time.Hour)
	}
	m.Flush()
	for i := range 100 {
		mustMiss(t, m, "pets/"+strconv.Itoa(i))
	}
	if st := m.Stats(); st.Entries != 0 || st.Bytes != 0 {
		t.Fatalf("stats after flush = %+v", st)
	}
	m.Set("pets/1", petResponse("{}"), time.Hour)
	mustGet(t, m, "pets/1")
}

func TestMemoryDelete(t *testing.T) {
	m := newTestMemory(t, Options{CapacityBytes: 1 << 20})
	m.Set("pets/1", petResponse("{}"), time.Hour)
	m.Delete("pets/1")
	m.Delete("pets/2")
	mustMiss(t, m, "pets/1")
	if st := m.Stats(); st.Bytes != 0 {
		t.Fatalf("bytes after delete = %d", st.Bytes)
	}
}

func TestMemorySetCopiesTheEntry(t *testing.T) {
	m := newTestMemory(t, Options{CapacityBytes: 1 << 20})
	e := &Entry{Status: 200, Header: http.Header{"X-Pet": {"cat"}}, Body: []byte("meow")}
	m.Set("k", e, time.Hour)
	e.Body[0] = 'M'
	e.Header.Set("X-Pet", "dog")
	got := mustGet(t, m, "k")
	if string(got.Body) != "meow" || got.Header.Get("X-Pet") != "cat" {
		t.Fatalf("cached entry changed with the caller's buffers: %q %v", got.Body, got.Header)
	}
}

func TestNewMemoryShards(t *testing.T) {
	tests := []struct {
		capacity int64
		shards   int
		want     int
	}{
		{1000, 0, 1},
		{8 << 20, 0, 2},   // cacheClusterSize 0.5 at the default scale
		{64 << 20, 0, 16}, // 4 MiB per shard
		{4 << 30, 0, 32},
		{1 << 20, 3, 4},
	}
	for _, tt := range tests {
		m := newTestMemory(t, Options{CapacityBytes: tt.capacity, Shards: tt.shards})
		if len(m.shards) != tt.want {
			t.Errorf("capacity %d, Shards %d: %d shards, want %d", tt.capacity, tt.shards, len(m.shards), tt.want)
		}
	}
	if _, err := NewMemory(Options{}); err == nil {
		t.Fatal("NewMemory accepted a zero capacity")
	}
}

// TestMemoryConcurrentUse is for the race detector: many goroutines
// setting, reading and deleting keys of a small cache; afterwards the byte
// count must equal the sum of what is held.
func TestMemoryConcurrentUse(t *testing.T) {
	m := newTestMemory(t, Options{CapacityBytes: 32 << 10, Shards: 4})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := "k" + strconv.Itoa((i*7+g)%300)
				switch i % 5 {
				case 0:
					m.Delete(k)
				case 1, 2:
					m.Set(k, &Entry{Status: 200, Body: bytes.Repeat([]byte{'x'}, i%500)}, time.Hour)
				default:
					if e, ok := m.Get(k); ok && e.Status != 200 {
						t.Errorf("entry with status %d", e.Status)
					}
				}
			}
		})
	}
	wg.Wait()
	var held int64
	for i := range m.shards {
		s := &m.shards[i]
		for n := s.root.next; n != &s.root; n = n.next {
			held += n.size
		}
		if len(s.items) == 0 && s.root.next != &s.root {
			t.Fatal("list and map disagree")
		}
	}
	if st := m.Stats(); st.Bytes != held || st.Bytes > 32<<10 {
		t.Fatalf("stats bytes %d, held %d, capacity %d", st.Bytes, held, 32<<10)
	}
}
