package cwapi_test

import (
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/stagecoach/stagecoach/internal/server"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// manualClock is the minute the metrics count requests in.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *manualClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// site is a gateway with API "pets" deployed to stages prod (detailed
// metrics on) and dev (off): GET /pets answers 200, GET /fail 500, both
// through an HTTP_PROXY backend that sleeps ?ms= milliseconds.
type site struct {
	t     *testing.T
	env   *servertest.Env
	api   *apigateway.Client
	cw    *cloudwatch.Client
	id    string
	clock *manualClock
}

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func newSite(t *testing.T) *site {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusInternalServerError)
		}
		io.WriteString(w, "{}")
	}))
	t.Cleanup(backend.Close)
	clock := &manualClock{t: t0}
	env := servertest.Start(t, &server.Config{MetricsClock: clock.Now})
	s := &site{t: t, env: env, api: env.APIGateway(), cw: env.CloudWatch(), clock: clock}
	ctx := servertest.Ctx()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	rest, err := s.api.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	must(rest, err)
	s.id = *rest.Id
	res, err := s.api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &s.id})
	must(res, err)
	for _, path := range []string{"pets", "fail"} {
		r, err := s.api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &s.id, ParentId: res.Items[0].Id, PathPart: aws.String(path)})
		must(r, err)
		must(s.api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &s.id, ResourceId: r.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}))
		must(s.api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &s.id, ResourceId: r.Id, HttpMethod: aws.String("GET"),
			Type: agtypes.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String(backend.URL + "/" + path)}))
	}
	dep, err := s.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &s.id, StageName: aws.String("prod")})
	must(dep, err)
	must(s.api.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: &s.id, StageName: aws.String("dev"), DeploymentId: dep.Id}))
	must(s.api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &s.id, StageName: aws.String("prod"),
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/*/*/metrics/enabled"), Value: aws.String("true")}}}))
	return s
}

// call invokes a stage n times and checks the status.
func (s *site) call(stage, path string, n, want int) {
	s.t.Helper()
	url := s.env.URL + "/restapis/" + s.id + "/" + stage + "/_user_request_" + path
	for range n {
		var resp *http.Response
		// The stage update is applied asynchronously; wait for it with
		// the gateway's readiness (a served request), not a sleep.
		for range 200 {
			r, err := http.Get(url)
			if err != nil {
				s.t.Fatal(err)
			}
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
			resp = r
			if r.StatusCode == want {
				break
			}
		}
		if resp.StatusCode != want {
			s.t.Fatalf("GET %s: %d, want %d", url, resp.StatusCode, want)
		}
	}
}

func dims(kv ...string) []cwtypes.Dimension {
	var out []cwtypes.Dimension
	for i := 0; i < len(kv); i += 2 {
		out = append(out, cwtypes.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// stats runs GetMetricStatistics over the first five minutes from t0.
func (s *site) stats(metric string, period int32, d []cwtypes.Dimension, ext ...string) []cwtypes.Datapoint {
	s.t.Helper()
	in := &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/ApiGateway"), MetricName: aws.String(metric), Dimensions: d,
		StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(5 * time.Minute)), Period: aws.Int32(period)}
	if len(ext) > 0 {
		in.ExtendedStatistics = ext
	} else {
		in.Statistics = []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticSampleCount, cwtypes.StatisticAverage, cwtypes.StatisticMinimum, cwtypes.StatisticMaximum}
	}
	out, err := s.cw.GetMetricStatistics(servertest.Ctx(), in)
	if err != nil {
		s.t.Fatalf("GetMetricStatistics %s: %v", metric, err)
	}
	slices.SortFunc(out.Datapoints, func(a, b cwtypes.Datapoint) int { return a.Timestamp.Compare(*b.Timestamp) })
	return out.Datapoints
}

func sums(dps []cwtypes.Datapoint) []float64 {
	var out []float64
	for _, dp := range dps {
		out = append(out, aws.ToFloat64(dp.Sum))
	}
	return out
}

