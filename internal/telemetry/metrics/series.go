package metrics

import (
	"math"
	"sync"
	"time"

	"github.com/stagecoach/stagecoach/internal/telemetry"
)

// The dashboard time series: the last hour of a stage in one-minute
// buckets, in memory only (CloudWatch's 1-minute resolution).
const (
	seriesMinutes = 60
	// Latency quantiles come from a log-scale histogram per minute:
	// bucket i holds latencies up to latencyBase·latencyGrowth^i ms, so a
	// quantile is off by at most the 20% width of its bucket.
	latencyBase    = 0.1
	latencyGrowth  = 1.2
	latencyBuckets = 64 // up to ~11 minutes; slower lands in the last
)

var logGrowth = math.Log(latencyGrowth)

// Point is one minute of a stage.
type Point struct {
	Time        time.Time `json:"time"` // start of the minute (UTC)
	Count       int64     `json:"count"`
	Error4XX    int64     `json:"4xx"`
	Error5XX    int64     `json:"5xx"`
	CacheHits   int64     `json:"cacheHits"`
	CacheMisses int64     `json:"cacheMisses"`
	P50         float64   `json:"p50Ms"` // latency quantiles, ms; 0 when Count is 0
	P99         float64   `json:"p99Ms"`
}

type minute struct {
	at                          int64 // Unix minute this bucket holds
	count, e4, e5, hits, misses int64
	latency                     [latencyBuckets]uint32
}

// Series is one stage's last hour.
type Series struct {
	mu      sync.Mutex
	minutes [seriesMinutes]minute
	now     func() time.Time
}

func (r *Registry) seriesFor(apiID, stage string) *Series {
	r.seriesMu.Lock()
	defer r.seriesMu.Unlock()
	k := seriesKey{apiID, stage}
	s := r.series[k]
	if s == nil {
		s = &Series{now: time.Now}
		r.series[k] = s
	}
	return s
}

// StageSeries returns a stage's last hour, oldest minute first, ending
// with the current minute (60 points; minutes without traffic are
// zero). ok is false for a stage that has served nothing since start.
func (r *Registry) StageSeries(restAPIID, stage string) (points []Point, ok bool) {
	r.seriesMu.Lock()
	s := r.series[seriesKey{restAPIID, stage}]
	r.seriesMu.Unlock()
	if s == nil {
		return nil, false
	}
	return s.Points(), true
}

func latencyBucket(ms float64) int {
	if ms <= latencyBase {
		return 0
	}
	i := int(math.Ceil(math.Log(ms/latencyBase) / logGrowth))
	return min(i, latencyBuckets-1)
}

func bucketUpper(i int) float64 { return latencyBase * math.Pow(latencyGrowth, float64(i)) }

func (s *Series) observe(ev *telemetry.RequestEvent) {
	at := ev.RequestTime.Unix() / 60
	if ev.RequestTime.IsZero() {
		at = s.now().Unix() / 60
	}
	b := latencyBucket(float64(ev.ResponseLatency.Microseconds()) / 1000)
	s.mu.Lock()
	m := &s.minutes[at%seriesMinutes]
	if m.at != at {
		if m.at > at {
			s.mu.Unlock() // older than the window: too late to chart
			return
		}
		*m = minute{at: at}
	}
	m.count++
	m.latency[b]++
	switch {
	case ev.Status >= 500 && ev.Status <= 599:
		m.e5++
	case ev.Status >= 400 && ev.Status <= 499:
		m.e4++
	}
	switch ev.Cache {
	case telemetry.CacheHit:
		m.hits++
	case telemetry.CacheMiss:
		m.misses++
	}
	s.mu.Unlock()
}

// Points returns the last hour, oldest first.
func (s *Series) Points() []Point {
	nowMin := s.now().Unix() / 60
	out := make([]Point, seriesMinutes)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range out {
		at := nowMin - seriesMinutes + 1 + int64(i)
		p := Point{Time: time.Unix(at*60, 0).UTC()}
		if m := &s.minutes[at%seriesMinutes]; m.at == at && m.count > 0 {
			p.Count, p.Error4XX, p.Error5XX, p.CacheHits, p.CacheMisses = m.count, m.e4, m.e5, m.hits, m.misses
			p.P50 = quantile(&m.latency, m.count, 0.50)
			p.P99 = quantile(&m.latency, m.count, 0.99)
		}
		out[i] = p
	}
	return out
}

// quantile estimates the q-quantile as the geometric middle of the
// bucket holding it.
func quantile(h *[latencyBuckets]uint32, n int64, q float64) float64 {
	rank := int64(math.Ceil(q * float64(n)))
	var seen int64
	for i, c := range h {
		seen += int64(c)
		if seen >= rank {
			if i == 0 {
				return latencyBase
			}
			return math.Round(math.Sqrt(bucketUpper(i-1)*bucketUpper(i))*100) / 100
		}
	}
	return bucketUpper(latencyBuckets - 1)
}
