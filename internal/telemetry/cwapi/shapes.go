package cwapi

import "time"

// Operation inputs and outputs: CloudWatch's shapes, members named as in
// its API reference (the same names on every protocol).

// Dimension is a metric's dimension.
type Dimension struct {
	Name  string
	Value string
}

// DimensionFilter is ListMetrics's filter; Value may be empty (any).
type DimensionFilter struct {
	Name  string
	Value string `cw:"omitempty"`
}

// Metric names a metric.
type Metric struct {
	Namespace  string
	MetricName string
	Dimensions []Dimension `cw:"always"`
}

type listMetricsInput struct {
	Namespace      string
	MetricName     string
	Dimensions     []DimensionFilter
	NextToken      string
	RecentlyActive string
}

type listMetricsOutput struct {
	Metrics   []Metric `cw:"always"`
	NextToken *string
}

type getMetricStatisticsInput struct {
	Namespace          *string
	MetricName         *string
	Dimensions         []Dimension
	StartTime          *time.Time
	EndTime            *time.Time
	Period             *int64
	Statistics         []string
	ExtendedStatistics []string
	Unit               string
}

type datapoint struct {
	Timestamp          time.Time
	SampleCount        *float64
	Average            *float64
	Sum                *float64
	Minimum            *float64
	Maximum            *float64
	Unit               string
	ExtendedStatistics map[string]float64
}

type getMetricStatisticsOutput struct {
	Label      string
	Datapoints []datapoint `cw:"always"`
}

type metricStat struct {
	Metric *Metric
	Period *int64
	Stat   *string
	Unit   string
}

type metricDataQuery struct {
	Id         string
	MetricStat *metricStat
	Expression *string
	Label      string
	ReturnData *bool
	Period     *int64
	AccountId  string
}

type getMetricDataInput struct {
	MetricDataQueries []metricDataQuery
	StartTime         *time.Time
	EndTime           *time.Time
	NextToken         string
	ScanBy            string
	MaxDatapoints     *int64
}

type messageData struct {
	Code  string
	Value string
}

type metricDataResult struct {
	Id         string
	Label      string
	Timestamps []time.Time `cw:"always"`
	Values     []float64   `cw:"always"`
	StatusCode string
	Messages   []messageData `cw:"always"`
}

type getMetricDataOutput struct {
	MetricDataResults []metricDataResult `cw:"always"`
	Messages          []messageData      `cw:"always"`
	NextToken         *string
}
