// Package metrics exposes API Gateway's CloudWatch metrics (data-plane.md
// §9) in Prometheus form. (The CloudWatch API and the console's dashboard
// read telemetry/cwmetrics.)
//
// Metric names keep CloudWatch's, under the "apigateway_" namespace
// (Prometheus names cannot start with a digit): apigateway_Count,
// apigateway_Latency and apigateway_IntegrationLatency (histograms, in
// milliseconds), apigateway_4XXError, apigateway_5XXError,
// apigateway_CacheHitCount, apigateway_CacheMissCount, plus
// apigateway_ThrottleCount (requests answered 429 THROTTLED).
//
// Labels mirror CloudWatch's dimension sets: every series has ApiName and
// Stage; the per-method series that "detailed CloudWatch metrics"
// (methodSettings metrics/enabled) adds also has Method and Resource,
// which are empty on the stage-level series. As with CloudWatch's
// dimension sets, a request is counted in both its stage series and (if
// enabled) its method series, so aggregate over Method="" for stage
// totals. Canary requests are counted under the stage and again under
// Stage="{stage}/Canary".
//
// Per-request cost is a handful of atomic adds: label children are
// resolved once per stage/method configuration (Stage, Method) and the
// resulting *Set is kept by the caller.
package metrics

import (
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/stagecoach/stagecoach/internal/telemetry"
)

// Label names: CloudWatch's dimension names.
var labels = []string{"ApiName", "Stage", "Method", "Resource"}

// LatencyBuckets are the histogram bucket bounds in milliseconds, up to
// the 29 s integration timeout.
var LatencyBuckets = []float64{1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 29000}

// Registry holds the metric families.
type Registry struct {
	reg *prometheus.Registry

	count, err4xx, err5xx, cacheHit, cacheMiss, throttle *prometheus.CounterVec
	latency, integrationLatency                          *prometheus.HistogramVec
}

// New creates the metric families in a fresh Prometheus registry, with
// the Go runtime and process collectors.
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	counter := func(name, help string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "apigateway", Name: name, Help: help}, labels)
		r.reg.MustRegister(c)
		return c
	}
	histogram := func(name, help string) *prometheus.HistogramVec {
		h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "apigateway", Name: name, Help: help, Buckets: LatencyBuckets}, labels)
		r.reg.MustRegister(h)
		return h
	}
	r.count = counter("Count", "Total API requests (CloudWatch Count).")
	r.err4xx = counter("4XXError", "Requests answered with a 4XX status, including gateway responses (CloudWatch 4XXError).")
	r.err5xx = counter("5XXError", "Requests answered with a 5XX status (CloudWatch 5XXError).")
	r.cacheHit = counter("CacheHitCount", "Requests served from the stage cache (CloudWatch CacheHitCount).")
	r.cacheMiss = counter("CacheMissCount", "Requests served by the integration while caching applied (CloudWatch CacheMissCount).")
	r.throttle = counter("ThrottleCount", "Requests rejected with 429 by stage, method or account throttling.")
	r.latency = histogram("Latency", "Milliseconds from receiving a request to sending the response (CloudWatch Latency).")
	r.integrationLatency = histogram("IntegrationLatency", "Milliseconds from relaying a request to the backend to its response (CloudWatch IntegrationLatency).")
	r.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// Prometheus returns the registry, for registering more collectors.
func (r *Registry) Prometheus() *prometheus.Registry { return r.reg }

// Handler serves /metrics in the Prometheus text format.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{})
}

// Set is the metric children of one label set, resolved once.
type Set struct {
	count, err4xx, err5xx, cacheHit, cacheMiss, throttle prometheus.Counter
	latency, integrationLatency                          prometheus.Observer
}

// Stage returns the stage-level set (ApiName, Stage) of a REST API;
// apiName is the label (restAPIID is kept for callers' symmetry with
// Forget).
func (r *Registry) Stage(restAPIID, apiName, stage string) *Set {
	return r.set(apiName, stage, "", "")
}

// Method returns the per-method set for detailed metrics. resource is the
// resource path ("/pets/{petId}"), method the HTTP verb.
func (r *Registry) Method(apiName, stage, method, resource string) *Set {
	return r.set(apiName, stage, method, resource)
}

func (r *Registry) set(apiName, stage, method, resource string) *Set {
	lv := []string{CleanAPIName(apiName), stage, method, resource}
	return &Set{
		count:              r.count.WithLabelValues(lv...),
		err4xx:             r.err4xx.WithLabelValues(lv...),
		err5xx:             r.err5xx.WithLabelValues(lv...),
		cacheHit:           r.cacheHit.WithLabelValues(lv...),
		cacheMiss:          r.cacheMiss.WithLabelValues(lv...),
		throttle:           r.throttle.WithLabelValues(lv...),
		latency:            r.latency.WithLabelValues(lv...),
		integrationLatency: r.integrationLatency.WithLabelValues(lv...),
	}
}

// Forget removes a stage's series (every method too), e.g. when the stage
// is deleted.
func (r *Registry) Forget(restAPIID, apiName, stage string) {
	match := prometheus.Labels{"ApiName": CleanAPIName(apiName), "Stage": stage}
	for _, v := range []*prometheus.CounterVec{r.count, r.err4xx, r.err5xx, r.cacheHit, r.cacheMiss, r.throttle} {
		v.DeletePartialMatch(match)
	}
	r.latency.DeletePartialMatch(match)
	r.integrationLatency.DeletePartialMatch(match)
}

// Observe counts one request.
func (s *Set) Observe(ev *telemetry.RequestEvent) {
	s.count.Inc()
	ms := float64(ev.ResponseLatency.Microseconds()) / 1000
	s.latency.Observe(ms)
	if ev.IntegrationCalled() {
		s.integrationLatency.Observe(float64(ev.IntegrationLatency.Microseconds()) / 1000)
	}
	switch {
	case ev.Status >= 500 && ev.Status <= 599:
		s.err5xx.Inc()
	case ev.Status >= 400 && ev.Status <= 499:
		s.err4xx.Inc()
	}
	switch ev.Cache {
	case telemetry.CacheHit:
		s.cacheHit.Inc()
	case telemetry.CacheMiss:
		s.cacheMiss.Inc()
	}
	if ev.ErrorResponseType == telemetry.ResponseThrottled {
		s.throttle.Inc()
	}
}

// CleanAPIName strips non-ASCII characters, as CloudWatch does for the
// ApiName dimension.
func CleanAPIName(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			return strings.Map(func(r rune) rune {
				if r >= 0x80 {
					return -1
				}
				return r
			}, name)
		}
	}
	return name
}
