package gateway

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestHTTPProxyDirectPath covers the ReverseProxy-free path for bodiless
// GET/HEAD/OPTIONS: the same header rules as the ReverseProxy path.
func TestHTTPProxyDirectPath(t *testing.T) {
	backend := newEchoBackend(t)
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("directapi1")
	b.method("/{proxy+}", "ANY", proxyIntegration(backend.URL+"/base/{proxy}?fixed=1"))
	e.deploy(b, "prod", nil)

	req, _ := http.NewRequest("GET", e.srv.URL+"/restapis/directapi1/prod/_user_request_/pets/a%20b?color=red&color=blue", nil)
	req.Header.Set("X-Custom", "kept")
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.Header.Set("X-Forwarded-For", "6.6.6.6")
	req.Header.Set("X-Forwarded-Proto", "https")
	req.Header.Set("Forwarded", "for=6.6.6.6")
	req.Header.Set("Connection", "keep-alive, X-Drop-Me")
	req.Header.Set("X-Drop-Me", "hop-by-hop by Connection")
	req.Header.Set("Proxy-Authorization", "Basic c2VjcmV0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("X-Backend") != "echo" {
		t.Fatalf("status %d, X-Backend %q", resp.StatusCode, resp.Header.Get("X-Backend"))
	}
	if got := resp.Header.Values("x-amzn-RequestId"); len(got) != 1 || got[0] == "backend-id" {
		t.Errorf("x-amzn-RequestId = %v, want only the gateway's", got)
	}
	if got := resp.Header.Get("x-amzn-Remapped-x-amzn-RequestId"); got != "backend-id" {
		t.Errorf("remapped request id = %q", got)
	}
	expectRequestIDs(t, resp)
	got := decodeEcho(t, resp)
	checks := []struct{ what, got, want string }{
		{"method", got.Method, "GET"},
		{"path", got.Path, "/base/pets/a b"},
		{"query", got.Query, "fixed=1&color=red&color=blue"},
		{"host", got.Host, strings.TrimPrefix(backend.URL, "http://")},
		{"header", got.Header.Get("X-Custom"), "kept"},
		{"repeated header", strings.Join(got.Header.Values("X-Multi"), ","), "one,two"},
		{"x-forwarded-for", got.Header.Get("X-Forwarded-For"), "127.0.0.1"},
		{"x-forwarded-proto", got.Header.Get("X-Forwarded-Proto"), "http"},
		{"x-forwarded-host", got.Header.Get("X-Forwarded-Host"), strings.TrimPrefix(e.srv.URL, "http://")},
		{"forwarded", got.Header.Get("Forwarded"), ""},
		{"hop-by-hop listed in Connection", got.Header.Get("X-Drop-Me"), ""},
		{"proxy authorization", got.Header.Get("Proxy-Authorization"), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}

	// HEAD: no body is expected after the headers.
	resp = e.invoke("HEAD", "directapi1", "prod", "/pets/1", nil, nil)
	if readAll(t, resp); resp.StatusCode != http.StatusCreated {
		t.Errorf("HEAD status %d", resp.StatusCode)
	}
	// And the connection is still usable afterwards.
	if got := decodeEcho(t, e.invoke("OPTIONS", "directapi1", "prod", "/pets/2", nil, nil)); got.Method != "OPTIONS" {
		t.Errorf("OPTIONS reached the backend as %q", got.Method)
	}
}

// TestHTTPProxyDirectStaleConnection: a backend that closes idle
// keep-alive connections (as Node does after 5s) must not cost a request.
func TestHTTPProxyDirectStaleConnection(t *testing.T) {
	var conns atomic.Int32
	closed := make(chan struct{}, 16) // one token per connection the backend closed
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	// A backend that answers exactly one request per connection, then
	// closes it without saying so (no Connection: close).
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer func() { c.Close(); closed <- struct{}{} }()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}()
		}
	}()
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("staleconn1")
	b.method("/x", "GET", proxyIntegration("http://"+ln.Addr().String()+"/x"))
	e.deploy(b, "prod", nil)
	for i := range 5 {
		resp := e.invoke("GET", "staleconn1", "prod", "/x", nil, nil)
		if got := readAll(t, resp); resp.StatusCode != 200 || got != "ok" {
			t.Fatalf("request %d on a stale pooled connection: %d %q", i, resp.StatusCode, got)
		}
		<-closed // the backend has closed the connection the gateway pooled
	}
	if n := conns.Load(); n < 5 {
		t.Errorf("%d backend connections for 5 requests; the stale ones were not replaced", n)
	}
}

// TestHTTPProxyDirectStreamingAndTrailers: chunked responses stream, and
// trailers arrive.
func TestHTTPProxyDirectStreamingAndTrailers(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Checksum")
		w.WriteHeader(200)
		for _, part := range []string{"one,", "two,", "three"} {
			io.WriteString(w, part)
			w.(http.Flusher).Flush()
		}
		w.Header().Set("X-Checksum", "abc")
	}))
	t.Cleanup(backend.Close)
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("streamapi1")
	b.method("/s", "GET", proxyIntegration(backend.URL+"/s"))
	e.deploy(b, "prod", nil)
	resp := e.invoke("GET", "streamapi1", "prod", "/s", nil, nil)
	if got := readAll(t, resp); got != "one,two,three" {
		t.Errorf("body %q", got)
	}
	if got := resp.Trailer.Get("X-Checksum"); got != "abc" {
		t.Errorf("trailer X-Checksum = %q", got)
	}
}

// TestHTTPProxyNamedVerb checks that an integration naming its backend
// verb sends that verb whichever path (direct or ReverseProxy) serves it.
func TestHTTPProxyNamedVerb(t *testing.T) {
	backend := newEchoBackend(t)
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("verbapi01")
	for _, verb := range []string{"GET", "POST"} {
		in := proxyIntegration(backend.URL + "/" + verb)
		in.HTTPMethod = verb
		b.method("/"+strings.ToLower(verb), "GET", in)
	}
	e.deploy(b, "prod", nil)
	for _, verb := range []string{"GET", "POST"} {
		resp, err := http.Get(e.srv.URL + "/restapis/verbapi01/prod/_user_request_/" + strings.ToLower(verb))
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeEcho(t, resp); got.Method != verb || got.Path != "/"+verb {
			t.Errorf("integration verb %s: backend saw %s %s", verb, got.Method, got.Path)
		}
	}
}
