package cloudcontrol_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"

	"github.com/stagecoach/stagecoach/internal/server"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

func TestSynchronousErrors(t *testing.T) {
	f := newFixture(t)
	id := f.mustCreate(t, stageType, minimalStage(f.api))
	tests := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"unknown type", func() error {
			_, err := f.cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String("AWS::ApiGateway::Nope"), Identifier: aws.String("x")})
			return err
		}, "TypeNotFoundException", "The type 'AWS::ApiGateway::Nope' cannot be found."},
		{"malformed type name", func() error {
			_, err := f.cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String("ApiGateway-Stage"), Identifier: aws.String("x")})
			return err
		}, "ValidationException", "Value 'ApiGateway-Stage' at 'typeName' failed to satisfy constraint"},
		{"desired state not JSON", func() error {
			_, err := f.cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String(stageType), DesiredState: aws.String("{")})
			return err
		}, "ValidationException", "Model validation failed (#: DesiredState is not a JSON object)"},
		{"required property missing", func() error {
			_, err := f.cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String(stageType), DesiredState: aws.String(`{"StageName":"x"}`)})
			return err
		}, "ValidationException", "Model validation failed (#: required key [RestApiId] not found)"},
		{"unknown property", func() error {
			_, err := f.cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String(stageType),
				DesiredState: aws.String(fmt.Sprintf(`{"RestApiId":%q,"Stage":"x"}`, f.api))})
			return err
		}, "ValidationException", "Model validation failed (#: extraneous key [Stage] is not permitted)"},
		{"wrong property type", func() error {
			_, err := f.cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String(stageType),
				DesiredState: aws.String(fmt.Sprintf(`{"RestApiId":%q,"TracingEnabled":"true"}`, f.api))})
			return err
		}, "ValidationException", "Model validation failed (#/TracingEnabled: expected type: Boolean, found: String)"},
		{"empty tag key", func() error {
			_, err := f.cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String(stageType),
				DesiredState: aws.String(fmt.Sprintf(`{"RestApiId":%q,"StageName":"t","Tags":[{"Key":"","Value":"v"}]}`, f.api))})
			return err
		}, "ValidationException", "Model validation failed (#/Tags/0/Key: expected minLength: 1, maxLength: 128, actual: 0)"},
		{"get missing stage", func() error {
			_, err := f.cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String(stageType), Identifier: aws.String(f.api + "|nope")})
			return err
		}, "ResourceNotFoundException", "Resource of type 'AWS::ApiGateway::Stage' with identifier '" + f.api + "|nope' was not found."},
		{"get stage of missing API", func() error {
			_, err := f.cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String(stageType), Identifier: aws.String("nope|prod")})
			return err
		}, "ResourceNotFoundException", "with identifier 'nope|prod' was not found."},
		{"identifier with the wrong number of parts", func() error {
			_, err := f.cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String(stageType), Identifier: aws.String(f.api)})
			return err
		}, "InvalidRequestException", "expected RestApiId|StageName"},
		{"update of a missing stage", func() error {
			_, err := f.update(t, stageType, f.api+"|nope", `[{"op":"replace","path":"/Description","value":"x"}]`)
			return err
		}, "ResourceNotFoundException", "was not found."},
		{"update changing a createOnly property", func() error {
			_, err := f.update(t, stageType, id, `[{"op":"replace","path":"/StageName","value":"other"},{"op":"replace","path":"/Description","value":"x"}]`)
			return err
		}, "NotUpdatableException", "Invalid patch update: createOnlyProperties [/properties/StageName] cannot be updated"},
		{"update with a patch that is not an array", func() error {
			_, err := f.update(t, stageType, id, `{"op":"replace"}`)
			return err
		}, "ValidationException", "Invalid patch document"},
		{"update with a failing test op", func() error {
			_, err := f.update(t, stageType, id, `[{"op":"test","path":"/Description","value":"not it"}]`)
			return err
		}, "ValidationException", "test failed"},
		{"update producing an invalid model", func() error {
			_, err := f.update(t, stageType, id, `[{"op":"add","path":"/CacheClusterEnabled","value":"yes"}]`)
			return err
		}, "ValidationException", "#/CacheClusterEnabled: expected type: Boolean, found: String"},
		{"list without RestApiId", func() error {
			_, err := f.cc.ListResources(ctx, &cloudcontrol.ListResourcesInput{TypeName: aws.String(stageType)})
			return err
		}, "InvalidRequestException", "Missing Or Invalid ResourceModel property in AWS::ApiGateway::Stage list handler request input. Required property:  [RestApiId]"},
		{"list of an unknown API", func() error {
			_, err := f.cc.ListResources(ctx, &cloudcontrol.ListResourcesInput{TypeName: aws.String(stageType), ResourceModel: aws.String(`{"RestApiId":"nope"}`)})
			return err
		}, "ResourceNotFoundException", "Invalid API identifier specified"},
		{"list with a bad NextToken", func() error {
			_, err := f.cc.ListResources(ctx, &cloudcontrol.ListResourcesInput{TypeName: aws.String(stageType),
				ResourceModel: aws.String(fmt.Sprintf(`{"RestApiId":%q}`, f.api)), NextToken: aws.String("zz")})
			return err
		}, "InvalidRequestException", "Invalid NextToken"},
		{"list accounts", func() error {
			_, err := f.cc.ListResources(ctx, &cloudcontrol.ListResourcesInput{TypeName: aws.String("AWS::ApiGateway::Account")})
			return err
		}, "UnsupportedActionException", "does not support LIST"},
		{"status of an unknown request", func() error {
			_, err := f.cc.GetResourceRequestStatus(ctx, &cloudcontrol.GetResourceRequestStatusInput{RequestToken: aws.String("nope")})
			return err
		}, "RequestTokenNotFoundException", "Request with token nope was not found"},
		{"cancel an unknown request", func() error {
			_, err := f.cc.CancelResourceRequest(ctx, &cloudcontrol.CancelResourceRequestInput{RequestToken: aws.String("nope")})
			return err
		}, "RequestTokenNotFoundException", "nope"},
		{"role ARN of the wrong shape", func() error {
			_, err := f.cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String(stageType), Identifier: aws.String(id), RoleArn: aws.String("arn:aws:iam::1:user/nope-nope-nope")})
			return err
		}, "ValidationException", "at 'roleArn' failed to satisfy constraint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			wantAPIError(t, err, tt.code, tt.msg)
		})
	}
	// Nothing above changed the stage.
	if p := f.props(t, stageType, id); p["Description"] != "Production stage for the API" {
		t.Errorf("stage changed by failed requests: %v", p)
	}
}

