package controlapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

func TestCreateDeployment(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)

	out, err := e.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(apiID), Description: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	if len(*out.Id) != 10 || *out.Description != "first" || out.CreatedDate == nil || out.ApiSummary != nil {
		t.Errorf("CreateDeployment = %+v", out)
	}
	// No stageName: no stage.
	stages, _ := e.api.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: aws.String(apiID)})
	if len(stages.Item) != 0 {
		t.Errorf("stages after a deployment without stageName: %d", len(stages.Item))
	}

	// With stageName and stage members: a new stage with those settings.
	d2, err := e.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(apiID),
		StageName: aws.String("prod"), StageDescription: aws.String("Production"),
		Variables: map[string]string{"backend": "v1"}, CacheClusterEnabled: aws.Bool(true),
		TracingEnabled: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	if *st.DeploymentId != *d2.Id || *st.Description != "Production" || st.Variables["backend"] != "v1" ||
		!st.CacheClusterEnabled || st.CacheClusterSize != "0.5" || st.CacheClusterStatus != types.CacheClusterStatusAvailable ||
		!st.TracingEnabled || st.MethodSettings == nil {
		t.Errorf("stage created by CreateDeployment = %+v", st)
	}
}

func TestCreateDeploymentRejects(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	empty := e.emptyAPI(t)
	e.deploy(t, apiID, "prod")

	tests := []struct {
		name string
		in   apigateway.CreateDeploymentInput
		want awsErr
	}{
		{"unknown API", apigateway.CreateDeploymentInput{RestApiId: aws.String("nope123456")}, apiNotFound("nope123456")},
		{"API without methods", apigateway.CreateDeploymentInput{RestApiId: aws.String(empty)},
			badRequest("The REST API doesn't contain any methods")},
		{"canary without stage", apigateway.CreateDeploymentInput{CanarySettings: &types.DeploymentCanarySettings{PercentTraffic: 10}},
			badRequest("Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is null")},
		// An empty stageName is printed as given (nothing), a missing one as
		// "null" (LocalStack's AWS-validated canary snapshots).
		{"canary with empty stage name", apigateway.CreateDeploymentInput{StageName: aws.String(""), CanarySettings: &types.DeploymentCanarySettings{PercentTraffic: 10}},
			badRequest("Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is ")},
		{"canary on a missing stage", apigateway.CreateDeploymentInput{StageName: aws.String("non-existing"), CanarySettings: &types.DeploymentCanarySettings{PercentTraffic: 10}},
			badRequest("Invalid deployment content specified.Stage non-existing must already be created before making a canary release deployment")},
		{"canary over 100%", apigateway.CreateDeploymentInput{StageName: aws.String("prod"), CanarySettings: &types.DeploymentCanarySettings{PercentTraffic: 101}},
			badRequest(apigw.MsgCanaryPercent)},
		{"bad stage name", apigateway.CreateDeploymentInput{StageName: aws.String("pr od")}, badRequest(apigw.MsgStageNameInvalid)},
		{"bad variable value", apigateway.CreateDeploymentInput{StageName: aws.String("prod"), Variables: map[string]string{"v": "a|b"}},
			badRequest("Invalid stage variable value: a|b.  Please use values with alphanumeric characters and the symbols ' ', -', '.', '_', ':', '/', '?', '&', '=', and ','.")},
		{"bad cache size", apigateway.CreateDeploymentInput{StageName: aws.String("prod"), CacheClusterSize: "1"},
			badRequest("Invalid cache cluster size specified: '1'. Must be one of: [0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237]")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.RestApiId == nil {
				in.RestApiId = aws.String(apiID)
			}
			_, err := e.api.CreateDeployment(ctx, &in)
			checkAWSErr(t, err, tt.want)
		})
	}
	ds, _ := e.api.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: aws.String(apiID)})
	if len(ds.Items) != 1 {
		t.Errorf("%d deployments after rejected creates, want 1", len(ds.Items))
	}
}

