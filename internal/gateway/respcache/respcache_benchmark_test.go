package respcache

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

func benchMemory(b *testing.B, keys int) (*Memory, []string) {
	m, err := NewMemory(Options{CapacityBytes: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	e := &Entry{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: make([]byte, 512)}
	ks := make([]string, keys)
	for i := range ks {
		ks[i] = "GET /pets/" + strconv.Itoa(i)
		m.Set(ks[i], e, time.Hour)
	}
	return m, ks
}

// BenchmarkMemoryGetHit is the cost of serving an entry: one goroutine,
// then parallel over many keys (the usual case), then parallel on one hot
// key (every goroutine on one shard lock).
func BenchmarkMemoryGetHit(b *testing.B) {
	b.Run("single", func(b *testing.B) {
		m, ks := benchMemory(b, 1024)
		i := 0
		for b.Loop() {
			if _, ok := m.Get(ks[i&1023]); !ok {
				b.Fatal("miss")
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		m, ks := benchMemory(b, 1024)
		var seed atomic.Uint32
		b.RunParallel(func(pb *testing.PB) {
			i := int(seed.Add(7919))
			for pb.Next() {
				if _, ok := m.Get(ks[i&1023]); !ok {
					b.Error("miss")
					return
				}
				i++
			}
		})
	})
	b.Run("parallel-hot-key", func(b *testing.B) {
		m, ks := benchMemory(b, 1)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Get(ks[0])
			}
		})
	})
}

// BenchmarkSealedGetHit is a hit on an encrypted entry (decryption and
// decoding, a few allocations).
func BenchmarkSealedGetHit(b *testing.B) {
	m, _ := benchMemory(b, 0)
	s, err := NewSealed(m)
	if err != nil {
		b.Fatal(err)
	}
	s.Set("GET /pets/1", &Entry{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: make([]byte, 512)}, time.Hour)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, ok := s.Get("GET /pets/1"); !ok {
				b.Error("miss")
				return
			}
		}
	})
}

// BenchmarkMemorySet is the cost of storing a response after a miss
// (including the copy of a 512-byte body), with evictions once full.
func BenchmarkMemorySet(b *testing.B) {
	m, err := NewMemory(Options{CapacityBytes: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	e := &Entry{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: make([]byte, 512)}
	ks := make([]string, 4096)
	for i := range ks {
		ks[i] = "GET /pets/" + strconv.Itoa(i)
	}
	i := 0
	for b.Loop() {
		m.Set(ks[i&4095], e, time.Hour)
		i++
	}
}

// BenchmarkKeyBuilder is the per-request key construction for a method
// with a path, a query string and a header cache key parameter.
func BenchmarkKeyBuilder(b *testing.B) {
	kb, err := NewKeyBuilder(KeyScope{Partition: "a1b2c3", HTTPMethod: "GET", ResourcePath: "/pets/{petId}"},
		[]string{"method.request.path.petId", "method.request.querystring.type", "method.request.header.X-Tenant"})
	if err != nil {
		b.Fatal(err)
	}
	v := &RequestValues{
		PathParams:  map[string]string{"petId": "42"},
		QueryParams: map[string][]string{"type": {"admin"}},
		Headers:     http.Header{"X-Tenant": {"acme"}},
	}
	for b.Loop() {
		_ = kb.Key(v)
	}
}
