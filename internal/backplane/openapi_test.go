package backplane_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/smithy-go"
	"go.yaml.in/yaml/v3"

	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// The OpenAPI tests drive ImportRestApi, PutRestApi and GetExport through
// the SDK against a whole in-process gateway, with petstore-style
// definitions as API Gateway's own examples write them.

const lambdaURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:pets/invocations"

// petstoreOAS3 is OpenAPI 3.0 in JSON: a MOCK root page, HTTP
// integrations with parameter mappings and integration responses, a CORS
// preflight, an HTTP_PROXY with a $ref parameter and an API key, a Lambda
// proxy on ANY {proxy+}, and binary media types.
const petstoreOAS3 = `{
  "openapi": "3.0.1",
  "info": {"title": "PetStore", "description": "Your first API with Amazon API Gateway.", "version": "2024-01-01"},
  "servers": [{"url": "https://petstore.example.com/{basePath}", "variables": {"basePath": {"default": "v1"}}}],
  "paths": {
    "/": {
      "get": {
        "responses": {"200": {"description": "200 response", "headers": {"Content-Type": {"schema": {"type": "string"}}}}},
        "x-amazon-apigateway-integration": {
          "type": "mock",
          "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
          "passthroughBehavior": "when_no_match",
          "responses": {"default": {"statusCode": "200",
            "responseParameters": {"method.response.header.Content-Type": "'text/html'"},
            "responseTemplates": {"text/html": "<html><body>Welcome</body></html>"}}}
        }
      }
    },
    "/pets": {
      "get": {
        "operationId": "ListPets",
        "parameters": [{"name": "type", "in": "query", "schema": {"type": "string"}}, {"name": "page", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "200 response", "headers": {"Access-Control-Allow-Origin": {"schema": {"type": "string"}}}}},
        "x-amazon-apigateway-integration": {
          "type": "http", "httpMethod": "GET", "uri": "http://petstore.example.com/petstore/pets",
          "requestParameters": {"integration.request.querystring.page": "method.request.querystring.page", "integration.request.querystring.type": "method.request.querystring.type"},
          "responses": {"default": {"statusCode": "200", "responseParameters": {"method.response.header.Access-Control-Allow-Origin": "'*'"}}},
          "passthroughBehavior": "when_no_match", "timeoutInMillis": 10000
        }
      },
      "post": {
        "operationId": "CreatePet",
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}, "required": true},
        "responses": {"200": {"description": "200 response"}},
        "x-amazon-apigateway-integration": {"type": "http", "httpMethod": "POST", "uri": "http://petstore.example.com/petstore/pets",
          "responses": {"default": {"statusCode": "200"}}, "passthroughBehavior": "when_no_match"}
      },
      "options": {
        "responses": {"200": {"description": "200 response", "headers": {
          "Access-Control-Allow-Origin": {"schema": {"type": "string"}},
          "Access-Control-Allow-Methods": {"schema": {"type": "string"}},
          "Access-Control-Allow-Headers": {"schema": {"type": "string"}}}}},
        "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
          "responses": {"default": {"statusCode": "200", "responseParameters": {
            "method.response.header.Access-Control-Allow-Methods": "'POST,GET,OPTIONS'",
            "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Amz-Date,Authorization,X-Api-Key'",
            "method.response.header.Access-Control-Allow-Origin": "'*'"}}},
          "passthroughBehavior": "when_no_match"}
      }
    },
    "/pets/{petId}": {
      "get": {
        "operationId": "GetPet",
        "parameters": [{"$ref": "#/components/parameters/petId"}],
        "security": [{"api_key": []}],
        "responses": {"200": {"description": "200 response"}},
        "x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "GET", "uri": "http://petstore.example.com/petstore/pets/{petId}",
          "requestParameters": {"integration.request.path.petId": "method.request.path.petId"}}
      }
    },
    "/lambda/{proxy+}": {
      "x-amazon-apigateway-any-method": {
        "parameters": [{"name": "proxy", "in": "path", "required": true, "schema": {"type": "string"}}],
        "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": "` + lambdaURI + `", "cacheKeyParameters": ["method.request.path.proxy"]}
      }
    }
  },
  "components": {
    "parameters": {"petId": {"name": "petId", "in": "path", "required": true, "schema": {"type": "string"}}},
    "securitySchemes": {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}
  },
  "x-amazon-apigateway-binary-media-types": ["image/png"]
}`

