package gateway

import (
	"net/http"
	"strconv"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/gateway/respcache"
)

// The stage cache (data-plane.md §5).
//
// A stage with cacheClusterEnabled gets its own respcache.Memory, bounded
// by cacheClusterSize at Options.CacheBytesPerGB bytes per "GB", and a
// Sealed view over it for methods with cacheDataEncrypted. The cache lives
// on the Gateway (stageState), so redeployments and update-stage keep its
// entries; a new cacheClusterSize replaces it (AWS recreates the cluster,
// entries are lost) and disabling the cache drops it.
//
// Which methods cache: the method's own methodSettings entry if it has
// one, else the stage's "*/*" entry for GET methods only (AWS: "only GET
// methods have caching enabled by default"; other verbs, ANY included,
// need their own entry). It needs cachingEnabled and cacheTtlInSeconds > 0.
//
// What is cached: responses with status < 400 whose body is at most
// 1048576 bytes, as sent to the client (headers and body), minus the
// per-request headers (request ids, Date). AWS caches the integration
// response; "successful responses only" is the spec's choice (U). HEAD
// requests to an ANY method are never cached: they have no body to store.
//
// Keys: respcache.KeyBuilder over (partition, verb, resource path or the
// integration's cacheNamespace, cacheKeyParameters values). The partition
// is the production deployment id, so a new deployment never serves the
// previous integration's responses. The canary uses the production
// partition when useStageCache is true (it shares the stage cache) and a
// partition of its own otherwise ("canary:" + its deployment id), inside
// the same memory budget.
//
// Cache-Control: max-age=0 follows respcache.InvalidationPolicy: an
// authorised (or, without requireAuthorizationForCacheControl, any) caller
// skips the lookup and replaces the entry; an unauthorised one gets, per
// unauthorizedCacheControlHeaderStrategy, a 403 (FAIL_WITH_403), a normal
// answer with a Warning header (SUCCEED_WITH_RESPONSE_HEADER) or a normal
// answer (SUCCEED_WITHOUT_RESPONSE_HEADER). No other response header is
// added: AWS sends none to tell hits from misses.

// respCacheControlDenied answers an unauthorised Cache-Control: max-age=0
// under FAIL_WITH_403. AWS documents only "fail the request with 403
// status code"; the body and x-amzn-ErrorType are ours (U), those of the
// ACCESS_DENIED gateway response in the spec's table.
var respCacheControlDenied = newGatewayResponse(gtDefault4XX, http.StatusForbidden, "AccessDeniedException",
	`{"message":"Forbidden"}`)

// stageCache is one stage's cache: the memory, its encrypting view, and
// the cacheClusterSize it was built for.
type stageCache struct {
	size   string
	mem    *respcache.Memory
	sealed *respcache.Sealed
}

// cacheFor returns the stage's cache, creating it, or replacing it when
// cacheClusterSize changed; nil when the stage has no cache. Called while
// compiling; prune drops caches of stages that no longer have one.
func (st *stageState) cacheFor(apiID string, s *apigw.Stage) (*stageCache, error) {
	if !s.CacheClusterEnabled {
		return nil, nil
	}
	size := s.CacheClusterSize
	if size == "" {
		size = apigw.CacheClusterSizes[0] // what the control plane provisions by default
	}
	k := keyOf(apiID, s.StageName)
	st.mu.Lock()
	defer st.mu.Unlock()
	if c := st.caches[k]; c != nil && c.size == s.CacheClusterSize {
		return c, nil
	}
	capacity, err := respcache.ClusterCapacity(size, st.bytesPerGB)
	if err != nil {
		return nil, err
	}
	mem, err := respcache.NewMemory(respcache.Options{CapacityBytes: capacity, Clock: st.cacheClock})
	if err != nil {
		return nil, err
	}
	sealed, err := respcache.NewSealed(mem)
	if err != nil {
		return nil, err
	}
	c := &stageCache{size: s.CacheClusterSize, mem: mem, sealed: sealed}
	st.caches[k] = c
	return c, nil
}

// FlushStageCache implements backplane.StageCacheFlusher: flush-stage-cache
// empties the stage's cache, encrypted entries and canary partition
// included.
func (g *Gateway) FlushStageCache(restAPIID, stageName string) {
	if c := g.state.cache(restAPIID, stageName); c != nil {
		c.mem.Flush()
	}
}

// StageCacheStats returns the counters of a stage's cache (entries, bytes,
// capacity, evictions); false when the stage has no cache.
func (g *Gateway) StageCacheStats(restAPIID, stageName string) (respcache.Stats, bool) {
	c := g.state.cache(restAPIID, stageName)
	if c == nil {
		return respcache.Stats{}, false
	}
	return c.mem.Stats(), true
}

