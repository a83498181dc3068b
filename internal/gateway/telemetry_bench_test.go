package gateway_test

import (
	"context"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/server"
)

// accessLogJSON is the console's JSON access log preset (data-plane.md
// §8.2).
const accessLogJSON = `{ "requestId":"$context.requestId", "extendedRequestId":"$context.extendedRequestId", "ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", "protocol":"$context.protocol", "responseLength":"$context.responseLength" }`

// BenchmarkLogging is the cost of observability on the request path and
// in the background: the same requests to a stage with everything off
// ("off": no execution or access logs, no detailed metrics) and to one
// with INFO + dataTrace execution logs, the JSON access log and detailed
// metrics ("on"), over HTTP through the whole server (front door, data
// plane, recorder, log store on disk), clients in the same process. The
// recorder is flushed inside the timed region, so the log writer's work
// counts, and lines dropped are reported (they must be 0 for the
// comparison to be fair). Throughput on = ns/op(off) / ns/op(on).
// cpu-us/op is the process's CPU time (clients, server and log writer)
// per request: on a busy machine it is steadier than ns/op, and with both
// cores saturated their ratio is the throughput ratio.
//
//	go test ./internal/gateway -run '^$' -bench Logging -benchtime 20000x -count 3
func BenchmarkLogging(b *testing.B) {
	// The account limit is lifted: AWS's default 10000 requests/s would
	// answer 429.
	a := newTelAPI(b, &server.Config{AccountRateLimit: 1e9, AccountBurstLimit: 1e9})
	a.allowLogging()
	a.stage("off")
	a.stage("on", "/*/*/logging/loglevel=INFO", "/*/*/logging/dataTrace=true", "/*/*/metrics/enabled=true",
		"/accessLogSettings/destinationArn="+telAccessARN+"bench-access", "/accessLogSettings/format="+accessLogJSON)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	for _, route := range []struct{ name, path string }{{"mock", "/pets"}, {"proxy", "/pets/42?color=red"}} {
		for _, stage := range []string{"off", "on"} {
			url := a.env.URL + "/restapis/" + a.id + "/" + stage + "/_user_request_" + route.path
			b.Run(route.name+"/"+stage, func(b *testing.B) {
				rec := a.env.App.Recorder
				dropped := rec.Dropped()
				cpu0 := processCPU()
				// 32 requests in flight: enough to keep both cores busy,
				// as a loaded gateway is (bench/proxy.sh uses 64).
				b.SetParallelism(16)
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						req, _ := http.NewRequest("GET", url, nil)
						req.Header.Set("User-Agent", "bench/1.0")
						req.Header.Set("Accept", "application/json")
						req.Header.Set("Authorization", "Bearer bench-token-0123456789")
						resp, err := client.Do(req)
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
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if err := rec.Flush(ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				b.ReportMetric(float64(rec.Dropped()-dropped), "dropped")
				b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-us/op")
			})
		}
	}
}

// processCPU is the user+system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
