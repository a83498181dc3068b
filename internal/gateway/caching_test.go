package gateway

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/gateway/respcache"
	"github.com/stagecoach/stagecoach/internal/gateway/throttle"
)

// caching returns a methodSettings entry with caching on for ttl seconds,
// with the control plane's defaults for the rest.
func caching(ttl int) apigw.MethodSetting {
	ms := apigw.NewMethodSetting(apigw.ThrottleSettings{})
	ms.CachingEnabled, ms.CacheTTLInSeconds = true, ttl
	return ms
}

// cacheEnv deploys HTTP_PROXY methods on a counting backend with the
// stage cache on (0.5 GB) and */* caching for 60 s.
//
//	GET  /items          -> backend /items (query "q" is a cache key)
//	GET  /items/{id}     -> backend /items/{id} (id is NOT a cache key)
//	GET  /keyed/{id}     -> backend /keyed/{id} (id is a cache key)
//	POST /items          -> backend /items
//	GET  /sized          -> backend /sized (passes ?size= and ?status=)
func cacheEnv(t *testing.T, id string, opts Options) (*testEnv, *countingBackend, *throttle.ManualClock) {
	t.Helper()
	clock := throttle.NewManualClock(time.Unix(1_700_000_000, 0))
	if opts.Clock == nil {
		opts.Clock = clock
	}
	e := newTestEnv(t, opts)
	be := newCountingBackend(t)
	b := newAPIBuilder(id)
	items := proxyIntegration(be.URL + "/items")
	items.CacheKeyParameters = []string{"method.request.querystring.q"}
	b.method("/items", "GET", items)
	itemURI := proxyIntegration(be.URL + "/items/{id}")
	itemURI.RequestParameters = map[string]string{"integration.request.path.id": "method.request.path.id"}
	b.method("/items/{id}", "GET", itemURI)
	keyed := proxyIntegration(be.URL + "/keyed/{id}")
	keyed.RequestParameters = map[string]string{"integration.request.path.id": "method.request.path.id"}
	keyed.CacheKeyParameters = []string{"method.request.path.id"}
	b.method("/keyed/{id}", "GET", keyed)
	b.method("/items", "POST", proxyIntegration(be.URL+"/items"))
	sized := proxyIntegration(be.URL + "/sized")
	sized.CacheKeyParameters = []string{"method.request.querystring.size", "method.request.querystring.status"}
	b.method("/sized", "GET", sized)
	e.deploy(b, "prod", nil)
	e.editStage(id, "prod", func(s *apigw.Stage) {
		s.CacheClusterEnabled, s.CacheClusterSize, s.CacheClusterStatus = true, "0.5", apigw.CacheStatusAvailable
		s.MethodSettings = map[string]apigw.MethodSetting{"*/*": caching(60)}
	})
	return e, be, clock
}

func TestCacheHitMissAndTTL(t *testing.T) {
	e, be, clock := cacheEnv(t, "cachettl01", Options{})
	_, first, _ := e.get("cachettl01", "prod", "/items", nil)
	code, second, h := e.get("cachettl01", "prod", "/items", nil)
	if code != 200 || first != "/items hit 1" || second != first {
		t.Fatalf("second GET = %d %q, want the cached %q", code, second, first)
	}
	expectRequestIDs(t, &http.Response{Header: h})
	if h.Get("Content-Length") != "12" {
		t.Errorf("cached answer Content-Length = %q", h.Get("Content-Length"))
	}
	for _, k := range []string{"X-Cache", "Age", "Warning"} {
		if v := h.Get(k); v != "" {
			t.Errorf("cached answer has %s: %s; AWS adds no such header", k, v)
		}
	}
	if c := e.gw.StageCounters("cachettl01", "prod"); c.CacheHits != 1 || c.CacheMisses != 1 {
		t.Errorf("counters %+v, want 1 hit 1 miss", c)
	}
	clock.Advance(59 * time.Second)
	if _, body, _ := e.get("cachettl01", "prod", "/items", nil); body != first {
		t.Errorf("at 59s of a 60s TTL: %q", body)
	}
	clock.Advance(time.Second)
	if _, body, _ := e.get("cachettl01", "prod", "/items", nil); body != "/items hit 2" {
		t.Errorf("at 60s: %q, want a fresh backend answer", body)
	}
	if be.Hits("/items") != 2 {
		t.Errorf("backend hits %d, want 2", be.Hits("/items"))
	}
}

