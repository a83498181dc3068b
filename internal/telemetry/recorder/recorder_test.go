package recorder

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/telemetry"
	"github.com/stagecoach/stagecoach/internal/telemetry/accesslog"
	"github.com/stagecoach/stagecoach/internal/telemetry/logstore"
	"github.com/stagecoach/stagecoach/internal/telemetry/metrics"
)

var ctx = context.Background()

const accessARN = "arn:aws:logs:us-east-1:123456789012:log-group:ApiAccessLogs"

func openStore(t testing.TB) *logstore.Store {
	t.Helper()
	st, err := logstore.Open(filepath.Join(t.TempDir(), "logs.db"), logstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// stage is the seed guide's stage: INFO with full request/response data
// and detailed metrics for every method, plus an access log.
func stage(mutate ...func(*apigw.Stage)) *apigw.Stage {
	s := &apigw.Stage{
		StageName: "prod",
		MethodSettings: map[string]apigw.MethodSetting{
			"*/*": {LoggingLevel: "INFO", DataTraceEnabled: true, MetricsEnabled: true},
		},
		AccessLogSettings: &apigw.AccessLogSettings{DestinationArn: accessARN, Format: accesslog.PresetCLF},
	}
	for _, f := range mutate {
		f(s)
	}
	return s
}

func request(i int) *telemetry.RequestEvent {
	return &telemetry.RequestEvent{
		AccountID: "000000000000", APIID: "abc123", Stage: "prod",
		RequestID: "req-" + string(rune('a'+i)), ExtendedRequestID: "ext=",
		RequestTime: time.Now(), HTTPMethod: "GET", Path: "/prod/pets", Protocol: "HTTP/1.1",
		ResourceID: "r1", ResourcePath: "/pets",
		Identity:        telemetry.Identity{SourceIP: "127.0.0.1", UserAgent: "test"},
		Headers:         http.Header{"Authorization": {"Bearer 0123456789abcdefghij"}},
		IntegrationType: "HTTP", EndpointRequestURI: "http://127.0.0.1:1/pets",
		IntegrationStatus: 200, IntegrationLatency: 3 * time.Millisecond,
		Status: 200, ResponseLength: 12, ResponseLatency: 5 * time.Millisecond,
		ResponseBody: []byte(`[{"id":1}]`),
	}
}

func read(t *testing.T, st *logstore.Store, group string) []string {
	t.Helper()
	res, err := st.Filter(ctx, logstore.FilterQuery{Group: group, Limit: 10000})
	if err != nil {
		if err == logstore.ErrGroupNotFound {
			return nil
		}
		t.Fatal(err)
	}
	var out []string
	for _, e := range res.Events {
		out = append(out, e.Message)
	}
	return out
}

func TestRecordWritesExecutionAndAccessLogs(t *testing.T) {
	st := openStore(t)
	rec := New(Options{Logs: st, StreamName: "instance-1"})
	defer rec.Close()
	s := rec.Stage(StageInfo{RestAPIID: "abc123", APIName: "pets", Stage: stage()})
	m := s.Method("/pets", "GET")
	if !m.DataTrace() || !m.AccessLogging() {
		t.Fatalf("settings: dataTrace %v access %v", m.DataTrace(), m.AccessLogging())
	}
	ev := rec.NewEvent()
	*ev = *request(0)
	rec.Record(m, ev)
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	exec := read(t, st, "API-Gateway-Execution-Logs_abc123/prod")
	joined := strings.Join(exec, "\n")
	for _, want := range []string{
		"(req-a) Extended Request Id: ext=",
		"(req-a) Method request headers: {Authorization=" + strings.Repeat("*", 21) + "efghij}",
		`(req-a) Method response body after transformations: [{"id":1}]`,
		"(req-a) Method completed with status: 200",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("execution log lacks %q:\n%s", want, joined)
		}
	}
	access := read(t, st, "ApiAccessLogs")
	if len(access) != 1 || !strings.Contains(access[0], `"GET /pets HTTP/1.1" 200 12 req-a ext=`) {
		t.Errorf("access log %q", access)
	}
	streams, _, _ := st.Streams(ctx, logstore.StreamQuery{Group: "ApiAccessLogs", Limit: 10})
	if len(streams) != 1 || streams[0].Name != "instance-1" {
		t.Errorf("streams %+v", streams)
	}
}

func TestCanaryRequestsAlsoGoToCanaryGroups(t *testing.T) {
	st := openStore(t)
	reg := metrics.New()
	rec := New(Options{Logs: st, Metrics: reg})
	defer rec.Close()
	s := rec.Stage(StageInfo{RestAPIID: "abc123", APIName: "pets", Stage: stage(func(s *apigw.Stage) {
		s.CanarySettings = &apigw.CanarySettings{PercentTraffic: 10, DeploymentID: "dep2"}
	})})
	ev := request(0)
	ev.Canary = true
	rec.Record(s.Method("/pets", "GET"), ev)
	rec.Record(s.Method("/pets", "GET"), request(1))
	rec.Flush(ctx)
	for group, want := range map[string]int{
		"API-Gateway-Execution-Logs_abc123/prod/Canary": 1,
		"ApiAccessLogs/Canary":                          1,
		"ApiAccessLogs":                                 2,
	} {
		lines := read(t, st, group)
		requests := map[string]bool{}
		for _, l := range lines {
			for _, id := range []string{"req-a", "req-b"} {
				if strings.Contains(l, id) {
					requests[id] = true
				}
			}
		}
		if len(requests) != want {
			t.Errorf("%s: %d requests in %d lines, want %d", group, len(requests), len(lines), want)
		}
	}
	body := scrape(t, reg)
	for series, want := range map[string]string{
		`apigateway_Count{ApiName="pets",Method="",Resource="",Stage="prod"}`:        "2",
		`apigateway_Count{ApiName="pets",Method="",Resource="",Stage="prod/Canary"}`: "1",
	} {
		if got := sample(body, series); got != want {
			t.Errorf("%s = %s, want %s", series, got, want)
		}
	}
}

func TestMethodSettingsResolution(t *testing.T) {
	st := openStore(t)
	reg := metrics.New()
	rec := New(Options{Logs: st, Metrics: reg})
	defer rec.Close()
	s := rec.Stage(StageInfo{RestAPIID: "abc123", APIName: "pets", Stage: stage(func(s *apigw.Stage) {
		s.MethodSettings = map[string]apigw.MethodSetting{
			"*/*":       {LoggingLevel: "ERROR"},
			"pets/POST": {LoggingLevel: "INFO", MetricsEnabled: true},
			"pets/GET":  {LoggingLevel: "OFF"},
		}
		s.AccessLogSettings = nil
	})})
	tests := []struct {
		resource, verb string
		level          string
		dataTrace      bool
		detailed       bool
	}{
		{"/pets", "POST", "INFO", false, true},
		{"/pets", "GET", "OFF", false, false},
		{"/pets/{id}", "GET", "ERROR", false, false}, // falls back to */*
	}
	for _, tt := range tests {
		m := s.Method(tt.resource, tt.verb)
		if m.ExecutionLogging().Level.String() != tt.level || m.DataTrace() != tt.dataTrace || m.DetailedMetrics() != tt.detailed {
			t.Errorf("%s %s: %+v detailed %v", tt.verb, tt.resource, m.ExecutionLogging(), m.DetailedMetrics())
		}
		if s.Method(tt.resource, tt.verb) != m {
			t.Errorf("%s %s not cached", tt.verb, tt.resource)
		}
	}
	if s.Default().ExecutionLogging().Level.String() != "ERROR" {
		t.Errorf("default %+v", s.Default().ExecutionLogging())
	}
	// ERROR method: a success writes nothing, a failure writes its lines.
	ok := request(0)
	failed := request(1)
	failed.ErrorResponseType, failed.Status, failed.IntegrationStatus = telemetry.ResponseIntegrationTimeout, 504, 0
	m := s.Method("/pets/{id}", "GET")
	rec.Record(m, ok)
	rec.Record(m, failed)
	// OFF method: nothing.
	rec.Record(s.Method("/pets", "GET"), request(2))
	rec.Flush(ctx)
	lines := read(t, st, "API-Gateway-Execution-Logs_abc123/prod")
	want := []string{
		"(req-b) Execution failed due to a timeout error",
		"(req-b) Gateway response type: INTEGRATION_TIMEOUT with status code: 504",
		"(req-b) Method completed with status: 504",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s", strings.Join(lines, "\n"))
	}
	// Metrics count every request, logged or not; detailed only for POST.
	rec.Record(s.Method("/pets", "POST"), request(3))
	body := scrape(t, reg)
	for series, want := range map[string]string{
		`apigateway_Count{ApiName="pets",Method="",Resource="",Stage="prod"}`:          "4",
		`apigateway_5XXError{ApiName="pets",Method="",Resource="",Stage="prod"}`:       "1",
		`apigateway_Count{ApiName="pets",Method="POST",Resource="/pets",Stage="prod"}`: "1",
		`apigateway_Count{ApiName="pets",Method="GET",Resource="/pets",Stage="prod"}`:  "absent",
	} {
		if got := sample(body, series); got != want {
			t.Errorf("%s = %s, want %s", series, got, want)
		}
	}
}

// blockingWriter holds the background writer inside a write until
// released, so the queue can be filled deterministically.
type blockingWriter struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
	buf     bytes.Buffer
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.entered) })
	<-w.release
	return w.buf.Write(p)
}