func TestFailedEvents(t *testing.T) {
	f := newFixture(t)
	id := f.mustCreate(t, stageType, minimalStage(f.api))

	// 409 on create → AlreadyExists, carrying the Identifier.
	ev := f.create(t, stageType, minimalStage(f.api))
	wantFailed(t, ev, types.HandlerErrorCodeAlreadyExists, "Stage already exists", id)
	// GetResourceRequestStatus reports the same failure.
	st, err := f.cc.GetResourceRequestStatus(ctx, &cloudcontrol.GetResourceRequestStatusInput{RequestToken: ev.RequestToken})
	if err != nil {
		t.Fatal(err)
	}
	wantFailed(t, st.ProgressEvent, types.HandlerErrorCodeAlreadyExists, "Stage already exists", id)

	// 404 → NotFound.
	wantFailed(t, f.create(t, stageType, `{"RestApiId":"nope","StageName":"x"}`), types.HandlerErrorCodeNotFound,
		"Invalid API identifier specified 000000000000:nope", "nope|x")
	wantFailed(t, f.create(t, stageType, fmt.Sprintf(`{"RestApiId":%q,"StageName":"x","DeploymentId":"nope"}`, f.api)),
		types.HandlerErrorCodeInvalidRequest, "Deployment id does not exist", f.api+"|x")

	// 400 from the stage rules → InvalidRequest with their message.
	ev = f.create(t, stageType, fmt.Sprintf(`{"RestApiId":%q,"StageName":"bad name!"}`, f.api))
	if ev.OperationStatus != types.OperationStatusFailed || ev.ErrorCode != types.HandlerErrorCodeInvalidRequest || aws.ToString(ev.StatusMessage) == "" {
		t.Errorf("bad stage name: %+v", ev)
	}
	// Logging without the account's CloudWatch role.
	ev, err = f.update(t, stageType, id, `[{"op":"add","path":"/AccessLogSetting","value":{"DestinationArn":"arn:aws:logs:us-east-1:123456789012:log-group:L","Format":"$context.requestId"}}]`)
	if err != nil {
		t.Fatal(err)
	}
	wantFailed(t, ev, types.HandlerErrorCodeInvalidRequest, "CloudWatch Logs role ARN must be set in account settings to enable logging", id)
	if p := f.props(t, stageType, id); p["AccessLogSetting"] != nil {
		t.Errorf("failed update changed the stage: %v", p)
	}
	// An invalid cache size fails and leaves the stage as it was.
	ev, _ = f.update(t, stageType, id, `[{"op":"add","path":"/CacheClusterSize","value":"3"},{"op":"replace","path":"/Description","value":"changed"}]`)
	if ev.OperationStatus != types.OperationStatusFailed || ev.ErrorCode != types.HandlerErrorCodeInvalidRequest {
		t.Errorf("cache size 3: %+v", ev)
	}
	if p := f.props(t, stageType, id); p["Description"] != "Production stage for the API" {
		t.Errorf("failed update changed the stage: %v", p)
	}

	// ListResourceRequests filters by operation and status, newest first.
	out, err := f.cc.ListResourceRequests(ctx, &cloudcontrol.ListResourceRequestsInput{ResourceRequestStatusFilter: &types.ResourceRequestStatusFilter{
		Operations: []types.Operation{types.OperationUpdate}, OperationStatuses: []types.OperationStatus{types.OperationStatusFailed}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ResourceRequestStatusSummaries) != 2 || aws.ToString(out.ResourceRequestStatusSummaries[0].StatusMessage) == "CloudWatch Logs role ARN must be set in account settings to enable logging" {
		t.Errorf("ListResourceRequests = %s", jsonOf(out.ResourceRequestStatusSummaries))
	}
	page, err := f.cc.ListResourceRequests(ctx, &cloudcontrol.ListResourceRequestsInput{MaxResults: aws.Int32(2)})
	if err != nil || len(page.ResourceRequestStatusSummaries) != 2 || page.NextToken == nil {
		t.Fatalf("first page = %+v, %v", page, err)
	}
	rest, err := f.cc.ListResourceRequests(ctx, &cloudcontrol.ListResourceRequestsInput{NextToken: page.NextToken})
	if err != nil || len(rest.ResourceRequestStatusSummaries) != 5 {
		t.Fatalf("second page = %d items, %v; want 5", len(rest.ResourceRequestStatusSummaries), err)
	}

	// A finished request cannot be cancelled. (The error is a 500, which
	// the SDK would otherwise retry.)
	_, err = f.cc.CancelResourceRequest(ctx, &cloudcontrol.CancelResourceRequestInput{RequestToken: ev.RequestToken},
		func(o *cloudcontrol.Options) { o.RetryMaxAttempts = 1 })
	wantAPIError(t, err, "ConcurrentModificationException", "already in a final state (FAILED)")
}

func TestClientToken(t *testing.T) {
	f := newFixture(t)
	in := &cloudcontrol.CreateResourceInput{TypeName: aws.String(stageType), DesiredState: aws.String(minimalStage(f.api)), ClientToken: aws.String("tok-1")}
	a, err := f.cc.CreateResource(ctx, in)
	if err != nil || a.ProgressEvent.OperationStatus != types.OperationStatusSuccess {
		t.Fatalf("first = %+v, %v", a, err)
	}
	// The same request again: same token, same outcome, nothing run again
	// (a second create would fail with AlreadyExists).
	b, err := f.cc.CreateResource(ctx, in)
	if err != nil || aws.ToString(b.ProgressEvent.RequestToken) != aws.ToString(a.ProgressEvent.RequestToken) ||
		b.ProgressEvent.OperationStatus != types.OperationStatusSuccess {
		t.Fatalf("retry = %+v, %v", b.ProgressEvent, err)
	}
	// Another request with the same token.
	_, err = f.cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String(stageType),
		DesiredState: aws.String(fmt.Sprintf(`{"RestApiId":%q,"StageName":"other"}`, f.api)), ClientToken: aws.String("tok-1")})
	wantAPIError(t, err, "ClientTokenConflictException", "tok-1")
	_, err = f.cc.DeleteResource(ctx, &cloudcontrol.DeleteResourceInput{TypeName: aws.String(stageType),
		Identifier: aws.String(f.api + "|production"), ClientToken: aws.String("tok-1")})
	wantAPIError(t, err, "ClientTokenConflictException", "tok-1")

	// Updates replay too, even though the stage has changed since.
	up := &cloudcontrol.UpdateResourceInput{TypeName: aws.String(stageType), Identifier: aws.String(f.api + "|production"),
		PatchDocument: aws.String(`[{"op":"test","path":"/Description","value":"Production stage for the API"},{"op":"replace","path":"/Description","value":"v2"}]`),
		ClientToken:   aws.String("tok-2")}
	u1, err := f.cc.UpdateResource(ctx, up)
	if err != nil || u1.ProgressEvent.OperationStatus != types.OperationStatusSuccess {
		t.Fatalf("update = %+v, %v", u1, err)
	}
	u2, err := f.cc.UpdateResource(ctx, up)
	if err != nil || aws.ToString(u2.ProgressEvent.RequestToken) != aws.ToString(u1.ProgressEvent.RequestToken) {
		t.Fatalf("update retry = %+v, %v", u2, err)
	}
	// The SDK fills in a fresh client token per call, so plain repeated
	// calls are separate requests.
	d1 := f.delete(t, stageType, f.api+"|production")
	d2 := f.delete(t, stageType, f.api+"|production")
	if aws.ToString(d1.RequestToken) == aws.ToString(d2.RequestToken) || d2.OperationStatus != types.OperationStatusFailed {
		t.Fatalf("deletes = %+v / %+v", d1, d2)
	}
}

