package gateway

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/frontdoor"
	"github.com/stagecoach/stagecoach/internal/h1serve"
)

// onH1serve serves e's gateway on h1serve as well, whatever the suite's
// server, and returns an env that invokes through it: prepared responses
// exist only there.
func onH1serve(t *testing.T, e *testEnv) *testEnv {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	hs := &h1serve.Server{Handler: &frontdoor.Handler{Invoke: e.gw}}
	go hs.Serve(srv.Listener)
	srv.URL = "http://" + srv.Listener.Addr().String()
	t.Cleanup(func() { hs.Close() })
	h1 := *e
	h1.srv = srv
	return &h1
}

// headerWithoutIDs is resp's header without what differs per request,
// and without the framing (a miss streamed from the backend may be
// chunked, where its hits have a Content-Length).
func headerWithoutIDs(resp *http.Response) http.Header {
	h := resp.Header.Clone()
	for _, k := range []string{"X-Amzn-Requestid", "X-Amz-Apigw-Id", "Date", "Content-Length"} {
		delete(h, k)
	}
	return h
}

// TestPreparedCacheHitsAndThrottles: on h1serve a cache hit and a 429 are
// written prepared (no header map). They must be the responses the map
// path writes: a hit has the header and body of the miss that filled it
// (and of a hit on net/http), with fresh request ids; a 429 is AWS's.
// A hit that gets a Warning header (a step used the map) still has it.
func TestPreparedCacheHitsAndThrottles(t *testing.T) {
	e, be, _ := cacheEnv(t, "prepared01", Options{})
	h1 := onH1serve(t, e)
	for _, path := range []string{"/items?q=a", "/keyed/7", "/sized?size=3000", "/sized?size=0&status=202"} {
		miss := h1.invoke("GET", "prepared01", "prod", path, nil, nil)
		missBody := readAll(t, miss)
		for _, env := range []*testEnv{h1, e} {
			hit := env.invoke("GET", "prepared01", "prod", path, nil, nil)
			hitBody := readAll(t, hit)
			if hit.StatusCode != miss.StatusCode || hitBody != missBody {
				t.Errorf("%s: hit %d %q, miss %d %q", path, hit.StatusCode, hitBody, miss.StatusCode, missBody)
			}
			if got, want := headerWithoutIDs(hit), headerWithoutIDs(miss); !equalHeader(got, want) {
				t.Errorf("%s: hit header %v, miss header %v", path, got, want)
			}
			if hit.ContentLength != int64(len(hitBody)) {
				t.Errorf("%s: hit Content-Length %d, body %d bytes", path, hit.ContentLength, len(hitBody))
			}
			expectRequestIDs(t, hit)
			if hit.Header.Get("X-Amzn-Requestid") == miss.Header.Get("X-Amzn-Requestid") {
				t.Errorf("%s: the hit repeats the miss's request id", path)
			}
		}
	}
	if n := be.Hits("/items"); n != 1 {
		t.Errorf("backend /items hit %d times, want 1 (the rest from the cache)", n)
	}

	e.editStage("prepared01", "prod", func(s *apigw.Stage) {
		ms := s.MethodSettings["*/*"]
		ms.ThrottlingRateLimit, ms.ThrottlingBurstLimit = 1, 1
		ms.UnauthorizedCacheControlHeaderStrategy = "SUCCEED_WITH_RESPONSE_HEADER"
		ms.RequireAuthorizationForCacheControl = true
		s.MethodSettings["*/*"] = ms
	})
	warned := h1.invoke("GET", "prepared01", "prod", "/items?q=a", nil, http.Header{"Cache-Control": {"max-age=0"}})
	readAll(t, warned)
	if warned.StatusCode != 200 || warned.Header.Get("Warning") == "" {
		t.Errorf("unauthorised max-age=0: %d, Warning %q; want 200 with a Warning", warned.StatusCode, warned.Header.Get("Warning"))
	}
	expectRequestIDs(t, warned)
	throttled := h1.invoke("GET", "prepared01", "prod", "/items?q=a", nil, nil)
	if throttled.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over the burst: %d, want 429", throttled.StatusCode)
	}
	if got := slices.Sorted(func(yield func(string) bool) {
		for k := range throttled.Header {
			if !yield(k) {
				return
			}
		}
	}); strings.Join(got, " ") != "Content-Length Content-Type Date X-Amz-Apigw-Id X-Amzn-Errortype X-Amzn-Requestid" {
		t.Errorf("429 header fields %v", got)
	}
	expectGatewayError(t, throttled, 429, "ThrottlingException", `{"message":"Too Many Requests"}`)
}

func equalHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestRequestIDsOutliveTheInvocation: invocations are pooled, but the ids
// a request handed out (header map values, log fields) must stay what
// they were after its invocation serves other requests.
func TestRequestIDsOutliveTheInvocation(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	inv := getInvocation(httptest.NewRecorder(), r)
	rid, eid := inv.idStrings()
	h := http.Header{}
	inv.setIDHeaders(h)
	wantRID, wantEID := strings.Clone(rid), strings.Clone(eid)
	putInvocation(inv)
	seen := map[string]bool{wantRID: true}
	for range 100 {
		other := getInvocation(httptest.NewRecorder(), r)
		id := other.requestID()
		if seen[id] {
			t.Fatalf("request id %s repeated", id)
		}
		seen[id] = true
		other.setIDHeaders(http.Header{})
		putInvocation(other)
	}
	if rid != wantRID || eid != wantEID || h.Get("X-Amzn-Requestid") != wantRID || h.Get("X-Amz-Apigw-Id") != wantEID {
		t.Errorf("ids changed after reuse: %s %s, header %v; want %s %s", rid, eid, h, wantRID, wantEID)
	}
	if len(wantRID) != 36 || wantRID[14] != '4' || len(wantEID) != 16 || wantEID[15] != '=' {
		t.Errorf("ids %q %q: want a v4 UUID and 16 base64 characters", wantRID, wantEID)
	}
}
