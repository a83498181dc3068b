package controlapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/smithy-go"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/server"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// stageEnv is a running gateway with an SDK client that never retries, so
// a 429 reaches the test at once and no failure is hidden by a retry.
type stageEnv struct {
	*servertest.Env
	api *apigateway.Client
}

func startStageEnv(t *testing.T, cfg *server.Config) stageEnv {
	t.Helper()
	env := servertest.Start(t, cfg)
	client := apigateway.NewFromConfig(env.AWSConfig(), func(o *apigateway.Options) { o.RetryMaxAttempts = 1 })
	return stageEnv{Env: env, api: client}
}

var ctx = context.Background()

// deployableAPI creates, through the SDK, a REST API with MOCK
// integrations on GET / and GET /pets.
func (e stageEnv) deployableAPI(t *testing.T) string {
	t.Helper()
	apiID, rootID := e.emptyAPIWithRoot(t)
	pets, err := e.api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: aws.String(apiID), ParentId: aws.String(rootID), PathPart: aws.String("pets")})
	if err != nil {
		t.Fatalf("CreateResource: %v", err)
	}
	for _, resourceID := range []string{rootID, *pets.Id} {
		e.mockMethod(t, apiID, resourceID, "GET")
	}
	return apiID
}

// emptyAPI creates a REST API with only its root resource.
func (e stageEnv) emptyAPI(t *testing.T) string {
	t.Helper()
	id, _ := e.emptyAPIWithRoot(t)
	return id
}

func (e stageEnv) emptyAPIWithRoot(t *testing.T) (apiID, rootID string) {
	t.Helper()
	api, err := e.api.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	if err != nil {
		t.Fatalf("CreateRestApi: %v", err)
	}
	return *api.Id, *api.RootResourceId
}

// mockMethod puts verb on a resource with a MOCK integration.
func (e stageEnv) mockMethod(t *testing.T, apiID, resourceID, verb string) {
	t.Helper()
	if _, err := e.api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: aws.String(apiID), ResourceId: aws.String(resourceID),
		HttpMethod: aws.String(verb), AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatalf("PutMethod: %v", err)
	}
	if _, err := e.api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: aws.String(apiID), ResourceId: aws.String(resourceID),
		HttpMethod: aws.String(verb), Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		t.Fatalf("PutIntegration: %v", err)
	}
}

// resourceIDs maps an API's resource paths to their ids.
func (e stageEnv) resourceIDs(t *testing.T, apiID string) map[string]string {
	t.Helper()
	out, err := e.api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(apiID), Limit: aws.Int32(500)})
	if err != nil {
		t.Fatalf("GetResources: %v", err)
	}
	ids := map[string]string{}
	for _, r := range out.Items {
		ids[*r.Path] = *r.Id
	}
	return ids
}

func (e stageEnv) deploy(t *testing.T, apiID, stage string) string {
	t.Helper()
	in := &apigateway.CreateDeploymentInput{RestApiId: aws.String(apiID)}
	if stage != "" {
		in.StageName = aws.String(stage)
	}
	out, err := e.api.CreateDeployment(ctx, in)
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	return *out.Id
}

