package controlapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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

// Helpers of the API-definition tests (REST APIs, resources, methods,
// integrations, OpenAPI). Their names start with "def" to stay apart from
// the stage tests' helpers in this package.

// defEnv is a running gateway with an SDK client that does not retry, so
// every error reaches the test as the server sent it.
type defEnv struct {
	*servertest.Env
	c *apigateway.Client
}

var bg = context.Background()

func startDefEnv(t *testing.T, cfg *server.Config) defEnv {
	t.Helper()
	env := servertest.Start(t, cfg)
	return defEnv{Env: env, c: apigateway.NewFromConfig(env.AWSConfig(), func(o *apigateway.Options) { o.RetryMaxAttempts = 1 })}
}

// newAPI creates a REST API and returns its id and root resource id.
func (e defEnv) newAPI(t *testing.T) (apiID, rootID string) {
	t.Helper()
	out, err := e.c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	if err != nil {
		t.Fatalf("CreateRestApi: %v", err)
	}
	return *out.Id, *out.RootResourceId
}

// newResource creates pathPart under parent and returns its id.
func (e defEnv) newResource(t *testing.T, apiID, parentID, pathPart string) string {
	t.Helper()
	out, err := e.c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: &apiID, ParentId: &parentID, PathPart: &pathPart})
	if err != nil {
		t.Fatalf("CreateResource %s: %v", pathPart, err)
	}
	return *out.Id
}

// newMethod puts verb (authorization NONE) with the given request
// parameters.
func (e defEnv) newMethod(t *testing.T, apiID, resourceID, verb string, params map[string]bool) {
	t.Helper()
	if _, err := e.c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: &apiID, ResourceId: &resourceID, HttpMethod: &verb,
		AuthorizationType: aws.String("NONE"), RequestParameters: params}); err != nil {
		t.Fatalf("PutMethod %s: %v", verb, err)
	}
}

// rawJSON sends an unsigned request (SigV4 is not verified yet) and
// returns the status and decoded JSON body, for what the SDK hides.
func (e defEnv) rawJSON(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, e.URL+path, strings.NewReader(body))
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
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %s: body %q is not JSON", method, path, b)
		}
	}
	return resp.StatusCode, m
}

// defErr is the error an AWS call must fail with.
type defErr struct {
	code   string
	status int
	msg    string
}

func defBad(msg string) defErr      { return defErr{"BadRequestException", 400, msg} }
func defNotFound(msg string) defErr { return defErr{"NotFoundException", 404, msg} }
func defConflict(msg string) defErr { return defErr{"ConflictException", 409, msg} }
func defInvalid(msg string) defErr  { return defErr{"ValidationException", 400, msg} }
func defNoAPI(id string) defErr {
	return defNotFound("Invalid API identifier specified " + apigw.AccountID + ":" + id)
}

// defCheck asserts err is the expected AWS error: code, status and the
// exact message.
func defCheck(t *testing.T, err error, want defErr) {
	t.Helper()
	if err == nil {
		t.Fatalf("call succeeded, want %s %q", want.code, want.msg)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	if ae.ErrorCode() != want.code || status != want.status || ae.ErrorMessage() != want.msg {
		t.Errorf("got  %s %d %q\nwant %s %d %q", ae.ErrorCode(), status, ae.ErrorMessage(), want.code, want.status, want.msg)
	}
}

func TestCreateRestAPIDefaults(t *testing.T) {
	e := startDefEnv(t, nil)
	out, err := e.c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	if len(*out.Id) != 10 || out.RootResourceId == nil || out.ApiKeySource != types.ApiKeySourceTypeHeader ||
		out.EndpointConfiguration == nil || len(out.EndpointConfiguration.Types) != 1 || out.EndpointConfiguration.Types[0] != types.EndpointTypeEdge ||
		out.CreatedDate == nil || out.DisableExecuteApiEndpoint || out.Description != nil || out.MinimumCompressionSize != nil {
		t.Errorf("defaults: %+v", out)
	}
	res, err := e.c.GetResources(bg, &apigateway.GetResourcesInput{RestApiId: out.Id})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || *res.Items[0].Path != "/" || *res.Items[0].Id != *out.RootResourceId || res.Items[0].ParentId != nil || res.Items[0].PathPart != nil {
		t.Errorf("root resource: %+v", res.Items)
	}
	status, raw := e.rawJSON(t, "GET", "/restapis/"+*out.Id, "")
	if status != 200 || raw["disableExecuteApiEndpoint"] != false || raw["apiKeySource"] != "HEADER" {
		t.Errorf("raw GetRestApi: %d %v", status, raw)
	}
}

func TestCreateRestAPIWithEveryField(t *testing.T) {
	e := startDefEnv(t, nil)
	policy := `{"Version":"2012-10-17","Statement":[]}`
	in := &apigateway.CreateRestApiInput{
		Name: aws.String("shop"), Description: aws.String("the shop"), Version: aws.String("v2"),
		BinaryMediaTypes: []string{"image/png"}, MinimumCompressionSize: aws.Int32(1024),
		ApiKeySource: types.ApiKeySourceTypeAuthorizer, Policy: aws.String(policy),
		EndpointConfiguration:     &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}},
		Tags:                      map[string]string{"team": "core"},
		DisableExecuteApiEndpoint: true,
	}
	out, err := e.c.CreateRestApi(bg, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.c.GetRestApi(bg, &apigateway.GetRestApiInput{RestApiId: out.Id})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Name != "shop" || *got.Description != "the shop" || *got.Version != "v2" || got.BinaryMediaTypes[0] != "image/png" ||
		*got.MinimumCompressionSize != 1024 || got.ApiKeySource != types.ApiKeySourceTypeAuthorizer || *got.Policy != policy ||
		got.EndpointConfiguration.Types[0] != types.EndpointTypeRegional || got.Tags["team"] != "core" || !got.DisableExecuteApiEndpoint {
		t.Errorf("stored: %+v", got)
	}
}

