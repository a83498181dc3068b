package console_test

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/console"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
	"github.com/stagecoach/stagecoach/internal/telemetry"
)

// The dashboard charts the stage's last hour from the CloudWatch metrics store:
// one line per series over 60 minutes, with the totals in words.
func TestDashboardChartsFromMetrics(t *testing.T) {
	env := servertest.Start(t, nil)
	api := env.APIGateway()
	f := makeFixture(t, api)
	f.createStage(t, api, "prod", f.firstDep)

	// The gateway's own metrics store, fed as the recorder feeds it.
	cw := env.App.CloudWatch
	set := cw.Stage(f.apiID, "petstore", "prod")
	now := time.Now()
	for _, ev := range []telemetry.RequestEvent{
		{RequestTime: now, Status: 200, ResponseLatency: 12 * time.Millisecond, Cache: telemetry.CacheHit},
		{RequestTime: now, Status: 200, ResponseLatency: 40 * time.Millisecond, Cache: telemetry.CacheMiss},
		{RequestTime: now, Status: 404, ResponseLatency: 3 * time.Millisecond},
		{RequestTime: now, Status: 502, ResponseLatency: 900 * time.Millisecond},
	} {
		cw.Record(set, nil, nil, &ev)
	}
	// A console over the same gateway (reads go through its front door),
	// with the store.
	ts := httptest.NewServer(console.New(console.Options{API: env.App.Handler(), Metrics: cw}))
	t.Cleanup(ts.Close)

	status, raw, text := getPage(t, ts.URL+"/console/apis/"+f.apiID+"/stages/prod/dashboard")
	if status != 200 {
		t.Fatalf("status %d: %.300s", status, text)
	}
	for _, w := range []string{
		"Count", "4 requests in the last hour", "Latency", "highest p99", "4XXError", "1 client errors in the last hour",
		"5XXError", "1 server errors in the last hour", "Cache hits and misses", "1 hits and 1 misses in the last hour",
		"Execution logs", "API-Gateway-Execution-Logs_" + f.apiID + "/prod",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("%q not on the dashboard", w)
		}
	}
	lines := regexp.MustCompile(`<polyline class="series" data-series="([^"]+)" points="([^"]+)"`).FindAllStringSubmatch(raw, -1)
	if len(lines) != 7 {
		t.Fatalf("%d chart lines, want 7 (Count, p50, p99, 4XX, 5XX, hits, misses)", len(lines))
	}
	for _, l := range lines {
		if n := len(strings.Fields(l[2])); n != 60 {
			t.Errorf("series %s has %d points, want one per minute of the hour", l[1], n)
		}
	}
	// This minute's 4 requests lift the end of the Count line above the
	// empty minutes at its start.
	count := strings.Fields(lines[0][2])
	if first, last := count[0], count[59]; first == last {
		t.Errorf("the Count line is flat (%s … %s) although this minute had 4 requests", first, last)
	}

	// Without a registry the page says there are no charts.
	bare := httptest.NewServer(console.New(console.Options{API: env.App.Handler()}))
	t.Cleanup(bare.Close)
	_, _, text = getPage(t, bare.URL+"/console/apis/"+f.apiID+"/stages/prod/dashboard")
	if !strings.Contains(text, "started without its metrics registry") {
		t.Errorf("dashboard without metrics: %.500s", text)
	}
}

// The dashboard tails the log group the gateway writes access logs to:
// the named group for a CloudWatch Logs destination (any partition), and
// a local group named after the stream for a Firehose destination (there
// is no Firehose here, so the gateway logs there instead).
func TestDashboardTailsAccessLogGroup(t *testing.T) {
	env := servertest.Start(t, nil)
	api := env.APIGateway()
	f := makeFixture(t, api)
	setRoleARN(t, api, "arn:aws:iam::123456789012:role/apigw-logs")
	ts := httptest.NewServer(console.New(console.Options{API: env.App.Handler()}))
	t.Cleanup(ts.Close)

	for _, tt := range []struct {
		stage, destination, group string
	}{
		{"logs", "arn:aws:logs:us-east-1:123456789012:log-group:pets-access", "pets-access"},
		{"logsstar", "arn:aws:logs:us-east-1:123456789012:log-group:pets-access:*", "pets-access"},
		{"china", "arn:aws-cn:logs:cn-north-1:123456789012:log-group:pets-cn", "pets-cn"},
		{"firehose", "arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon-apigateway-pets", "amazon-apigateway-pets"},
	} {
		f.createStage(t, api, tt.stage, f.firstDep)
		if _, err := api.UpdateStage(servertest.Ctx(), &apigateway.UpdateStageInput{RestApiId: aws.String(f.apiID), StageName: aws.String(tt.stage),
			PatchOperations: []agtypes.PatchOperation{
				{Op: agtypes.OpReplace, Path: aws.String("/accessLogSettings/destinationArn"), Value: aws.String(tt.destination)},
				{Op: agtypes.OpReplace, Path: aws.String("/accessLogSettings/format"), Value: aws.String("$context.requestId")},
			}}); err != nil {
			t.Fatalf("%s: UpdateStage: %v", tt.stage, err)
		}
		status, raw, text := getPage(t, ts.URL+"/console/apis/"+f.apiID+"/stages/"+tt.stage+"/dashboard")
		if status != 200 {
			t.Fatalf("%s: status %d: %.300s", tt.stage, status, text)
		}
		if want := `data-log-group="` + tt.group + `"`; !strings.Contains(raw, want) {
			t.Errorf("%s: dashboard has no live tail of %s (want %s)", tt.stage, tt.group, want)
		}
	}
}
