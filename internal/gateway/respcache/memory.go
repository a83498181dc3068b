package respcache

import (
	"errors"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Memory cache.
type Options struct {
	// CapacityBytes bounds the bytes entries may take (see Entry for how
	// they are counted). Use ClusterCapacity to derive it from a stage's
	// cacheClusterSize.
	CapacityBytes int64
	// Shards is the number of independently locked parts, rounded up to a
	// power of two. 0 picks one per 4 MiB of capacity, at most 32, so
	// that each shard holds several maximum-size entries. Each shard gets
	// an equal part of the capacity and evicts on its own, so LRU order is
	// exact within a shard and approximate across shards; Shards: 1 gives
	// exact LRU.
	Shards int
	// Clock drives TTL expiry; nil means the real (monotonic) clock.
	Clock Clock
}

const (
	minShardBytes = 4 << 20
	maxShards     = 32
)

// Memory is a byte-bounded in-process LRU cache with per-entry TTLs,
// sharded so concurrent requests for different keys rarely share a lock.
// A hit is a hash, one uncontended mutex, a map lookup and a list splice,
// with no allocation.
type Memory struct {
	shards []shard
	mask   uint64
	seed   maphash.Seed
	now    func() int64
	cap    int64
}

type shard struct {
	mu       sync.Mutex
	items    map[string]*node
	root     node // sentinel of the recency list: root.next is most recent
	bytes    int64
	capacity int64

	hits, misses, evictions, expirations atomic.Uint64
	_                                    [64]byte // keep shards' hot fields on separate cache lines
}

type node struct {
	key        string
	entry      *Entry
	size       int64
	expires    int64 // on the cache's clock, ns
	prev, next *node
}

// NewMemory returns an empty cache.
func NewMemory(opts Options) (*Memory, error) {
	if opts.CapacityBytes <= 0 {
		return nil, errors.New("respcache: capacity must be positive")
	}
	n := opts.Shards
	if n <= 0 {
		n = 1
		for n < maxShards && opts.CapacityBytes/int64(n*2) >= minShardBytes {
			n *= 2
		}
	}
	p := 1
	for p < n {
		p *= 2
	}
	m := &Memory{
		shards: make([]shard, p),
		mask:   uint64(p - 1),
		seed:   maphash.MakeSeed(),
		now:    nanoSource(opts.Clock),
		cap:    opts.CapacityBytes,
	}
	for i := range m.shards {
		s := &m.shards[i]
		s.capacity = opts.CapacityBytes / int64(p)
		s.reset()
	}
	return m, nil
}

func (s *shard) reset() {
	s.items = map[string]*node{}
	s.root.next, s.root.prev = &s.root, &s.root
	s.bytes = 0
}

func (m *Memory) shard(key string) *shard {
	return &m.shards[maphash.String(m.seed, key)&m.mask]
}

// Get returns the live entry for key and marks it most recently used. An
// expired entry is removed and reported as a miss.
func (m *Memory) Get(key string) (*Entry, bool) {
	now := m.now()
	s := m.shard(key)
	s.mu.Lock()
	n, ok := s.items[key]
	return s.found(n, ok, now)
}

// GetBytes is Get for a key built in a buffer: the lookup does not
// allocate a string for it.
func (m *Memory) GetBytes(key []byte) (*Entry, bool) {
	now := m.now()
	// maphash.Bytes(b) equals maphash.String(string(b)): the same shard.
	s := &m.shards[maphash.Bytes(m.seed, key)&m.mask]
	s.mu.Lock()
	n, ok := s.items[string(key)]
	return s.found(n, ok, now)
}

// found finishes a lookup that found n (ok) under s.mu, and unlocks it.
func (s *shard) found(n *node, ok bool, now int64) (*Entry, bool) {
	if !ok {
		s.mu.Unlock()
		s.misses.Add(1)
		return nil, false
	}
	if now >= n.expires {
		s.remove(n)
		s.mu.Unlock()
		s.expirations.Add(1)
		s.misses.Add(1)
		return nil, false
	}
	if s.root.next != n {
		s.unlink(n)
		s.pushFront(n)
	}
	e := n.entry
	s.mu.Unlock()
	s.hits.Add(1)
	return e, true
}

// Set stores a copy of e under key for ttl, replacing any entry there and
// evicting least recently used entries of the key's shard to make room.
func (m *Memory) Set(key string, e *Entry, ttl time.Duration) bool {
	if e == nil || ttl <= 0 || len(e.Body) > MaxEntryBytes {
		return false
	}
	s := m.shard(key)
	size := e.size() + int64(len(key))
	if size > s.capacity {
		return false
	}
	now := m.now()
	n := &node{key: key, entry: e.clone(), size: size, expires: now + int64(ttl)}
	s.mu.Lock()
	if old, ok := s.items[key]; ok {
		s.remove(old)
	}
	for s.bytes+size > s.capacity {
		victim := s.root.prev
		s.remove(victim)
		if victim.expires <= now {
			s.expirations.Add(1)
		} else {
			s.evictions.Add(1)
		}
	}
	s.items[key] = n
	s.pushFront(n)
	s.bytes += size
	s.mu.Unlock()
	return true
}

// Delete removes key's entry.
func (m *Memory) Delete(key string) {
	s := m.shard(key)
	s.mu.Lock()
	if n, ok := s.items[key]; ok {
		s.remove(n)
	}
	s.mu.Unlock()
}

// Flush removes every entry.
func (m *Memory) Flush() {
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		s.reset()
		s.mu.Unlock()
	}
}

// Stats sums the shards' counters.
func (m *Memory) Stats() Stats {
	st := Stats{Capacity: m.cap}
	for i := range m.shards {
		s := &m.shards[i]
		st.Hits += s.hits.Load()
		st.Misses += s.misses.Load()
		st.Evictions += s.evictions.Load()
		st.Expirations += s.expirations.Load()
		s.mu.Lock()
		st.Entries += int64(len(s.items))
		st.Bytes += s.bytes
		s.mu.Unlock()
	}
	return st
}

func (s *shard) remove(n *node) {
	s.unlink(n)
	delete(s.items, n.key)
	s.bytes -= n.size
}

func (s *shard) unlink(n *node) {
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
}

func (s *shard) pushFront(n *node) {
	n.prev, n.next = &s.root, s.root.next
	s.root.next.prev = n
	s.root.next = n
}