// raw sends an unsigned request straight to the gateway (Stagecoach does
// not verify SigV4 yet) and returns status, headers and body, for what
// the SDK hides: exact JSON and hand-made bad input.
func (e stageEnv) raw(t *testing.T, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// awsErr is the error an AWS call must fail with.
type awsErr struct {
	code   string
	status int
	msg    string
}

func checkAWSErr(t *testing.T, err error, want awsErr) {
	t.Helper()
	if err == nil {
		t.Fatalf("call succeeded, want %s %q", want.code, want.msg)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	var re *awshttp.ResponseError
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	if ae.ErrorCode() != want.code || status != want.status || ae.ErrorMessage() != want.msg {
		t.Errorf("got %s %d %q\nwant %s %d %q", ae.ErrorCode(), status, ae.ErrorMessage(), want.code, want.status, want.msg)
	}
}

func badRequest(msg string) awsErr { return awsErr{"BadRequestException", 400, msg} }
func notFound(msg string) awsErr   { return awsErr{"NotFoundException", 404, msg} }
func apiNotFound(id string) awsErr {
	return notFound("Invalid API identifier specified " + apigw.AccountID + ":" + id)
}

// stageJSON fetches a stage's raw JSON document.
func (e stageEnv) stageJSON(t *testing.T, apiID, name string) map[string]any {
	t.Helper()
	status, _, body := e.raw(t, "GET", "/restapis/"+apiID+"/stages/"+name, "")
	if status != 200 {
		t.Fatalf("GET stage %s: %d %s", name, status, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCreateStage(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	dep := e.deploy(t, apiID, "")
	other := e.deploy(t, apiID, "")

	out, err := e.api.CreateStage(ctx, &apigateway.CreateStageInput{
		RestApiId: aws.String(apiID), StageName: aws.String("staging"), DeploymentId: aws.String(dep),
		Description: aws.String("Staging"), Variables: map[string]string{"backend": "v2"},
		TracingEnabled: true, DocumentationVersion: aws.String("1"),
		Tags:           map[string]string{"Environment": "staging"},
		CanarySettings: &types.CanarySettings{PercentTraffic: 12.5, StageVariableOverrides: map[string]string{"backend": "v3"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *out.StageName != "staging" || *out.DeploymentId != dep || *out.Description != "Staging" ||
		out.Variables["backend"] != "v2" || !out.TracingEnabled || out.Tags["Environment"] != "staging" ||
		*out.DocumentationVersion != "1" || out.CacheClusterEnabled || out.CacheClusterStatus != types.CacheClusterStatusNotAvailable ||
		out.CreatedDate == nil || out.LastUpdatedDate == nil {
		t.Errorf("CreateStage = %+v", out)
	}
	// The canary defaults to the stage's deployment (R: LocalStack).
	if c := out.CanarySettings; c == nil || *c.DeploymentId != dep || c.PercentTraffic != 12.5 || c.StageVariableOverrides["backend"] != "v3" {
		t.Errorf("canarySettings = %+v", out.CanarySettings)
	}

	// methodSettings is {} (never null) and optional members are absent.
	m := e.stageJSON(t, apiID, "staging")
	if ms, ok := m["methodSettings"].(map[string]any); !ok || len(ms) != 0 {
		t.Errorf(`methodSettings = %#v, want {}`, m["methodSettings"])
	}
	for _, absent := range []string{"cacheClusterSize", "accessLogSettings", "clientCertificateId", "webAclArn"} {
		if _, ok := m[absent]; ok {
			t.Errorf("%s present in %v", absent, m)
		}
	}

	// An enabled cache without a size is the smallest one, available at once.
	cached, err := e.api.CreateStage(ctx, &apigateway.CreateStageInput{
		RestApiId: aws.String(apiID), StageName: aws.String("cached"), DeploymentId: aws.String(other), CacheClusterEnabled: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if cached.CacheClusterSize != "0.5" || cached.CacheClusterStatus != types.CacheClusterStatusAvailable || !cached.CacheClusterEnabled {
		t.Errorf("cached stage = %+v", cached)
	}
	sized, err := e.api.CreateStage(ctx, &apigateway.CreateStageInput{
		RestApiId: aws.String(apiID), StageName: aws.String("sized-1"), DeploymentId: aws.String(other),
		CacheClusterEnabled: true, CacheClusterSize: "6.1",
	})
	if err != nil || sized.CacheClusterSize != "6.1" {
		t.Errorf("sized stage = %+v, %v", sized, err)
	}
}

func TestCreateStageRejects(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	dep := e.deploy(t, apiID, "prod")
	long := strings.Repeat("a", 129)
	manyTags := map[string]string{}
	for i := range 51 {
		manyTags[fmt.Sprintf("k%d", i)] = "v"
	}

	tests := []struct {
		name string
		in   apigateway.CreateStageInput
		want awsErr
	}{
		{"unknown API", apigateway.CreateStageInput{RestApiId: aws.String("nope123456"), StageName: aws.String("s"), DeploymentId: aws.String(dep)},
			apiNotFound("nope123456")},
		{"unknown deployment", apigateway.CreateStageInput{StageName: aws.String("s"), DeploymentId: aws.String("missing")},
			badRequest("Deployment id does not exist")},
		{"stage exists", apigateway.CreateStageInput{StageName: aws.String("prod"), DeploymentId: aws.String(dep)},
			awsErr{"ConflictException", 409, "Stage already exists"}},
		{"name with a dot", apigateway.CreateStageInput{StageName: aws.String("v1.0"), DeploymentId: aws.String(dep)},
			badRequest(apigw.MsgStageNameInvalid)},
		{"name too long", apigateway.CreateStageInput{StageName: aws.String(long), DeploymentId: aws.String(dep)},
			badRequest(apigw.MsgStageNameLength)},
		{"bad variable name", apigateway.CreateStageInput{StageName: aws.String("s"), DeploymentId: aws.String(dep), Variables: map[string]string{"a-b": "v"}},
			badRequest("Invalid stage variable name: a-b.  Please use names with only word characters.")},
		{"bad cache size", apigateway.CreateStageInput{StageName: aws.String("s"), DeploymentId: aws.String(dep), CacheClusterEnabled: true, CacheClusterSize: "2"},
			badRequest("Invalid cache cluster size specified: '2'. Must be one of: [0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237]")},
		{"canary on unknown deployment", apigateway.CreateStageInput{StageName: aws.String("s"), DeploymentId: aws.String(dep),
			CanarySettings: &types.CanarySettings{DeploymentId: aws.String("missing"), PercentTraffic: 5}},
			badRequest("Deployment id does not exist")},
		{"canary over 100%", apigateway.CreateStageInput{StageName: aws.String("s"), DeploymentId: aws.String(dep),
			CanarySettings: &types.CanarySettings{PercentTraffic: 100.5}},
			badRequest(apigw.MsgCanaryPercent)},
		{"aws: tag", apigateway.CreateStageInput{StageName: aws.String("s"), DeploymentId: aws.String(dep), Tags: map[string]string{"aws:team": "x"}},
			badRequest("Invalid tag key 'aws:team': tag keys must not start with 'aws:'")},
		{"long tag value", apigateway.CreateStageInput{StageName: aws.String("s"), DeploymentId: aws.String(dep), Tags: map[string]string{"k": strings.Repeat("v", 257)}},
			badRequest("Invalid tag value for key 'k': tag values must be at most 256 characters long")},
		{"51 tags", apigateway.CreateStageInput{StageName: aws.String("s"), DeploymentId: aws.String(dep), Tags: manyTags},
			badRequest("Too many tags: a resource can have at most 50 tags")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.RestApiId == nil {
				in.RestApiId = aws.String(apiID)
			}
			_, err := e.api.CreateStage(ctx, &in)
			checkAWSErr(t, err, tt.want)
		})
	}
	stages, err := e.api.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: aws.String(apiID)})
	if err != nil || len(stages.Item) != 1 {
		t.Errorf("after rejected creates: %d stages, %v; want only prod", len(stages.Item), err)
	}
}

func TestCreateStageHandMadeBodies(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	tests := []struct {
		name, body string
		status     int
		msg        string
	}{
		{"no deploymentId", `{"stageName":"s"}`, 400, `{"message":"Deployment id must be specified"}`},
		{"malformed JSON", `{"stageName":`, 400, ""},
		{"wrong type", `{"stageName":"s","deploymentId":5}`, 400, `{"message":"Invalid value for field 'deploymentId': expected string"}`},
		{"no stageName", `{"deploymentId":"x"}`, 400, `{"message":"` + apigw.MsgStageNameLength + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := e.raw(t, "POST", "/restapis/"+apiID+"/stages", tt.body)
			if status != tt.status || !strings.HasPrefix(h.Get("x-amzn-ErrorType"), "BadRequestException") {
				t.Errorf("status %d type %q body %s", status, h.Get("x-amzn-ErrorType"), body)
			}
			if tt.msg != "" && string(body) != tt.msg {
				t.Errorf("body %s, want %s", body, tt.msg)
			}
		})
	}
}

func TestStageLimitPerAPI(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	dep := e.deploy(t, apiID, "")
	for i := range 10 {
		if _, err := e.api.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: aws.String(apiID),
			StageName: aws.String(fmt.Sprintf("s%d", i)), DeploymentId: aws.String(dep)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.api.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: aws.String(apiID),
		StageName: aws.String("eleventh"), DeploymentId: aws.String(dep)})
	checkAWSErr(t, err, awsErr{"LimitExceededException", 429, "The maximum number of stages (10) for this REST API has been reached"})
	// CreateDeployment creating an eleventh stage is refused the same way.
	_, err = e.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(apiID), StageName: aws.String("eleventh")})
	checkAWSErr(t, err, awsErr{"LimitExceededException", 429, "The maximum number of stages (10) for this REST API has been reached"})
}

func TestGetStages(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)

	// No stages: {"item":[]}, never a position (GetStages is not paged).
	status, _, body := e.raw(t, "GET", "/restapis/"+apiID+"/stages", "")
	if status != 200 || string(body) != `{"item":[]}` {
		t.Errorf("GetStages on a new API = %d %s", status, body)
	}

	d1 := e.deploy(t, apiID, "prod")
	d2 := e.deploy(t, apiID, "beta")
	e.deploy(t, apiID, "")
	if _, err := e.api.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: aws.String(apiID), StageName: aws.String("alpha"), DeploymentId: aws.String(d1)}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		deploymentID string
		want         []string
	}{
		{"", []string{"alpha", "beta", "prod"}},
		{d1, []string{"alpha", "prod"}},
		{d2, []string{"beta"}},
		{"unknown", nil},
	}
	for _, tt := range tests {
		in := &apigateway.GetStagesInput{RestApiId: aws.String(apiID)}
		if tt.deploymentID != "" {
			in.DeploymentId = aws.String(tt.deploymentID)
		}
		out, err := e.api.GetStages(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, st := range out.Item {
			got = append(got, *st.StageName)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("GetStages(deploymentId=%q) = %v, want %v", tt.deploymentID, got, tt.want)
		}
	}

	_, err := e.api.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: aws.String("nope123456")})
	checkAWSErr(t, err, apiNotFound("nope123456"))
}

