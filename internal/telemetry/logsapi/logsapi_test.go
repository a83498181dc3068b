package logsapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/stagecoach/stagecoach/internal/telemetry/logstore"
)

var ctx = context.Background()

// start serves the Logs API over a fresh store and returns an SDK client.
func start(t *testing.T) (*cwl.Client, *logstore.Store) {
	t.Helper()
	st, err := logstore.Open(filepath.Join(t.TempDir(), "logs.db"), logstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := New(st, "us-east-1")
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); st.Close() })
	client := cwl.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
	})
	return client, st
}

func apiErrorCode(t *testing.T, err error) (string, string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an API error, got %v", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

func TestLogGroupLifecycle(t *testing.T) {
	c, _ := start(t)
	if _, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/stagecoach/a")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/stagecoach/a")})
	if code, msg := apiErrorCode(t, err); code != "ResourceAlreadyExistsException" || msg != "The specified log group already exists" {
		t.Errorf("duplicate: %s %s", code, msg)
	}
	var exists *types.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("SDK did not map the error to its type: %T", err)
	}
	_, err = c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name!")})
	if code, _ := apiErrorCode(t, err); code != "InvalidParameterException" {
		t.Errorf("bad name: %s", code)
	}
	if _, err := c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/stagecoach/a"), RetentionInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/stagecoach/a"), RetentionInDays: aws.Int32(2)})
	if code, msg := apiErrorCode(t, err); code != "InvalidParameterException" || !strings.Contains(msg, "[1, 3, 5, 7, 14,") {
		t.Errorf("retention 2: %s %s", code, msg)
	}
	_, err = c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/nope"), RetentionInDays: aws.Int32(7)})
	if code, msg := apiErrorCode(t, err); code != "ResourceNotFoundException" || msg != "The specified log group does not exist." {
		t.Errorf("retention of missing group: %s %s", code, msg)
	}
	out, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/stagecoach/")})
	if err != nil || len(out.LogGroups) != 1 {
		t.Fatalf("describe: %+v %v", out, err)
	}
	g := out.LogGroups[0]
	if aws.ToString(g.LogGroupName) != "/stagecoach/a" || aws.ToInt32(g.RetentionInDays) != 7 ||
		aws.ToString(g.Arn) != "arn:aws:logs:us-east-1:000000000000:log-group:/stagecoach/a:*" ||
		aws.ToString(g.LogGroupArn) != "arn:aws:logs:us-east-1:000000000000:log-group:/stagecoach/a" ||
		aws.ToInt64(g.CreationTime) == 0 {
		t.Errorf("log group %+v", g)
	}
	if _, err := c.DeleteRetentionPolicy(ctx, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("/stagecoach/a")}); err != nil {
		t.Fatal(err)
	}
	out, _ = c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if out.LogGroups[0].RetentionInDays != nil {
		t.Errorf("retention after delete: %d", *out.LogGroups[0].RetentionInDays)
	}
	if _, err := c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/stagecoach/a")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/stagecoach/a")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("delete twice: %v", err)
	}
}

func TestDescribePaginators(t *testing.T) {
	c, st := start(t)
	var evs []logstore.Event
	now := time.Now().UnixMilli()
	for _, g := range []string{"a", "b", "c", "d", "e"} {
		evs = append(evs, logstore.Event{Group: "grp-" + g, Stream: "s", Time: now, Message: "m"})
		evs = append(evs, logstore.Event{Group: "grp-a", Stream: "stream-" + g, Time: now - int64(len(evs)), Message: "m"})
	}
	if err := st.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	var names []string
	p := cwl.NewDescribeLogGroupsPaginator(c, &cwl.DescribeLogGroupsInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range page.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
		}
	}
	if strings.Join(names, ",") != "grp-a,grp-b,grp-c,grp-d,grp-e" {
		t.Errorf("groups %v", names)
	}
	names = nil
	sp := cwl.NewDescribeLogStreamsPaginator(c, &cwl.DescribeLogStreamsInput{
		LogGroupName: aws.String("grp-a"), OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(2)})
	for sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.LogStreams {
			names = append(names, aws.ToString(s.LogStreamName))
		}
	}
	if strings.Join(names, ",") != "s,stream-a,stream-b,stream-c,stream-d,stream-e" {
		t.Errorf("streams by last event, newest first: %v", names)
	}
	_, err := c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("grp-a"),
		OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("s")})
	if code, msg := apiErrorCode(t, err); code != "InvalidParameterException" || msg != "Cannot order by LastEventTime with a logStreamNamePrefix." {
		t.Errorf("order by time with prefix: %s %s", code, msg)
	}
	_, err = c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("nope")})
	if code, _ := apiErrorCode(t, err); code != "ResourceNotFoundException" {
		t.Errorf("streams of missing group: %s", code)
	}
	// A group ARN works as identifier.
	out, err := c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{
		LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:grp-b")})
	if err != nil || len(out.LogStreams) != 1 || aws.ToString(out.LogStreams[0].Arn) != "arn:aws:logs:us-east-1:000000000000:log-group:grp-b:log-stream:s" {
		t.Errorf("by identifier: %+v %v", out, err)
	}
}

