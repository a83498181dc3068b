package cwmetrics

import (
	"context"
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