func TestCacheWhatIsCached(t *testing.T) {
	e, be, _ := cacheEnv(t, "cachewhat1", Options{})
	twice := func(method, path string, header http.Header) (string, string) {
		t.Helper()
		a := readAll(t, e.invoke(method, "cachewhat1", "prod", path, nil, header))
		return a, readAll(t, e.invoke(method, "cachewhat1", "prod", path, nil, header))
	}
	for _, tc := range []struct {
		name, method, path string
		cached             bool
	}{
		{"GET under */*", "GET", "/items?q=cats", true},
		{"a declared query parameter varies the key", "GET", "/items?q=dogs", true},
		{"POST needs its own method entry", "POST", "/items", false},
		{"status >= 400 is not cached", "GET", "/sized?status=404", false},
		{"3xx is cached", "GET", "/sized?status=302", true},
		{"1 MiB body is cached", "GET", "/sized?size=1048576", true},
		{"a body over 1 MiB is not cached", "GET", "/sized?size=1048577", false},
	} {
		before := be.Total()
		twice(tc.method, tc.path, nil)
		if same := be.Total() == before+1; same != tc.cached {
			t.Errorf("%s: %s %s served from cache = %v, want %v", tc.name, tc.method, tc.path, same, tc.cached)
		}
	}
	// Undeclared parameters do not vary the key: q=cats&other=1 is q=cats.
	if _, body, _ := e.get("cachewhat1", "prod", "/items?other=1&q=cats", nil); body != "/items hit 1" {
		t.Errorf("undeclared query parameter changed the key: %q", body)
	}
	// An undeclared path parameter does not either (AWS); a declared one does.
	e.get("cachewhat1", "prod", "/items/1", nil)
	if _, body, _ := e.get("cachewhat1", "prod", "/items/2", nil); body != "/items/1 hit 1" {
		t.Errorf("/items/2 with an undeclared {id}: %q, want /items/1's cached answer", body)
	}
	e.get("cachewhat1", "prod", "/keyed/1", nil)
	if _, body, _ := e.get("cachewhat1", "prod", "/keyed/2", nil); body != "/keyed/2 hit 1" {
		t.Errorf("/keyed/2 with a declared {id}: %q", body)
	}
	// POST with its own entry; ttl 0 switches GET off.
	e.editStage("cachewhat1", "prod", func(s *apigw.Stage) {
		s.MethodSettings["items/POST"] = caching(60)
		s.MethodSettings["items/GET"] = caching(0)
	})
	if a, b := twice("POST", "/items", nil); a != b {
		t.Errorf("POST with caching/enabled on its entry not cached: %q then %q", a, b)
	}
	before := be.Hits("/items")
	twice("GET", "/items?q=cats", nil)
	if be.Hits("/items") != before+2 {
		t.Errorf("GET /items with ttlInSeconds 0 was served from the cache")
	}
}

