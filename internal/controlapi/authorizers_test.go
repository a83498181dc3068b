package controlapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/server"
)

const authURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"
const poolARN = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_AbC123"

// authRuntime is a TOKEN authorizer behind the Lambda runtime protocol: a
// token "ok" is allowed as principal "user", anything else throws
// Unauthorized. It counts its calls.
func authRuntime(t *testing.T) (string, *atomic.Int64) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var ev map[string]any
		json.NewDecoder(r.Body).Decode(&ev)
		if ev["authorizationToken"] != "ok" {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			io.WriteString(w, `{"errorMessage":"Unauthorized"}`)
			return
		}
		io.WriteString(w, `{"principalId":"user","context":{"plan":"gold"},"policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"`+ev["methodArn"].(string)+`"}]}}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &calls
}

func startAuthEnv(t *testing.T) (defEnv, *atomic.Int64) {
	url, calls := authRuntime(t)
	f := filepath.Join(t.TempDir(), "lambda.json")
	if err := os.WriteFile(f, []byte(`{"auth": "`+url+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return startDefEnv(t, &server.Config{LambdaEndpoints: f}), calls
}

func TestAuthorizerOperations(t *testing.T) {
	e, calls := startAuthEnv(t)
	apiID, rootID := e.newAPI(t)

	tok, err := e.c.CreateAuthorizer(bg, &apigateway.CreateAuthorizerInput{RestApiId: &apiID, Name: aws.String("tok"),
		Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(authURI), IdentitySource: aws.String("method.request.header.Authorization")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(tok.AuthorizerResultTtlInSeconds) != 300 || *tok.Name != "tok" || tok.Id == nil {
		t.Errorf("CreateAuthorizer = %+v", tok)
	}
	cog, err := e.c.CreateAuthorizer(bg, &apigateway.CreateAuthorizerInput{RestApiId: &apiID, Name: aws.String("pool"),
		Type: types.AuthorizerTypeCognitoUserPools, ProviderARNs: []string{poolARN}, IdentitySource: aws.String("method.request.header.Authorization")})
	if err != nil {
		t.Fatal(err)
	}
	list, err := e.c.GetAuthorizers(bg, &apigateway.GetAuthorizersInput{RestApiId: &apiID})
	if err != nil || len(list.Items) != 2 || *list.Items[0].Name != "pool" {
		t.Fatalf("GetAuthorizers = %+v, %v", list, err)
	}
	upd, err := e.c.UpdateAuthorizer(bg, &apigateway.UpdateAuthorizerInput{RestApiId: &apiID, AuthorizerId: tok.Id,
		PatchOperations: []types.PatchOperation{patchOp("replace", "/authorizerResultTtlInSeconds", "0"), patchOp("replace", "/name", "token")}})
	if err != nil || aws.ToInt32(upd.AuthorizerResultTtlInSeconds) != 0 || *upd.Name != "token" {
		t.Fatalf("UpdateAuthorizer = %+v, %v", upd, err)
	}

	// Methods name authorizers of their kind.
	_, err = e.c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("CUSTOM"), AuthorizerId: tok.Id})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("POST"),
		AuthorizationType: aws.String("CUSTOM"), AuthorizerId: cog.Id})
	defCheck(t, err, defBad("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."))
	m, err := e.c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("POST"),
		AuthorizationType: aws.String("COGNITO_USER_POOLS"), AuthorizerId: cog.Id, AuthorizationScopes: []string{"pets/read"}})
	if err != nil || *m.AuthorizerId != *cog.Id || m.AuthorizationScopes[0] != "pets/read" {
		t.Fatalf("PutMethod COGNITO = %+v, %v", m, err)
	}
	_, err = e.c.UpdateMethod(bg, &apigateway.UpdateMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("POST"),
		PatchOperations: []types.PatchOperation{patchOp("replace", "/authorizerId", *tok.Id)}})
	defCheck(t, err, defBad("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."))
	_, err = e.c.UpdateMethod(bg, &apigateway.UpdateMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("POST"),
		PatchOperations: []types.PatchOperation{patchOp("replace", "/authorizationType", "CUSTOM"), patchOp("replace", "/authorizerId", *tok.Id)}})
	if err != nil {
		t.Fatalf("UpdateMethod to CUSTOM: %v", err)
	}
	_, err = e.c.DeleteAuthorizer(bg, &apigateway.DeleteAuthorizerInput{RestApiId: &apiID, AuthorizerId: tok.Id})
	defCheck(t, err, defConflict("Cannot delete authorizer 'token', is referenced in method: GET /"))
	_, err = e.c.DeleteAuthorizer(bg, &apigateway.DeleteAuthorizerInput{RestApiId: &apiID, AuthorizerId: cog.Id})
	if err != nil {
		t.Fatalf("DeleteAuthorizer of an unused one: %v", err)
	}
	_, err = e.c.GetAuthorizer(bg, &apigateway.GetAuthorizerInput{RestApiId: &apiID, AuthorizerId: cog.Id})
	defCheck(t, err, defNotFound("Invalid Authorizer identifier specified"))

	// test-invoke-authorizer calls the function (as stored, undeployed).
	ti, err := e.c.TestInvokeAuthorizer(bg, &apigateway.TestInvokeAuthorizerInput{RestApiId: &apiID, AuthorizerId: tok.Id,
		Headers: map[string]string{"Authorization": "ok"}})
	if err != nil {
		t.Fatal(err)
	}
	if ti.ClientStatus != 0 || aws.ToString(ti.PrincipalId) != "user" || ti.Authorization["plan"][0] != "gold" || aws.ToString(ti.Log) == "" {
		t.Errorf("TestInvokeAuthorizer = %+v", ti)
	}
	var policy struct{ Statement []struct{ Resource string } }
	if err := json.Unmarshal([]byte(aws.ToString(ti.Policy)), &policy); err != nil || len(policy.Statement) != 1 ||
		policy.Statement[0].Resource != "arn:aws:execute-api:us-east-1:000000000000:"+apiID+"/ESTestInvoke-stage/GET/" {
		t.Errorf("policy = %q (%v)", aws.ToString(ti.Policy), err)
	}
	ti, err = e.c.TestInvokeAuthorizer(bg, &apigateway.TestInvokeAuthorizerInput{RestApiId: &apiID, AuthorizerId: tok.Id,
		Headers: map[string]string{"Authorization": "nope"}})
	if err != nil || ti.ClientStatus != 401 {
		t.Errorf("TestInvokeAuthorizer refused: %+v, %v", ti, err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("function called %d times, want 2", n)
	}
}

