package cwmetrics

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"
)

// Namespace is the only namespace stored here.
const Namespace = "AWS/ApiGateway"

// Dimension is a CloudWatch dimension.
type Dimension struct{ Name, Value string }

// MetricID is a metric and its dimension set (sorted by name), as
// ListMetrics lists it.
type MetricID struct {
	Metric     Metric
	Dimensions []Dimension
}

// SortDimensions orders ds by name, the canonical form of a set.
func SortDimensions(ds []Dimension) {
	slices.SortFunc(ds, func(a, b Dimension) int { return strings.Compare(a.Name, b.Name) })
}

// List returns every metric with data since the given time (zero: the
// whole retention), each dimension set once. Series of APIs sharing a
// name share their dimension sets, as in CloudWatch.
func (c *Collector) List(ctx context.Context, since time.Time) ([]MetricID, error) {
	if err := c.Sync(ctx); err != nil {
		return nil, err
	}
	q := `SELECT s.api_name, s.stage, s.base_stage, s.method, s.resource, p.metric
		FROM series s JOIN (SELECT DISTINCT series_id, metric FROM points WHERE minute >= ?) p ON p.series_id = s.id`
	from := int64(0)
	if !since.IsZero() {
		from = since.Unix() / 60
	}
	rows, err := c.db.sql.QueryContext(ctx, q, from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []MetricID
	addID := func(m Metric, ds ...Dimension) {
		var key strings.Builder
		key.WriteString(m.Name())
		for _, d := range ds {
			key.WriteString("\x00" + d.Name + "\x00" + d.Value)
		}
		if !seen[key.String()] {
			seen[key.String()] = true
			out = append(out, MetricID{Metric: m, Dimensions: ds})
		}
	}
	for rows.Next() {
		var name, stage, base, method, resource string
		var m int
		if err := rows.Scan(&name, &stage, &base, &method, &resource, &m); err != nil {
			return nil, err
		}
		if m < 0 || m >= int(numMetrics) {
			continue
		}
		metric := Metric(m)
		switch {
		case method != "":
			addID(metric, Dimension{"ApiName", name}, Dimension{"Method", method}, Dimension{"Resource", resource}, Dimension{"Stage", stage})
		default:
			addID(metric, Dimension{"ApiName", name}, Dimension{"Stage", stage})
			if stage == base {
				addID(metric, Dimension{"ApiName", name})
			}
		}
	}
	return out, rows.Err()
}

// Bucket is one period's aggregate.
type Bucket struct {
	Start time.Time
	Stat  Stat
}

// Stats returns the aggregate of metric m with exactly the dimension set
// dims for each period from start (rounded down to the minute) to end,
// oldest first; periods without data are left out. A dimension set API
// Gateway does not publish matches nothing.
func (c *Collector) Stats(ctx context.Context, m Metric, dims []Dimension, start, end time.Time, period time.Duration) ([]Bucket, error) {
	ds := slices.Clone(dims)
	SortDimensions(ds)
	where, args, ok := seriesFilter(ds)
	if !ok {
		return nil, nil
	}
	return c.stats(ctx, m, where, args, start, end, period)
}

func (c *Collector) stats(ctx context.Context, m Metric, where string, args []any, start, end time.Time, period time.Duration) ([]Bucket, error) {
	if err := c.Sync(ctx); err != nil {
		return nil, err
	}
	from := start.Unix() / 60
	to := (end.Unix() + 59) / 60 // a minute that starts before end counts
	per := int64(period / time.Minute)
	if per <= 0 {
		per = 1
	}
	q := `SELECT p.minute, p.n, p.sum, p.min, p.max, p.hist FROM points p JOIN series s ON s.id = p.series_id
		WHERE p.metric = ? AND p.minute >= ? AND p.minute < ? AND ` + where
	rows, err := c.db.sql.QueryContext(ctx, q, append([]any{int(m), from, to}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byIdx := map[int64]*Stat{}
	for rows.Next() {
		var minute int64
		var st Stat
		var hist []byte
		if err := rows.Scan(&minute, &st.N, &st.Sum, &st.Min, &st.Max, &hist); err != nil {
			return nil, err
		}
		if hist != nil {
			if st.Hist, err = DecodeHistogram(hist); err != nil {
				return nil, err
			}
		}
		i := (minute - from) / per
		b := byIdx[i]
		if b == nil {
			b = &Stat{}
			byIdx[i] = b
		}
		b.Merge(&st)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Bucket, 0, len(byIdx))
	for i, st := range byIdx {
		out = append(out, Bucket{Start: time.Unix((from+i*per)*60, 0).UTC(), Stat: *st})
	}
	slices.SortFunc(out, func(a, b Bucket) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// seriesFilter is the SQL condition selecting the stored series a
// (sorted) dimension set reads.
func seriesFilter(ds []Dimension) (string, []any, bool) {
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Name
	}
	switch strings.Join(names, ",") {
	case "ApiName":
		return `s.method = '' AND s.stage = s.base_stage AND s.api_name = ?`, []any{ds[0].Value}, true
	case "ApiName,Stage":
		return `s.method = '' AND s.api_name = ? AND s.stage = ?`, []any{ds[0].Value, ds[1].Value}, true
	case "ApiName,Method,Resource,Stage":
		return `s.api_name = ? AND s.method = ? AND s.resource = ? AND s.stage = ?`, []any{ds[0].Value, ds[1].Value, ds[2].Value, ds[3].Value}, true
	}
	return "", nil, false
}

// Point is one minute of a stage, as the console's dashboard charts it.
type Point struct {
	Time        time.Time `json:"time"` // start of the minute (UTC)
	Count       int64     `json:"count"`
	Error4XX    int64     `json:"4xx"`
	Error5XX    int64     `json:"5xx"`
	CacheHits   int64     `json:"cacheHits"`
	CacheMisses int64     `json:"cacheMisses"`
	P50         float64   `json:"p50Ms"` // latency percentiles, ms; 0 when Count is 0
	P99         float64   `json:"p99Ms"`
}

// StageSeries returns a stage's last hour, one point per minute, oldest
// first, ending with the current minute: the same aggregates
// GetMetricData reads for ApiName+Stage (by REST API id here, so two APIs
// of one name are not mixed). ok is false when the stage served nothing
// in the hour.
func (c *Collector) StageSeries(restAPIID, stage string) (points []Point, ok bool) {
	ctx := context.Background()
	end := c.opts.Now().Truncate(time.Minute).Add(time.Minute)
	start := end.Add(-60 * time.Minute)
	points = make([]Point, 60)
	for i := range points {
		points[i].Time = start.Add(time.Duration(i) * time.Minute).UTC()
	}
	where := `s.method = '' AND s.api_id = ? AND s.stage = ?`
	args := []any{strings.ToLower(restAPIID), stage}
	for _, m := range []Metric{Count, Latency, Error4XX, Error5XX, CacheHitCount, CacheMissCount} {
		bs, err := c.stats(ctx, m, where, args, start, end, time.Minute)
		if err != nil {
			return points, false
		}
		for _, b := range bs {
			i := int(b.Start.Sub(start) / time.Minute)
			if i < 0 || i >= len(points) {
				continue
			}
			p, sum := &points[i], int64(b.Stat.Sum)
			switch m {
			case Count:
				p.Count, ok = sum, ok || sum > 0
			case Latency:
				p.P50, p.P99 = round2(b.Stat.Percentile(0.5)), round2(b.Stat.Percentile(0.99))
			case Error4XX:
				p.Error4XX = sum
			case Error5XX:
				p.Error5XX = sum
			case CacheHitCount:
				p.CacheHits = sum
			case CacheMissCount:
				p.CacheMisses = sum
			}
		}
	}
	return points, ok
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