// cache returns the stage's current cache, nil when it has none.
func (st *stageState) cache(apiID, stage string) *stageCache {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.caches[keyOf(apiID, stage)]
}

// cacheSettingFor resolves whether caching applies to method m of stage s,
// and with which settings (see the package comment above).
func cacheSettingFor(s *apigw.Stage, m *method) (apigw.MethodSetting, bool) {
	ms, ok := s.MethodSettings[m.escapedSettingKey]
	if !ok {
		ms, ok = s.MethodSettings[m.settingKey]
	}
	if !ok {
		if m.verb != http.MethodGet {
			return ms, false
		}
		if ms, ok = s.MethodSettings[apigw.WildcardMethodKey]; !ok {
			return ms, false
		}
	}
	return ms, ms.CachingEnabled && ms.CacheTTLInSeconds > 0
}

// cachePartition is the key partition of a variant (see above).
func cachePartition(v *variant) string {
	if !v.canary {
		return v.deploymentID
	}
	if cs := v.stage.CanarySettings; cs != nil && cs.UseStageCache {
		return v.stage.DeploymentID
	}
	return "canary:" + v.deploymentID
}

// anyVerbs are the verbs an ANY method caches under, each with its own
// key.
var anyVerbs = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions}

// cachePlan is a method's compiled cache step.
type cachePlan struct {
	cache    respcache.Cache   // the stage Memory, or its Sealed view
	mem      *respcache.Memory // cache when it is the plaintext Memory
	ttl      time.Duration
	policy   respcache.InvalidationPolicy
	kb       *respcache.KeyBuilder            // the method's keys; nil for ANY
	byVerb   map[string]*respcache.KeyBuilder // ANY: keys per request verb
	counters *stageCounters
}

// cacheStep returns the cache step of method m, or nil when caching does
// not apply to it.
func (c *compiler) cacheStep(v *variant, m *method, am *apigw.Method) step {
	ms, on := cacheSettingFor(v.stage, m)
	if !on {
		return nil
	}
	sc, err := c.g.state.cacheFor(v.apiID, v.stage)
	if err != nil {
		c.warn(v, m, "stage cache not available; not caching", "error", err)
		return nil
	}
	if sc == nil {
		return nil
	}
	var keyParams []string
	var namespace string
	if in := am.MethodIntegration; in != nil {
		keyParams, namespace = in.CacheKeyParameters, in.CacheNamespace
	}
	p := &cachePlan{
		cache: sc.mem,
		ttl:   time.Duration(min(ms.CacheTTLInSeconds, apigw.MaxCacheTTLSeconds)) * time.Second,
		policy: respcache.InvalidationPolicy{
			RequireAuthorization: ms.RequireAuthorizationForCacheControl,
			Strategy:             ms.UnauthorizedCacheControlHeaderStrategy,
		},
		counters: c.g.state.countersFor(v.apiID, v.stageName),
	}
	if ms.CacheDataEncrypted {
		p.cache = sc.sealed
	} else {
		p.mem = sc.mem
	}
	scope := respcache.KeyScope{Partition: cachePartition(v), HTTPMethod: m.verb,
		ResourcePath: m.resourcePath, CacheNamespace: namespace}
	if m.verb == "ANY" {
		p.byVerb = make(map[string]*respcache.KeyBuilder, len(anyVerbs))
		for _, verb := range anyVerbs {
			scope.HTTPMethod = verb
			if p.byVerb[verb], err = respcache.NewKeyBuilder(scope, keyParams); err != nil {
				break
			}
		}
	} else {
		p.kb, err = respcache.NewKeyBuilder(scope, keyParams)
	}
	if err != nil {
		// Caching under a key that ignores a declared parameter would
		// serve one caller's response to another: do not cache.
		c.warn(v, m, "cache key parameters not supported; not caching", "error", err)
		return nil
	}
	return p.wrap
}

func (p *cachePlan) wrap(next handler) handler {
	return func(inv *invocation) {
		kb := p.kb
		if kb == nil {
			if kb = p.byVerb[inv.r.Method]; kb == nil {
				next(inv) // HEAD and other verbs of an ANY method
				return
			}
		}
		// The key is built in the invocation's buffer: a hit in the
		// plaintext memory looks it up without making it a string.
		key := kb.AppendKey(inv.bufs.keyBuf[:0], (*cacheKeyValues)(inv))
		switch p.policy.DecideRequest(inv.r.Header) {
		case respcache.Forbid:
			respCacheControlDenied.write(inv)
			return
		case respcache.Refresh:
			p.fill(inv, string(key), next, true)
			return
		case respcache.ServeWithWarning:
			inv.w.Header()[respcache.WarningHeader] = warningValue
		}
		var e *respcache.Entry
		var ok bool
		if p.mem != nil {
			e, ok = p.mem.GetBytes(key)
		} else {
			e, ok = p.cache.Get(string(key))
		}
		if ok {
			inv.cache = cacheHit
			p.counters.cacheHits.Add(1)
			writeEntry(inv, e)
			return
		}
		p.fill(inv, string(key), next, false)
	}
}