// petstoreSwagger is the same kind of API as Swagger 2.0 in YAML, with
// unquoted status codes as YAML authors write them.
const petstoreSwagger = `swagger: "2.0"
info:
  title: PetStore2
  version: "1.0"
basePath: /v1
schemes: [https]
paths:
  /pets:
    get:
      operationId: ListPets
      parameters:
        - name: type
          in: query
          type: string
        - name: X-Trace
          in: header
          required: true
          type: string
      responses:
        200:
          description: ok
          headers:
            X-Total:
              type: string
      x-amazon-apigateway-integration:
        type: http
        httpMethod: GET
        uri: http://petstore.example.com/pets
        requestParameters:
          integration.request.querystring.type: method.request.querystring.type
        responses:
          "2\\d{2}":
            statusCode: 200
            responseParameters:
              method.response.header.X-Total: integration.response.header.X-Count
          default:
            statusCode: 200
  /pets/{petId}:
    parameters:
      - $ref: '#/parameters/petId'
    delete:
      responses:
        204:
          description: gone
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 204}'
        responses:
          default:
            statusCode: 204
parameters:
  petId:
    name: petId
    in: path
    required: true
    type: string
`

type env struct {
	*servertest.Env
	c *apigateway.Client
}

var bg = context.Background()

func start(t *testing.T) env {
	t.Helper()
	e := servertest.Start(t, nil)
	return env{Env: e, c: apigateway.NewFromConfig(e.AWSConfig(), func(o *apigateway.Options) { o.RetryMaxAttempts = 1 })}
}

