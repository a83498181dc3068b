package cloudcontrol_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
)

// The seed's Minimal example, ids replaced.
func minimalStage(api string) string {
	return fmt.Sprintf(`{"RestApiId":%q,"StageName":"production","Description":"Production stage for the API",
		"MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*","ThrottlingBurstLimit":100,"ThrottlingRateLimit":50}],
		"Tags":[{"Key":"Environment","Value":"production"},{"Key":"Project","Value":"API Project"}]}`, api)
}

func TestStageLifecycle(t *testing.T) {
	f := newFixture(t)
	id := f.api + "|production"

	ev := f.create(t, stageType, minimalStage(f.api))
	if ev.OperationStatus != types.OperationStatusSuccess || aws.ToString(ev.Identifier) != id || ev.Operation != types.OperationCreate {
		t.Fatalf("create event = %+v", ev)
	}
	if ev.EventTime == nil || aws.ToString(ev.ResourceModel) == "" {
		t.Fatalf("create event lacks EventTime or ResourceModel: %+v", ev)
	}

	// The request's status is kept.
	st, err := f.cc.GetResourceRequestStatus(ctx, &cloudcontrol.GetResourceRequestStatusInput{RequestToken: ev.RequestToken})
	if err != nil || st.ProgressEvent.OperationStatus != types.OperationStatusSuccess || aws.ToString(st.ProgressEvent.Identifier) != id {
		t.Fatalf("GetResourceRequestStatus = %+v, %v", st, err)
	}

	// Product decision: no DeploymentId → the latest deployment.
	stage := f.stage(t, "production")
	if aws.ToString(stage.DeploymentId) != f.latest {
		t.Errorf("deploymentId = %q, want the latest deployment %q", aws.ToString(stage.DeploymentId), f.latest)
	}
	ms := stage.MethodSettings["*/*"]
	if ms.ThrottlingBurstLimit != 100 || ms.ThrottlingRateLimit != 50 {
		t.Errorf("methodSettings */* = %+v", ms)
	}
	if stage.Tags["Project"] != "API Project" || stage.Tags["Environment"] != "production" || aws.ToString(stage.Description) != "Production stage for the API" {
		t.Errorf("stage = %+v", stage)
	}

	p := f.props(t, stageType, id)
	want := map[string]any{
		"RestApiId": f.api, "StageName": "production", "DeploymentId": f.latest, "Description": "Production stage for the API",
		"CacheClusterEnabled": false, "TracingEnabled": false,
		"MethodSettings": []any{map[string]any{"HttpMethod": "*", "ResourcePath": "/*", "ThrottlingBurstLimit": 100.0, "ThrottlingRateLimit": 50.0,
			"CacheDataEncrypted": false, "CacheTtlInSeconds": ms.CacheTtlInSeconds * 1.0, "CachingEnabled": false, "DataTraceEnabled": false,
			"MetricsEnabled": false}},
		"Tags": []any{map[string]any{"Key": "Environment", "Value": "production"}, map[string]any{"Key": "Project", "Value": "API Project"}},
	}
	if lvl := aws.ToString(ms.LoggingLevel); lvl != "" {
		want["MethodSettings"].([]any)[0].(map[string]any)["LoggingLevel"] = lvl
	}
	if jsonOf(p) != jsonOf(want) {
		t.Errorf("Properties =\n%s\nwant\n%s", jsonOf(p), jsonOf(want))
	}

	// Update as Alchemy sends it: the identifier properties restated with
	// "add", one property changed, the throttling raised, a tag dropped.
	f.mustUpdate(t, stageType, id, fmt.Sprintf(`[
		{"op":"add","path":"/RestApiId","value":%q},
		{"op":"add","path":"/StageName","value":"production"},
		{"op":"replace","path":"/Description","value":"Production stage, v2"},
		{"op":"replace","path":"/MethodSettings/0/ThrottlingBurstLimit","value":150},
		{"op":"remove","path":"/Tags/1"},
		{"op":"add","path":"/Variables","value":{"backend":"v2"}}]`, f.api))
	stage = f.stage(t, "production")
	if aws.ToString(stage.Description) != "Production stage, v2" || stage.MethodSettings["*/*"].ThrottlingBurstLimit != 150 ||
		stage.MethodSettings["*/*"].ThrottlingRateLimit != 50 || stage.Variables["backend"] != "v2" {
		t.Errorf("after update stage = %+v", stage)
	}
	if _, ok := stage.Tags["Project"]; ok || stage.Tags["Environment"] != "production" {
		t.Errorf("after update tags = %v", stage.Tags)
	}

	// List finds it.
	list, err := f.cc.ListResources(ctx, &cloudcontrol.ListResourcesInput{TypeName: aws.String(stageType),
		ResourceModel: aws.String(fmt.Sprintf(`{"RestApiId":%q}`, f.api))})
	if err != nil || len(list.ResourceDescriptions) != 1 || aws.ToString(list.ResourceDescriptions[0].Identifier) != id {
		t.Fatalf("ListResources = %+v, %v", list, err)
	}

	ev = f.delete(t, stageType, id)
	if ev.OperationStatus != types.OperationStatusSuccess || ev.Operation != types.OperationDelete {
		t.Fatalf("delete event = %+v", ev)
	}
	_, err = f.cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String(stageType), Identifier: aws.String(id)})
	wantAPIError(t, err, "ResourceNotFoundException", "Resource of type 'AWS::ApiGateway::Stage' with identifier '"+id+"' was not found.")

	// Deleting again fails with NotFound and names the resource, which
	// Alchemy treats as "already gone".
	wantFailed(t, f.delete(t, stageType, id), types.HandlerErrorCodeNotFound, "Invalid Stage identifier specified", id)
}

