package cwapi

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/internal/telemetry/cwmetrics"
)

// maxDatapoints is GetMetricStatistics's limit per call.
const maxDatapoints = 1440

// listPage is how many metrics ListMetrics returns per page (AWS: 500).
const listPage = 500

func (h *Handler) listMetrics(ctx context.Context, in *listMetricsInput) (any, *apiError) {
	var since time.Time
	switch in.RecentlyActive {
	case "":
	case "PT3H":
		since = h.now().Add(-3 * time.Hour)
	default:
		return nil, invalidValue("The parameter RecentlyActive must be a value in the set [ PT3H ].")
	}
	offset := 0
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "o:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(b), "o:") || n < 0 {
			return nil, &apiError{400, "InvalidNextToken", "InvalidNextToken", "The service couldn't process the NextToken."}
		}
		offset = n
	}
	out := &listMetricsOutput{Metrics: []Metric{}}
	if in.Namespace != "" && in.Namespace != cwmetrics.Namespace {
		return out, nil
	}
	ids, err := h.metrics.List(ctx, since)
	if err != nil {
		return nil, internalError()
	}
	var all []Metric
	for _, id := range ids {
		if in.MetricName != "" && id.Metric.Name() != in.MetricName {
			continue
		}
		if !matchesFilters(id.Dimensions, in.Dimensions) {
			continue
		}
		m := Metric{Namespace: cwmetrics.Namespace, MetricName: id.Metric.Name(), Dimensions: make([]Dimension, len(id.Dimensions))}
		for i, d := range id.Dimensions {
			m.Dimensions[i] = Dimension{d.Name, d.Value}
		}
		all = append(all, m)
	}
	// A stable order, so pages do not overlap.
	slices.SortFunc(all, func(a, b Metric) int { return strings.Compare(metricKey(a), metricKey(b)) })
	if offset > len(all) {
		offset = len(all)
	}
	end := min(offset+listPage, len(all))
	out.Metrics = append(out.Metrics, all[offset:end]...)
	if end < len(all) {
		tok := base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(end)))
		out.NextToken = &tok
	}
	return out, nil
}

func metricKey(m Metric) string {
	var b strings.Builder
	b.WriteString(m.MetricName)
	for _, d := range m.Dimensions {
		b.WriteString("\x00" + d.Name + "\x00" + d.Value)
	}
	return b.String()
}