// TestDeploymentSnapshotIsFrozen: editing the API after a deployment never
// changes that deployment.
func TestDeploymentSnapshotIsFrozen(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	dep := e.deploy(t, apiID, "prod")

	// Edit the API afterwards: rename it, change GET /pets, add POST /pets,
	// delete GET /.
	ids := e.resourceIDs(t, apiID)
	if _, err := e.api.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: aws.String(apiID),
		PatchOperations: []types.PatchOperation{patchOp("replace", "/name", "renamed")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: aws.String(apiID), ResourceId: aws.String(ids["/pets"]), HttpMethod: aws.String("GET"),
		PatchOperations: []types.PatchOperation{patchOp("replace", "/authorizationType", "AWS_IAM"), patchOp("replace", "/apiKeyRequired", "true")}}); err != nil {
		t.Fatal(err)
	}
	e.mockMethod(t, apiID, ids["/pets"], "POST")
	if _, err := e.api.DeleteMethod(ctx, &apigateway.DeleteMethodInput{RestApiId: aws.String(apiID), ResourceId: aws.String(ids["/"]), HttpMethod: aws.String("GET")}); err != nil {
		t.Fatal(err)
	}

	d, err := e.api.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(dep), Embed: []string{"apisummary"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{"/": {"GET": "NONE"}, "/pets": {"GET": "NONE"}}
	if len(d.ApiSummary) != len(want) {
		t.Fatalf("apiSummary = %+v, want %v", d.ApiSummary, want)
	}
	for path, verbs := range want {
		if len(d.ApiSummary[path]) != len(verbs) {
			t.Errorf("apiSummary[%s] = %+v, want %v", path, d.ApiSummary[path], verbs)
		}
		for verb, auth := range verbs {
			m := d.ApiSummary[path][verb]
			if aws.ToString(m.AuthorizationType) != auth || m.ApiKeyRequired {
				t.Errorf("apiSummary[%s][%s] = %+v, want %s without API key", path, verb, m, auth)
			}
		}
	}

	// A new deployment sees the edits.
	dep2 := e.deploy(t, apiID, "")
	d2, err := e.api.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(dep2), Embed: []string{"apisummary"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d2.ApiSummary["/"]; ok || len(d2.ApiSummary["/pets"]) != 2 || aws.ToString(d2.ApiSummary["/pets"]["GET"].AuthorizationType) != "AWS_IAM" {
		t.Errorf("new deployment's apiSummary = %+v", d2.ApiSummary)
	}
}

func TestCreateDeploymentOnExistingStage(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	d1 := e.deploy(t, apiID, "")
	if _, err := e.api.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod"),
		DeploymentId: aws.String(d1), Description: aws.String("kept"), Variables: map[string]string{"old": "1", "backend": "v1"}}); err != nil {
		t.Fatal(err)
	}

	// Canary deployment: the stage keeps serving d1; the new deployment is
	// its canary.
	c, err := e.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(apiID), StageName: aws.String("prod"),
		CanarySettings: &types.DeploymentCanarySettings{PercentTraffic: 10, StageVariableOverrides: map[string]string{"backend": "v2"}, UseStageCache: true}})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := e.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
	cs := st.CanarySettings
	if *st.DeploymentId != d1 || cs == nil || aws.ToString(cs.DeploymentId) != *c.Id || cs.PercentTraffic != 10 ||
		cs.StageVariableOverrides["backend"] != "v2" || !cs.UseStageCache {
		t.Errorf("stage after canary deployment = %+v, canary %+v", st, cs)
	}

	// A plain deployment repoints the stage, ends the canary and replaces
	// the variables.
	d3, err := e.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(apiID), StageName: aws.String("prod"),
		Variables: map[string]string{"backend": "v3"}})
	if err != nil {
		t.Fatal(err)
	}
	st, _ = e.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
	if *st.DeploymentId != *d3.Id || st.CanarySettings != nil || len(st.Variables) != 1 || st.Variables["backend"] != "v3" || *st.Description != "kept" {
		t.Errorf("stage after plain deployment = %+v", st)
	}
}

