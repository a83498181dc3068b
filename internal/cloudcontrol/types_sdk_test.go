package cloudcontrol_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"

	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

const (
	restAPIType    = "AWS::ApiGateway::RestApi"
	resourceType   = "AWS::ApiGateway::Resource"
	methodType     = "AWS::ApiGateway::Method"
	deploymentType = "AWS::ApiGateway::Deployment"
	accountType    = "AWS::ApiGateway::Account"
)

func invoke(t *testing.T, env *servertest.Env, api, stage, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(env.URL + "/restapis/" + api + "/" + stage + "/_user_request_" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// An API built, deployed and staged with Cloud Control alone, then served.
func TestWholeAPIWithCloudControl(t *testing.T) {
	env := servertest.Start(t, nil)
	f := &fixture{env: env, cc: env.CloudControl(), ag: env.APIGateway()}

	apiID := f.mustCreate(t, restAPIType, `{"Name":"shop","Description":"Shop API","BinaryMediaTypes":["image/png"],"Tags":[{"Key":"team","Value":"a"}]}`)
	p := f.props(t, restAPIType, apiID)
	root, _ := p["RootResourceId"].(string)
	if p["Name"] != "shop" || p["Description"] != "Shop API" || root == "" || p["RestApiId"] != apiID || jsonOf(p["BinaryMediaTypes"]) != `["image/png"]` {
		t.Fatalf("RestApi properties = %v", p)
	}

	resID := f.mustCreate(t, resourceType, fmt.Sprintf(`{"RestApiId":%q,"ParentId":%q,"PathPart":"items"}`, apiID, root))
	if !strings.HasPrefix(resID, apiID+"|") {
		t.Fatalf("Resource identifier = %q", resID)
	}
	rid := strings.TrimPrefix(resID, apiID+"|")
	if p := f.props(t, resourceType, resID); p["PathPart"] != "items" || p["ParentId"] != root || p["ResourceId"] != rid {
		t.Fatalf("Resource properties = %v", p)
	}

	methodID := f.mustCreate(t, methodType, fmt.Sprintf(`{"RestApiId":%q,"ResourceId":%q,"HttpMethod":"GET","AuthorizationType":"NONE",
		"RequestParameters":{"method.request.querystring.q":"false"},
		"MethodResponses":[{"StatusCode":"200"}],
		"Integration":{"Type":"MOCK","RequestTemplates":{"application/json":"{\"statusCode\": 200}"},
			"IntegrationResponses":[{"StatusCode":"200","ResponseTemplates":{"application/json":"{\"items\": []}"}}]}}`, apiID, rid))
	if methodID != apiID+"|"+rid+"|GET" {
		t.Fatalf("Method identifier = %q", methodID)
	}
	mp := f.props(t, methodType, methodID)
	integ, _ := mp["Integration"].(map[string]any)
	if integ["Type"] != "MOCK" || jsonOf(mp["RequestParameters"]) != `{"method.request.querystring.q":false}` || jsonOf(mp["MethodResponses"]) != `[{"StatusCode":"200"}]` {
		t.Fatalf("Method properties = %v", mp)
	}

	depID := f.mustCreate(t, deploymentType, fmt.Sprintf(`{"RestApiId":%q,"Description":"first","StageName":"prod",
		"StageDescription":{"Description":"Production","ThrottlingBurstLimit":10,"ThrottlingRateLimit":5,"Variables":{"v":"1"},
			"MethodSettings":[{"ResourcePath":"/items","HttpMethod":"GET","CachingEnabled":true}],"Tags":[{"Key":"env","Value":"prod"}]}}`, apiID))
	dep := strings.Split(depID, "|")
	if len(dep) != 2 || dep[1] != apiID {
		t.Fatalf("Deployment identifier = %q", depID)
	}
	if p := f.props(t, deploymentType, depID); p["Description"] != "first" || p["DeploymentId"] != dep[0] || p["StageName"] != nil {
		t.Fatalf("Deployment properties = %v (StageName is write-only)", p)
	}
	st, err := f.ag.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(st.DeploymentId) != dep[0] || aws.ToString(st.Description) != "Production" || st.MethodSettings["*/*"].ThrottlingBurstLimit != 10 ||
		!st.MethodSettings["~1items/GET"].CachingEnabled || st.Variables["v"] != "1" || st.Tags["env"] != "prod" {
		t.Fatalf("stage made by the deployment = %s", jsonOf(st))
	}
	if code, body := invoke(t, env, apiID, "prod", "/items"); code != 200 || body != `{"items": []}` {
		t.Fatalf("invoke = %d %q", code, body)
	}

	// A second stage on the same deployment through AWS::ApiGateway::Stage.
	f.mustCreate(t, stageType, fmt.Sprintf(`{"RestApiId":%q,"StageName":"beta"}`, apiID))
	if code, _ := invoke(t, env, apiID, "beta", "/items"); code != 200 {
		t.Fatalf("invoke beta = %d", code)
	}

	// Updates: API description, deployment description, method integration.
	f.mustUpdate(t, restAPIType, apiID, `[{"op":"replace","path":"/Description","value":"Shop API v2"},{"op":"add","path":"/Tags/-","value":{"Key":"cost","Value":"1"}}]`)
	if p := f.props(t, restAPIType, apiID); p["Description"] != "Shop API v2" || len(p["Tags"].([]any)) != 2 {
		t.Fatalf("RestApi after update = %v", p)
	}
	f.mustUpdate(t, deploymentType, depID, `[{"op":"replace","path":"/Description","value":"first, renamed"}]`)
	if p := f.props(t, deploymentType, depID); p["Description"] != "first, renamed" {
		t.Fatalf("Deployment after update = %v", p)
	}
	f.mustUpdate(t, methodType, methodID, `[{"op":"replace","path":"/Integration/IntegrationResponses/0/ResponseTemplates/application~1json","value":"{\"items\": [1]}"}]`)
	if p := f.props(t, methodType, methodID); !strings.Contains(jsonOf(p), `{\"items\": [1]}`) {
		t.Fatalf("Method after update = %v", p)
	}
	// Changing a createOnly property of a Resource is refused.
	_, err = f.update(t, resourceType, resID, `[{"op":"replace","path":"/PathPart","value":"things"}]`)
	wantAPIError(t, err, "NotUpdatableException", "createOnlyProperties [/properties/PathPart]")
	// Restating it is fine.
	f.mustUpdate(t, resourceType, resID, `[{"op":"add","path":"/PathPart","value":"items"}]`)
	// Read-only properties cannot be changed either.
	_, err = f.update(t, restAPIType, apiID, `[{"op":"replace","path":"/RootResourceId","value":"x"}]`)
	wantAPIError(t, err, "NotUpdatableException", "readOnlyProperties [/properties/RootResourceId]")
	// A deployment's canary settings are createOnly and write-only, so any
	// patch that sets them is refused, as on AWS.
	_, err = f.update(t, deploymentType, depID, `[{"op":"add","path":"/DeploymentCanarySettings","value":{"PercentTraffic":5}}]`)
	wantAPIError(t, err, "NotUpdatableException", "createOnlyProperties [/properties/DeploymentCanarySettings]")

	// Lists.
	for _, c := range []struct {
		typeName, model string
		n               int
	}{
		{restAPIType, "", 1},
		{resourceType, fmt.Sprintf(`{"RestApiId":%q}`, apiID), 1},
		{methodType, fmt.Sprintf(`{"RestApiId":%q}`, apiID), 1},
		{deploymentType, fmt.Sprintf(`{"RestApiId":%q}`, apiID), 1},
		{stageType, fmt.Sprintf(`{"RestApiId":%q}`, apiID), 2},
	} {
		in := &cloudcontrol.ListResourcesInput{TypeName: aws.String(c.typeName)}
		if c.model != "" {
			in.ResourceModel = aws.String(c.model)
		}
		out, err := f.cc.ListResources(ctx, in)
		if err != nil || len(out.ResourceDescriptions) != c.n {
			t.Errorf("ListResources(%s) = %d, %v; want %d", c.typeName, len(out.ResourceDescriptions), err, c.n)
		}
	}

	// Deleting a deployment that stages still use fails with API Gateway's
	// message; deleting in dependency order works.
	wantFailed(t, f.delete(t, deploymentType, depID), types.HandlerErrorCodeInvalidRequest, "Active stages pointing to this deployment must be moved or deleted", depID)
	for _, del := range []struct{ typeName, id string }{
		{stageType, apiID + "|beta"}, {stageType, apiID + "|prod"}, {deploymentType, depID}, {methodType, methodID}, {resourceType, resID}, {restAPIType, apiID},
	} {
		if ev := f.delete(t, del.typeName, del.id); ev.OperationStatus != types.OperationStatusSuccess {
			t.Fatalf("delete %s %s: %s %s", del.typeName, del.id, ev.ErrorCode, aws.ToString(ev.StatusMessage))
		}
	}
	_, err = f.cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String(restAPIType), Identifier: aws.String(apiID)})
	wantAPIError(t, err, "ResourceNotFoundException", "was not found")
}

