package gateway

import (
	"sync"
	"time"
)

// authCache holds a stage's cached authorizer results, keyed by
// authorizer id and identity (authKey). It lives in stageState, so a
// recompile (update-stage, a new deployment) keeps it, and
// flush-stage-authorizers-cache empties it. AWS reuses a cached policy
// for every method of the stage: the policy is evaluated again against
// each request's method ARN.
type authCache struct {
	mu      sync.RWMutex
	entries map[string]*authEntry
}

// authEntry is one cached authorizer answer.
type authEntry struct {
	result  *authResult
	expires time.Time
}

// maxAuthEntries bounds a stage's cache; when it is full, expired entries
// are dropped first, then an arbitrary half (Go's map order), so a flood
// of distinct tokens costs bounded memory.
const maxAuthEntries = 10000

func newAuthCache() *authCache { return &authCache{entries: map[string]*authEntry{}} }

// get returns the live result cached under key. The key is the caller's
// scratch bytes: the map lookup converts without allocating.
func (c *authCache) get(key []byte, now time.Time) *authResult {
	c.mu.RLock()
	e := c.entries[string(key)]
	c.mu.RUnlock()
	if e == nil || !now.Before(e.expires) {
		return nil
	}
	return e.result
}

func (c *authCache) put(key []byte, r *authResult, expires time.Time, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxAuthEntries {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < maxAuthEntries/2 {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[string(key)] = &authEntry{result: r, expires: expires}
}

// flush empties the cache.
func (c *authCache) flush() {
	c.mu.Lock()
	c.entries = map[string]*authEntry{}
	c.mu.Unlock()
}

// len is the number of entries, live or not.
func (c *authCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// authCacheFor returns the stage's authorizer cache, creating it on first
// use. Called while compiling.
func (st *stageState) authCacheFor(apiID, stage string) *authCache {
	k := keyOf(apiID, stage)
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.authCaches[k]
	if c == nil {
		c = newAuthCache()
		st.authCaches[k] = c
	}
	return c
}

// FlushStageAuthorizersCache empties a stage's cached authorizer results
// (backplane.StageCacheFlusher's sibling for flush-stage-authorizers-cache).
func (g *Gateway) FlushStageAuthorizersCache(restAPIID, stage string) {
	st := g.state
	st.mu.Lock()
	c := st.authCaches[keyOf(restAPIID, stage)]
	st.mu.Unlock()
	if c != nil {
		c.flush()
	}
}