func TestCacheInvalidationStrategies(t *testing.T) {
	signed := http.Header{
		"Cache-Control": {"max-age=0"},
		"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("ab", 32)},
	}
	unsigned := http.Header{"Cache-Control": {"max-age=0"}}
	for _, tc := range []struct {
		name        string
		require     bool
		strategy    string
		header      http.Header
		wantStatus  int
		wantBody    string // "" = the refreshed backend answer
		wantWarning bool
	}{
		{"authorisation not required: anyone refreshes", false, respcache.FailWith403, unsigned, 200, "", false},
		{"signed caller refreshes", true, respcache.FailWith403, signed, 200, "", false},
		{"FAIL_WITH_403", true, respcache.FailWith403, unsigned, 403, `{"message":"Forbidden"}`, false},
		{"SUCCEED_WITH_RESPONSE_HEADER", true, respcache.SucceedWithResponseHeader, unsigned, 200, "/items hit 1", true},
		{"SUCCEED_WITHOUT_RESPONSE_HEADER", true, respcache.SucceedWithoutResponseHeader, unsigned, 200, "/items hit 1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, be, _ := cacheEnv(t, "cacheinval", Options{})
			e.editStage("cacheinval", "prod", func(s *apigw.Stage) {
				ms := s.MethodSettings["*/*"]
				ms.RequireAuthorizationForCacheControl, ms.UnauthorizedCacheControlHeaderStrategy = tc.require, tc.strategy
				s.MethodSettings["*/*"] = ms
			})
			e.get("cacheinval", "prod", "/items", nil)
			resp := e.invoke("GET", "cacheinval", "prod", "/items", nil, tc.header)
			if tc.wantStatus == 403 {
				expectGatewayError(t, resp, 403, "AccessDeniedException", tc.wantBody)
			} else {
				body := readAll(t, resp)
				want := tc.wantBody
				if want == "" {
					want = "/items hit 2"
				}
				if resp.StatusCode != tc.wantStatus || body != want {
					t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tc.wantStatus, want)
				}
			}
			if w := resp.Header.Get("Warning"); (w == respcache.WarningValue) != tc.wantWarning {
				t.Errorf("Warning header %q, want it: %v", w, tc.wantWarning)
			}
			// What the next plain request gets shows whether the entry
			// was replaced.
			_, next, h := e.get("cacheinval", "prod", "/items", nil)
			wantNext := "/items hit 1"
			if tc.wantBody == "" {
				wantNext = "/items hit 2"
			}
			if next != wantNext || h.Get("Warning") != "" {
				t.Errorf("next plain request: %q (Warning %q), want %q", next, h.Get("Warning"), wantNext)
			}
			if tc.wantStatus == 403 && be.Hits("/items") != 1 {
				t.Errorf("FAIL_WITH_403 called the integration")
			}
		})
	}
}

func TestCacheEncryptedAtRest(t *testing.T) {
	e, _, _ := cacheEnv(t, "cachecrypt", Options{})
	e.editStage("cachecrypt", "prod", func(s *apigw.Stage) {
		ms := s.MethodSettings["*/*"]
		ms.CacheDataEncrypted = true
		s.MethodSettings["*/*"] = ms
	})
	_, first, _ := e.get("cachecrypt", "prod", "/items?q=secret", nil)
	if _, second, _ := e.get("cachecrypt", "prod", "/items?q=secret", nil); second != first {
		t.Fatalf("encrypted entry not served: %q then %q", first, second)
	}
	sc := e.gw.state.caches[keyOf("cachecrypt", "prod")]
	if st := sc.mem.Stats(); st.Entries != 1 {
		t.Fatalf("stage cache holds %d entries, want 1", st.Entries)
	}
	// Find the stored entry under the key the method uses; the Sealed view
	// stores it under its own prefix.
	kb, err := respcache.NewKeyBuilder(respcache.KeyScope{
		Partition:  e.gw.table.Load().apis["cachecrypt"].stages["prod"].prod.deploymentID,
		HTTPMethod: "GET", ResourcePath: "/items"}, []string{"method.request.querystring.q"})
	if err != nil {
		t.Fatal(err)
	}
	key := kb.Key(respcache.RequestValues{QueryParams: map[string][]string{"q": {"secret"}}})
	if _, ok := sc.mem.Get(key); ok {
		t.Fatal("the entry is stored in plaintext under the method's key")
	}
	stored, ok := sc.mem.Get("\x02sealed\x00" + key)
	if !ok {
		t.Fatal("no sealed entry under the method's key")
	}
	if bytes.Contains(stored.Body, []byte(first)) || bytes.Contains(stored.Body, []byte("hit 1")) || len(stored.Header) != 0 {
		t.Errorf("stored bytes reveal the response: %q", stored.Body)
	}
}

