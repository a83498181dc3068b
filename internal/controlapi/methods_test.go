package controlapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

const mappingPrefix = "Invalid mapping expression specified: Validation Result: warnings : [], errors : ["

func TestPutMethod(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	cases := []struct {
		verb string
		in   apigateway.PutMethodInput
	}{
		{"GET", apigateway.PutMethodInput{AuthorizationType: aws.String("NONE")}},
		{"POST", apigateway.PutMethodInput{AuthorizationType: aws.String("AWS_IAM"), ApiKeyRequired: true, OperationName: aws.String("CreatePet"),
			RequestParameters: map[string]bool{"method.request.header.X-Trace": false, "method.request.querystring.dry": true},
			RequestModels:     map[string]string{"application/json": "Empty"}}},
		{"ANY", apigateway.PutMethodInput{AuthorizationType: aws.String("none")}},
		{"DELETE", apigateway.PutMethodInput{AuthorizationType: aws.String("NONE"), RequestModels: map[string]string{"application/json": "Error"}}},
	}
	for _, tc := range cases {
		t.Run(tc.verb, func(t *testing.T) {
			in := tc.in
			in.RestApiId, in.ResourceId, in.HttpMethod = &apiID, &rootID, aws.String(tc.verb)
			out, err := e.c.PutMethod(bg, &in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.c.GetMethod(bg, &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String(tc.verb)})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []*apigateway.GetMethodOutput{got, (*apigateway.GetMethodOutput)(out)} {
				if *m.HttpMethod != tc.verb || *m.ApiKeyRequired != tc.in.ApiKeyRequired || len(m.RequestParameters) != len(tc.in.RequestParameters) ||
					len(m.RequestModels) != len(tc.in.RequestModels) || m.MethodIntegration != nil {
					t.Errorf("method: %+v", m)
				}
			}
			if tc.verb == "ANY" && *got.AuthorizationType != "NONE" {
				t.Errorf("authorization type stored as %q, want it upper-cased", *got.AuthorizationType)
			}
			if tc.verb == "POST" && (*got.OperationName != "CreatePet" || !got.RequestParameters["method.request.querystring.dry"] || *got.AuthorizationType != "AWS_IAM") {
				t.Errorf("POST: %+v", got)
			}
		})
	}
	status, body := e.rawJSON(t, "GET", "/restapis/"+apiID+"/resources/"+rootID+"/methods/GET", "")
	if status != 200 || body["apiKeyRequired"] != false || body["httpMethod"] != "GET" {
		t.Errorf("raw GetMethod: %d %v", status, body)
	}
}

func TestPutMethodRejects(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	e.newMethod(t, apiID, rootID, "GET", nil)
	none := aws.String("NONE")
	cases := []struct {
		name, api, resource, verb string
		in                        apigateway.PutMethodInput
		want                      defErr
	}{
		{"verb", apiID, rootID, "FETCH", apigateway.PutMethodInput{AuthorizationType: none},
			defBad("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")},
		{"authorization type", apiID, rootID, "POST", apigateway.PutMethodInput{AuthorizationType: aws.String("BASIC")}, defBad("Invalid authorization type specified")},
		{"empty authorization type", apiID, rootID, "POST", apigateway.PutMethodInput{AuthorizationType: aws.String("")}, defBad("Invalid authorization type specified")},
		{"custom without authorizer", apiID, rootID, "POST", apigateway.PutMethodInput{AuthorizationType: aws.String("CUSTOM")},
			defBad("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")},
		{"cognito with unknown authorizer", apiID, rootID, "POST", apigateway.PutMethodInput{AuthorizationType: aws.String("COGNITO_USER_POOLS"), AuthorizerId: aws.String("abc123")},
			defBad("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")},
		{"parameter names not unique", apiID, rootID, "POST", apigateway.PutMethodInput{AuthorizationType: none,
			RequestParameters: map[string]bool{"method.request.header.id": true, "method.request.querystring.id": false}},
			defBad("Parameter names must be unique across querystring, header and path")},
		{"parameter location", apiID, rootID, "POST", apigateway.PutMethodInput{AuthorizationType: none,
			RequestParameters: map[string]bool{"method.request.cookie.id": true}},
			defBad(mappingPrefix + "Invalid mapping expression parameter specified: method.request.cookie.id]")},
		{"request validator", apiID, rootID, "POST", apigateway.PutMethodInput{AuthorizationType: none, RequestValidatorId: aws.String("v1")},
			defBad("Invalid Request Validator identifier specified")},
		{"request model", apiID, rootID, "POST", apigateway.PutMethodInput{AuthorizationType: none, RequestModels: map[string]string{"application/json": "Pet"}},
			defBad("Invalid model identifier specified: Pet")},
		{"exists", apiID, rootID, "GET", apigateway.PutMethodInput{AuthorizationType: none}, defConflict("Method already exists for this resource")},
		{"unknown resource", apiID, "nosuchres0", "GET", apigateway.PutMethodInput{AuthorizationType: none}, defNotFound("Invalid Resource identifier specified")},
		{"unknown API", "nosuchapi0", rootID, "GET", apigateway.PutMethodInput{AuthorizationType: none}, defNoAPI("nosuchapi0")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.RestApiId, in.ResourceId, in.HttpMethod = aws.String(tc.api), aws.String(tc.resource), aws.String(tc.verb)
			_, err := e.c.PutMethod(bg, &in)
			defCheck(t, err, tc.want)
		})
	}
	res, err := e.c.GetResource(bg, &apigateway.GetResourceInput{RestApiId: &apiID, ResourceId: &rootID})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.ResourceMethods) != 1 {
		t.Errorf("refused puts left methods %v", res.ResourceMethods)
	}
	_, err = e.c.GetMethod(bg, &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("POST")})
	defCheck(t, err, defNotFound("Invalid Method identifier specified"))
}