var warningValue = []string{respcache.WarningValue}

// fill runs the rest of the pipeline with the response captured on its
// way to the client, and stores it if it may be cached. A refresh whose
// response may not be cached removes the old entry: the caller asked for
// it to be invalidated.
func (p *cachePlan) fill(inv *invocation, key string, next handler, refresh bool) {
	inv.cache = cacheMiss
	p.counters.cacheMisses.Add(1)
	cw := &captureWriter{ResponseWriter: inv.w}
	inv.w = cw
	next(inv)
	inv.w = cw.ResponseWriter
	if e := cw.entry(); e != nil && p.cache.Set(key, e, p.ttl) {
		return
	}
	if refresh {
		p.cache.Delete(key)
	}
}

// writeEntry answers from a cache entry: prepared from its encoded
// header when it has one, else through the header map. The stored header
// carries its Content-Length, so a hit allocates nothing here either; the
// value slices are shared read-only with the entry (capacity-limited, so
// an Add elsewhere copies).
func writeEntry(inv *invocation, e *respcache.Entry) {
	if e.Wire != nil && inv.writePrepared(e.Status, e.Wire, e.Body) {
		return
	}
	w := inv.w
	h := w.Header()
	for k, vs := range e.Header {
		h[k] = vs
	}
	w.WriteHeader(e.Status)
	w.Write(e.Body)
}

// captureWriter passes a response through to the client and keeps a copy
// of it (up to the cacheable size) for the cache.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   []byte
	failed bool // too large, a write failed, or trailers: not cacheable
}

func (cw *captureWriter) WriteHeader(code int) {
	if cw.status == 0 && code >= 200 {
		cw.status = code
	}
	cw.ResponseWriter.WriteHeader(code)
}

func (cw *captureWriter) Write(b []byte) (int, error) {
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	if !cw.failed {
		if len(cw.body)+len(b) > respcache.MaxEntryBytes {
			cw.failed, cw.body = true, nil
		} else {
			cw.body = append(cw.body, b...)
		}
	}
	n, err := cw.ResponseWriter.Write(b)
	if err != nil {
		cw.failed = true
	}
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (flushes of
// streamed responses).
func (cw *captureWriter) Unwrap() http.ResponseWriter { return cw.ResponseWriter }

// uncachedHeaders are response headers that belong to one request, not to
// the cached response.
var uncachedHeaders = []string{"X-Amzn-Requestid", "X-Amz-Apigw-Id", "Date", "Content-Length", "Transfer-Encoding", "Connection"}

// entry returns the captured response as a cache entry, or nil if it may
// not be cached.
func (cw *captureWriter) entry() *respcache.Entry {
	if cw.failed || cw.status == 0 || cw.status >= 400 {
		return nil
	}
	src := cw.ResponseWriter.Header()
	if _, ok := src["Trailer"]; ok {
		return nil
	}
	h := src.Clone()
	for _, k := range uncachedHeaders {
		delete(h, k)
	}
	if w := h[respcache.WarningHeader]; len(w) == 1 && w[0] == respcache.WarningValue {
		delete(h, respcache.WarningHeader) // ours, for this request only
	}
	h["Content-Length"] = []string{strconv.Itoa(len(cw.body))}
	e := &respcache.Entry{Status: cw.status, Header: h, Body: cw.body}
	if cw.status >= 200 && cw.status != http.StatusNoContent && cw.status != http.StatusNotModified {
		e.Wire = encodeFields(h, cw.body)
	}
	return e
}

// cacheKeyValues gives respcache.KeyBuilder the request's values without
// building maps: path parameters from the router's bindings, headers from
// the request, query strings parsed only when a key needs one.
type cacheKeyValues invocation

func (v *cacheKeyValues) PathParam(name string) (string, bool) {
	return (*invocation)(v).param(name)
}

func (v *cacheKeyValues) Query(name string) []string { return (*invocation)(v).queryValues()[name] }

func (v *cacheKeyValues) Header(name string) []string { return v.r.Header[name] }

// cacheResult is what the stage cache did for one request.
type cacheResult uint8

const (
	// cacheNotApplicable: the method does not cache, or the request was
	// throttled or refused before the cache.
	cacheNotApplicable cacheResult = iota
	// cacheHit: answered from the cache (CacheHitCount).
	cacheHit
	// cacheMiss: answered by the integration while caching applied
	// (CacheMissCount), including Cache-Control: max-age=0 refreshes.
	cacheMiss
)