// matchesFilters: every filter names a dimension of the set, with the
// given value if one is given.
func matchesFilters(ds []cwmetrics.Dimension, fs []DimensionFilter) bool {
	for _, f := range fs {
		ok := false
		for _, d := range ds {
			if d.Name == f.Name && (f.Value == "" || f.Value == d.Value) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

var basicStats = []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}

// percentileOf parses "p99", "p99.9", "p50": the quantile in (0,1].
func percentileOf(stat string) (float64, bool) {
	if len(stat) < 2 || stat[0] != 'p' {
		return 0, false
	}
	v, err := strconv.ParseFloat(stat[1:], 64)
	if err != nil || !(v > 0 && v <= 100) || strings.ContainsAny(stat[1:], "eE+-") {
		return 0, false
	}
	if i := strings.IndexByte(stat, '.'); i >= 0 && len(stat)-i-1 > 10 {
		return 0, false
	}
	return v / 100, true
}

// statValue computes one statistic of an aggregate.
func statValue(st *cwmetrics.Stat, stat string) (float64, bool) {
	if q, ok := percentileOf(stat); ok {
		return st.Percentile(q), true
	}
	return st.Statistic(stat)
}

func validStat(stat string) bool {
	if slices.Contains(basicStats, stat) {
		return true
	}
	_, ok := percentileOf(stat)
	return ok
}

func validPeriod(p int64) bool { return p >= 60 && p%60 == 0 }

// toDims converts request dimensions.
func toDims(ds []Dimension) []cwmetrics.Dimension {
	out := make([]cwmetrics.Dimension, len(ds))
	for i, d := range ds {
		out[i] = cwmetrics.Dimension{Name: d.Name, Value: d.Value}
	}
	return out
}

// fetch reads a metric's buckets; an unknown namespace, metric or unit
// has none.
func (h *Handler) fetch(ctx context.Context, namespace, name, unit string, dims []Dimension, start, end time.Time, period int64) ([]cwmetrics.Bucket, *apiError) {
	m, ok := cwmetrics.MetricNamed(name)
	if namespace != cwmetrics.Namespace || !ok || unit != "" && unit != m.Unit() {
		return nil, nil
	}
	bs, err := h.metrics.Stats(ctx, m, toDims(dims), start, end, time.Duration(period)*time.Second)
	if err != nil {
		return nil, internalError()
	}
	return bs, nil
}

func (h *Handler) getMetricStatistics(ctx context.Context, in *getMetricStatisticsInput) (any, *apiError) {
	switch {
	case in.Namespace == nil:
		return nil, missingParameter("Namespace")
	case in.MetricName == nil:
		return nil, missingParameter("MetricName")
	case in.StartTime == nil:
		return nil, missingParameter("StartTime")
	case in.EndTime == nil:
		return nil, missingParameter("EndTime")
	case in.Period == nil:
		return nil, missingParameter("Period")
	}
	if (len(in.Statistics) == 0) == (len(in.ExtendedStatistics) == 0) {
		return nil, invalidCombination("Must specify either Statistics or ExtendedStatistics, but not both.")
	}
	for i, s := range in.Statistics {
		if !slices.Contains(basicStats, s) {
			return nil, invalidValue(fmt.Sprintf("The parameter Statistics.member.%d must be a value in the set [ SampleCount, Average, Sum, Minimum, Maximum ].", i+1))
		}
	}
	for i, s := range in.ExtendedStatistics {
		if _, ok := percentileOf(s); !ok {
			return nil, invalidValue(fmt.Sprintf("The parameter ExtendedStatistics.member.%d must be a percentile such as p99 or p99.9 (p0.0 < pNN <= p100).", i+1))
		}
	}
	period := *in.Period
	if !validPeriod(period) {
		return nil, invalidValue("The parameter Period must be a multiple of 60.")
	}
	start, end := *in.StartTime, *in.EndTime
	if !start.Before(end) {
		return nil, invalidValue("The parameter StartTime must be less than the parameter EndTime.")
	}
	startMin := start.Truncate(time.Minute)
	if n := int64(math.Ceil(end.Sub(startMin).Seconds() / float64(period))); n > maxDatapoints {
		return nil, invalidCombination(fmt.Sprintf("You have requested up to %d datapoints, which exceeds the limit of %d. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", n, maxDatapoints))
	}
	bs, aerr := h.fetch(ctx, *in.Namespace, *in.MetricName, in.Unit, in.Dimensions, startMin, end, period)
	if aerr != nil {
		return nil, aerr
	}
	out := &getMetricStatisticsOutput{Label: *in.MetricName, Datapoints: []datapoint{}}
	unit := "None"
	if m, ok := cwmetrics.MetricNamed(*in.MetricName); ok {
		unit = m.Unit()
	}
	for _, b := range bs {
		dp := datapoint{Timestamp: b.Start, Unit: unit}
		for _, s := range in.Statistics {
			v, _ := statValue(&b.Stat, s)
			switch s {
			case "SampleCount":
				dp.SampleCount = &v
			case "Average":
				dp.Average = &v
			case "Sum":
				dp.Sum = &v
			case "Minimum":
				dp.Minimum = &v
			case "Maximum":
				dp.Maximum = &v
			}
		}
		if len(in.ExtendedStatistics) > 0 {
			dp.ExtendedStatistics = map[string]float64{}
			for _, s := range in.ExtendedStatistics {
				v, _ := statValue(&b.Stat, s)
				dp.ExtendedStatistics[s] = v
			}
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	return out, nil
}

var idPattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

func (h *Handler) getMetricData(ctx context.Context, in *getMetricDataInput) (any, *apiError) {
	switch {
	case len(in.MetricDataQueries) == 0:
		return nil, missingParameter("MetricDataQueries")
	case in.StartTime == nil:
		return nil, missingParameter("StartTime")
	case in.EndTime == nil:
		return nil, missingParameter("EndTime")
	}
	if len(in.MetricDataQueries) > 500 {
		return nil, validationError("The collection MetricDataQueries must not have a size greater than 500.")
	}
	start, end := *in.StartTime, *in.EndTime
	if start.Equal(end) {
		return nil, validationError("The parameter StartTime must not equal parameter EndTime.")
	}
	if start.After(end) {
		return nil, validationError("The parameter StartTime must be less than the parameter EndTime.")
	}
	switch in.ScanBy {
	case "", "TimestampDescending", "TimestampAscending":
	default:
		return nil, validationError("The value " + in.ScanBy + " for parameter ScanBy is not valid. Valid values are TimestampDescending and TimestampAscending.")
	}
	startMin := start.Truncate(time.Minute)

	// Validate every query first: nothing is read for a bad request.
	byID := map[string]int{}
	exprs := map[string]exprNode{}
	var errs []string
	for i, q := range in.MetricDataQueries {
		member := fmt.Sprintf("MetricDataQueries.member.%d", i+1)
		if !idPattern.MatchString(q.Id) {
			errs = append(errs, fmt.Sprintf("The value %s for parameter %s.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.", q.Id, member))
			continue
		}
		if _, dup := byID[q.Id]; dup {
			errs = append(errs, "The values for parameter id in MetricDataQueries are not unique.")
			continue
		}
		byID[q.Id] = i
		switch {
		case (q.MetricStat == nil) == (q.Expression == nil):
			errs = append(errs, fmt.Sprintf("The parameter %s must contain exactly one of MetricStat or Expression.", member))
		case q.MetricStat != nil:
			ms := q.MetricStat
			switch {
			case ms.Metric == nil:
				errs = append(errs, fmt.Sprintf("The parameter %s.MetricStat.Metric is required.", member))
			case ms.Stat == nil || !validStat(*ms.Stat):
				v := "None"
				if ms.Stat != nil {
					v = *ms.Stat
				}
				errs = append(errs, fmt.Sprintf("The value %s for parameter %s.MetricStat.Stat is not a valid statistic.", v, member))
			case ms.Period == nil || !validPeriod(*ms.Period):
				v := "None"
				if ms.Period != nil {
					v = strconv.FormatInt(*ms.Period, 10)
				}
				errs = append(errs, fmt.Sprintf("The value %s for parameter %s.MetricStat.Period must be a multiple of 60.", v, member))
			}
		default:
			n, err := parseExpr(*q.Expression)
			if err != nil {
				errs = append(errs, fmt.Sprintf("Error in expression %s: %s", q.Id, err.Error()))
				continue
			}
			exprs[q.Id] = n
		}
	}
	for id, n := range exprs {
		for _, ref := range refs(n, nil) {
			if _, ok := byID[ref]; !ok {
				errs = append(errs, fmt.Sprintf("Error in expression %s: Unrecognized identifier %s", id, ref))
			}
		}
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return nil, validationError(strings.Join(slices.Compact(errs), "\n"))
	}

	// Metric stats, then expressions (which may refer to each other).
	data := map[string]series{}
	var statSeries []series
	for _, q := range in.MetricDataQueries {
		ms := q.MetricStat
		if ms == nil {
			continue
		}
		bs, aerr := h.fetch(ctx, ms.Metric.Namespace, ms.Metric.MetricName, ms.Unit, ms.Metric.Dimensions, startMin, end, *ms.Period)
		if aerr != nil {
			return nil, aerr
		}
		s := series{}
		for _, b := range bs {
			if v, _ := statValue(&b.Stat, *ms.Stat); !math.IsNaN(v) {
				s[b.Start.Unix()] = v
			}
		}
		data[q.Id] = s
		statSeries = append(statSeries, s)
	}
	visiting := map[string]bool{}
	var resolve func(id string) (series, error)
	resolve = func(id string) (series, error) {
		if s, ok := data[id]; ok {
			return s, nil
		}
		if visiting[id] {
			return nil, fmt.Errorf("Error in expression %s: Circular dependency", id)
		}
		visiting[id] = true
		v, err := eval(exprs[id], &evalEnv{ref: resolve, metrics: func() []series { return statSeries }})
		if err != nil {
			return nil, err
		}
		s := v.s
		if v.isScalar {
			// A constant expression: one value per timestamp the
			// request's metrics have.
			s = series{}
			for _, ms := range statSeries {
				for t := range ms {
					s[t] = v.scalar
				}
			}
		}
		data[id] = s
		return s, nil
	}
	out := &getMetricDataOutput{MetricDataResults: []metricDataResult{}, Messages: []messageData{}}
	for _, q := range in.MetricDataQueries {
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		s, err := resolve(q.Id)
		if err != nil {
			return nil, validationError(err.Error())
		}
		label := q.Label
		if label == "" {
			label = q.Id
			if q.MetricStat != nil {
				label = q.MetricStat.Metric.MetricName
			}
		}
		res := metricDataResult{Id: q.Id, Label: label, StatusCode: "Complete", Timestamps: []time.Time{}, Values: []float64{}, Messages: []messageData{}}
		ts := make([]int64, 0, len(s))
		for t := range s {
			ts = append(ts, t)
		}
		slices.Sort(ts)
		if in.ScanBy != "TimestampAscending" {
			slices.Reverse(ts)
		}
		for _, t := range ts {
			res.Timestamps = append(res.Timestamps, time.Unix(t, 0).UTC())
			res.Values = append(res.Values, s[t])
		}
		out.MetricDataResults = append(out.MetricDataResults, res)
	}
	return out, nil
}