func TestUpdateMethod(t *testing.T) {
	op := func(o types.Op, path, value string) types.PatchOperation {
		return types.PatchOperation{Op: o, Path: aws.String(path), Value: aws.String(value)}
	}
	cases := []struct {
		name  string
		ops   []types.PatchOperation
		check func(*apigateway.UpdateMethodOutput) bool
	}{
		{"authorization type", []types.PatchOperation{op(types.OpReplace, "/authorizationType", "AWS_IAM")},
			func(m *apigateway.UpdateMethodOutput) bool { return *m.AuthorizationType == "AWS_IAM" }},
		{"api key required", []types.PatchOperation{op(types.OpReplace, "/apiKeyRequired", "true")},
			func(m *apigateway.UpdateMethodOutput) bool { return *m.ApiKeyRequired }},
		{"operation name", []types.PatchOperation{op(types.OpReplace, "/operationName", "ListPets")},
			func(m *apigateway.UpdateMethodOutput) bool { return *m.OperationName == "ListPets" }},
		{"add request parameter", []types.PatchOperation{op(types.OpAdd, "/requestParameters/method.request.header.X-Id", "true")},
			func(m *apigateway.UpdateMethodOutput) bool {
				return m.RequestParameters["method.request.header.X-Id"] && len(m.RequestParameters) == 2
			}},
		{"replace request parameter", []types.PatchOperation{op(types.OpReplace, "/requestParameters/method.request.querystring.kind", "true")},
			func(m *apigateway.UpdateMethodOutput) bool {
				return m.RequestParameters["method.request.querystring.kind"]
			}},
		{"remove request parameter", []types.PatchOperation{{Op: types.OpRemove, Path: aws.String("/requestParameters/method.request.querystring.kind")}},
			func(m *apigateway.UpdateMethodOutput) bool { return m.RequestParameters == nil }},
		{"request model", []types.PatchOperation{op(types.OpAdd, "/requestModels/application~1json", "Empty")},
			func(m *apigateway.UpdateMethodOutput) bool { return m.RequestModels["application/json"] == "Empty" }},
		{"authorization scopes", []types.PatchOperation{op(types.OpAdd, "/authorizationScopes", "pets/read")},
			func(m *apigateway.UpdateMethodOutput) bool {
				return len(m.AuthorizationScopes) == 1 && m.AuthorizationScopes[0] == "pets/read"
			}},
		{"authorizer id on a NONE method is ignored", []types.PatchOperation{op(types.OpReplace, "/authorizerId", "abc123")},
			func(m *apigateway.UpdateMethodOutput) bool { return m.AuthorizerId == nil }},
		{"request validator removed with empty value", []types.PatchOperation{op(types.OpReplace, "/requestValidatorId", "")},
			func(m *apigateway.UpdateMethodOutput) bool { return m.RequestValidatorId == nil }},
	}
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := e.newResource(t, apiID, rootID, fmt.Sprintf("r%d", i))
			e.newMethod(t, apiID, res, "GET", map[string]bool{"method.request.querystring.kind": false})
			out, err := e.c.UpdateMethod(bg, &apigateway.UpdateMethodInput{RestApiId: &apiID, ResourceId: &res, HttpMethod: aws.String("GET"), PatchOperations: tc.ops})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(out) {
				t.Errorf("after update: %+v", out)
			}
			got, err := e.c.GetMethod(bg, &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: &res, HttpMethod: aws.String("GET")})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check((*apigateway.UpdateMethodOutput)(got)) {
				t.Errorf("stored: %+v", got)
			}
		})
	}
}