// Request status lives in the store: another server over the same data
// directory (a restart) answers for requests it never saw.
func TestRequestStatusSurvivesRestart(t *testing.T) {
	f := newFixture(t)
	ev := f.create(t, stageType, minimalStage(f.api))
	again := servertest.Start(t, &server.Config{DataDir: f.env.DataDir})
	st, err := again.CloudControl().GetResourceRequestStatus(ctx, &cloudcontrol.GetResourceRequestStatusInput{RequestToken: ev.RequestToken})
	if err != nil || st.ProgressEvent.OperationStatus != types.OperationStatusSuccess || aws.ToString(st.ProgressEvent.Identifier) != f.api+"|production" {
		t.Fatalf("after restart = %+v, %v", st, err)
	}
}

// rawCall posts a Cloud Control request the way Alchemy does: with the
// ?Action= query and its own headers.
func rawCall(t *testing.T, url, op, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/?Action="+op+"&Version=2021-09-30", strings.NewReader(body))
	req.Header.Set("content-type", "application/x-amz-json-1.0")
	req.Header.Set("x-amz-target", "CloudApiService."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: body %q is not JSON", op, b)
	}
	return resp.StatusCode, m
}

// The exact error shapes Alchemy's client matches on.
func TestAlchemyWireShapes(t *testing.T) {
	f := newFixture(t)
	url := f.env.URL

	code, m := rawCall(t, url, "GetResource", fmt.Sprintf(`{"TypeName":%q,"Identifier":"%s|nope"}`, stageType, f.api))
	if code != 404 || m["__type"] != "com.amazon.cloudapiservice#ResourceNotFoundException" {
		t.Errorf("GetResource missing = %d %v", code, m)
	}
	code, m = rawCall(t, url, "CreateResource", fmt.Sprintf(`{"TypeName":%q,"DesiredState":"{\"Bogus\":1,\"RestApiId\":\"x\"}"}`, stageType))
	if code != 400 || m["__type"] != "com.amazon.coral.validate#ValidationException" || m["message"] != "Model validation failed (#: extraneous key [Bogus] is not permitted)" {
		t.Errorf("CreateResource invalid = %d %v", code, m)
	}
	code, m = rawCall(t, url, "Frobnicate", `{}`)
	if code != 400 || m["__type"] != "com.amazon.coral.service#UnknownOperationException" {
		t.Errorf("unknown operation = %d %v", code, m)
	}

	// Properties and ResourceModel are JSON documents in strings.
	code, m = rawCall(t, url, "CreateResource", fmt.Sprintf(`{"TypeName":%q,"DesiredState":%q}`, stageType, minimalStage(f.api)))
	ev, _ := m["ProgressEvent"].(map[string]any)
	if code != 200 || ev["OperationStatus"] != "SUCCESS" || ev["Identifier"] != f.api+"|production" {
		t.Fatalf("create = %d %v", code, m)
	}
	if _, ok := ev["ResourceModel"].(string); !ok {
		t.Errorf("ResourceModel is not a string: %v", ev["ResourceModel"])
	}
	if _, ok := ev["EventTime"].(float64); !ok {
		t.Errorf("EventTime is not epoch seconds: %v", ev["EventTime"])
	}
	code, m = rawCall(t, url, "GetResource", fmt.Sprintf(`{"TypeName":%q,"Identifier":"%s|production"}`, stageType, f.api))
	desc, _ := m["ResourceDescription"].(map[string]any)
	if props, ok := desc["Properties"].(string); code != 200 || !ok || !strings.Contains(props, `"StageName":"production"`) || m["TypeName"] != stageType {
		t.Errorf("GetResource = %d %v", code, m)
	}
	code, m = rawCall(t, url, "GetResourceRequestStatus", fmt.Sprintf(`{"RequestToken":%q}`, ev["RequestToken"]))
	if pe, _ := m["ProgressEvent"].(map[string]any); code != 200 || pe["OperationStatus"] != "SUCCESS" {
		t.Errorf("status = %d %v", code, m)
	}
}