// methods returns path → verb → method of an API, embedded in full.
func (e env) methods(t *testing.T, apiID string) map[string]map[string]types.Method {
	t.Helper()
	out, err := e.c.GetResources(bg, &apigateway.GetResourcesInput{RestApiId: &apiID, Embed: []string{"methods"}, Limit: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]map[string]types.Method{}
	for _, r := range out.Items {
		m[*r.Path] = r.ResourceMethods
	}
	return m
}

func checkErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v, want %s %q", err, code, msg)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Errorf("got  %s %q\nwant %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func TestImportPetstoreOAS3(t *testing.T) {
	e := start(t)
	api, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: []byte(petstoreOAS3)})
	if err != nil {
		t.Fatal(err)
	}
	if *api.Name != "PetStore" || *api.Description != "Your first API with Amazon API Gateway." || *api.Version != "2024-01-01" ||
		len(api.BinaryMediaTypes) != 1 || api.BinaryMediaTypes[0] != "image/png" || api.EndpointConfiguration.Types[0] != types.EndpointTypeEdge ||
		len(api.Warnings) != 0 {
		t.Errorf("imported API: %+v", api)
	}
	m := e.methods(t, *api.Id)
	if len(m) != 5 || m["/lambda"] != nil {
		t.Errorf("resources: %v", m)
	}
	root := m["/"]["GET"]
	if root.MethodIntegration.Type != types.IntegrationTypeMock || *root.MethodIntegration.PassthroughBehavior != "WHEN_NO_MATCH" ||
		root.MethodIntegration.IntegrationResponses["200"].ResponseTemplates["text/html"] == "" ||
		root.MethodIntegration.IntegrationResponses["200"].SelectionPattern != nil {
		t.Errorf("GET /: %+v", root.MethodIntegration)
	}
	list := m["/pets"]["GET"]
	if *list.OperationName != "ListPets" || len(list.RequestParameters) != 2 || list.RequestParameters["method.request.querystring.type"] ||
		list.MethodIntegration.Type != types.IntegrationTypeHttp || list.MethodIntegration.TimeoutInMillis != 10000 ||
		list.MethodIntegration.RequestParameters["integration.request.querystring.page"] != "method.request.querystring.page" ||
		list.MethodIntegration.IntegrationResponses["200"].ResponseParameters["method.response.header.Access-Control-Allow-Origin"] != "'*'" {
		t.Errorf("GET /pets: %+v", list)
	}
	if _, ok := list.MethodResponses["200"].ResponseParameters["method.response.header.Access-Control-Allow-Origin"]; !ok {
		t.Errorf("GET /pets method response: %+v", list.MethodResponses)
	}
	if opts := m["/pets"]["OPTIONS"]; len(opts.MethodIntegration.IntegrationResponses["200"].ResponseParameters) != 3 {
		t.Errorf("OPTIONS /pets: %+v", opts.MethodIntegration)
	}
	if post := m["/pets"]["POST"]; post.MethodIntegration.Type != types.IntegrationTypeHttp || *post.MethodIntegration.HttpMethod != "POST" {
		t.Errorf("POST /pets: %+v", post)
	}
	pet := m["/pets/{petId}"]["GET"]
	if !*pet.ApiKeyRequired || !pet.RequestParameters["method.request.path.petId"] || pet.MethodIntegration.Type != types.IntegrationTypeHttpProxy {
		t.Errorf("GET /pets/{petId}: %+v", pet)
	}
	proxy := m["/lambda/{proxy+}"]["ANY"]
	if proxy.MethodIntegration.Type != types.IntegrationTypeAwsProxy || *proxy.MethodIntegration.Uri != lambdaURI ||
		proxy.MethodIntegration.ConnectionType != types.ConnectionTypeInternet || len(proxy.MethodIntegration.CacheKeyParameters) != 1 {
		t.Errorf("ANY /lambda/{proxy+}: %+v", proxy.MethodIntegration)
	}
}

func TestImportPetstoreSwaggerYAML(t *testing.T) {
	e := start(t)
	api, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: []byte(petstoreSwagger),
		Parameters: map[string]string{"basepath": "prepend", "endpointConfigurationTypes": "REGIONAL"}})
	if err != nil {
		t.Fatal(err)
	}
	if *api.Name != "PetStore2" || api.EndpointConfiguration.Types[0] != types.EndpointTypeRegional {
		t.Errorf("imported: %+v", api)
	}
	m := e.methods(t, *api.Id)
	list := m["/v1/pets"]["GET"]
	if list.MethodIntegration == nil || !list.RequestParameters["method.request.header.X-Trace"] || len(list.MethodIntegration.IntegrationResponses) != 1 {
		t.Fatalf("GET /v1/pets: %+v", list)
	}
	// Two selection patterns map to 200; the later key in sorted order
	// ("default") is the one kept, as the map key is the status code.
	if ir := list.MethodIntegration.IntegrationResponses["200"]; *ir.StatusCode != "200" {
		t.Errorf("integration response: %+v", ir)
	}
	del := m["/v1/pets/{petId}"]["DELETE"]
	if del.MethodIntegration.Type != types.IntegrationTypeMock || !del.RequestParameters["method.request.path.petId"] ||
		*del.MethodIntegration.IntegrationResponses["204"].StatusCode != "204" || del.MethodResponses["204"].StatusCode == nil {
		t.Errorf("DELETE /v1/pets/{petId}: %+v", del)
	}
	// basepath=split drops the first segment ("v1"), the stage name.
	split, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: []byte(strings.Replace(petstoreSwagger, "basePath: /v1", "basePath: /v1/store", 1)),
		Parameters: map[string]string{"basepath": "split"}})
	if err != nil {
		t.Fatal(err)
	}
	if m := e.methods(t, *split.Id); m["/store/pets"]["GET"].HttpMethod == nil {
		t.Errorf("split base path: %v", m)
	}
}