func TestUpdateMethodRejects(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	e.newMethod(t, apiID, rootID, "GET", map[string]bool{"method.request.querystring.kind": false})
	rename := types.PatchOperation{Op: types.OpReplace, Path: aws.String("/operationName"), Value: aws.String("Renamed")}
	cases := []struct {
		name string
		op   types.PatchOperation
		want defErr
	}{
		{"unknown path", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/httpMethod"), Value: aws.String("POST")}, defBad("Invalid patch path /httpMethod")},
		{"add to operation name", types.PatchOperation{Op: types.OpAdd, Path: aws.String("/operationName"), Value: aws.String("x")},
			defBad("Invalid patch operation specified. Must be one of: [replace]")},
		{"replace scopes", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/authorizationScopes"), Value: aws.String("x")},
			defBad("Invalid patch operation specified. Must be one of: [add, remove]")},
		{"custom authorization", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/authorizationType"), Value: aws.String("CUSTOM")},
			defBad("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")},
		{"unknown authorization", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/authorizationType"), Value: aws.String("BASIC")},
			defBad("Invalid authorization type specified")},
		{"remove undeclared parameter", types.PatchOperation{Op: types.OpRemove, Path: aws.String("/requestParameters/method.request.header.Nope")},
			defNotFound("Invalid parameter name specified")},
		{"duplicate parameter name", types.PatchOperation{Op: types.OpAdd, Path: aws.String("/requestParameters/method.request.header.kind"), Value: aws.String("false")},
			defBad("Parameter names must be unique across querystring, header and path")},
		{"parameter location", types.PatchOperation{Op: types.OpAdd, Path: aws.String("/requestParameters/method.request.body.kind"), Value: aws.String("false")},
			defBad(mappingPrefix + "Invalid mapping expression parameter specified: method.request.body.kind]")},
		{"api key required not boolean", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/apiKeyRequired"), Value: aws.String("maybe")},
			defBad("Invalid patch value  'maybe' specified for op 'replace'. Must be a boolean")},
		{"request validator", types.PatchOperation{Op: types.OpReplace, Path: aws.String("/requestValidatorId"), Value: aws.String("v1")},
			defBad("Invalid Request Validator identifier specified")},
		{"request model", types.PatchOperation{Op: types.OpAdd, Path: aws.String("/requestModels/application~1json"), Value: aws.String("Pet")},
			defBad("Invalid model identifier specified: Pet")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.UpdateMethod(bg, &apigateway.UpdateMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("GET"),
				PatchOperations: []types.PatchOperation{rename, tc.op}})
			defCheck(t, err, tc.want)
			got, err := e.c.GetMethod(bg, &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("GET")})
			if err != nil {
				t.Fatal(err)
			}
			if got.OperationName != nil || len(got.RequestParameters) != 1 {
				t.Errorf("refused update changed the method: %+v", got)
			}
		})
	}
	_, err := e.c.UpdateMethod(bg, &apigateway.UpdateMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("PUT"), PatchOperations: []types.PatchOperation{rename}})
	defCheck(t, err, defNotFound("Invalid Method identifier specified"))
}

func TestDeleteMethod(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	e.newMethod(t, apiID, rootID, "GET", nil)
	status, _ := e.rawJSON(t, http.MethodDelete, "/restapis/"+apiID+"/resources/"+rootID+"/methods/GET", "")
	if status != http.StatusNoContent {
		t.Fatalf("DeleteMethod status %d, want 204", status)
	}
	_, err := e.c.GetMethod(bg, &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("GET")})
	defCheck(t, err, defNotFound("Invalid Method identifier specified"))
	_, err = e.c.DeleteMethod(bg, &apigateway.DeleteMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("GET")})
	defCheck(t, err, defNotFound("Invalid Method identifier specified"))
	// Deleted, the method can be put again.
	e.newMethod(t, apiID, rootID, "GET", nil)
}