func TestFullQueueDropsWithoutBlocking(t *testing.T) {
	reg := metrics.New()
	w := &blockingWriter{entered: make(chan struct{}), release: make(chan struct{})}
	rec := New(Options{Metrics: reg, Stdout: w, QueueSize: 4, BatchSize: 1})
	s := rec.Stage(StageInfo{RestAPIID: "abc123", APIName: "pets", Stage: stage()})
	m := s.Method("/pets", "GET")
	rec.Record(m, request(0))
	<-w.entered // the writer is now stuck in the first batch
	done := make(chan struct{})
	go func() {
		for i := 1; i <= 10; i++ {
			rec.Record(m, request(i))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Record blocked on a full queue")
	}
	if got := rec.Dropped(); got != 6 { // 4 queued, 6 dropped
		t.Errorf("dropped %d, want 6", got)
	}
	body := scrape(t, reg)
	if got := sample(body, "stagecoach_log_requests_dropped_total"); got != "6" {
		t.Errorf("dropped metric %s", got)
	}
	if got := sample(body, `apigateway_Count{ApiName="pets",Method="",Resource="",Stage="prod"}`); got != "11" {
		t.Errorf("metrics must count dropped requests too: %s", got)
	}
	close(w.release)
	rec.Close()
	n := 0
	sc := bufio.NewScanner(&w.buf)
	for sc.Scan() {
		var line struct{ LogGroup, LogStream, Message string }
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("stdout line %q: %v", sc.Text(), err)
		}
		if line.LogGroup == "ApiAccessLogs" {
			n++
		}
	}
	if n != 5 {
		t.Errorf("%d access lines mirrored, want 5 (1 in flight + 4 queued)", n)
	}
}

