package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// TestEndToEndThroughSDK builds an API with the AWS SDK against a whole
// in-process Stagecoach, deploys it, invokes it both ways, then changes it
// and shows that only a new deployment (or an update-stage) changes what
// is served.
func TestEndToEndThroughSDK(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Method+" "+r.URL.Path)
	}))
	t.Cleanup(backend.Close)
	env := servertest.Start(t, nil)
	api := env.APIGateway()
	ctx := servertest.Ctx()

	rest, err := api.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	id := *rest.Id
	res, err := api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &id})
	if err != nil {
		t.Fatal(err)
	}
	rootID := *res.Items[0].Id
	pets, err := api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &id, ParentId: &rootID, PathPart: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	pet, err := api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &id, ParentId: pets.Id, PathPart: aws.String("{petId}")})
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// GET /pets/{petId}: HTTP_PROXY to the backend.
	must(api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: pet.Id, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("NONE"), RequestParameters: map[string]bool{"method.request.path.petId": true}}))
	must(api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: pet.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"),
		Uri:               aws.String(backend.URL + "/v1/pets/{id}"),
		RequestParameters: map[string]string{"integration.request.path.id": "method.request.path.petId"}}))
	// GET /pets: MOCK.
	must(api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}))
	must(api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}))
	must(api.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}))
	must(api.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `[{"id":1}]`}}))
	first, err := api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}

	get := func(url, host string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	pathForm := env.URL + "/restapis/" + id + "/prod/_user_request_"
	for _, tc := range []struct{ url, host, want string }{
		{pathForm + "/pets/42", "", "GET /v1/pets/42"},
		{env.URL + "/prod/pets/42", id + ".execute-api.localhost", "GET /v1/pets/42"},
		{pathForm + "/pets", "", `[{"id":1}]`},
	} {
		if code, body := get(tc.url, tc.host); code != 200 || body != tc.want {
			t.Errorf("GET %s (Host %s) = %d %q, want 200 %q", tc.url, tc.host, code, body, tc.want)
		}
	}
	if code, body := get(pathForm+"/cats", ""); code != 403 || body != `{"message":"Missing Authentication Token"}` {
		t.Errorf("unknown path: %d %s", code, body)
	}

	// Change the mock without deploying: still the old body.
	must(api.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `[{"id":2}]`}}))
	if _, body := get(pathForm+"/pets", ""); body != `[{"id":1}]` {
		t.Errorf("served an undeployed change: %s", body)
	}
	if _, err := api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, body := get(pathForm+"/pets", ""); body != `[{"id":2}]` {
		t.Errorf("after create-deployment: %s", body)
	}
	// update-stage back to the first deployment.
	must(api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &id, StageName: aws.String("prod"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/deploymentId"), Value: first.Id}}}))
	if _, body := get(pathForm+"/pets", ""); body != `[{"id":1}]` {
		t.Errorf("after update-stage /deploymentId: %s", body)
	}
}