func TestImportRejects(t *testing.T) {
	e := start(t)
	badIntegration := strings.Replace(petstoreOAS3, `"type": "http", "httpMethod": "GET"`, `"type": "ftp", "httpMethod": "GET"`, 1)
	undeclared := strings.Replace(petstoreOAS3, `"integration.request.querystring.page": "method.request.querystring.page"`,
		`"integration.request.querystring.page": "method.request.querystring.pageNumber"`, 1)
	withAuthorizer := strings.Replace(petstoreOAS3, `"securitySchemes": {`,
		`"securitySchemes": {"cognito": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools"}},`, 1)
	withAuthorizer = strings.Replace(withAuthorizer, `"operationId": "CreatePet",`, `"operationId": "CreatePet", "security": [{"cognito": []}],`, 1)
	cases := []struct {
		name     string
		body     string
		failWarn bool
		code     string
		msg      string
	}{
		{"not a document", "hello: [", false, "BadRequestException", "Invalid OpenAPI input."},
		{"no version field", `{"info": {"title": "x"}, "paths": {}}`, false, "BadRequestException", "Invalid OpenAPI input."},
		{"empty body", "", false, "BadRequestException", "Invalid OpenAPI input."},
		{"no title", `{"openapi": "3.0.1", "info": {}, "paths": {}}`, false, "BadRequestException", "Name cannot be an empty string"},
		{"bad integration type", badIntegration, false, "BadRequestException",
			"Errors found during import:\n\tUnable to put integration on 'GET' for resource at path '/pets': 1 validation error detected: Value 'FTP' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]"},
		{"undeclared parameter", undeclared, false, "BadRequestException",
			"Errors found during import:\n\tUnable to put integration on 'GET' for resource at path '/pets': Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: method.request.querystring.pageNumber]"},
		{"bad path part", `{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a b": {}}}`, false, "BadRequestException",
			"Errors found during import:\n\tUnable to create resource at path '/a b': Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace."},
		{"authorizer with failonwarnings", withAuthorizer, true, "BadRequestException",
			"Warnings found during import:\n\tAuthorizer 'cognito' of POST /pets is not supported and was not applied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: []byte(tc.body), FailOnWarnings: tc.failWarn})
			checkErr(t, err, tc.code, tc.msg)
		})
	}
	list, err := e.c.GetRestApis(bg, &apigateway.GetRestApisInput{})
	if err != nil || len(list.Items) != 0 {
		t.Errorf("refused imports stored APIs: %v %v", list, err)
	}
	// Without failonwarnings the import succeeds and reports the warning.
	api, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: []byte(withAuthorizer)})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.Warnings) != 1 || !strings.Contains(api.Warnings[0], "cognito") {
		t.Errorf("warnings: %v", api.Warnings)
	}
	if post := e.methods(t, *api.Id)["/pets"]["POST"]; *post.AuthorizationType != "NONE" {
		t.Errorf("POST /pets authorization: %v", *post.AuthorizationType)
	}
}

