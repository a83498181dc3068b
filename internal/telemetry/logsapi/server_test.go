package logsapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
	"github.com/stagecoach/stagecoach/internal/telemetry"
	"github.com/stagecoach/stagecoach/internal/telemetry/recorder"
)

// TestThroughTheFrontDoor runs a whole Stagecoach: the Logs API answers
// on the shared endpoint (X-Amz-Target dispatch), lines recorded by the
// server's recorder are readable with the SDK, and /metrics serves the
// request metrics.
func TestThroughTheFrontDoor(t *testing.T) {
	env := servertest.Start(t, nil)
	ctx := context.Background()
	logs := cwl.NewFromConfig(env.AWSConfig())

	stage := &apigw.Stage{
		StageName:         "prod",
		MethodSettings:    map[string]apigw.MethodSetting{"*/*": {LoggingLevel: "INFO", MetricsEnabled: true}},
		AccessLogSettings: &apigw.AccessLogSettings{DestinationArn: "arn:aws:logs:us-east-1:000000000000:log-group:access", Format: `$context.requestId $context.status`},
	}
	rec := env.App.Recorder
	m := rec.Stage(recorder.StageInfo{RestAPIID: "abc123", APIName: "pets", Stage: stage}).Method("/pets", "GET")
	ev := rec.NewEvent()
	*ev = telemetry.RequestEvent{APIID: "abc123", Stage: "prod", RequestID: "rid-1", RequestTime: time.Now(),
		HTTPMethod: "GET", Path: "/prod/pets", ResourcePath: "/pets", Status: 200}
	rec.Record(m, ev)
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	out, err := logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("access")})
	if err != nil || len(out.Events) != 1 || aws.ToString(out.Events[0].Message) != "rid-1 200" {
		t.Fatalf("access log: %+v %v", out, err)
	}
	out, err = logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{
		LogGroupName: aws.String("API-Gateway-Execution-Logs_abc123/prod"), FilterPattern: aws.String(`"Method completed"`)})
	if err != nil || len(out.Events) != 1 || aws.ToString(out.Events[0].Message) != "(rid-1) Method completed with status: 200" {
		t.Fatalf("execution log: %+v %v", out, err)
	}
	groups, err := logs.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if err != nil || len(groups.LogGroups) != 2 {
		t.Fatalf("groups %+v %v", groups, err)
	}

	resp, err := http.Get(env.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`apigateway_Count{ApiName="pets",Method="",Resource="",Stage="prod"} 1`,
		`apigateway_Count{ApiName="pets",Method="GET",Resource="/pets",Stage="prod"} 1`,
		`stagecoach_log_requests_dropped_total 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
