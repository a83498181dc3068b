package respcache

import "time"

// Cache stores method responses for a stage. Memory is the in-process
// implementation; Sealed wraps any Cache to encrypt entries; a shared
// implementation (Redis) can follow behind the same interface.
type Cache interface {
	// Get returns the live entry for key. The entry is read-only.
	Get(key string) (*Entry, bool)
	// Set stores a copy of e for ttl and reports whether it was stored:
	// entries with a body over MaxEntryBytes, a ttl <= 0 or a size beyond
	// the cache's capacity are not.
	Set(key string, e *Entry, ttl time.Duration) bool
	// Delete removes key's entry, if any.
	Delete(key string)
	// Flush removes every entry (flush-stage-cache).
	Flush()
	// Stats returns the cache's counters.
	Stats() Stats
}

// Stats are a cache's counters since it was created, for the observability
// issue (CacheHitCount/CacheMissCount are per stage, and a stage has one
// cache).
type Stats struct {
	Hits        uint64 // Get found a live entry
	Misses      uint64 // Get found nothing, or an expired entry
	Evictions   uint64 // live entries dropped to make room
	Expirations uint64 // entries dropped because their TTL ran out
	Entries     int64  // entries held now
	Bytes       int64  // bytes held now, as counted against Capacity
	Capacity    int64  // capacity in bytes
}

// Interface guards.
var (
	_ Cache = (*Memory)(nil)
	_ Cache = (*Sealed)(nil)
)
