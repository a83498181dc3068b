package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// BenchmarkThrottleStep is the throttle step alone (method bucket and
// account bucket, GCRA), in front of a handler that does nothing. The
// issue's budget is 1 µs per request.
func BenchmarkThrottleStep(b *testing.B) {
	for _, tc := range []struct {
		name string
		ms   apigw.MethodSetting
	}{
		{"accept", limits(1e12, 1<<40)},
		{"reject", limits(0, 0)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := newTestEnv(b, Options{})
			e.setAccountLimits(1e12, 1<<40)
			ab := newAPIBuilder("benchthrot")
			ab.method("/v", "GET", mockIntegration("200", "{}"))
			e.deploy(ab, "prod", nil)
			e.editStage("benchthrot", "prod", func(s *apigw.Stage) { s.MethodSettings = map[string]apigw.MethodSetting{"*/*": tc.ms} })
			v := e.gw.table.Load().apis["benchthrot"].stages["prod"].prod
			m, _ := v.root.route("/v", nil)
			h := e.gw.comp.throttleStep(v, m.lookup("GET"))(func(*invocation) {})
			inv := &invocation{w: &discardWriter{h: http.Header{}}}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				inv := &invocation{w: &discardWriter{h: http.Header{}}}
				for pb.Next() {
					h(inv)
				}
			})
			_ = inv
		})
	}
}

// BenchmarkStageSettingsRequest is a whole request through ServeInvoke:
// a throttled one (429), a cache hit (plain and encrypted), and for scale
// the same route proxied without the cache.
func BenchmarkStageSettingsRequest(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"message":"hello from the backend"}`)
	}))
	defer backend.Close()
	for _, tc := range []struct {
		name     string
		settings map[string]apigw.MethodSetting
		status   int
	}{
		{"throttled", map[string]apigw.MethodSetting{"*/*": limits(0, 0)}, 429},
		{"cache-hit", map[string]apigw.MethodSetting{"*/*": unthrottled(caching(300))}, 200},
		{"cache-hit-encrypted", map[string]apigw.MethodSetting{"*/*": func() apigw.MethodSetting {
			ms := unthrottled(caching(300))
			ms.CacheDataEncrypted = true
			return ms
		}()}, 200},
		{"proxied", nil, 200},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := newTestEnv(b, Options{})
			e.setAccountLimits(1e12, 1<<40)
			ab := newAPIBuilder("benchstage")
			ab.method("/pets/{proxy+}", "GET", proxyIntegration(backend.URL+"/{proxy}"))
			e.deploy(ab, "prod", nil)
			e.editStage("benchstage", "prod", func(s *apigw.Stage) {
				s.CacheClusterEnabled, s.CacheClusterSize = true, "0.5"
				s.MethodSettings = tc.settings
			})
			req := httptest.NewRequest("GET", "http://benchstage.execute-api.localhost/prod/pets/42", nil)
			w := &discardWriter{h: http.Header{}}
			e.gw.ServeInvoke(w, req, "benchstage", "prod", "/pets/42")
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				e.gw.ServeInvoke(w, req, "benchstage", "prod", "/pets/42")
				if w.status != tc.status {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}

func unthrottled(ms apigw.MethodSetting) apigw.MethodSetting {
	ms.ThrottlingRateLimit, ms.ThrottlingBurstLimit = -1, -1
	return ms
}