func TestCacheCapacityEviction(t *testing.T) {
	// 0.5 "GB" at 64 KiB per GB: a 32 KiB stage cache, one shard.
	e, be, _ := cacheEnv(t, "cacheevict", Options{CacheBytesPerGB: 64 << 10})
	if st, _ := e.gw.StageCacheStats("cacheevict", "prod"); st.Capacity != 32<<10 {
		t.Fatalf("capacity %d, want 32 KiB", st.Capacity)
	}
	for _, size := range []string{"10000", "10001", "10002"} { // ~30 KiB: all fit
		e.get("cacheevict", "prod", "/sized?size="+size, nil)
	}
	e.get("cacheevict", "prod", "/sized?size=10000", nil) // most recently used now
	e.get("cacheevict", "prod", "/sized?size=10003", nil) // evicts the LRU: 10001
	before := be.Hits("/sized")
	e.get("cacheevict", "prod", "/sized?size=10000", nil)
	e.get("cacheevict", "prod", "/sized?size=10002", nil)
	if be.Hits("/sized") != before {
		t.Errorf("recently used entries were evicted")
	}
	e.get("cacheevict", "prod", "/sized?size=10001", nil)
	if be.Hits("/sized") != before+1 {
		t.Errorf("the least recently used entry was not evicted")
	}
	if st, _ := e.gw.StageCacheStats("cacheevict", "prod"); st.Evictions == 0 || st.Bytes > st.Capacity {
		t.Errorf("stats %+v", st)
	}
}

func TestCacheFlushResizeDisable(t *testing.T) {
	e, be, _ := cacheEnv(t, "cacheflush", Options{})
	hits := func() int { return be.Hits("/items") }
	e.get("cacheflush", "prod", "/items", nil)
	e.get("cacheflush", "prod", "/items", nil)
	if hits() != 1 {
		t.Fatalf("not cached")
	}
	// Unrelated update-stage and a redeployment keep the entries... of the
	// same deployment: settings changes must not drop the cache.
	e.editStage("cacheflush", "prod", func(s *apigw.Stage) { s.Description = "edited" })
	e.get("cacheflush", "prod", "/items", nil)
	if hits() != 1 {
		t.Errorf("an unrelated stage update dropped the cache")
	}
	e.gw.FlushStageCache("cacheflush", "prod")
	e.get("cacheflush", "prod", "/items", nil)
	if hits() != 2 {
		t.Errorf("flush-stage-cache did not empty the cache")
	}
	e.editStage("cacheflush", "prod", func(s *apigw.Stage) { s.CacheClusterSize = "1.6" })
	if st, _ := e.gw.StageCacheStats("cacheflush", "prod"); st.Capacity != 26843546 /* round(1.6 × 16 MiB) */ {
		t.Errorf("capacity after resize to 1.6: %d", st.Capacity)
	}
	e.get("cacheflush", "prod", "/items", nil)
	if hits() != 3 {
		t.Errorf("resizing kept the entries")
	}
	e.editStage("cacheflush", "prod", func(s *apigw.Stage) {
		s.CacheClusterEnabled, s.CacheClusterStatus = false, apigw.CacheStatusNotAvailable
	})
	if _, ok := e.gw.StageCacheStats("cacheflush", "prod"); ok {
		t.Errorf("a disabled cache still exists")
	}
	e.get("cacheflush", "prod", "/items", nil)
	e.get("cacheflush", "prod", "/items", nil)
	if hits() != 5 {
		t.Errorf("caching continued with the cache disabled")
	}
	e.editStage("cacheflush", "prod", func(s *apigw.Stage) {
		s.CacheClusterEnabled, s.CacheClusterStatus = true, apigw.CacheStatusAvailable
	})
	e.get("cacheflush", "prod", "/items", nil)
	if hits() != 6 {
		t.Errorf("re-enabled cache was not empty")
	}
}

// Throttled requests never reach the cache.
func TestCacheBehindThrottle(t *testing.T) {
	e, _, _ := cacheEnv(t, "cachethrot", Options{})
	e.editStage("cachethrot", "prod", func(s *apigw.Stage) {
		ms := s.MethodSettings["*/*"]
		ms.ThrottlingRateLimit, ms.ThrottlingBurstLimit = 0.001, 2
		s.MethodSettings["*/*"] = ms
	})
	for range 5 {
		e.get("cachethrot", "prod", "/items", nil)
	}
	if c := e.gw.StageCounters("cachethrot", "prod"); c.CacheHits+c.CacheMisses != 2 || c.Throttled != 3 {
		t.Errorf("counters %+v: want 2 cache lookups and 3 throttled", c)
	}
}