func TestMethodResponses(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	e.newMethod(t, apiID, rootID, "GET", nil)
	get := aws.String("GET")
	put, err := e.c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: get, StatusCode: aws.String("200"),
		ResponseParameters: map[string]bool{"method.response.header.X-Total": true}, ResponseModels: map[string]string{"application/json": "Empty"}})
	if err != nil {
		t.Fatal(err)
	}
	if *put.StatusCode != "200" || !put.ResponseParameters["method.response.header.X-Total"] || put.ResponseModels["application/json"] != "Empty" {
		t.Errorf("put: %+v", put)
	}
	status, _ := e.rawJSON(t, http.MethodPatch, "/restapis/"+apiID+"/resources/"+rootID+"/methods/GET/responses/200",
		`{"patchOperations":[{"op":"add","path":"/responseParameters/method.response.header.Link","value":"false"},
		{"op":"remove","path":"/responseModels/application~1json"}]}`)
	if status != http.StatusCreated {
		t.Errorf("UpdateMethodResponse status %d, want 201 (the model's code)", status)
	}
	got, err := e.c.GetMethodResponse(bg, &apigateway.GetMethodResponseInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: get, StatusCode: aws.String("200")})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.ResponseParameters["method.response.header.Link"]; !ok || got.ResponseModels != nil || len(got.ResponseParameters) != 2 {
		t.Errorf("after update: %+v", got)
	}
	m, err := e.c.GetMethod(bg, &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: get})
	if err != nil || m.MethodResponses["200"].StatusCode == nil {
		t.Errorf("method responses on the method: %+v %v", m, err)
	}

	cases := []struct {
		name string
		call func() error
		want defErr
	}{
		{"bad status code", func() error {
			_, err := e.c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: get, StatusCode: aws.String("20x")})
			return err
		}, defBad("Invalid status code specified: 20x")},
		{"bad header key", func() error {
			_, err := e.c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: get, StatusCode: aws.String("404"),
				ResponseParameters: map[string]bool{"method.response.body": true}})
			return err
		}, defBad(mappingPrefix + "Invalid mapping expression parameter specified: method.response.body]")},
		{"unknown model", func() error {
			_, err := e.c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: get, StatusCode: aws.String("404"),
				ResponseModels: map[string]string{"application/json": "Pet"}})
			return err
		}, defBad("Invalid model identifier specified: Pet")},
		{"unknown method", func() error {
			_, err := e.c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("POST"), StatusCode: aws.String("200")})
			return err
		}, defNotFound("Invalid Method identifier specified")},
		{"get unknown status", func() error {
			_, err := e.c.GetMethodResponse(bg, &apigateway.GetMethodResponseInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: get, StatusCode: aws.String("500")})
			return err
		}, defNotFound("Invalid Response status code specified")},
		{"update bad path", func() error {
			_, err := e.c.UpdateMethodResponse(bg, &apigateway.UpdateMethodResponseInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: get, StatusCode: aws.String("200"),
				PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/statusCode"), Value: aws.String("201")}}})
			return err
		}, defBad("Invalid patch path /statusCode")},
		{"update removes undeclared header", func() error {
			_, err := e.c.UpdateMethodResponse(bg, &apigateway.UpdateMethodResponseInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: get, StatusCode: aws.String("200"),
				PatchOperations: []types.PatchOperation{{Op: types.OpRemove, Path: aws.String("/responseParameters/method.response.header.Nope")}}})
			return err
		}, defNotFound("Invalid parameter name specified")},
		{"delete unknown status", func() error {
			_, err := e.c.DeleteMethodResponse(bg, &apigateway.DeleteMethodResponseInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: get, StatusCode: aws.String("500")})
			return err
		}, defNotFound("Invalid Response status code specified")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { defCheck(t, tc.call(), tc.want) })
	}
	status, _ = e.rawJSON(t, http.MethodDelete, "/restapis/"+apiID+"/resources/"+rootID+"/methods/GET/responses/200", "")
	if status != http.StatusNoContent {
		t.Errorf("DeleteMethodResponse status %d, want 204", status)
	}
	_, err = e.c.GetMethodResponse(bg, &apigateway.GetMethodResponseInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: get, StatusCode: aws.String("200")})
	defCheck(t, err, defNotFound("Invalid Response status code specified"))
}