func TestCreateRestAPIRejects(t *testing.T) {
	e := startDefEnv(t, nil)
	cases := []struct {
		name string
		in   apigateway.CreateRestApiInput
		want defErr
	}{
		{"empty name", apigateway.CreateRestApiInput{Name: aws.String("")}, defBad("Name cannot be an empty string")},
		{"empty description", apigateway.CreateRestApiInput{Name: aws.String("a"), Description: aws.String("")}, defBad("Description cannot be an empty string")},
		{"compression below 0", apigateway.CreateRestApiInput{Name: aws.String("a"), MinimumCompressionSize: aws.Int32(-1)},
			defBad("Invalid minimum compression size, must be between 0 and 10485760")},
		{"compression above 10 MiB", apigateway.CreateRestApiInput{Name: aws.String("a"), MinimumCompressionSize: aws.Int32(10485761)},
			defBad("Invalid minimum compression size, must be between 0 and 10485760")},
		{"api key source", apigateway.CreateRestApiInput{Name: aws.String("a"), ApiKeySource: "BODY"},
			defInvalid("1 validation error detected: Value 'BODY' at 'createRestApiInput.apiKeySource' failed to satisfy constraint: Member must satisfy enum value set: [HEADER, AUTHORIZER]")},
		{"endpoint type", apigateway.CreateRestApiInput{Name: aws.String("a"), EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{"EDGY"}}},
			defInvalid("1 validation error detected: Value 'EDGY' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]")},
		{"two endpoint types", apigateway.CreateRestApiInput{Name: aws.String("a"), EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{"EDGE", "REGIONAL"}}},
			defBad("Cannot create an api with multiple Endpoint Types.")},
		{"policy not JSON", apigateway.CreateRestApiInput{Name: aws.String("a"), Policy: aws.String("allow all")},
			defBad("Invalid policy document. Please check the policy syntax and ensure that Principals are valid.")},
		{"aws: tag", apigateway.CreateRestApiInput{Name: aws.String("a"), Tags: map[string]string{"aws:owner": "x"}},
			defBad("Invalid tag key 'aws:owner': tag keys must not start with 'aws:'")},
		{"unknown cloneFrom", apigateway.CreateRestApiInput{Name: aws.String("a"), CloneFrom: aws.String("nosuchapi0")}, defNoAPI("nosuchapi0")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.CreateRestApi(bg, &tc.in)
			defCheck(t, err, tc.want)
		})
	}
	list, err := e.c.GetRestApis(bg, &apigateway.GetRestApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 0 {
		t.Errorf("refused creates stored %d APIs", len(list.Items))
	}
	// Malformed bodies never reach the service.
	status, body := e.rawJSON(t, "POST", "/restapis", `{"name": 5}`)
	if status != 400 || body["message"] != "Invalid value for field 'name': expected string" {
		t.Errorf("wrong type: %d %v", status, body)
	}
}

