package gateway

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// api500 builds a 500-resource API: 50 services with 10 resources each,
// mixing literals, variables and a greedy catch-all.
func api500() *apiBuilder {
	b := newAPIBuilder("bench00500")
	for s := range 50 {
		svc := fmt.Sprintf("/service%02d", s)
		for _, p := range []string{"", "/items", "/items/{itemId}", "/items/{itemId}/detail",
			"/items/{itemId}/tags", "/items/{itemId}/tags/{tag}", "/search", "/admin", "/admin/users", "/{proxy+}"} {
			b.method(svc+p, "GET", mockIntegration("200", ""))
		}
	}
	return b
}

func BenchmarkRoute500(b *testing.B) {
	ab := api500()
	if n := len(ab.api.Resources); n != 501 { // + root
		b.Fatalf("%d resources", n)
	}
	root := buildTree(ab.snapshot().Resources, func(r *apigw.Resource, verb string, _ *apigw.Method) *method {
		return &method{verb: verb, resourcePath: r.Path}
	})
	for _, path := range []string{
		"/service42/items",
		"/service42/items/12345/tags/blue",
		"/service07/static/assets/app.js", // greedy after failed literals
	} {
		b.Run(path, func(b *testing.B) {
			var buf [4]pathParam
			b.ReportAllocs()
			for b.Loop() {
				n, _ := root.route(path, buf[:0])
				if n == nil || n.lookup("GET") == nil {
					b.Fatal("no route")
				}
			}
		})
	}
}

// discardWriter is a minimal http.ResponseWriter, so the benchmark
// measures the gateway rather than a recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }

// BenchmarkProxy is one HTTP_PROXY request through ServeInvoke (routing,
// pipeline, ReverseProxy, pooled transport) to a loopback backend.
func BenchmarkProxy(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ok":true}`)
	}))
	defer backend.Close()
	e := newTestEnv(b, Options{})
	e.setAccountLimits(1e12, 1<<40) // measure the proxy, not AWS's default 10000 requests/s
	ab := api500()
	ab.method("/pets/{proxy+}", "ANY", proxyIntegration(backend.URL+"/{proxy}"))
	e.deploy(ab, "prod", nil)
	req := httptest.NewRequest("GET", "http://bench00500.execute-api.localhost/prod/pets/42?x=1", nil)
	req.Header.Set("User-Agent", "bench")
	req.Header.Set("Accept", "*/*")
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		e.gw.ServeInvoke(w, req, "bench00500", "prod", "/pets/42")
		if w.status != 200 && w.status != 0 {
			b.Fatalf("status %d", w.status)
		}
	}
}