func TestGetStage(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	dep := e.deploy(t, apiID, "prod")
	out, err := e.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
	if err != nil || *out.DeploymentId != dep || *out.StageName != "prod" || out.MethodSettings == nil {
		t.Errorf("GetStage = %+v, %v", out, err)
	}
	_, err = e.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("nope")})
	checkAWSErr(t, err, notFound("Invalid Stage identifier specified"))
	_, err = e.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String("nope123456"), StageName: aws.String("prod")})
	checkAWSErr(t, err, apiNotFound("nope123456"))
}

func patchOp(op, path, value string) types.PatchOperation {
	return types.PatchOperation{Op: types.Op(op), Path: aws.String(path), Value: aws.String(value)}
}

func TestUpdateStage(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	d1 := e.deploy(t, apiID, "prod")
	d2 := e.deploy(t, apiID, "")
	before, err := e.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}

	out, err := e.api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod"),
		PatchOperations: []types.PatchOperation{
			patchOp("replace", "/description", "Production"),
			patchOp("replace", "/variables/backend", "api.internal.example"),
			patchOp("replace", "/*/*/throttling/rateLimit", "50"),
			patchOp("replace", "/~1pets/GET/caching/ttlInSeconds", "60"),
			patchOp("replace", "/deploymentId", d2),
		}})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Description != "Production" || out.Variables["backend"] != "api.internal.example" || *out.DeploymentId != d2 ||
		out.MethodSettings["*/*"].ThrottlingRateLimit != 50 || out.MethodSettings["~1pets/GET"].CacheTtlInSeconds != 60 {
		t.Errorf("UpdateStage = %+v", out)
	}
	if out.LastUpdatedDate.Before(*before.LastUpdatedDate) || !out.CreatedDate.Equal(*before.CreatedDate) {
		t.Errorf("dates: created %v -> %v, updated %v -> %v", before.CreatedDate, out.CreatedDate, before.LastUpdatedDate, out.LastUpdatedDate)
	}
	got, _ := e.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
	if *got.DeploymentId != d2 || got.MethodSettings["*/*"].ThrottlingRateLimit != 50 {
		t.Errorf("GetStage after update = %+v", got)
	}

	// An empty patch changes nothing and returns the stage.
	same, err := e.api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
	if err != nil || *same.DeploymentId != d2 {
		t.Errorf("empty UpdateStage = %+v, %v", same, err)
	}

	tests := []struct {
		name, stage string
		ops         []types.PatchOperation
		want        awsErr
	}{
		{"unknown stage", "nope", []types.PatchOperation{patchOp("replace", "/description", "x")}, notFound("Invalid Stage identifier specified")},
		{"unknown deployment", "prod", []types.PatchOperation{patchOp("replace", "/deploymentId", "missing")}, badRequest("Deployment id does not exist")},
		{"method of no resource", "prod", []types.PatchOperation{patchOp("replace", "/~1cats/GET/metrics/enabled", "true")},
			badRequest("Invalid method setting path: /~1cats/GET/metrics/enabled. Must be one of: [/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]")},
		{"logging without a CloudWatch role", "prod", []types.PatchOperation{patchOp("replace", "/*/*/logging/loglevel", "INFO")}, badRequest(apigw.MsgLoggingRoleNeeded)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String(apiID), StageName: aws.String(tt.stage), PatchOperations: tt.ops})
			checkAWSErr(t, err, tt.want)
		})
	}
	_, err = e.api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String("nope123456"), StageName: aws.String("prod")})
	checkAWSErr(t, err, apiNotFound("nope123456"))
	_ = d1
}