func TestCreateRestAPICloneFrom(t *testing.T) {
	e := startDefEnv(t, nil)
	srcID, rootID := e.newAPI(t)
	pets := e.newResource(t, srcID, rootID, "pets")
	e.newResource(t, srcID, pets, "{petId}")
	e.newMethod(t, srcID, pets, "GET", nil)
	clone, err := e.c.CreateRestApi(bg, &apigateway.CreateRestApiInput{Name: aws.String("copy"), CloneFrom: &srcID})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.c.GetResources(bg, &apigateway.GetResourcesInput{RestApiId: clone.Id, Embed: []string{"methods"}})
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]types.Resource{}
	for _, r := range res.Items {
		paths[*r.Path] = r
		if *r.Id == pets || *r.Id == rootID {
			t.Errorf("clone reuses resource id %s", *r.Id)
		}
	}
	if len(paths) != 3 || paths["/pets/{petId}"].ParentId == nil || *paths["/pets/{petId}"].ParentId != *paths["/pets"].Id ||
		*paths["/"].Id != *clone.RootResourceId || paths["/pets"].ResourceMethods["GET"].HttpMethod == nil {
		t.Errorf("cloned tree: %+v", paths)
	}
}

func TestGetRestAPIsPages(t *testing.T) {
	e := startDefEnv(t, nil)
	var ids []string
	for range 3 {
		id, _ := e.newAPI(t)
		ids = append(ids, id)
	}
	first, err := e.c.GetRestApis(bg, &apigateway.GetRestApisInput{Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Items) != 2 || first.Position == nil {
		t.Fatalf("first page: %d items, position %v", len(first.Items), first.Position)
	}
	second, err := e.c.GetRestApis(bg, &apigateway.GetRestApisInput{Limit: aws.Int32(2), Position: first.Position})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Items) != 1 || second.Position != nil {
		t.Fatalf("second page: %d items, position %v", len(second.Items), second.Position)
	}
	got := map[string]bool{*first.Items[0].Id: true, *first.Items[1].Id: true, *second.Items[0].Id: true}
	for _, id := range ids {
		if !got[id] {
			t.Errorf("API %s missing from the pages", id)
		}
	}
	_, err = e.c.GetRestApis(bg, &apigateway.GetRestApisInput{Limit: aws.Int32(501)})
	defCheck(t, err, defBad("Invalid limit specified: 501"))
	_, err = e.c.GetRestApi(bg, &apigateway.GetRestApiInput{RestApiId: aws.String("nosuchapi0")})
	defCheck(t, err, defNoAPI("nosuchapi0"))
}