func TestCloseFlushes(t *testing.T) {
	st := openStore(t)
	rec := New(Options{Logs: st, FlushInterval: time.Hour, BatchSize: 1000})
	s := rec.Stage(StageInfo{RestAPIID: "abc123", APIName: "pets", Stage: stage()})
	for i := range 5 {
		rec.Record(s.Method("/pets", "GET"), request(i))
	}
	rec.Close()
	if got := len(read(t, st, "ApiAccessLogs")); got != 5 {
		t.Errorf("%d access lines after Close, want 5", got)
	}
	// Recording after Close neither panics nor blocks.
	rec.Record(s.Method("/pets", "GET"), request(9))
}

func TestNoDestinationNoAccessLog(t *testing.T) {
	rec := New(Options{})
	defer rec.Close()
	for _, a := range []*apigw.AccessLogSettings{nil, {Format: accesslog.PresetCLF}, {DestinationArn: accessARN}, {DestinationArn: "bogus", Format: "$context.requestId"}} {
		s := rec.Stage(StageInfo{RestAPIID: "x", Stage: stage(func(s *apigw.Stage) { s.AccessLogSettings = a })})
		if s.Default().AccessLogging() {
			t.Errorf("access logging on for %+v", a)
		}
	}
}

func scrape(t *testing.T, reg *metrics.Registry) string {
	rr := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rr, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rr.Body)
	return string(b)
}

func sample(body, series string) string {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return "absent"
}
