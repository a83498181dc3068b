package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stagecoach/stagecoach/internal/server"
)

// BenchmarkMetricsTracing is the request-path cost of issue 16's
// telemetry: a stage with nothing extra ("off": stage-level metrics
// only, no tracing) against one with detailed CloudWatch metrics and
// tracingEnabled ("on": the X-Amzn-Trace-Id header for every request,
// spans for the sampled 5% exported over OTLP/HTTP to a local receiver),
// through the whole server. cpu-us/op is the process's CPU per request.
//
//	go test ./internal/gateway -run '^$' -bench MetricsTracing -benchtime 20000x -count 3
func BenchmarkMetricsTracing(b *testing.B) {
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	a := newTelAPI(b, &server.Config{AccountRateLimit: 1e9, AccountBurstLimit: 1e9,
		OTLPEndpoint: collector.URL, TraceSampleRate: 0.05})
	a.stage("off")
	a.stage("on", "/*/*/metrics/enabled=true", "/tracingEnabled=true")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	for _, stage := range []string{"off", "on"} {
		url := a.env.URL + "/restapis/" + a.id + "/" + stage + "/_user_request_/pets"
		b.Run(stage, func(b *testing.B) {
			cpu0 := processCPU()
			b.SetParallelism(16)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Get(url)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-us/op")
			b.ReportMetric(float64(a.env.App.CloudWatch.Dropped()), "cw-dropped")
		})
	}
}
