package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// echoBackend answers with what it received, as JSON.
type echoed struct {
	Method, Path, RawPath, Query, Host, Body string
	Header                                   http.Header
}

func newEchoBackend(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", "echo")
		w.Header().Set("x-amzn-RequestId", "backend-id")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(echoed{r.Method, r.URL.Path, r.URL.RawPath, r.URL.RawQuery, r.Host, string(b), r.Header})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func decodeEcho(t *testing.T, resp *http.Response) echoed {
	t.Helper()
	var e echoed
	if err := json.Unmarshal([]byte(readAll(t, resp)), &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestHTTPProxyPassesRequestThrough(t *testing.T) {
	backend := newEchoBackend(t)
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("proxyapi01")
	b.method("/{proxy+}", "ANY", proxyIntegration(backend.URL+"/base/{proxy}"))
	e.deploy(b, "prod", nil)

	req, _ := http.NewRequest("PUT", e.srv.URL+"/restapis/proxyapi01/prod/_user_request_/pets/a%20b/toys?color=red&color=blue&x=1", strings.NewReader(`{"name":"rex"}`))
	req.Header.Set("X-Custom", "kept")
	req.Header.Set("X-Forwarded-For", "6.6.6.6")       // spoofed: must not reach the backend
	req.Header.Set("X-Forwarded-Host", "evil.example") // likewise
	req.Header.Set("Connection", "X-Drop-Me")
	req.Header.Set("X-Drop-Me", "hop-by-hop by Connection")
	req.Header.Set("Content-Type", "application/json")
	req.Host = "proxyapi01.execute-api.localhost"
	req.URL.Path = "/prod/pets/a b/toys"
	req.URL.RawPath = "/prod/pets/a%20b/toys"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d, want the backend's 201", resp.StatusCode)
	}
	if resp.Header.Get("X-Backend") != "echo" {
		t.Errorf("backend response header not passed back")
	}
	if got := resp.Header.Values("x-amzn-RequestId"); len(got) != 1 || got[0] == "backend-id" {
		t.Errorf("x-amzn-RequestId = %v, want only the gateway's", got)
	}
	if got := resp.Header.Get("x-amzn-Remapped-x-amzn-RequestId"); got != "backend-id" {
		t.Errorf("backend request id remapped to %q", got)
	}
	expectRequestIDs(t, resp)
	got := decodeEcho(t, resp)
	backendHost := strings.TrimPrefix(backend.URL, "http://")
	checks := []struct{ what, got, want string }{
		{"method", got.Method, "PUT"},
		{"path", got.Path, "/base/pets/a b/toys"},
		{"escaped path", got.RawPath, ""}, // "a%20b" is the canonical escaping, so RawPath is empty
		{"query", got.Query, "color=red&color=blue&x=1"},
		{"host", got.Host, backendHost},
		{"body", got.Body, `{"name":"rex"}`},
		{"header", got.Header.Get("X-Custom"), "kept"},
		{"content type", got.Header.Get("Content-Type"), "application/json"},
		{"x-forwarded-for", got.Header.Get("X-Forwarded-For"), "127.0.0.1"},
		{"x-forwarded-host", got.Header.Get("X-Forwarded-Host"), "proxyapi01.execute-api.localhost"},
		{"x-forwarded-proto", got.Header.Get("X-Forwarded-Proto"), "http"},
		{"hop-by-hop listed in Connection", got.Header.Get("X-Drop-Me"), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
}

func TestHTTPProxyURIParameters(t *testing.T) {
	backend := newEchoBackend(t)
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("proxyparam")
	// {id} maps from a differently named method parameter.
	in := proxyIntegration(backend.URL + "/items/{id}/detail?src=gw")
	in.RequestParameters = map[string]string{
		"integration.request.path.id":        "method.request.path.petId",
		"integration.request.header.X-Stage": "stageVariables.env",
		"integration.request.querystring.q":  "'fixed'",
	}
	b.method("/pets/{petId}", "GET", in)
	// Stage variables in the URI pick the backend per stage.
	b.method("/stagevar", "GET", proxyIntegration("http://${stageVariables.backendHost}/sv/${stageVariables.version}"))
	e.deploy(b, "prod", map[string]string{"env": "production", "backendHost": strings.TrimPrefix(backend.URL, "http://"), "version": "v2"})

	got := decodeEcho(t, e.invoke("GET", "proxyparam", "prod", "/pets/42?extra=1", nil, nil))
	if got.Path != "/items/42/detail" || got.Query != "src=gw&extra=1&q=fixed" || got.Header.Get("X-Stage") != "production" {
		t.Errorf("got path %q query %q X-Stage %q", got.Path, got.Query, got.Header.Get("X-Stage"))
	}
	got = decodeEcho(t, e.invoke("GET", "proxyparam", "prod", "/stagevar", nil, nil))
	if got.Path != "/sv/v2" {
		t.Errorf("stage variable URI: path %q, want /sv/v2", got.Path)
	}
}

func TestHTTPProxyFailures(t *testing.T) {
	// The slow backend never answers: only the integration's timeout can
	// end the request, so a 504 proves it fired (no elapsed-time check).
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close() // nothing listens there any more

	e := newTestEnv(t, Options{})
	b := newAPIBuilder("proxyfail1")
	b.method("/dead", "GET", proxyIntegration(deadURL+"/x"))
	timeout := proxyIntegration(slow.URL + "/slow")
	timeout.TimeoutInMillis = 100
	b.method("/slow", "GET", timeout)
	e.deploy(b, "prod", nil)

	expectGatewayError(t, e.invoke("GET", "proxyfail1", "prod", "/dead", nil, nil),
		502, "InternalServerErrorException", `{"message": "Internal server error"}`)
	expectGatewayError(t, e.invoke("GET", "proxyfail1", "prod", "/slow", nil, nil),
		504, "InternalServerErrorException", `{"message": "Endpoint request timed out"}`)
}

func TestHTTPProxyRequestTooLargeChunked(t *testing.T) {
	backend := newEchoBackend(t)
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("proxybig01")
	b.method("/up", "POST", proxyIntegration(backend.URL+"/up"))
	e.deploy(b, "prod", nil)
	body := struct{ io.Reader }{strings.NewReader(strings.Repeat("y", maxPayload+10))}
	expectGatewayError(t, e.invoke("POST", "proxybig01", "prod", "/up", body, nil),
		413, "RequestTooLargeException", `{"message":"Request Too Long"}`)
}

var _ = apigw.IntegrationHTTPProxy
