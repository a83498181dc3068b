package gateway

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stagecoach/stagecoach/internal/gateway/respcache"
	"github.com/stagecoach/stagecoach/internal/gateway/throttle"
)

// stageState is what the data plane keeps per stage across recompiles:
// throttle buckets (in limits), the stage cache and the stage's counters.
// Snapshots are rebuilt on every update-stage and deployment, but a bucket
// that lost its tokens or a cache full of entries must not be reset by an
// unrelated change, so compiled pipelines get pointers into this state.
//
// The mutex is taken only while compiling, on flush-stage-cache and when
// counters are read; requests use the pointers their pipeline captured.
type stageState struct {
	limits     *throttle.Set
	bytesPerGB int64
	cacheClock respcache.Clock

	mu         sync.Mutex
	caches     map[stageKey]*stageCache
	counters   map[stageKey]*stageCounters
	authCaches map[stageKey]*authCache // authorizer results (authcache.go)
	clock      interface{ Now() time.Time }
}

// stageKey names a stage: the lower-case rest API id (as in the table) and
// the case-sensitive stage name.
type stageKey struct{ api, stage string }

func keyOf(apiID, stage string) stageKey { return stageKey{strings.ToLower(apiID), stage} }

func newStageState(opts Options) *stageState {
	var tc throttle.Clock = throttle.SystemClock{}
	var cc respcache.Clock // nil: the cache's monotonic clock
	if opts.Clock != nil {
		tc, cc = opts.Clock, opts.Clock
	}
	return &stageState{
		// The account limit is replaced with the stored account's on the
		// first compile (compileAll).
		limits:     throttle.NewSet(tc, throttle.AccountLimit(zeroThrottle)),
		bytesPerGB: opts.CacheBytesPerGB,
		cacheClock: cc,
		caches:     map[stageKey]*stageCache{},
		counters:   map[stageKey]*stageCounters{},
		authCaches: map[stageKey]*authCache{},
		clock:      tc,
	}
}

// stageCounters count what happened to a stage's requests, for metrics
// (CacheHitCount, CacheMissCount) and the observability issue. Canary
// requests count under their stage.
type stageCounters struct {
	throttled   atomic.Uint64
	cacheHits   atomic.Uint64
	cacheMisses atomic.Uint64
}

// StageCounters is a snapshot of one stage's counters since the gateway
// started (or since the stage was created, if later).
type StageCounters struct {
	// Throttled counts requests answered 429 by any throttle level.
	Throttled uint64
	// CacheHits counts requests answered from the stage cache.
	CacheHits uint64
	// CacheMisses counts requests answered by the integration while
	// caching applied to their method (including authorised
	// Cache-Control: max-age=0 refreshes), AWS's CacheMissCount.
	CacheMisses uint64
}

// StageCounters returns the counters of a stage; zero for a stage the
// gateway does not serve.
func (g *Gateway) StageCounters(restAPIID, stage string) StageCounters {
	st := g.state
	st.mu.Lock()
	c := st.counters[keyOf(restAPIID, stage)]
	st.mu.Unlock()
	if c == nil {
		return StageCounters{}
	}
	return StageCounters{Throttled: c.throttled.Load(), CacheHits: c.cacheHits.Load(), CacheMisses: c.cacheMisses.Load()}
}

// countersFor returns the stage's counters, creating them on first use.
// Called while compiling.
func (st *stageState) countersFor(apiID, stage string) *stageCounters {
	k := keyOf(apiID, stage)
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.counters[k]
	if c == nil {
		c = &stageCounters{}
		st.counters[k] = c
	}
	return c
}

// prune drops the state of stages and methods the published table no
// longer serves: buckets of methods gone with a new deployment, caches of
// deleted stages or stages whose cache was disabled (AWS deletes the
// cache cluster, so re-enabling starts empty), counters of deleted
// stages. It runs on the compile worker after each publish.
func (st *stageState) prune(t *table) {
	live := map[stageKey]*stageRuntime{}
	scopes := map[throttle.Scope]bool{}
	for _, api := range t.apis {
		for name, sr := range api.stages {
			live[keyOf(api.id, name)] = sr
			sr.eachMethod(func(m *method) {
				scopes[throttle.Scope{RestAPIID: strings.ToLower(api.id), Stage: name, Method: m.settingKey}] = true
			})
		}
	}
	st.limits.Retain(func(sc throttle.Scope) bool { return scopes[sc] })
	st.mu.Lock()
	defer st.mu.Unlock()
	for k, c := range st.caches {
		if sr := live[k]; sr == nil || !sr.stage.CacheClusterEnabled || sr.stage.CacheClusterSize != c.size {
			delete(st.caches, k)
		}
	}
	for k := range st.counters {
		if live[k] == nil {
			delete(st.counters, k)
		}
	}
	for k := range st.authCaches {
		if live[k] == nil {
			delete(st.authCaches, k)
		}
	}
}

// walkMethods calls fn for every method of a compiled resource tree.
func walkMethods(n *node, fn func(*method)) {
	if n == nil {
		return
	}
	for _, m := range n.methods {
		fn(m)
	}
	if n.anyMethod != nil {
		fn(n.anyMethod)
	}
	for _, c := range n.literals {
		walkMethods(c, fn)
	}
	walkMethods(n.param, fn)
	walkMethods(n.greedy, fn)
}
