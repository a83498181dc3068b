package cwapi

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/telemetry"
	"github.com/stagecoach/stagecoach/internal/telemetry/cwmetrics"
)

// The awsQuery wire as the AWS CLI v2 sends it: a form POST, answered in
// XML; errors in <ErrorResponse>.
func TestAWSQueryWire(t *testing.T) {
	c, err := cwmetrics.Open(cwmetrics.Options{Path: filepath.Join(t.TempDir(), "m.db"), FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	s := c.Stage("abc", "pets", "prod")
	for i, st := range []int{200, 200, 404} {
		c.Record(s, nil, nil, &telemetry.RequestEvent{RequestTime: t0.Add(time.Duration(i) * time.Second), Status: st, ResponseLatency: 10 * time.Millisecond})
	}
	h := New(c)
	post := func(form url.Values) (*httptest.ResponseRecorder, string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		if !IsRequest(r) {
			t.Fatal("not recognised as a CloudWatch request")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w, w.Body.String()
	}
	w, body := post(url.Values{"Action": {"GetMetricStatistics"}, "Version": {"2010-08-01"}, "Namespace": {"AWS/ApiGateway"},
		"MetricName": {"4XXError"}, "Dimensions.member.1.Name": {"ApiName"}, "Dimensions.member.1.Value": {"pets"},
		"StartTime": {"2026-03-01T10:00:00Z"}, "EndTime": {"2026-03-01T10:05:00Z"}, "Period": {"300"},
		"Statistics.member.1": {"Sum"}, "Statistics.member.2": {"SampleCount"}, "ExtendedStatistics.member.1": {"p50"}})
	if w.Code != 400 || !strings.Contains(body, "<Code>InvalidParameterCombination</Code>") || !strings.Contains(body, "<Type>Sender</Type>") {
		t.Errorf("both statistics kinds: %d %s", w.Code, body)
	}
	w, body = post(url.Values{"Action": {"GetMetricStatistics"}, "Version": {"2010-08-01"}, "Namespace": {"AWS/ApiGateway"},
		"MetricName": {"4XXError"}, "Dimensions.member.1.Name": {"ApiName"}, "Dimensions.member.1.Value": {"pets"},
		"StartTime": {"2026-03-01T10:00:00Z"}, "EndTime": {"2026-03-01T10:05:00Z"}, "Period": {"300"},
		"Statistics.member.1": {"Sum"}, "Statistics.member.2": {"SampleCount"}})
	var out struct {
		XMLName xml.Name `xml:"GetMetricStatisticsResponse"`
		Result  struct {
			Label      string `xml:"Label"`
			Datapoints []struct {
				Timestamp   string  `xml:"Timestamp"`
				Sum         float64 `xml:"Sum"`
				SampleCount float64 `xml:"SampleCount"`
				Unit        string  `xml:"Unit"`
			} `xml:"Datapoints>member"`
		} `xml:"GetMetricStatisticsResult"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &out); err != nil || w.Code != 200 {
		t.Fatalf("%d %v: %s", w.Code, err, body)
	}
	dp := out.Result.Datapoints
	if out.Result.Label != "4XXError" || len(dp) != 1 || dp[0].Sum != 1 || dp[0].SampleCount != 3 || dp[0].Unit != "Count" ||
		dp[0].Timestamp != "2026-03-01T10:00:00.000Z" || out.RequestID == "" {
		t.Errorf("GetMetricStatistics: %+v", out)
	}
	w, body = post(url.Values{"Action": {"DeleteAlarms"}, "Version": {"2010-08-01"}})
	if w.Code != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") {
		t.Errorf("unknown action: %d %s", w.Code, body)
	}
}

func TestParseExpr(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		refs string
	}{
		{"m1/m2*100", true, "m1,m2"},
		{"(m1 + m2) / 2", true, "m1,m2"},
		{"-m1", true, "m1"},
		{"SUM(METRICS())", true, ""},
		{"AVG(METRICS()) * 2", true, ""},
		{"RATE(m1)", false, ""},
		{"SUM(m1)", false, ""},
		{"m1 +", false, ""},
		{"(m1", false, ""},
		{"m1 m2", false, ""},
		{"M1", false, ""},
		{"m1 % 2", false, ""},
	} {
		n, err := parseExpr(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v", tc.in, err)
			continue
		}
		if err == nil {
			if got := strings.Join(refs(n, nil), ","); got != tc.refs {
				t.Errorf("%q: refs %q, want %q", tc.in, got, tc.refs)
			}
		}
	}
	// Precedence and the per-timestamp combination of series.
	n, _ := parseExpr("m1 + m2 * 2 - 1")
	v, err := eval(n, &evalEnv{ref: func(id string) (series, error) {
		if id == "m1" {
			return series{0: 1, 60: 2}, nil
		}
		return series{0: 10}, nil
	}})
	if err != nil || len(v.s) != 1 || v.s[0] != 20 {
		t.Errorf("m1 + m2 * 2 - 1 = %+v %v, want {0: 20} (only where both have data)", v, err)
	}
}