func TestStageSeedExamples(t *testing.T) {
	f := newFixture(t)
	f.setRole(t)

	// Cache settings example.
	cached := f.mustCreate(t, stageType, fmt.Sprintf(`{"RestApiId":%q,"StageName":"cached","CacheClusterEnabled":true,"CacheClusterSize":"0.5",
		"MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*","CachingEnabled":true,"CacheTtlInSeconds":300}]}`, f.api))
	st := f.stage(t, "cached")
	if !st.CacheClusterEnabled || st.CacheClusterSize != agtypes.CacheClusterSizeSize0Point5Gb ||
		!st.MethodSettings["*/*"].CachingEnabled || st.MethodSettings["*/*"].CacheTtlInSeconds != 300 {
		t.Errorf("cached stage = %+v", st)
	}
	f.mustUpdate(t, stageType, cached, `[{"op":"replace","path":"/MethodSettings/0/CacheTtlInSeconds","value":600}]`)
	if got := f.stage(t, "cached").MethodSettings["*/*"].CacheTtlInSeconds; got != 600 {
		t.Errorf("ttl after update = %d", got)
	}

	// Advanced example, with the format AWS accepts: canary on the first
	// deployment while the stage serves the latest.
	adv := f.mustCreate(t, stageType, fmt.Sprintf(`{"RestApiId":%q,"StageName":"staging","Description":"Staging stage for the API",
		"CanarySetting":{"PercentTraffic":10,"DeploymentId":%q},
		"AccessLogSetting":{"DestinationArn":"arn:aws:logs:us-east-1:123456789012:log-group:ApiAccessLogs","Format":"$context.requestId $context.identity.sourceIp - $context.identity.caller"},
		"MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*","ThrottlingBurstLimit":200,"ThrottlingRateLimit":100}]}`, f.api, f.dep1))
	st = f.stage(t, "staging")
	if st.CanarySettings == nil || aws.ToString(st.CanarySettings.DeploymentId) != f.dep1 || st.CanarySettings.PercentTraffic != 10 ||
		aws.ToString(st.DeploymentId) != f.latest || st.AccessLogSettings == nil ||
		aws.ToString(st.AccessLogSettings.DestinationArn) != "arn:aws:logs:us-east-1:123456789012:log-group:ApiAccessLogs" {
		t.Errorf("staging stage = dep %s canary %s", jsonOf(st.DeploymentId), jsonOf(st.CanarySettings))
	}
	f.mustUpdate(t, stageType, adv, `[{"op":"replace","path":"/CanarySetting/PercentTraffic","value":25},{"op":"remove","path":"/AccessLogSetting"}]`)
	st = f.stage(t, "staging")
	if st.CanarySettings == nil || st.CanarySettings.PercentTraffic != 25 || st.AccessLogSettings != nil {
		t.Errorf("staging after update = %+v", st)
	}
	f.mustUpdate(t, stageType, adv, `[{"op":"remove","path":"/CanarySetting"}]`)
	if st = f.stage(t, "staging"); st.CanarySettings != nil {
		t.Errorf("canary not removed: %+v", st.CanarySettings)
	}

	// The seed's own access log format has no $context.requestId, which
	// API Gateway rejects: the create fails with its message, and no stage
	// is left behind.
	ev := f.create(t, stageType, fmt.Sprintf(`{"RestApiId":%q,"StageName":"staging2","Description":"Staging stage for the API",
		"CanarySetting":{"PercentTraffic":10,"DeploymentId":%q},
		"AccessLogSetting":{"DestinationArn":"arn:aws:logs:us-east-1:123456789012:log-group:ApiAccessLogs","Format":"$context.identity.sourceIp - $context.identity.caller"},
		"MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*","ThrottlingBurstLimit":200,"ThrottlingRateLimit":100}]}`, f.api, f.dep1))
	wantFailed(t, ev, types.HandlerErrorCodeInvalidRequest, "Access Log format must include either $context.requestId or $context.extendedRequestId", f.api+"|staging2")
	if _, err := f.ag.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(f.api), StageName: aws.String("staging2")}); err == nil {
		t.Error("a failed create left a stage behind")
	}
}

