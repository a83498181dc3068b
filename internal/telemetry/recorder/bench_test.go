package recorder

import (
	"path/filepath"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/telemetry/accesslog"
	"github.com/stagecoach/stagecoach/internal/telemetry/cwmetrics"
	"github.com/stagecoach/stagecoach/internal/telemetry/execlog"
	"github.com/stagecoach/stagecoach/internal/telemetry/metrics"
)

func offStage(s *apigw.Stage) {
	s.MethodSettings = map[string]apigw.MethodSetting{"*/*": {LoggingLevel: "OFF"}}
	s.AccessLogSettings = nil
}

// BenchmarkRecord is the cost on the request path: metrics plus a queue
// hand-off (the logs are written by the background goroutine, which the
// caller does not wait for).
func BenchmarkRecord(b *testing.B) {
	for _, bc := range []struct {
		name  string
		stage *apigw.Stage
		cw    bool
	}{
		{"everything-off", stage(offStage), false},
		{"everything-off+cloudwatch", stage(offStage), true},
		{"info-datatrace-access-detailed", stage(), false},
		{"info-datatrace-access-detailed+cloudwatch", stage(), true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			st := openStore(b)
			opts := Options{Logs: st, Metrics: metrics.New(), QueueSize: 1 << 20}
			if bc.cw {
				cw, err := cwmetrics.Open(cwmetrics.Options{Path: filepath.Join(b.TempDir(), "metrics.db")})
				if err != nil {
					b.Fatal(err)
				}
				defer cw.Close()
				opts.CloudWatch = cw
			}
			rec := New(opts)
			defer rec.Close()
			m := rec.Stage(StageInfo{RestAPIID: "abc123", APIName: "pets", Stage: bc.stage}).Method("/pets", "GET")
			tmpl := request(0)
			b.ReportAllocs()
			for b.Loop() {
				ev := rec.NewEvent()
				*ev = *tmpl
				rec.Record(m, ev)
			}
			b.StopTimer()
			rec.Flush(ctx)
			b.ReportMetric(float64(rec.Dropped()), "dropped")
		})
	}
}

// BenchmarkPipeline is the whole cost per request with everything on:
// Record, rendering ~20 execution log lines and an access log line, and
// the batched SQLite writes, measured until everything is written (so
// the background goroutine's work is inside the timing).
func BenchmarkPipeline(b *testing.B) {
	st := openStore(b)
	rec := New(Options{Logs: st, Metrics: metrics.New(), QueueSize: 1 << 20})
	defer rec.Close()
	m := rec.Stage(StageInfo{RestAPIID: "abc123", APIName: "pets", Stage: stage()}).Method("/pets", "GET")
	tmpl := request(0)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ev := rec.NewEvent()
		*ev = *tmpl
		rec.Record(m, ev)
	}
	if err := rec.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(rec.Dropped()), "dropped")
}

// BenchmarkRender is the CPU cost of rendering one request's lines (no
// store): INFO + dataTrace execution log and the JSON access log.
func BenchmarkRender(b *testing.B) {
	ev := request(0)
	f := accesslog.Compile(accesslog.PresetJSON)
	var rec, line []byte
	b.ReportAllocs()
	for b.Loop() {
		rec, _ = execlog.AppendRecord(rec[:0], 0, execlog.Settings{Level: execlog.Info, DataTrace: true}, ev)
		line = f.Append(line[:0], ev)
		_, _ = string(rec), string(line) // the two messages stored
	}
}