func TestCloudWatchAPIWithSDK(t *testing.T) {
	s := newSite(t)
	ctx := servertest.Ctx()
	// Minute 0: prod 4 x 200 and 1 x 500, an unknown path (403); dev 3 x 200.
	s.call("prod", "/pets", 4, 200)
	s.call("prod", "/fail", 1, 500)
	s.call("prod", "/nope", 1, 403)
	s.call("dev", "/pets", 3, 200)
	// Minute 2: prod 2 x 200.
	s.clock.Set(t0.Add(2*time.Minute + 30*time.Second))
	s.call("prod", "/pets", 2, 200)

	api := []string{"ApiName", "pets"}
	prod := append(api, "Stage", "prod")
	dev := append(api, "Stage", "dev")
	getPets := append(append([]string{}, prod...), "Method", "GET", "Resource", "/pets")
	for _, tc := range []struct {
		name   string
		metric string
		period int32
		dims   []string
		want   []float64
	}{
		{"api per minute", "Count", 60, api, []float64{9, 2}},
		{"api 5 min", "Count", 300, api, []float64{11}},
		{"prod", "Count", 300, prod, []float64{8}},
		{"dev", "Count", 300, dev, []float64{3}},
		{"prod method", "Count", 60, getPets, []float64{4, 2}},
		{"prod 4xx", "4XXError", 300, prod, []float64{1}},
		{"prod 5xx", "5XXError", 300, prod, []float64{1}},
		{"dev 5xx", "5XXError", 300, dev, []float64{0}},
		{"no dev method (detailed metrics off)", "Count", 300, append(append([]string{}, dev...), "Method", "GET", "Resource", "/pets"), nil},
		{"cache hits", "CacheHitCount", 300, prod, []float64{0}},
		{"integration calls", "IntegrationLatency", 300, prod, nil}, // sums of latencies: checked below
	} {
		got := sums(s.stats(tc.metric, tc.period, dims(tc.dims...)))
		if tc.metric == "IntegrationLatency" {
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %s sums %v, want %v", tc.name, tc.metric, got, tc.want)
		}
	}
	// SampleCount and Average: 4XXError's average is the error rate.
	dp := s.stats("4XXError", 300, dims(prod...))[0]
	if aws.ToFloat64(dp.SampleCount) != 8 || aws.ToFloat64(dp.Average) != 0.125 || dp.Unit != cwtypes.StandardUnitCount {
		t.Errorf("4XXError datapoint %+v", dp)
	}
	// Integration latency was recorded for the 7 proxied prod requests.
	if dp := s.stats("IntegrationLatency", 300, dims(prod...))[0]; aws.ToFloat64(dp.SampleCount) != 7 || dp.Unit != cwtypes.StandardUnitMilliseconds {
		t.Errorf("IntegrationLatency datapoint %+v", dp)
	}
	// Percentiles lie within [Minimum, Maximum] and are ordered.
	lat := s.stats("Latency", 300, dims(prod...))[0]
	pct := s.stats("Latency", 300, dims(prod...), "p50", "p90", "p99", "p99.9")[0].ExtendedStatistics
	if len(pct) != 4 {
		t.Fatalf("ExtendedStatistics %v", pct)
	}
	prev := 0.0
	for _, p := range []string{"p50", "p90", "p99", "p99.9"} {
		v := pct[p]
		if v < aws.ToFloat64(lat.Minimum) || v > aws.ToFloat64(lat.Maximum) || v < prev {
			t.Errorf("%s = %v outside [%v, %v] or below the previous %v", p, v, *lat.Minimum, *lat.Maximum, prev)
		}
		prev = v
	}

	// ListMetrics: 7 metrics x (ApiName; prod; dev; prod GET /pets; prod
	// GET /fail), IntegrationLatency included (every stage called a
	// backend). The unmatched path has no method series.
	lm, err := s.cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/ApiGateway")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lm.Metrics) != 35 {
		t.Errorf("ListMetrics: %d metrics, want 35", len(lm.Metrics))
	}
	lm, err = s.cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{MetricName: aws.String("Count"),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("Method")}}})
	if err != nil || len(lm.Metrics) != 2 {
		t.Errorf("ListMetrics Count with a Method: %+v %v", lm, err)
	}

	// GetMetricData: stats and math.
	q := func(id, metric, stat string, d []string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/ApiGateway"), MetricName: aws.String(metric), Dimensions: dims(d...)},
			Period: aws.Int32(300), Stat: aws.String(stat)}}
	}
	expr := func(id, e string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), Expression: aws.String(e)}
	}
	gmd, err := s.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(5 * time.Minute)),
		MetricDataQueries: []cwtypes.MetricDataQuery{
			q("m1", "Count", "Sum", prod), q("m2", "5XXError", "Sum", prod), q("m3", "Count", "Sum", dev),
			expr("e1", "m2/m1*100"), expr("e2", "SUM(METRICS())"), expr("e3", "(m1 - m3) / 2"), expr("e4", "MAX(METRICS())"),
			q("p", "Latency", "p99", prod),
		}})
	if err != nil {
		t.Fatal(err)
	}
	// METRICS() is every metric stat of the request, p99 latency included.
	want := map[string]float64{"m1": 8, "m2": 1, "m3": 3, "e1": 12.5, "e2": 12 + pct["p99"], "e3": 2.5, "e4": math.Max(8, pct["p99"])}
	for _, r := range gmd.MetricDataResults {
		if r.StatusCode != cwtypes.StatusCodeComplete || len(r.Values) != 1 || !r.Timestamps[0].Equal(t0) {
			t.Errorf("%s: %+v", *r.Id, r)
			continue
		}
		if w, ok := want[*r.Id]; ok && r.Values[0] != w {
			t.Errorf("%s = %v, want %v", *r.Id, r.Values[0], w)
		}
		if *r.Id == "p" && math.Abs(r.Values[0]-pct["p99"]) > 1e-9 {
			t.Errorf("GetMetricData p99 %v != GetMetricStatistics p99 %v", r.Values[0], pct["p99"])
		}
	}
	if len(gmd.MetricDataResults) != 8 {
		t.Errorf("%d results", len(gmd.MetricDataResults))
	}

	// AWS's errors, through the SDK.
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"unsupported function", func() error {
			_, err := s.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Hour)),
				MetricDataQueries: []cwtypes.MetricDataQuery{q("m1", "Count", "Sum", prod), expr("e1", "RATE(m1)")}})
			return err
		}, "ValidationError"},
		{"unknown id", func() error {
			_, err := s.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Hour)),
				MetricDataQueries: []cwtypes.MetricDataQuery{q("m1", "Count", "Sum", prod), expr("e1", "m1 + m9")}})
			return err
		}, "ValidationError"},
		{"bad stat", func() error {
			_, err := s.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Hour)),
				MetricDataQueries: []cwtypes.MetricDataQuery{q("m1", "Count", "Total", prod)}})
			return err
		}, "ValidationError"},
		{"period", func() error {
			_, err := s.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/ApiGateway"), MetricName: aws.String("Count"),
				StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Hour)), Period: aws.Int32(90), Statistics: []cwtypes.Statistic{"Sum"}})
			return err
		}, "InvalidParameterValue"},
		{"too many datapoints", func() error {
			_, err := s.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/ApiGateway"), MetricName: aws.String("Count"),
				StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(48 * time.Hour)), Period: aws.Int32(60), Statistics: []cwtypes.Statistic{"Sum"}})
			return err
		}, "InvalidParameterCombination"},
	} {
		err := tc.call()
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}

	// Deleting dev: nothing is reported for it any more, here or in
	// Prometheus, and the API's totals lose its requests.
	if _, err := s.api.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: &s.id, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	s.call("dev", "/pets", 1, 403) // the deletion is served: the stage is gone
	if got := sums(s.stats("Count", 300, dims(dev...))); got != nil {
		t.Errorf("deleted stage dev still reports %v", got)
	}
	if got := sums(s.stats("Count", 300, dims(api...))); !slices.Equal(got, []float64{8}) {
		t.Errorf("ApiName count after deleting dev = %v, want [8]", got)
	}
	lm, err = s.cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("Stage"), Value: aws.String("dev")}}})
	if err != nil || len(lm.Metrics) != 0 {
		t.Errorf("ListMetrics for dev after deletion: %+v %v", lm.Metrics, err)
	}
	resp, err := http.Get(s.env.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), `Stage="dev"`) {
		t.Error(`/metrics still has Stage="dev" series`)
	}
	if !strings.Contains(string(body), `apigateway_Count{ApiName="pets",Method="",Resource="",Stage="prod"}`) {
		t.Error(`/metrics lost prod`)
	}
}
