package cwmetrics

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/telemetry"
)

func TestHistogramQuantileWithinBound(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		gen  func() float64
	}{
		{"uniform 1-1000ms", func() float64 { return 1 + 999*r.Float64() }},
		{"lognormal", func() float64 { return math.Exp(r.NormFloat64()*1.5 + 3) }},
		{"sub-millisecond", func() float64 { return 0.01 + r.Float64() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Two halves merged, to check percentiles over merged minutes.
			var a, b Histogram
			vals := make([]float64, 20000)
			for i := range vals {
				vals[i] = tc.gen()
				if i%2 == 0 {
					a.Add(vals[i])
				} else {
					b.Add(vals[i])
				}
			}
			dec, err := DecodeHistogram(b.AppendBinary(nil))
			if err != nil {
				t.Fatal(err)
			}
			a.Merge(dec)
			slices.Sort(vals)
			for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
				want := vals[int(math.Ceil(q*float64(len(vals))))-1]
				got := a.Quantile(q)
				if rel := math.Abs(got-want) / want; rel > RelativeAccuracy+1e-9 {
					t.Errorf("p%v = %v, exact %v: relative error %.4f > %v", q*100, got, want, rel, RelativeAccuracy)
				}
			}
		})
	}
}

func TestHistogramZeroAndCorrupt(t *testing.T) {
	var h Histogram
	h.Add(0)
	h.Add(0)
	h.Add(10)
	if got := h.Quantile(0.5); got != 0 {
		t.Errorf("p50 = %v, want 0", got)
	}
	if got := h.Quantile(1); math.Abs(got-10)/10 > RelativeAccuracy {
		t.Errorf("p100 = %v, want ~10", got)
	}
	if _, err := DecodeHistogram([]byte{1, 200}); err == nil {
		t.Error("corrupt histogram decoded")
	}
}

func TestStatPercentileOfCounts(t *testing.T) {
	var s Stat
	for i := range 100 {
		s.add(b2f(i < 3), false) // 3 errors in 100 requests
	}
	for _, tc := range []struct {
		q    float64
		want float64
	}{{0.5, 0}, {0.97, 0}, {0.98, 1}, {0.999, 1}} {
		if got := s.Percentile(tc.q); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.q*100, got, tc.want)
		}
	}
	if avg, _ := s.Statistic("Average"); avg != 0.03 {
		t.Errorf("Average = %v, want 0.03 (the error rate)", avg)
	}
}