func TestGetDeployments(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	ids := map[string]bool{}
	for range 3 {
		ids[e.deploy(t, apiID, "")] = true
	}

	first, err := e.api.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: aws.String(apiID), Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Items) != 2 || first.Position == nil {
		t.Fatalf("first page = %d items, position %v", len(first.Items), first.Position)
	}
	second, err := e.api.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: aws.String(apiID), Limit: aws.Int32(2), Position: first.Position})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Items) != 1 || second.Position != nil {
		t.Fatalf("second page = %d items, position %v", len(second.Items), second.Position)
	}
	for _, d := range append(first.Items, second.Items...) {
		if !ids[*d.Id] || d.ApiSummary != nil {
			t.Errorf("listed deployment %+v", d)
		}
		delete(ids, *d.Id)
	}

	status, _, body := e.raw(t, "GET", "/restapis/"+apiID+"/deployments?limit=0", "")
	if status != 400 || !strings.Contains(string(body), "Invalid limit specified: 0") {
		t.Errorf("limit=0: %d %s", status, body)
	}
	_, err = e.api.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: aws.String("nope123456")})
	checkAWSErr(t, err, apiNotFound("nope123456"))
}

func TestGetDeployment(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	dep := e.deploy(t, apiID, "")

	d, err := e.api.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(dep)})
	if err != nil || *d.Id != dep || d.ApiSummary != nil {
		t.Errorf("GetDeployment without embed = %+v, %v", d, err)
	}
	_, err = e.api.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String("missing")})
	checkAWSErr(t, err, notFound("Invalid Deployment identifier specified"))
	_, err = e.api.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: aws.String("nope123456"), DeploymentId: aws.String(dep)})
	checkAWSErr(t, err, apiNotFound("nope123456"))
}

func TestUpdateDeployment(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	dep := e.deploy(t, apiID, "")

	d, err := e.api.UpdateDeployment(ctx, &apigateway.UpdateDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(dep),
		PatchOperations: []types.PatchOperation{patchOp("replace", "/description", "release 1")}})
	if err != nil || aws.ToString(d.Description) != "release 1" {
		t.Fatalf("UpdateDeployment = %+v, %v", d, err)
	}

	tests := []struct {
		name string
		id   string
		ops  []types.PatchOperation
		want awsErr
	}{
		{"other path", dep, []types.PatchOperation{patchOp("replace", "/description", "x"), patchOp("replace", "/createdDate", "1")},
			badRequest("Invalid patch path /createdDate")},
		{"unsupported op", dep, []types.PatchOperation{{Op: types.OpMove, Path: aws.String("/description"), From: aws.String("/x")}},
			badRequest("Invalid patch operation specified. Must be one of: [add, remove, replace]")},
		{"unknown deployment", "missing", []types.PatchOperation{patchOp("replace", "/description", "x")},
			notFound("Invalid Deployment identifier specified")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.api.UpdateDeployment(ctx, &apigateway.UpdateDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(tt.id), PatchOperations: tt.ops})
			checkAWSErr(t, err, tt.want)
		})
	}
	got, _ := e.api.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(dep)})
	if aws.ToString(got.Description) != "release 1" {
		t.Errorf("description %q after failed updates", aws.ToString(got.Description))
	}
}

func TestDeleteDeployment(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	served := e.deploy(t, apiID, "prod")
	canary, err := e.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(apiID), StageName: aws.String("prod"),
		CanarySettings: &types.DeploymentCanarySettings{PercentTraffic: 5}})
	if err != nil {
		t.Fatal(err)
	}
	free := e.deploy(t, apiID, "")

	inUse := badRequest("Active stages pointing to this deployment must be moved or deleted")
	for _, id := range []string{served, *canary.Id} {
		_, err := e.api.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(id)})
		checkAWSErr(t, err, inUse)
	}

	status, _, body := e.raw(t, "DELETE", "/restapis/"+apiID+"/deployments/"+free, "")
	if status != 202 || len(body) != 0 {
		t.Errorf("DeleteDeployment = %d %s, want 202", status, body)
	}
	_, err = e.api.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(free)})
	checkAWSErr(t, err, notFound("Invalid Deployment identifier specified"))
	_, err = e.api.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(free)})
	checkAWSErr(t, err, notFound("Invalid Deployment identifier specified"))

	// Once the stage is gone its deployments can go.
	if _, err := e.api.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{served, *canary.Id} {
		if _, err := e.api.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(id)}); err != nil {
			t.Errorf("DeleteDeployment(%s) after the stage was deleted: %v", id, err)
		}
	}
}