func TestUpdateRestAPI(t *testing.T) {
	cases := []struct {
		name  string
		ops   []types.PatchOperation
		check func(*apigateway.UpdateRestApiOutput) bool
	}{
		{"name", []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("zoo")}},
			func(o *apigateway.UpdateRestApiOutput) bool { return *o.Name == "zoo" }},
		{"description and version", []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/description"), Value: aws.String("all pets")},
			{Op: types.OpReplace, Path: aws.String("/version"), Value: aws.String("3")}},
			func(o *apigateway.UpdateRestApiOutput) bool { return *o.Description == "all pets" && *o.Version == "3" }},
		{"binary media types add, add, remove", []types.PatchOperation{
			{Op: types.OpAdd, Path: aws.String("/binaryMediaTypes/image~1png")},
			{Op: types.OpAdd, Path: aws.String("/binaryMediaTypes/application~1octet-stream")},
			{Op: types.OpRemove, Path: aws.String("/binaryMediaTypes/image~1png")}},
			func(o *apigateway.UpdateRestApiOutput) bool {
				return len(o.BinaryMediaTypes) == 1 && o.BinaryMediaTypes[0] == "application/octet-stream"
			}},
		{"binary media type replace", []types.PatchOperation{
			{Op: types.OpAdd, Path: aws.String("/binaryMediaTypes/image~1png")},
			{Op: types.OpReplace, Path: aws.String("/binaryMediaTypes/image~1png"), Value: aws.String("image/gif")}},
			func(o *apigateway.UpdateRestApiOutput) bool {
				return len(o.BinaryMediaTypes) == 1 && o.BinaryMediaTypes[0] == "image/gif"
			}},
		{"minimum compression size set", []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/minimumCompressionSize"), Value: aws.String("0")}},
			func(o *apigateway.UpdateRestApiOutput) bool {
				return o.MinimumCompressionSize != nil && *o.MinimumCompressionSize == 0
			}},
		{"minimum compression size cleared", []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/minimumCompressionSize"), Value: aws.String("10")},
			{Op: types.OpReplace, Path: aws.String("/minimumCompressionSize"), Value: aws.String("")}},
			func(o *apigateway.UpdateRestApiOutput) bool { return o.MinimumCompressionSize == nil }},
		{"api key source", []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/apiKeySource"), Value: aws.String("AUTHORIZER")}},
			func(o *apigateway.UpdateRestApiOutput) bool {
				return o.ApiKeySource == types.ApiKeySourceTypeAuthorizer
			}},
		{"policy", []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/policy"), Value: aws.String(`{"Statement":[]}`)}},
			func(o *apigateway.UpdateRestApiOutput) bool { return *o.Policy == `{"Statement":[]}` }},
		{"disable execute-api endpoint", []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/disableExecuteApiEndpoint"), Value: aws.String("true")}},
			func(o *apigateway.UpdateRestApiOutput) bool { return o.DisableExecuteApiEndpoint }},
		{"endpoint type by name (CLI)", []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/endpointConfiguration/types/EDGE"), Value: aws.String("REGIONAL")}},
			func(o *apigateway.UpdateRestApiOutput) bool {
				return o.EndpointConfiguration.Types[0] == types.EndpointTypeRegional
			}},
		{"endpoint type by index (Terraform)", []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/endpointConfiguration/types/0"), Value: aws.String("PRIVATE")}},
			func(o *apigateway.UpdateRestApiOutput) bool {
				return o.EndpointConfiguration.Types[0] == types.EndpointTypePrivate
			}},
		{"no operations", nil, func(o *apigateway.UpdateRestApiOutput) bool { return *o.Name == "pets" }},
	}
	e := startDefEnv(t, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			apiID, _ := e.newAPI(t)
			out, err := e.c.UpdateRestApi(bg, &apigateway.UpdateRestApiInput{RestApiId: &apiID, PatchOperations: tc.ops})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(out) {
				t.Errorf("after update: %+v", out)
			}
			got, err := e.c.GetRestApi(bg, &apigateway.GetRestApiInput{RestApiId: &apiID})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check((*apigateway.UpdateRestApiOutput)(got)) {
				t.Errorf("stored: %+v", got)
			}
		})
	}
}

func TestUpdateRestAPIRejects(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, _ := e.newAPI(t)
	rename := types.PatchOperation{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("renamed")}
	cases := []struct {
		name string
		op   types.PatchOperation
		want defErr
	}{
		{"unknown path", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/id"), Value: aws.String("x")}, defBad("Invalid patch path /id")},
		{"whole binaryMediaTypes", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/binaryMediaTypes"), Value: aws.String("x")}, defBad("Invalid patch path /binaryMediaTypes")},
		{"add to name", types.PatchOperation{Op: types.OpAdd, Path: aws.String("/name"), Value: aws.String("x")},
			defBad("Invalid patch operation specified. Must be one of: [replace]")},
		{"remove compression size", types.PatchOperation{Op: types.OpRemove, Path: aws.String("/minimumCompressionSize")},
			defBad("Invalid patch operation specified. Must be one of: [replace]")},
		{"compression size not a number", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/minimumCompressionSize"), Value: aws.String("big")},
			defBad("Invalid minimum compression size, must be between 0 and 10485760")},
		{"compression size too large", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/minimumCompressionSize"), Value: aws.String("10485761")},
			defBad("Invalid minimum compression size, must be between 0 and 10485760")},
		{"empty name", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("")}, defBad("Name cannot be an empty string")},
		{"api key source", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/apiKeySource"), Value: aws.String("QUERY")},
			defInvalid("1 validation error detected: Value 'QUERY' at 'updateRestApiInput.apiKeySource' failed to satisfy constraint: Member must satisfy enum value set: [HEADER, AUTHORIZER]")},
		{"boolean", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/disableExecuteApiEndpoint"), Value: aws.String("yes please")},
			defBad("Invalid patch value  'yes please' specified for op 'replace'. Must be a boolean")},
		{"unknown endpoint type slot", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/endpointConfiguration/types/REGIONAL"), Value: aws.String("EDGE")},
			defBad("Invalid patch path /endpointConfiguration/types/REGIONAL")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A valid operation first: the failing one must undo it.
			_, err := e.c.UpdateRestApi(bg, &apigateway.UpdateRestApiInput{RestApiId: &apiID, PatchOperations: []types.PatchOperation{rename, tc.op}})
			defCheck(t, err, tc.want)
			got, err := e.c.GetRestApi(bg, &apigateway.GetRestApiInput{RestApiId: &apiID})
			if err != nil {
				t.Fatal(err)
			}
			if *got.Name != "pets" {
				t.Errorf("refused update changed the name to %q", *got.Name)
			}
		})
	}
	_, err := e.c.UpdateRestApi(bg, &apigateway.UpdateRestApiInput{RestApiId: aws.String("nosuchapi0"), PatchOperations: []types.PatchOperation{rename}})
	defCheck(t, err, defNoAPI("nosuchapi0"))
}