// TestUpdateStageAllOrNothing: when the third of three operations is
// invalid, the first two are not kept either.
func TestUpdateStageAllOrNothing(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	e.deploy(t, apiID, "prod")
	before := e.stageJSON(t, apiID, "prod")

	_, err := e.api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod"),
		PatchOperations: []types.PatchOperation{
			patchOp("replace", "/description", "changed"),
			patchOp("replace", "/*/*/throttling/burstLimit", "10"),
			patchOp("replace", "/cacheClusterSize", "3"),
		}})
	checkAWSErr(t, err, badRequest("Invalid cache cluster size specified: '3'. Must be one of: [0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237]"))

	after := e.stageJSON(t, apiID, "prod")
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(after)
	if !bytes.Equal(b1, b2) {
		t.Errorf("stage changed by a failed update:\nbefore %s\nafter  %s", b1, b2)
	}
}

// TestUpdateStageConcurrentVariables: 50 concurrent UpdateStage calls,
// each adding its own variable, lose none of them.
func TestUpdateStageConcurrentVariables(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	e.deploy(t, apiID, "prod")

	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := e.api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod"),
				PatchOperations: []types.PatchOperation{patchOp("replace", fmt.Sprintf("/variables/v%d", i), fmt.Sprintf("value%d", i))}})
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, err := e.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Variables) != n {
		t.Errorf("%d variables after %d concurrent updates, want %d", len(st.Variables), n, n)
	}
	for i := range n {
		if st.Variables[fmt.Sprintf("v%d", i)] != fmt.Sprintf("value%d", i) {
			t.Errorf("variable v%d lost", i)
		}
	}
}