func openTest(t *testing.T) *Collector {
	t.Helper()
	c, err := Open(Options{Path: filepath.Join(t.TempDir(), "metrics.db"), FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ev(at time.Time, status int, latency time.Duration, cache telemetry.CacheResult) *telemetry.RequestEvent {
	return &telemetry.RequestEvent{RequestTime: at, Status: status, ResponseLatency: latency,
		IntegrationStatus: status, IntegrationLatency: latency / 2, Cache: cache}
}

func TestCollectorStatsListRetain(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	prod := c.Stage("AbC", "pets\u00e9", "prod")
	if prod.Key().APIName != "pets" || prod.Key().APIID != "abc" {
		t.Fatalf("key = %+v", prod.Key())
	}
	canary := c.Canary("abc", "pets", "prod")
	get := c.Method(prod, "GET", "/pets")
	dev := c.Stage("abc", "pets", "dev")
	// Minute 0: 3 prod requests (one 404, one canary), 1 dev 500.
	c.Record(prod, nil, get, ev(t0.Add(5*time.Second), 200, 10*time.Millisecond, telemetry.CacheMiss))
	c.Record(prod, nil, get, ev(t0.Add(10*time.Second), 404, 20*time.Millisecond, telemetry.CacheHit))
	c.Record(prod, canary, get, ev(t0.Add(20*time.Second), 200, 30*time.Millisecond, telemetry.CacheNone))
	c.Record(dev, nil, nil, ev(t0.Add(30*time.Second), 500, 40*time.Millisecond, telemetry.CacheNone))
	// Minute 2: one prod request.
	c.Record(prod, nil, get, ev(t0.Add(2*time.Minute), 200, 100*time.Millisecond, telemetry.CacheNone))

	sum := func(m Metric, period time.Duration, dims ...Dimension) []float64 {
		t.Helper()
		bs, err := c.Stats(ctx, m, dims, t0, t0.Add(5*time.Minute), period)
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		for _, b := range bs {
			out = append(out, b.Stat.Sum)
		}
		return out
	}
	api := Dimension{"ApiName", "pets"}
	for _, tc := range []struct {
		name   string
		m      Metric
		period time.Duration
		dims   []Dimension
		want   []float64
	}{
		{"api count per minute", Count, time.Minute, []Dimension{api}, []float64{4, 1}},
		{"api count 5 min", Count, 5 * time.Minute, []Dimension{api}, []float64{5}},
		{"stage count", Count, 5 * time.Minute, []Dimension{{"Stage", "prod"}, api}, []float64{4}},
		{"canary count", Count, 5 * time.Minute, []Dimension{api, {"Stage", "prod/Canary"}}, []float64{1}},
		{"method count", Count, time.Minute, []Dimension{api, {"Stage", "prod"}, {"Method", "GET"}, {"Resource", "/pets"}}, []float64{3, 1}},
		{"api 4xx", Error4XX, 5 * time.Minute, []Dimension{api}, []float64{1}},
		{"api 5xx", Error5XX, 5 * time.Minute, []Dimension{api}, []float64{1}},
		{"dev 5xx", Error5XX, 5 * time.Minute, []Dimension{api, {"Stage", "dev"}}, []float64{1}},
		{"hits", CacheHitCount, 5 * time.Minute, []Dimension{api}, []float64{1}},
		{"misses", CacheMissCount, 5 * time.Minute, []Dimension{api}, []float64{1}},
		{"unknown dims", Count, 5 * time.Minute, []Dimension{{"Stage", "prod"}}, nil},
	} {
		if got := sum(tc.m, tc.period, tc.dims...); !slices.Equal(got, tc.want) {
			t.Errorf("%s: sums %v, want %v", tc.name, got, tc.want)
		}
	}
	bs, err := c.Stats(ctx, Latency, []Dimension{api}, t0, t0.Add(5*time.Minute), 5*time.Minute)
	if err != nil || len(bs) != 1 {
		t.Fatal(bs, err)
	}
	st := bs[0].Stat
	if st.N != 5 || st.Min != 10 || st.Max != 100 || st.Sum != 200 {
		t.Errorf("latency stat %+v", st)
	}
	if p := st.Percentile(0.5); math.Abs(p-30)/30 > RelativeAccuracy {
		t.Errorf("p50 = %v, want ~30", p)
	}

	ids, err := c.List(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// 7 metrics x (ApiName; prod; prod/Canary; dev; prod GET /pets).
	if len(ids) != 35 {
		t.Errorf("List: %d metrics, want 35: %v", len(ids), ids)
	}

	// dev is deleted: its data leaves every dimension set.
	if err := c.Retain(ctx, map[StageID]bool{{"abc", "prod"}: true}); err != nil {
		t.Fatal(err)
	}
	c.Record(dev, nil, nil, ev(t0.Add(3*time.Minute), 500, time.Millisecond, telemetry.CacheNone)) // in flight
	if got := sum(Count, 5*time.Minute, api, Dimension{"Stage", "dev"}); got != nil {
		t.Errorf("deleted stage still reports %v", got)
	}
	if got := sum(Count, 5*time.Minute, api); !slices.Equal(got, []float64{4}) {
		t.Errorf("api count after deleting dev = %v, want [4]", got)
	}
	ids, _ = c.List(ctx, time.Time{})
	if len(ids) != 28 {
		t.Errorf("List after delete: %d, want 28", len(ids))
	}
	// Everything goes with the API.
	if err := c.Retain(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if ids, _ = c.List(ctx, time.Time{}); len(ids) != 0 {
		t.Errorf("List after deleting the API: %v", ids)
	}
}

func TestCollectorRetentionAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "metrics.db")
	now := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	clock := now.Add(-16 * 24 * time.Hour)
	c, err := Open(Options{Path: path, FlushInterval: time.Hour, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	s := c.Stage("a", "n", "prod")
	// The injected clock, not the request time, picks the minute.
	c.Record(s, nil, nil, ev(now, 200, time.Millisecond, 0))
	clock = now.Add(-time.Hour)
	c.Record(s, nil, nil, ev(now, 200, time.Millisecond, 0))
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	clock = now
	c.janitor()
	c.Close()
	c, err = Open(Options{Path: path, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	bs, err := c.Stats(ctx, Count, []Dimension{{"ApiName", "n"}}, now.Add(-20*24*time.Hour), now, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 || bs[0].Stat.Sum != 1 {
		t.Errorf("after retention: %+v, want the recent request only", bs)
	}
}

func TestRecordNeverBlocks(t *testing.T) {
	// No writer goroutine: the queue fills and stays full.
	c := &Collector{opts: Options{Now: time.Now}, queue: make(chan sample, 2)}
	s := &Series{life: &stageLife{}}
	for range 5 {
		c.Record(s, nil, nil, ev(time.Now(), 200, time.Millisecond, 0))
	}
	if c.Dropped() != 3 {
		t.Errorf("Dropped = %d, want 3", c.Dropped())
	}
}

func TestStageSeries(t *testing.T) {
	now := time.Date(2024, 3, 9, 12, 30, 45, 0, time.UTC)
	clock := now.Add(-2 * time.Minute)
	c, err := Open(Options{Path: filepath.Join(t.TempDir(), "m.db"), FlushInterval: time.Hour, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	set := c.Stage("ABC", "pets", "prod")
	// 100 requests two minutes ago: latencies 1..100 ms, one 5xx, three 4xx.
	for i := 1; i <= 100; i++ {
		e := ev(now, 200, time.Duration(i)*time.Millisecond, telemetry.CacheMiss)
		switch i {
		case 1:
			e.Status = 500
		case 2, 3, 4:
			e.Status = 404
		}
		if i%2 == 0 {
			e.Cache = telemetry.CacheHit
		}
		c.Record(set, nil, nil, e)
	}
	clock = now
	c.Record(set, nil, nil, ev(now, 200, 7*time.Millisecond, 0))
	clock = now.Add(-2 * time.Hour) // older than the hour: not charted
	c.Record(set, nil, nil, ev(now, 200, 7*time.Millisecond, 0))
	clock = now

	points, ok := c.StageSeries("abc", "prod")
	if !ok || len(points) != 60 {
		t.Fatalf("points %d %v", len(points), ok)
	}
	last, twoAgo := points[59], points[57]
	if !last.Time.Equal(time.Date(2024, 3, 9, 12, 30, 0, 0, time.UTC)) || last.Count != 1 {
		t.Errorf("current minute %+v", last)
	}
	if twoAgo.Count != 100 || twoAgo.Error5XX != 1 || twoAgo.Error4XX != 3 || twoAgo.CacheHits != 50 || twoAgo.CacheMisses != 50 {
		t.Errorf("two minutes ago %+v", twoAgo)
	}
	within := func(got, want float64) bool { return math.Abs(got-want)/want <= RelativeAccuracy+0.005 }
	if !within(twoAgo.P50, 50) || !within(twoAgo.P99, 99) {
		t.Errorf("percentiles p50 %v p99 %v", twoAgo.P50, twoAgo.P99)
	}
	total := int64(0)
	for _, p := range points {
		total += p.Count
	}
	if total != 101 {
		t.Errorf("total %d", total)
	}
	clock = now.Add(time.Hour)
	if _, ok := c.StageSeries("abc", "prod"); ok {
		t.Error("an hour later the window still has traffic")
	}
	if _, ok := c.StageSeries("abc", "nope"); ok {
		t.Error("series for an unknown stage")
	}
}