// A stage made through Cloud Control equals one made with the REST API
// from the same settings, field for field.
func TestStageSameAsRESTAPI(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, stageType, fmt.Sprintf(`{"RestApiId":%q,"StageName":"cc","DeploymentId":%q,"Description":"d","TracingEnabled":true,
		"Variables":{"v":"1"},"MethodSettings":[{"HttpMethod":"GET","ResourcePath":"/","CachingEnabled":true,"MetricsEnabled":true}],
		"Tags":[{"Key":"k","Value":"v"}]}`, f.api, f.dep1))
	if _, err := f.ag.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: aws.String(f.api), StageName: aws.String("rest"),
		DeploymentId: aws.String(f.dep1), Description: aws.String("d"), TracingEnabled: true, Variables: map[string]string{"v": "1"},
		Tags: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ag.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String(f.api), StageName: aws.String("rest"),
		PatchOperations: []agtypes.PatchOperation{
			{Op: agtypes.OpReplace, Path: aws.String("/~1/GET/metrics/enabled"), Value: aws.String("true")},
			{Op: agtypes.OpReplace, Path: aws.String("/~1/GET/caching/enabled"), Value: aws.String("true")},
		}}); err != nil {
		t.Fatal(err)
	}
	norm := func(st *apigateway.GetStageOutput) string {
		st.StageName, st.CreatedDate, st.LastUpdatedDate = nil, nil, nil
		b := jsonOf(struct {
			D, Desc *string
			Tracing bool
			Vars    map[string]string
			Methods map[string]agtypes.MethodSetting
			Tags    map[string]string
			Cache   bool
			Canary  *agtypes.CanarySettings
			Logs    *agtypes.AccessLogSettings
		}{st.DeploymentId, st.Description, st.TracingEnabled, st.Variables, st.MethodSettings, st.Tags, st.CacheClusterEnabled, st.CanarySettings, st.AccessLogSettings})
		return b
	}
	if a, b := norm(f.stage(t, "cc")), norm(f.stage(t, "rest")); a != b {
		t.Errorf("Cloud Control stage %s\nREST stage          %s", a, b)
	}
}