func TestPutGetAndFilter(t *testing.T) {
	c, _ := start(t)
	group, stream := "API-Gateway-Execution-Logs_abc/prod", "instance-1"
	_, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String("x")}}})
	if code, _ := apiErrorCode(t, err); code != "ResourceNotFoundException" {
		t.Errorf("put to missing group: %s", code)
	}
	c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(group)})
	if _, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	msgs := []string{
		"(r1) Starting execution for request: r1",
		"(r1) Method completed with status: 200",
		"(r2) Execution failed due to a timeout error",
		"(r2) Method completed with status: 504",
	}
	var in []types.InputLogEvent
	for i, m := range msgs {
		in = append(in, types.InputLogEvent{Timestamp: aws.Int64(now + int64(i)), Message: aws.String(m)})
	}
	// Too old and too new events are reported, not stored.
	in = append([]types.InputLogEvent{{Timestamp: aws.Int64(now - 15*24*3600*1000), Message: aws.String("ancient")}}, in...)
	in = append(in, types.InputLogEvent{Timestamp: aws.Int64(now + 3*3600*1000), Message: aws.String("future")})
	put, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: in})
	if err != nil {
		t.Fatal(err)
	}
	if r := put.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 0 || aws.ToInt32(r.TooNewLogEventStartIndex) != 5 {
		t.Errorf("rejected info %+v", put.RejectedLogEventsInfo)
	}
	_, err = c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(now), Message: aws.String("b")}, {Timestamp: aws.Int64(now - 1), Message: aws.String("a")}}})
	if code, _ := apiErrorCode(t, err); code != "InvalidParameterException" {
		t.Errorf("out of order: %s", code)
	}

	get, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true)})
	if err != nil || len(get.Events) != 4 || aws.ToString(get.Events[0].Message) != msgs[0] || aws.ToInt64(get.Events[3].Timestamp) != now+3 {
		t.Fatalf("get: %+v %v", get, err)
	}
	// The forward token repeats at the end (AWS's contract), which is
	// what StopOnDuplicateToken looks for.
	pages := 0
	gp := cwl.NewGetLogEventsPaginator(c, &cwl.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
		StartFromHead: aws.Bool(true), Limit: aws.Int32(3)},
		func(o *cwl.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var seen int
	for gp.HasMorePages() && pages < 10 {
		page, err := gp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		seen += len(page.Events)
	}
	if seen != 4 || pages >= 10 {
		t.Errorf("paginated get: %d events in %d pages", seen, pages)
	}

	tests := []struct {
		pattern string
		want    []string
	}{
		{"", msgs},
		{"completed", []string{msgs[1], msgs[3]}},
		{`"timeout error"`, []string{msgs[2]}},
		{"r2 completed", []string{msgs[3]}},
	}
	for _, tt := range tests {
		out, err := c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String(group),
			FilterPattern: aws.String(tt.pattern), StartTime: aws.Int64(now)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range out.Events {
			got = append(got, aws.ToString(e.Message))
			if aws.ToString(e.LogStreamName) != stream || aws.ToString(e.EventId) == "" || aws.ToInt64(e.IngestionTime) == 0 {
				t.Errorf("event fields %+v", e)
			}
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("filter %q: %q", tt.pattern, got)
		}
	}
	_, err = c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String("{ $.a = 1 }")})
	if code, _ := apiErrorCode(t, err); code != "InvalidParameterException" {
		t.Errorf("JSON pattern: %s", code)
	}
	_, err = c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("nope")})
	if code, _ := apiErrorCode(t, err); code != "ResourceNotFoundException" {
		t.Errorf("filter missing group: %s", code)
	}
	// Filter paginator with small pages.
	fp := cwl.NewFilterLogEventsPaginator(c, &cwl.FilterLogEventsInput{LogGroupName: aws.String(group), Limit: aws.Int32(1)})
	seen = 0
	for fp.HasMorePages() {
		page, err := fp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seen += len(page.Events)
	}
	if seen != 4 {
		t.Errorf("filter paginator saw %d", seen)
	}
}

func TestUnknownOperation(t *testing.T) {
	_, st := start(t)
	h := New(st, "us-east-1")
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "Logs_20140328.StartQuery")
	h.ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"__type":"UnknownOperationException"`) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}
