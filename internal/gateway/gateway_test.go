package gateway

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

func TestInvokeURLForms(t *testing.T) {
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("formsapi01")
	b.method("/", "GET", mockIntegration("200", `{"at":"root"}`))
	b.method("/pets/{petId}", "GET", mockIntegration("200", `{"at":"pet"}`))
	e.deploy(b, "prod", nil)

	tests := []struct {
		name, host, path, want string
	}{
		{"path form", "", "/restapis/formsapi01/prod/_user_request_/pets/42", `{"at":"pet"}`},
		{"path form root", "", "/restapis/formsapi01/prod/_user_request_/", `{"at":"root"}`},
		{"path form root without slash", "", "/restapis/formsapi01/prod/_user_request_", `{"at":"root"}`},
		{"path form id is case-insensitive", "", "/restapis/FORMSAPI01/prod/_user_request_/pets/42", `{"at":"pet"}`},
		{"host form", "formsapi01.execute-api.localhost", "/prod/pets/42", `{"at":"pet"}`},
		{"host form stage root", "formsapi01.execute-api.us-east-1.amazonaws.com", "/prod", `{"at":"root"}`},
		{"host form stage root slash", "formsapi01.execute-api.localhost:4566", "/prod/", `{"at":"root"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", e.srv.URL+tc.path, nil)
			if tc.host != "" {
				req.Host = tc.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if got := readAll(t, resp); resp.StatusCode != 200 || got != tc.want {
				t.Errorf("got %d %s, want 200 %s", resp.StatusCode, got, tc.want)
			}
			expectRequestIDs(t, resp)
		})
	}
}

func TestGatewayErrors(t *testing.T) {
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("errorsapi1")
	b.method("/pets", "GET", mockIntegration("200", `[]`))
	b.method("/broken", "GET", &apigw.Integration{Type: apigw.IntegrationHTTPProxy, URI: "not a url"})
	b.method("/noint", "GET", nil)
	e.deploy(b, "prod", nil)
	e.update(func(tx store.Tx) error {
		return tx.PutStage("errorsapi1", &apigw.Stage{StageName: "nodeploy"})
	})

	const missingToken = `{"message":"Missing Authentication Token"}`
	tests := []struct {
		name, verb, api, stage, path string
		status                       int
		errType, body                string
	}{
		{"unknown api", "GET", "nosuchapi0", "prod", "/pets", 403, "ForbiddenException", `{"message":"Forbidden"}`},
		{"unknown stage", "GET", "errorsapi1", "staging", "/pets", 403, "ForbiddenException", `{"message":"Forbidden"}`},
		{"stage names are case-sensitive", "GET", "errorsapi1", "Prod", "/pets", 403, "ForbiddenException", `{"message":"Forbidden"}`},
		{"unknown path", "GET", "errorsapi1", "prod", "/cats", 403, "MissingAuthenticationTokenException", missingToken},
		{"unknown method", "DELETE", "errorsapi1", "prod", "/pets", 403, "MissingAuthenticationTokenException", missingToken},
		{"root without method", "GET", "errorsapi1", "prod", "/", 403, "MissingAuthenticationTokenException", missingToken},
		{"stage without deployment", "GET", "errorsapi1", "nodeploy", "/pets", 500, "InternalServerErrorException",
			`{"message":"Stage 'nodeploy' has no deployment: create a deployment for it or set its deploymentId"}`},
		{"unusable integration uri", "GET", "errorsapi1", "prod", "/broken", 500, "InternalServerErrorException", `{"message": "Internal server error"}`},
		{"method without integration", "GET", "errorsapi1", "prod", "/noint", 500, "InternalServerErrorException", `{"message": "Internal server error"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := e.invoke(tc.verb, tc.api, tc.stage, tc.path, nil, nil)
			expectGatewayError(t, resp, tc.status, tc.errType, tc.body)
		})
	}
}

func TestDisableExecuteAPIEndpointNeedsRedeploy(t *testing.T) {
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("disabled01")
	b.method("/pets", "GET", mockIntegration("200", `[]`))
	e.deploy(b, "prod", nil)
	if resp := e.invoke("GET", "disabled01", "prod", "/pets", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("before: %d", resp.StatusCode)
	}
	b.api.DisableExecuteAPIEndpoint = true
	e.update(func(tx store.Tx) error { return tx.PutRestAPI(b.api) })
	if resp := e.invoke("GET", "disabled01", "prod", "/pets", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("the flag applied without a redeployment: %d", resp.StatusCode)
	}
	dep := b.snapshot()
	dep.DisableExecuteAPIEndpoint = true
	e.update(func(tx store.Tx) error {
		if err := tx.PutDeployment("disabled01", &apigw.Deployment{ID: "dep2", Snapshot: dep}); err != nil {
			return err
		}
		s, _ := tx.Stage("disabled01", "prod")
		s.DeploymentID = "dep2"
		return tx.PutStage("disabled01", s)
	})
	expectGatewayError(t, e.invoke("GET", "disabled01", "prod", "/pets", nil, nil), 403, "ForbiddenException", `{"message":"Forbidden"}`)
}

func TestDeletedAPIStopsServing(t *testing.T) {
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("deleteme01")
	b.method("/pets", "GET", mockIntegration("200", `[]`))
	e.deploy(b, "prod", nil)
	e.update(func(tx store.Tx) error { return tx.DeleteRestAPI("deleteme01") })
	expectGatewayError(t, e.invoke("GET", "deleteme01", "prod", "/pets", nil, nil), 403, "ForbiddenException", `{"message":"Forbidden"}`)
}

func TestRequestTooLarge(t *testing.T) {
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("bigbody001")
	b.method("/upload", "POST", mockIntegration("200", `{}`))
	e.deploy(b, "prod", nil)
	big := strings.Repeat("x", maxPayload+1)

	resp := e.invoke("POST", "bigbody001", "prod", "/upload", strings.NewReader(big), nil)
	expectGatewayError(t, resp, 413, "RequestTooLargeException", `{"message":"Request Too Long"}`)

	// Unknown length (chunked): the limit is enforced while reading.
	resp = e.invoke("POST", "bigbody001", "prod", "/upload", struct{ *strings.Reader }{strings.NewReader(big)}, nil)
	expectGatewayError(t, resp, 413, "RequestTooLargeException", `{"message":"Request Too Long"}`)

	resp = e.invoke("POST", "bigbody001", "prod", "/upload", strings.NewReader(strings.Repeat("x", maxPayload)), nil)
	if got := readAll(t, resp); resp.StatusCode != 200 {
		t.Errorf("exactly 10 MB: got %d %s, want 200", resp.StatusCode, got)
	}
}