func TestCreateAuthorizerRejects(t *testing.T) {
	e, _ := startAuthEnv(t)
	apiID, _ := e.newAPI(t)
	cases := []struct {
		name string
		in   apigateway.CreateAuthorizerInput
		want defErr
	}{
		{"token source not a header", apigateway.CreateAuthorizerInput{Name: aws.String("a"), Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(authURI),
			IdentitySource: aws.String("method.request.querystring.key")},
			defBad("Invalid token source expression: method.request.querystring.key. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'.")},
		{"two token sources", apigateway.CreateAuthorizerInput{Name: aws.String("a"), Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(authURI),
			IdentitySource: aws.String("method.request.header.a, method.request.header.b")},
			defBad("Invalid token source expression: method.request.header.a, method.request.header.b. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'.")},
		{"bad type", apigateway.CreateAuthorizerInput{Name: aws.String("a"), Type: "JWT", IdentitySource: aws.String("method.request.header.a")},
			defInvalid("1 validation error detected: Value 'JWT' at 'createAuthorizerInput.type' failed to satisfy constraint: Member must satisfy enum value set: [TOKEN, REQUEST, COGNITO_USER_POOLS]")},
		{"no uri", apigateway.CreateAuthorizerInput{Name: aws.String("a"), Type: types.AuthorizerTypeToken, IdentitySource: aws.String("method.request.header.a")},
			defBad("Invalid Authorizer URI specified: ")},
		{"ttl too long", apigateway.CreateAuthorizerInput{Name: aws.String("a"), Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(authURI),
			IdentitySource: aws.String("method.request.header.a"), AuthorizerResultTtlInSeconds: aws.Int32(3601)},
			defBad("Invalid authorizer result TTL specified: 3601. Must be between 0 and 3600")},
		{"request source", apigateway.CreateAuthorizerInput{Name: aws.String("a"), Type: types.AuthorizerTypeRequest, AuthorizerUri: aws.String(authURI),
			IdentitySource: aws.String("method.request.path.id")}, defBad("Invalid identity source expression: method.request.path.id")},
		{"pool arn", apigateway.CreateAuthorizerInput{Name: aws.String("a"), Type: types.AuthorizerTypeCognitoUserPools,
			ProviderARNs: []string{"arn:aws:s3:::bucket"}, IdentitySource: aws.String("method.request.header.a")},
			defBad("Invalid Cognito User Pool ARN specified: arn:aws:s3:::bucket")},
		{"bad regex", apigateway.CreateAuthorizerInput{Name: aws.String("a"), Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(authURI),
			IdentitySource: aws.String("method.request.header.a"), IdentityValidationExpression: aws.String("(")},
			defBad("Invalid identity validation expression specified: (")},
	}
	for _, c := range cases {
		in := c.in
		in.RestApiId = &apiID
		_, err := e.c.CreateAuthorizer(bg, &in)
		t.Run(c.name, func(t *testing.T) { defCheck(t, err, c.want) })
	}
	list, err := e.c.GetAuthorizers(bg, &apigateway.GetAuthorizersInput{RestApiId: &apiID})
	if err != nil || len(list.Items) != 0 {
		t.Errorf("refused creates stored something: %+v %v", list, err)
	}
	// A REQUEST authorizer without identity sources is fine without caching.
	_, err = e.c.CreateAuthorizer(bg, &apigateway.CreateAuthorizerInput{RestApiId: &apiID, Name: aws.String("r"), Type: types.AuthorizerTypeRequest,
		AuthorizerUri: aws.String(authURI), AuthorizerResultTtlInSeconds: aws.Int32(0)})
	if err != nil {
		t.Errorf("REQUEST authorizer without sources or caching: %v", err)
	}
}
