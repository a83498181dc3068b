package cwmetrics

import "math"

// Metric is one of API Gateway's CloudWatch metrics (data-plane.md §9).
type Metric uint8

// The metrics, in the order ListMetrics lists them. The numbers are
// stored: append only.
const (
	Count Metric = iota
	Latency
	IntegrationLatency
	Error4XX
	Error5XX
	CacheHitCount
	CacheMissCount
	numMetrics
)

var metricNames = [numMetrics]string{"Count", "Latency", "IntegrationLatency", "4XXError", "5XXError", "CacheHitCount", "CacheMissCount"}

// Name is the CloudWatch metric name.
func (m Metric) Name() string { return metricNames[m] }

// Unit is the CloudWatch unit the datapoints carry.
func (m Metric) Unit() string {
	if m.timed() {
		return "Milliseconds"
	}
	return "Count"
}

// timed metrics carry latencies and keep a histogram; the others are
// 0/1 per request, whose percentiles follow from Sum and SampleCount.
func (m Metric) timed() bool { return m == Latency || m == IntegrationLatency }

// MetricNamed returns the metric called name.
func MetricNamed(name string) (Metric, bool) {
	for i, n := range metricNames {
		if n == name {
			return Metric(i), true
		}
	}
	return 0, false
}

// Metrics lists every metric.
func Metrics() []Metric {
	out := make([]Metric, numMetrics)
	for i := range out {
		out[i] = Metric(i)
	}
	return out
}

// Stat is the aggregate of a metric's values over some time: what
// CloudWatch's statistics are computed from. Stats merge exactly.
type Stat struct {
	N             uint64 // SampleCount
	Sum, Min, Max float64
	Hist          *Histogram // timed metrics only
}

func (s *Stat) add(v float64, timed bool) {
	if s.N == 0 || v < s.Min {
		s.Min = v
	}
	if s.N == 0 || v > s.Max {
		s.Max = v
	}
	s.N++
	s.Sum += v
	if timed {
		if s.Hist == nil {
			s.Hist = &Histogram{}
		}
		s.Hist.Add(v)
	}
}

// Merge adds o to s.
func (s *Stat) Merge(o *Stat) {
	if o == nil || o.N == 0 {
		return
	}
	if s.N == 0 || o.Min < s.Min {
		s.Min = o.Min
	}
	if s.N == 0 || o.Max > s.Max {
		s.Max = o.Max
	}
	s.N += o.N
	s.Sum += o.Sum
	if o.Hist != nil {
		if s.Hist == nil {
			s.Hist = &Histogram{}
		}
		s.Hist.Merge(o.Hist)
	}
}

// Statistic returns one of CloudWatch's statistics: Sum, Average,
// Minimum, Maximum, SampleCount, or a percentile p0.0–p100 given as q in
// (0,1] by the caller (Percentile). ok is false for an unknown name.
func (s *Stat) Statistic(name string) (float64, bool) {
	switch name {
	case "Sum":
		return s.Sum, true
	case "Average":
		if s.N == 0 {
			return 0, true
		}
		return s.Sum / float64(s.N), true
	case "Minimum":
		return s.Min, true
	case "Maximum":
		return s.Max, true
	case "SampleCount":
		return float64(s.N), true
	}
	return 0, false
}

// Percentile returns the q-quantile (q in (0,1]), clamped to [Min, Max]
// so a bucket's representative never lies outside what was seen. For the
// 0/1 metrics it is exact: the values are Sum ones and N-Sum zeros.
func (s *Stat) Percentile(q float64) float64 {
	if s.N == 0 {
		return math.NaN()
	}
	if s.Hist == nil {
		rank := max(math.Ceil(q*float64(s.N)), 1)
		if rank <= float64(s.N)-s.Sum {
			return s.Min
		}
		return s.Max
	}
	v := s.Hist.Quantile(q)
	return math.Min(math.Max(v, s.Min), s.Max)
}