func TestDeleteRestAPI(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	e.newMethod(t, apiID, rootID, "GET", nil)
	if _, err := e.c.PutIntegration(bg, &apigateway.PutIntegrationInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("GET"), Type: types.IntegrationTypeMock}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: &apiID, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	status, _ := e.rawJSON(t, "DELETE", "/restapis/"+apiID, "")
	if status != http.StatusAccepted {
		t.Fatalf("DeleteRestApi status %d, want 202", status)
	}
	_, err := e.c.GetRestApi(bg, &apigateway.GetRestApiInput{RestApiId: &apiID})
	defCheck(t, err, defNoAPI(apiID))
	_, err = e.c.GetStage(bg, &apigateway.GetStageInput{RestApiId: &apiID, StageName: aws.String("prod")})
	if err == nil {
		t.Error("the API's stage outlived it")
	}
	_, err = e.c.DeleteRestApi(bg, &apigateway.DeleteRestApiInput{RestApiId: &apiID})
	defCheck(t, err, defNoAPI(apiID))
}

// TestDefinitionSurvivesRestart stores an API with every kind of object,
// stops the gateway and starts a new one on the same data directory.
func TestDefinitionSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	// The first gateway is started and stopped by hand: the restart is
	// the point of the test.
	app, err := server.New(server.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	app.SetReady()
	ts := httptest.NewServer(app.Handler())
	first := &servertest.Env{URL: ts.URL, App: app, Server: ts, DataDir: dir}
	e := defEnv{Env: first, c: apigateway.NewFromConfig(first.AWSConfig(), func(o *apigateway.Options) { o.RetryMaxAttempts = 1 })}
	apiID, rootID := e.newAPI(t)
	pets := e.newResource(t, apiID, rootID, "pets")
	e.newMethod(t, apiID, pets, "GET", map[string]bool{"method.request.querystring.type": false})
	if _, err := e.c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: &apiID, ResourceId: &pets, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseParameters: map[string]bool{"method.response.header.X-Total": false}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.PutIntegration(bg, &apigateway.PutIntegrationInput{RestApiId: &apiID, ResourceId: &pets, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String("http://backend.internal/pets"),
		RequestParameters: map[string]string{"integration.request.querystring.kind": "method.request.querystring.type"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &pets, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseParameters: map[string]string{"method.response.header.X-Total": "integration.response.header.X-Count"}}); err != nil {
		t.Fatal(err)
	}
	var before *apigateway.GetMethodOutput
	before, err = e.c.GetMethod(bg, &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: &pets, HttpMethod: aws.String("GET")})
	if err != nil {
		t.Fatal(err)
	}
	ts.Close()
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}

	e2 := startDefEnv(t, &server.Config{DataDir: dir})
	after, err := e2.c.GetMethod(bg, &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: &pets, HttpMethod: aws.String("GET")})
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := json.Marshal(before.MethodIntegration)
	b2, _ := json.Marshal(after.MethodIntegration)
	_, param := after.RequestParameters["method.request.querystring.type"]
	_, header := after.MethodResponses["200"].ResponseParameters["method.response.header.X-Total"]
	if string(b1) != string(b2) || !param || !header {
		t.Errorf("after restart:\n%s\nwant\n%s", b2, b1)
	}
	if after.MethodIntegration.IntegrationResponses["200"].ResponseParameters["method.response.header.X-Total"] != "integration.response.header.X-Count" {
		t.Errorf("integration response lost: %+v", after.MethodIntegration.IntegrationResponses)
	}
}
