package gateway_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/server"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// An authorized request's access log line carries $context.authorizer.*,
// a refused one $context.error.*, and the execution log AWS's authorizer
// lines.
func TestAuthorizerTelemetry(t *testing.T) {
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		json.NewDecoder(r.Body).Decode(&ev)
		if ev["authorizationToken"] != "good" {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			io.WriteString(w, `{"errorMessage":"Unauthorized"}`)
			return
		}
		io.WriteString(w, `{"principalId":"alice","context":{"tier":"gold"},"policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}}`)
	}))
	t.Cleanup(fn.Close)
	f := filepath.Join(t.TempDir(), "lambda.json")
	if err := os.WriteFile(f, []byte(`{"auth":"`+fn.URL+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	a := newTelAPI(t, &server.Config{LambdaEndpoints: f})
	ctx := servertest.Ctx()
	au, err := a.api.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: &a.id, Name: aws.String("tok"), Type: types.AuthorizerTypeToken,
		AuthorizerUri:  aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"),
		IdentitySource: aws.String("method.request.header.Authorization")})
	a.must(err)
	res, err := a.api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &a.id})
	a.must(err)
	var pets string
	for _, r := range res.Items {
		if aws.ToString(r.Path) == "/pets" {
			pets = *r.Id
		}
	}
	_, err = a.api.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: &a.id, ResourceId: &pets, HttpMethod: aws.String("GET"),
		PatchOperations: []types.PatchOperation{telReplace("/authorizationType", "CUSTOM"), telReplace("/authorizerId", *au.Id)}})
	a.must(err)
	d, err := a.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &a.id})
	a.must(err)
	a.deployment = *d.Id
	a.allowLogging()
	a.stage("live", "/*/*/logging/loglevel=INFO",
		"/accessLogSettings/destinationArn="+telAccessARN+"auth-access",
		`/accessLogSettings/format=$context.requestId principal=$context.authorizer.principalId tier=$context.authorizer.tier status=$context.authorizer.status error=$context.error.responseType msg=$context.error.message`)

	status, ok := a.invoke("GET", "live", "/pets", http.Header{"Authorization": {"good"}}, "")
	if status != 200 {
		t.Fatalf("authorized: %d", status)
	}
	status, refused := a.invoke("GET", "live", "/pets", http.Header{"Authorization": {"bad"}}, "")
	if status != 401 {
		t.Fatalf("refused: %d", status)
	}
	a.flush()
	for rid, want := range map[string]string{
		ok:      ok + " principal=alice tier=gold status=200 error=- msg=-",
		refused: refused + " principal=- tier=- status=401 error=UNAUTHORIZED msg=Unauthorized",
	} {
		if got := a.lines("auth-access", rid); len(got) != 1 || got[0] != want {
			t.Errorf("access log = %q, want %q", got, want)
		}
	}
	lines := a.execLines("live", ok)
	for _, want := range []string{"Starting authorizer: " + *au.Id + " for request: " + ok, "Using valid authorizer policy for principal: ", "Successfully completed authorizer execution"} {
		if !contains(lines, want) {
			t.Errorf("execution log of %s lacks %q:\n%s", ok, want, strings.Join(lines, "\n"))
		}
	}
	if lines := a.execLines("live", refused); !contains(lines, "Unauthorized request: "+refused) {
		t.Errorf("execution log of the refused request:\n%s", strings.Join(lines, "\n"))
	}
}