func TestPutRestAPIMergeAndOverwrite(t *testing.T) {
	e := start(t)
	api, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: []byte(petstoreOAS3)})
	if err != nil {
		t.Fatal(err)
	}
	owners := `{"openapi": "3.0.1", "info": {"title": "PetStore"}, "paths": {
	  "/owners": {"get": {"x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}}}},
	  "/pets": {"get": {"x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "GET", "uri": "http://v2.example.com/pets"}}}}}`

	merged, err := e.c.PutRestApi(bg, &apigateway.PutRestApiInput{RestApiId: api.Id, Body: []byte(owners)})
	if err != nil {
		t.Fatal(err)
	}
	if *merged.Description != "Your first API with Amazon API Gateway." || *merged.RootResourceId != *api.RootResourceId {
		t.Errorf("merge changed API fields: %+v", merged)
	}
	m := e.methods(t, *api.Id)
	if m["/owners"]["GET"].MethodIntegration == nil || m["/lambda/{proxy+}"]["ANY"].MethodIntegration == nil ||
		m["/pets"]["GET"].MethodIntegration.Type != types.IntegrationTypeHttpProxy || m["/pets"]["POST"].MethodIntegration == nil {
		t.Errorf("after merge: %v", m)
	}

	over, err := e.c.PutRestApi(bg, &apigateway.PutRestApiInput{RestApiId: api.Id, Mode: types.PutModeOverwrite, Body: []byte(owners)})
	if err != nil {
		t.Fatal(err)
	}
	m = e.methods(t, *api.Id)
	if len(m) != 3 || m["/lambda/{proxy+}"] != nil || m["/pets"]["POST"].HttpMethod != nil || over.Description != nil || len(over.BinaryMediaTypes) != 0 {
		t.Errorf("after overwrite: %v %+v", m, over)
	}
	res, err := e.c.GetResources(bg, &apigateway.GetResourcesInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Items {
		if *r.Path == "/" && *r.Id != *api.RootResourceId {
			t.Errorf("overwrite replaced the root resource")
		}
	}

	_, err = e.c.PutRestApi(bg, &apigateway.PutRestApiInput{RestApiId: api.Id, Mode: "replace", Body: []byte(owners)})
	checkErr(t, err, "ValidationException",
		"1 validation error detected: Value 'replace' at 'putRestApiInput.mode' failed to satisfy constraint: Member must satisfy enum value set: [merge, overwrite]")
	_, err = e.c.PutRestApi(bg, &apigateway.PutRestApiInput{RestApiId: aws.String("nosuchapi0"), Body: []byte(owners)})
	checkErr(t, err, "NotFoundException", "Invalid API identifier specified 000000000000:nosuchapi0")
	// A failing put leaves the API as it was.
	_, err = e.c.PutRestApi(bg, &apigateway.PutRestApiInput{RestApiId: api.Id, Mode: types.PutModeOverwrite,
		Body: []byte(strings.Replace(petstoreOAS3, `"type": "aws_proxy"`, `"type": "aws_proxy", "timeoutInMillis": 1`, 1))})
	checkErr(t, err, "BadRequestException",
		"Errors found during import:\n\tUnable to put integration on 'ANY' for resource at path '/lambda/{proxy+}': Timeout should be between 50 ms and 29000 ms")
	if after := e.methods(t, *api.Id); len(after) != 3 || after["/owners"]["GET"].HttpMethod == nil {
		t.Errorf("failed put changed the API: %v", after)
	}
}