func TestRestAPIFromOpenAPIBody(t *testing.T) {
	env := servertest.Start(t, nil)
	f := &fixture{env: env, cc: env.CloudControl(), ag: env.APIGateway()}
	body := `{"openapi":"3.0.1","info":{"title":"from-body","version":"1"},"paths":{"/ping":{"get":{
		"responses":{"200":{"description":"ok"}},
		"x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"},
			"responses":{"default":{"statusCode":"200","responseTemplates":{"application/json":"pong"}}}}}}}}`
	apiID := f.mustCreate(t, restAPIType, fmt.Sprintf(`{"Body":%s,"Description":"imported"}`, body))
	p := f.props(t, restAPIType, apiID)
	if p["Name"] != "from-body" || p["Description"] != "imported" || p["Body"] != nil {
		t.Fatalf("properties = %v (Body is write-only)", p)
	}
	res, err := f.ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(apiID)})
	if err != nil || len(res.Items) != 2 {
		t.Fatalf("resources = %+v, %v", res, err)
	}
	// Name beside Body overrides the title; a new Body replaces the paths.
	f.mustUpdate(t, restAPIType, apiID, `[{"op":"add","path":"/Name","value":"renamed"},{"op":"add","path":"/Body","value":
		{"openapi":"3.0.1","info":{"title":"from-body","version":"2"},"paths":{"/pong":{"get":{"responses":{"200":{"description":"ok"}},
		"x-amazon-apigateway-integration":{"type":"mock"}}}}}}]`)
	res, _ = f.ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(apiID)})
	var paths []string
	for _, r := range res.Items {
		paths = append(paths, aws.ToString(r.Path))
	}
	if got := f.props(t, restAPIType, apiID)["Name"]; got != "renamed" || !strings.Contains(strings.Join(paths, ","), "/pong") || strings.Contains(strings.Join(paths, ","), "/ping") {
		t.Fatalf("after update name %v, paths %v", got, paths)
	}
	// A Body that is not an OpenAPI document fails with the importer's
	// message.
	ev := f.create(t, restAPIType, `{"Body":{"nothing":"here"}}`)
	if ev.OperationStatus != types.OperationStatusFailed || ev.ErrorCode != types.HandlerErrorCodeInvalidRequest {
		t.Fatalf("bad body = %+v", ev)
	}
	// Body must be an object or a string.
	_, err = f.cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String(restAPIType), DesiredState: aws.String(`{"Body":[1]}`)})
	wantAPIError(t, err, "ValidationException", "#/Body: expected type: one of JSONObject or String")
	// Read-only properties cannot be set on create.
	_, err = f.cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String(restAPIType), DesiredState: aws.String(`{"Name":"x","RestApiId":"abc"}`)})
	wantAPIError(t, err, "ValidationException", "extraneous key [RestApiId]")

	// An update that fails at its last step (a tag AWS rejects) after a
	// new Body and a rename changes nothing: import, patch and tags are
	// one transaction.
	ev, err = f.update(t, restAPIType, apiID, `[{"op":"replace","path":"/Name","value":"half"},{"op":"add","path":"/Body","value":
		{"openapi":"3.0.1","info":{"title":"x","version":"3"},"paths":{"/half":{"get":{"responses":{"200":{"description":"ok"}},
		"x-amazon-apigateway-integration":{"type":"mock"}}}}}},{"op":"add","path":"/Tags","value":[{"Key":"aws:reserved","Value":"x"}]}]`)
	if err != nil || ev.OperationStatus != types.OperationStatusFailed || ev.ErrorCode != types.HandlerErrorCodeInvalidRequest {
		t.Fatalf("update with a bad tag = %+v, %v", ev, err)
	}
	res, _ = f.ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(apiID)})
	for _, r := range res.Items {
		if aws.ToString(r.Path) == "/half" {
			t.Errorf("the failed update's Body was imported")
		}
	}
	if got := f.props(t, restAPIType, apiID)["Name"]; got != "renamed" {
		t.Errorf("the failed update renamed the API to %v", got)
	}
}

