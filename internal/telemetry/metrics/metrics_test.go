package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/telemetry"
)

func scrape(t *testing.T, r *Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// value finds one sample line by its exact series text.
func value(t *testing.T, body, series string) string {
	t.Helper()
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return "absent"
}

func TestObserve(t *testing.T) {
	r := New()
	stage := r.Stage("abc123", "pets", "prod")
	method := r.Method("pets", "prod", "GET", "/pets/{petId}")
	events := []telemetry.RequestEvent{
		{Status: 200, ResponseLatency: 3 * time.Millisecond, IntegrationStatus: 200, IntegrationLatency: 2 * time.Millisecond, Cache: telemetry.CacheMiss},
		{Status: 200, ResponseLatency: 1 * time.Millisecond, Cache: telemetry.CacheHit},
		{Status: 404, ResponseLatency: 1 * time.Millisecond, IntegrationStatus: 404, IntegrationLatency: time.Millisecond},
		{Status: 429, ResponseLatency: 0, ErrorResponseType: telemetry.ResponseThrottled},
		{Status: 504, ResponseLatency: 29 * time.Second, IntegrationError: "timeout", IntegrationLatency: 29 * time.Second, ErrorResponseType: telemetry.ResponseIntegrationTimeout},
	}
	for i := range events {
		stage.Observe(&events[i])
		if i < 2 {
			method.Observe(&events[i])
		}
	}
	body := scrape(t, r)
	st := `{ApiName="pets",Method="",Resource="",Stage="prod"}`
	me := `{ApiName="pets",Method="GET",Resource="/pets/{petId}",Stage="prod"}`
	tests := []struct{ series, want string }{
		{"apigateway_Count" + st, "5"},
		{"apigateway_4XXError" + st, "2"},
		{"apigateway_5XXError" + st, "1"},
		{"apigateway_CacheHitCount" + st, "1"},
		{"apigateway_CacheMissCount" + st, "1"},
		{"apigateway_ThrottleCount" + st, "1"},
		{"apigateway_Latency_count" + st, "5"},
		{`apigateway_Latency_bucket{ApiName="pets",Method="",Resource="",Stage="prod",le="1"}`, "3"},
		{`apigateway_Latency_bucket{ApiName="pets",Method="",Resource="",Stage="prod",le="25000"}`, "absent"},
		{`apigateway_Latency_bucket{ApiName="pets",Method="",Resource="",Stage="prod",le="29000"}`, "5"},
		{"apigateway_Latency_sum" + st, "29005"},
		// Only the calls that reached a backend.
		{"apigateway_IntegrationLatency_count" + st, "3"},
		{"apigateway_Count" + me, "2"},
		{"apigateway_CacheHitCount" + me, "1"},
		{"apigateway_4XXError" + me, "0"},
	}
	for _, tt := range tests {
		if got := value(t, body, tt.series); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.series, got, tt.want)
		}
	}
	if !strings.Contains(body, "go_goroutines") {
		t.Error("no Go runtime metrics")
	}
	r.Forget("abc123", "pets", "prod")
	if body := scrape(t, r); strings.Contains(body, `Stage="prod"`) {
		t.Errorf("series left after Forget")
	}
}

func TestSetsAreShared(t *testing.T) {
	// Resolving the same labels again (a configuration change) continues
	// the same counters.
	r := New()
	r.Stage("id", "pets", "prod").Observe(&telemetry.RequestEvent{Status: 200})
	r.Stage("id", "pets", "prod").Observe(&telemetry.RequestEvent{Status: 200})
	if got := value(t, scrape(t, r), `apigateway_Count{ApiName="pets",Method="",Resource="",Stage="prod"}`); got != "2" {
		t.Errorf("count %s", got)
	}
}

func TestCleanAPIName(t *testing.T) {
	for in, want := range map[string]string{"pets": "pets", "pét store ✓": "pt store ", "": ""} {
		if got := CleanAPIName(in); got != want {
			t.Errorf("CleanAPIName(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkObserve(b *testing.B) {
	r := New()
	stage := r.Stage("abc", "pets", "prod")
	method := r.Method("pets", "prod", "GET", "/pets")
	ev := &telemetry.RequestEvent{RequestTime: time.Now(), Status: 200, ResponseLatency: 3 * time.Millisecond,
		IntegrationStatus: 200, IntegrationLatency: 2 * time.Millisecond}
	b.ReportAllocs()
	for b.Loop() {
		stage.Observe(ev)
		method.Observe(ev)
	}
}

// BenchmarkWithLabelValues is the per-request cost pre-resolved sets
// avoid.
func BenchmarkWithLabelValues(b *testing.B) {
	r := New()
	b.ReportAllocs()
	for b.Loop() {
		r.count.WithLabelValues("pets", "prod", "GET", "/pets").Inc()
		r.latency.WithLabelValues("pets", "prod", "GET", "/pets").Observe(3)
	}
}