func TestGetExport(t *testing.T) {
	e := start(t)
	api, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: []byte(petstoreOAS3)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	// Edited after the deployment: the export shows what the stage serves.
	if _, err := e.c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("undeployed")}); err != nil {
		t.Fatal(err)
	}

	out, err := e.c.GetExport(bg, &apigateway.GetExportInput{RestApiId: api.Id, StageName: aws.String("prod"), ExportType: aws.String("oas30"),
		Accepts: aws.String("application/json"), Parameters: map[string]string{"extensions": "integrations"}})
	if err != nil {
		t.Fatal(err)
	}
	if *out.ContentType != "application/octet-stream" || !strings.Contains(*out.ContentDisposition, "attachment") {
		t.Errorf("headers: %v %v", *out.ContentType, *out.ContentDisposition)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Body, &doc); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out.Body)
	}
	paths := doc["paths"].(map[string]any)
	if doc["openapi"] != "3.0.1" || paths["/undeployed"] != nil || paths["/pets"] == nil || paths["/lambda/{proxy+}"] == nil {
		t.Errorf("export paths: %v", paths)
	}
	x := paths["/pets"].(map[string]any)["get"].(map[string]any)["x-amazon-apigateway-integration"].(map[string]any)
	if x["type"] != "http" || x["passthroughBehavior"] != "when_no_match" || x["timeoutInMillis"] != 10000.0 {
		t.Errorf("exported integration: %v", x)
	}
	server := doc["servers"].([]any)[0].(map[string]any)
	if !strings.Contains(server["url"].(string), "{basePath}") {
		t.Errorf("servers: %v", server)
	}

	// The export imports back into an equivalent API.
	again, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: out.Body})
	if err != nil {
		t.Fatalf("re-import: %v", err)
	}
	m := e.methods(t, *again.Id)
	if *again.Name != "PetStore" || m["/pets"]["GET"].MethodIntegration.IntegrationResponses["200"].StatusCode == nil ||
		m["/lambda/{proxy+}"]["ANY"].MethodIntegration.Type != types.IntegrationTypeAwsProxy || !*m["/pets/{petId}"]["GET"].ApiKeyRequired ||
		len(again.BinaryMediaTypes) != 1 {
		t.Errorf("round trip: %+v %v", again, m)
	}

	if doc["x-amazon-apigateway-api-key-source"] != "HEADER" {
		t.Errorf("api key source: %v", doc["x-amazon-apigateway-api-key-source"])
	}

	// AUTHORIZER survives a deployment, an export and an import.
	if _, err := e.c.UpdateRestApi(bg, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/apiKeySource"), Value: aws.String("AUTHORIZER")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("authz")}); err != nil {
		t.Fatal(err)
	}
	ax, err := e.c.GetExport(bg, &apigateway.GetExportInput{RestApiId: api.Id, StageName: aws.String("authz"), ExportType: aws.String("oas30"),
		Accepts: aws.String("application/json"), Parameters: map[string]string{"extensions": "apigateway"}})
	if err != nil {
		t.Fatal(err)
	}
	fromAuthz, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: ax.Body})
	if err != nil || fromAuthz.ApiKeySource != types.ApiKeySourceTypeAuthorizer {
		t.Errorf("authorizer key source round trip: %v %v", fromAuthz, err)
	}

	// YAML, Swagger, and without extensions.
	y, err := e.c.GetExport(bg, &apigateway.GetExportInput{RestApiId: api.Id, StageName: aws.String("prod"), ExportType: aws.String("swagger"),
		Accepts: aws.String("application/yaml")})
	if err != nil {
		t.Fatal(err)
	}
	var ydoc map[string]any
	if err := yaml.Unmarshal(y.Body, &ydoc); err != nil {
		t.Fatalf("export is not YAML: %v\n%s", err, y.Body)
	}
	ypets := ydoc["paths"].(map[string]any)["/pets"].(map[string]any)["get"].(map[string]any)
	if ydoc["swagger"] != "2.0" || ydoc["basePath"] == nil || ypets["x-amazon-apigateway-integration"] != nil || ypets["operationId"] != "ListPets" {
		t.Errorf("swagger yaml: %v", ydoc)
	}

	_, err = e.c.GetExport(bg, &apigateway.GetExportInput{RestApiId: api.Id, StageName: aws.String("dev"), ExportType: aws.String("oas30")})
	checkErr(t, err, "NotFoundException", "Invalid Stage identifier specified")
	_, err = e.c.GetExport(bg, &apigateway.GetExportInput{RestApiId: api.Id, StageName: aws.String("prod"), ExportType: aws.String("raml")})
	checkErr(t, err, "BadRequestException", "Invalid export type specified: raml")
	_, err = e.c.GetExport(bg, &apigateway.GetExportInput{RestApiId: aws.String("nosuchapi0"), StageName: aws.String("prod"), ExportType: aws.String("oas30")})
	checkErr(t, err, "NotFoundException", "Invalid API identifier specified 000000000000:nosuchapi0")
}