func TestDeleteStage(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	dep := e.deploy(t, apiID, "prod")

	status, _, body := e.raw(t, "DELETE", "/restapis/"+apiID+"/stages/prod", "")
	if status != 202 || len(body) != 0 {
		t.Errorf("DeleteStage = %d %s, want 202 and no body", status, body)
	}
	_, err := e.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
	checkAWSErr(t, err, notFound("Invalid Stage identifier specified"))
	// The deployment stays.
	if _, err := e.api.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(dep)}); err != nil {
		t.Errorf("deployment gone with its stage: %v", err)
	}
	_, err = e.api.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
	checkAWSErr(t, err, notFound("Invalid Stage identifier specified"))
	_, err = e.api.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: aws.String("nope123456"), StageName: aws.String("prod")})
	checkAWSErr(t, err, apiNotFound("nope123456"))
}

// flushRecorder stands in for the data plane's cache.
type flushRecorder struct {
	mu      sync.Mutex
	flushed []string
}

func (f *flushRecorder) FlushStageCache(apiID, stage string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushed = append(f.flushed, apiID+"/"+stage)
}

func TestFlushStageCaches(t *testing.T) {
	e := startStageEnv(t, nil)
	rec := &flushRecorder{}
	e.App.Service.Flusher = rec
	apiID := e.deployableAPI(t)
	e.deploy(t, apiID, "prod")

	for _, path := range []string{"/cache/data", "/cache/authorizers"} {
		status, _, body := e.raw(t, "DELETE", "/restapis/"+apiID+"/stages/prod"+path, "")
		if status != 202 || len(body) != 0 {
			t.Errorf("DELETE %s = %d %s, want 202", path, status, body)
		}
	}
	if _, err := e.api.FlushStageCache(ctx, &apigateway.FlushStageCacheInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")}); err != nil {
		t.Error(err)
	}
	rec.mu.Lock()
	if len(rec.flushed) != 2 || rec.flushed[0] != apiID+"/prod" {
		t.Errorf("flushed %v, want the stage twice (authorizer flushes leave the response cache alone)", rec.flushed)
	}
	rec.mu.Unlock()

	_, err := e.api.FlushStageCache(ctx, &apigateway.FlushStageCacheInput{RestApiId: aws.String(apiID), StageName: aws.String("nope")})
	checkAWSErr(t, err, notFound("Invalid Stage identifier specified"))
	_, err = e.api.FlushStageAuthorizersCache(ctx, &apigateway.FlushStageAuthorizersCacheInput{RestApiId: aws.String(apiID), StageName: aws.String("nope")})
	checkAWSErr(t, err, notFound("Invalid Stage identifier specified"))
	_, err = e.api.FlushStageCache(ctx, &apigateway.FlushStageCacheInput{RestApiId: aws.String("nope123456"), StageName: aws.String("prod")})
	checkAWSErr(t, err, apiNotFound("nope123456"))
}