func TestStageWithoutDeployments(t *testing.T) {
	env := newFixture(t).env
	ag, cc := env.APIGateway(), env.CloudControl()
	api, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("empty")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String(stageType),
		DesiredState: aws.String(fmt.Sprintf(`{"RestApiId":%q,"StageName":"dev"}`, *api.Id))})
	if err != nil || out.ProgressEvent.OperationStatus != types.OperationStatusSuccess {
		t.Fatalf("create = %+v, %v", out, err)
	}
	st, err := ag.GetStage(ctx, &apigateway.GetStageInput{RestApiId: api.Id, StageName: aws.String("dev")})
	if err != nil || st.DeploymentId != nil {
		t.Fatalf("stage = %+v, %v; want one without a deployment", st, err)
	}
}

// Patch positions refer to the order the client wrote its arrays in, not
// to the read handler's sorted order.
func TestStagePatchUsesClientArrayOrder(t *testing.T) {
	f := newFixture(t)
	id := f.mustCreate(t, stageType, fmt.Sprintf(`{"RestApiId":%q,"StageName":"s",
		"MethodSettings":[{"HttpMethod":"GET","ResourcePath":"/","ThrottlingBurstLimit":5},{"HttpMethod":"*","ResourcePath":"/*","ThrottlingBurstLimit":100}],
		"Tags":[{"Key":"Project","Value":"p"},{"Key":"Environment","Value":"e"}]}`, f.api))
	p := f.props(t, stageType, id)
	if got := jsonOf(p["Tags"]); got != `[{"Key":"Project","Value":"p"},{"Key":"Environment","Value":"e"}]` {
		t.Errorf("Tags read back as %s", got)
	}
	// What Alchemy sends when the second tag and the second method
	// setting of its desired state change.
	f.mustUpdate(t, stageType, id, `[{"op":"replace","path":"/Tags/1/Value","value":"e2"},{"op":"replace","path":"/MethodSettings/1/ThrottlingBurstLimit","value":200}]`)
	st := f.stage(t, "s")
	if st.Tags["Environment"] != "e2" || st.Tags["Project"] != "p" {
		t.Errorf("tags = %v", st.Tags)
	}
	if st.MethodSettings["*/*"].ThrottlingBurstLimit != 200 || st.MethodSettings["~1/GET"].ThrottlingBurstLimit != 5 {
		t.Errorf("method settings = %s", jsonOf(st.MethodSettings))
	}
}

// An update whose tags AWS rejects must leave the stage as it was, even
// though its other changes are valid: the patch and the tags are one
// transaction.
func TestStageUpdateWithInvalidTagChangesNothing(t *testing.T) {
	f := newFixture(t)
	id := f.api + "|production"
	f.create(t, stageType, minimalStage(f.api))
	before := f.stage(t, "production")

	ev, err := f.update(t, stageType, id, `[
		{"op":"replace","path":"/Description","value":"should not stick"},
		{"op":"add","path":"/Tags/-","value":{"Key":"aws:reserved","Value":"x"}}]`)
	if err != nil {
		t.Fatalf("UpdateResource: %v", err)
	}
	if ev.OperationStatus != types.OperationStatusFailed || ev.ErrorCode != types.HandlerErrorCodeInvalidRequest {
		t.Fatalf("update event = %s %s: %s", ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage))
	}
	after := f.stage(t, "production")
	if aws.ToString(after.Description) != aws.ToString(before.Description) || len(after.Tags) != len(before.Tags) {
		t.Errorf("rejected update changed the stage: description %q, tags %v", aws.ToString(after.Description), after.Tags)
	}
}