func TestAccount(t *testing.T) {
	env := servertest.Start(t, nil)
	f := &fixture{env: env, cc: env.CloudControl(), ag: env.APIGateway()}
	id := f.mustCreate(t, accountType, `{"CloudWatchRoleArn":"arn:aws:iam::123456789012:role/logs"}`)
	if p := f.props(t, accountType, id); p["CloudWatchRoleArn"] != "arn:aws:iam::123456789012:role/logs" || p["Id"] != id {
		t.Fatalf("account = %v", p)
	}
	a, err := f.ag.GetAccount(ctx, &apigateway.GetAccountInput{})
	if err != nil || aws.ToString(a.CloudwatchRoleArn) != "arn:aws:iam::123456789012:role/logs" {
		t.Fatalf("GetAccount = %+v, %v", a, err)
	}
	f.mustUpdate(t, accountType, id, `[{"op":"replace","path":"/CloudWatchRoleArn","value":"arn:aws:iam::123456789012:role/other"}]`)
	ev := f.create(t, accountType, `{"CloudWatchRoleArn":"not-an-arn"}`)
	if ev.OperationStatus != types.OperationStatusFailed || ev.ErrorCode != types.HandlerErrorCodeInvalidRequest {
		t.Fatalf("bad role = %+v", ev)
	}
	if ev := f.delete(t, accountType, id); ev.OperationStatus != types.OperationStatusSuccess {
		t.Fatalf("delete = %+v", ev)
	}
	if a, _ := f.ag.GetAccount(ctx, &apigateway.GetAccountInput{}); a.CloudwatchRoleArn != nil {
		t.Fatalf("role not cleared: %v", aws.ToString(a.CloudwatchRoleArn))
	}
	_, err = f.cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String(accountType), Identifier: aws.String("other")})
	wantAPIError(t, err, "ResourceNotFoundException", "was not found")
}