// TestStagesSurviveRestart: everything written before a restart on the
// same data directory is there after it.
func TestStagesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	var apiID, dep string
	t.Run("before", func(t *testing.T) {
		e := startStageEnv(t, &server.Config{DataDir: dir})
		apiID = e.deployableAPI(t)
		dep = e.deploy(t, apiID, "prod")
		if _, err := e.api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod"),
			PatchOperations: []types.PatchOperation{patchOp("replace", "/variables/backend", "v2"), patchOp("replace", "/*/*/throttling/rateLimit", "50")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.api.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: aws.String(apigw.StageARN("us-east-1", apiID, "prod")),
			Tags: map[string]string{"team": "pets"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.api.UpdateAccount(ctx, &apigateway.UpdateAccountInput{PatchOperations: []types.PatchOperation{
			patchOp("replace", "/cloudwatchRoleArn", "arn:aws:iam::123456789012:role/apigw-logs")}}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("after", func(t *testing.T) {
		e := startStageEnv(t, &server.Config{DataDir: dir})
		st, err := e.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
		if err != nil {
			t.Fatal(err)
		}
		if *st.DeploymentId != dep || st.Variables["backend"] != "v2" || st.MethodSettings["*/*"].ThrottlingRateLimit != 50 || st.Tags["team"] != "pets" {
			t.Errorf("stage after restart = %+v", st)
		}
		acct, err := e.api.GetAccount(ctx, &apigateway.GetAccountInput{})
		if err != nil || aws.ToString(acct.CloudwatchRoleArn) != "arn:aws:iam::123456789012:role/apigw-logs" {
			t.Errorf("account after restart = %+v, %v", acct, err)
		}
		d, err := e.api.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(dep), Embed: []string{"apisummary"}})
		if err != nil || d.ApiSummary["/pets"]["GET"].AuthorizationType == nil {
			t.Errorf("deployment after restart = %+v, %v", d, err)
		}
	})
}
