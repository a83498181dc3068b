package controlapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

const lambdaURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:pets/invocations"

// integrationFixture is an API with GET /pets/{petId} declaring a path
// parameter and a query string.
func integrationFixture(t *testing.T, e defEnv) (apiID, petID string) {
	t.Helper()
	apiID, rootID := e.newAPI(t)
	pets := e.newResource(t, apiID, rootID, "pets")
	petID = e.newResource(t, apiID, pets, "{petId}")
	e.newMethod(t, apiID, petID, "GET", map[string]bool{"method.request.path.petId": true, "method.request.querystring.fields": false})
	return apiID, petID
}

func TestPutIntegration(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, petID := integrationFixture(t, e)
	cases := []struct {
		name  string
		in    apigateway.PutIntegrationInput
		check func(t *testing.T, raw map[string]any)
	}{
		{"HTTP with every field", apigateway.PutIntegrationInput{
			Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"),
			Uri:                 aws.String("https://${stageVariables.backend}/pets/{id}?v=1"),
			RequestParameters:   map[string]string{"integration.request.path.id": "method.request.path.petId", "integration.request.header.X-Src": "'gateway'", "integration.request.querystring.f": "method.request.multivaluequerystring.fields", "integration.request.header.X-Stage": "stageVariables.name", "integration.request.header.X-Req": "context.requestId"},
			RequestTemplates:    map[string]string{"application/json": `{"id": "$input.params('petId')"}`},
			PassthroughBehavior: aws.String("NEVER"), CacheNamespace: aws.String("pets"), CacheKeyParameters: []string{"method.request.path.petId"},
			ContentHandling: types.ContentHandlingStrategyConvertToText, TimeoutInMillis: aws.Int32(5000), Credentials: aws.String("arn:aws:iam::000000000000:role/api"),
			TlsConfig: &types.TlsConfig{InsecureSkipVerification: true},
		}, func(t *testing.T, raw map[string]any) {
			want := map[string]any{"type": "HTTP", "httpMethod": "GET", "uri": "https://${stageVariables.backend}/pets/{id}?v=1", "passthroughBehavior": "NEVER",
				"cacheNamespace": "pets", "contentHandling": "CONVERT_TO_TEXT", "timeoutInMillis": 5000.0, "connectionType": "INTERNET",
				"credentials": "arn:aws:iam::000000000000:role/api"}
			for k, v := range want {
				if raw[k] != v {
					t.Errorf("%s = %v, want %v", k, raw[k], v)
				}
			}
			if raw["requestParameters"].(map[string]any)["integration.request.path.id"] != "method.request.path.petId" ||
				raw["tlsConfig"].(map[string]any)["insecureSkipVerification"] != true || len(raw["cacheKeyParameters"].([]any)) != 1 ||
				raw["requestTemplates"].(map[string]any)["application/json"] == nil {
				t.Errorf("maps: %v", raw)
			}
		}},
		{"HTTP_PROXY defaults", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("ANY"), Uri: aws.String("http://127.0.0.1:8080/{proxy}")},
			func(t *testing.T, raw map[string]any) {
				if raw["timeoutInMillis"] != 29000.0 || raw["passthroughBehavior"] != "WHEN_NO_MATCH" || raw["connectionType"] != "INTERNET" ||
					raw["cacheNamespace"] != petID || raw["type"] != "HTTP_PROXY" {
					t.Errorf("defaults: %v", raw)
				}
			}},
		{"MOCK without backend verb", apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock, Uri: aws.String("http://ignored"),
			RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}},
			func(t *testing.T, raw map[string]any) {
				if raw["type"] != "MOCK" || raw["uri"] != nil || raw["httpMethod"] != nil {
					t.Errorf("mock: %v", raw)
				}
			}},
		{"AWS_PROXY Lambda", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(lambdaURI)},
			func(t *testing.T, raw map[string]any) {
				if raw["uri"] != lambdaURI || raw["httpMethod"] != "POST" {
					t.Errorf("lambda: %v", raw)
				}
			}},
		{"AWS action", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"),
			Uri: aws.String("arn:aws:apigateway:us-east-1:sqs:action/SendMessage"), Credentials: aws.String("arn:aws:iam::000000000000:role/sqs")},
			func(t *testing.T, raw map[string]any) {
				if raw["uri"] != "arn:aws:apigateway:us-east-1:sqs:action/SendMessage" {
					t.Errorf("aws: %v", raw)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.RestApiId, in.ResourceId, in.HttpMethod = &apiID, &petID, aws.String("GET")
			if _, err := e.c.PutIntegration(bg, &in); err != nil {
				t.Fatal(err)
			}
			status, raw := e.rawJSON(t, "GET", "/restapis/"+apiID+"/resources/"+petID+"/methods/GET/integration", "")
			if status != 200 {
				t.Fatalf("GetIntegration: %d %v", status, raw)
			}
			tc.check(t, raw)
		})
	}
}

func TestPutIntegrationRejects(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, petID := integrationFixture(t, e)
	httpInt := func(uri string) apigateway.PutIntegrationInput {
		return apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String(uri)}
	}
	withParams := func(params map[string]string) apigateway.PutIntegrationInput {
		in := httpInt("http://backend/pets")
		in.RequestParameters = params
		return in
	}
	cases := []struct {
		name string
		verb string
		in   apigateway.PutIntegrationInput
		want defErr
	}{
		{"type", "GET", apigateway.PutIntegrationInput{Type: "LAMBDA"},
			defInvalid("1 validation error detected: Value 'LAMBDA' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]")},
		{"no backend verb", "GET", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, Uri: aws.String("http://backend")}, defBad("Enumeration value for HttpMethod must be non-empty")},
		{"bad backend verb", "GET", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("FETCH"), Uri: aws.String("http://backend")},
			defBad("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")},
		{"relative URI", "GET", httpInt("/pets"), defBad("Invalid HTTP endpoint specified for URI")},
		{"ftp URI", "GET", httpInt("ftp://backend/pets"), defBad("Invalid HTTP endpoint specified for URI")},
		{"bare stage variable", "GET", httpInt("${stageVariables.url}"), defBad("Invalid HTTP endpoint specified for URI")},
		{"no URI", "GET", apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("ANY")}, defBad("Invalid HTTP endpoint specified for URI")},
		{"ARN not an ARN", "GET", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String("lambda:pets")},
			defBad("Invalid ARN specified in the request")},
		{"ARN without path or action", "GET", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String("arn:aws:apigateway:us-east-1:sqs:queue/q")},
			defBad("AWS ARN for integration must contain path or action")},
		{"AWS_PROXY to SQS", "GET", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String("arn:aws:apigateway:us-east-1:sqs:action/SendMessage")},
			defBad("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.")},
		{"S3 without role", "GET", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String("arn:aws:apigateway:us-east-1:s3:path/bucket/key")},
			defBad("Role ARN must be specified for AWS integrations")},
		{"timeout below 50", "GET", func() apigateway.PutIntegrationInput {
			in := httpInt("http://b")
			in.TimeoutInMillis = aws.Int32(49)
			return in
		}(),
			defBad("Timeout should be between 50 ms and 29000 ms")},
		{"timeout above 29000", "GET", func() apigateway.PutIntegrationInput {
			in := httpInt("http://b")
			in.TimeoutInMillis = aws.Int32(29001)
			return in
		}(),
			defBad("Timeout should be between 50 ms and 29000 ms")},
		{"passthrough", "GET", func() apigateway.PutIntegrationInput {
			in := httpInt("http://b")
			in.PassthroughBehavior = aws.String("ALWAYS")
			return in
		}(),
			defBad("Invalid passthrough behavior specified")},
		{"content handling", "GET", func() apigateway.PutIntegrationInput {
			in := httpInt("http://b")
			in.ContentHandling = "CONVERT_TO_JSON"
			return in
		}(),
			defInvalid("1 validation error detected: Value 'CONVERT_TO_JSON' at 'putIntegrationInput.contentHandling' failed to satisfy constraint: Member must satisfy enum value set: [CONVERT_TO_BINARY, CONVERT_TO_TEXT]")},
		{"connection type", "GET", func() apigateway.PutIntegrationInput {
			in := httpInt("http://b")
			in.ConnectionType = "DIRECT"
			return in
		}(),
			defInvalid("1 validation error detected: Value 'DIRECT' at 'putIntegrationInput.connectionType' failed to satisfy constraint: Member must satisfy enum value set: [INTERNET, VPC_LINK]")},
		{"VPC link without id", "GET", func() apigateway.PutIntegrationInput {
			in := httpInt("http://b")
			in.ConnectionType = types.ConnectionTypeVpcLink
			return in
		}(),
			defBad("ConnectionId must be specified for connection type VPC_LINK")},
		{"cache key not a method parameter", "GET", func() apigateway.PutIntegrationInput {
			in := httpInt("http://b")
			in.CacheKeyParameters = []string{"method.request.header.Accept"}
			return in
		}(), defBad("Invalid cache key parameter specified: method.request.header.Accept")},
		{"mapping from undeclared parameter", "GET", withParams(map[string]string{"integration.request.header.X": "method.request.header.Undeclared"}),
			defBad(mappingPrefix + "Invalid mapping expression parameter specified: method.request.header.Undeclared]")},
		{"mapping to bad target", "GET", withParams(map[string]string{"integration.request.body.x": "'v'"}),
			defBad(mappingPrefix + "Invalid mapping expression parameter specified: integration.request.body.x]")},
		{"mapping from unquoted value", "GET", withParams(map[string]string{"integration.request.header.X": "gateway"}),
			defBad(mappingPrefix + "Invalid mapping expression specified: gateway]")},
		{"unknown method", "POST", httpInt("http://b"), defNotFound("Invalid Method identifier specified")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.RestApiId, in.ResourceId, in.HttpMethod = &apiID, &petID, aws.String(tc.verb)
			_, err := e.c.PutIntegration(bg, &in)
			defCheck(t, err, tc.want)
		})
	}
	_, err := e.c.GetIntegration(bg, &apigateway.GetIntegrationInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: aws.String("GET")})
	defCheck(t, err, defNotFound("No integration defined for method"))
}

// putHTTPIntegration gives GET {petId} an HTTP integration with a 200
// method response declaring X-Total.
func putHTTPIntegration(t *testing.T, e defEnv, apiID, petID string) {
	t.Helper()
	if _, err := e.c.PutIntegration(bg, &apigateway.PutIntegrationInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String("http://backend/pets/{id}"),
		RequestParameters: map[string]string{"integration.request.path.id": "method.request.path.petId"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.PutMethodResponse(bg, &apigateway.PutMethodResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseParameters: map[string]bool{"method.response.header.X-Total": false}}); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateIntegration(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, petID := integrationFixture(t, e)
	putHTTPIntegration(t, e, apiID, petID)
	op := func(o types.Op, path, value string) types.PatchOperation {
		return types.PatchOperation{Op: o, Path: aws.String(path), Value: aws.String(value)}
	}
	out, err := e.c.UpdateIntegration(bg, &apigateway.UpdateIntegrationInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: aws.String("GET"),
		PatchOperations: []types.PatchOperation{
			op(types.OpReplace, "/uri", "https://v2.backend/pets/{id}"),
			op(types.OpReplace, "/httpMethod", "POST"),
			op(types.OpReplace, "/timeoutInMillis", "1500"),
			op(types.OpAdd, "/requestParameters/integration.request.querystring.f", "method.request.querystring.fields"),
			op(types.OpAdd, "/requestTemplates/application~1json", "{}"),
			op(types.OpAdd, "/cacheKeyParameters/method.request.path.petId", ""),
			op(types.OpReplace, "/passthroughBehavior", "WHEN_NO_TEMPLATES"),
			op(types.OpReplace, "/contentHandling", "CONVERT_TO_BINARY"),
			op(types.OpReplace, "/connectionType", "INTERNET"),
			op(types.OpReplace, "/credentials", "arn:aws:iam::000000000000:role/x"),
			op(types.OpReplace, "/tlsConfig/insecureSkipVerification", "true"),
		}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.c.GetIntegration(bg, &apigateway.GetIntegrationInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: aws.String("GET")})
	if err != nil {
		t.Fatal(err)
	}
	for _, ig := range []*apigateway.GetIntegrationOutput{got, (*apigateway.GetIntegrationOutput)(out)} {
		if *ig.Uri != "https://v2.backend/pets/{id}" || *ig.HttpMethod != "POST" || ig.TimeoutInMillis != 1500 ||
			ig.RequestParameters["integration.request.querystring.f"] != "method.request.querystring.fields" || ig.RequestTemplates["application/json"] != "{}" ||
			len(ig.CacheKeyParameters) != 1 || *ig.PassthroughBehavior != "WHEN_NO_TEMPLATES" || ig.ContentHandling != types.ContentHandlingStrategyConvertToBinary ||
			*ig.Credentials != "arn:aws:iam::000000000000:role/x" || !ig.TlsConfig.InsecureSkipVerification {
			b, _ := json.Marshal(ig)
			t.Errorf("updated integration: %s", b)
		}
	}
	// Removing entries.
	out, err = e.c.UpdateIntegration(bg, &apigateway.UpdateIntegrationInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: aws.String("GET"),
		PatchOperations: []types.PatchOperation{
			{Op: types.OpRemove, Path: aws.String("/requestTemplates/application~1json")},
			{Op: types.OpRemove, Path: aws.String("/cacheKeyParameters/method.request.path.petId")},
		}})
	if err != nil || out.RequestTemplates != nil || out.CacheKeyParameters != nil {
		t.Errorf("after removes: %+v %v", out, err)
	}

	rejects := []struct {
		name string
		op   types.PatchOperation
		want defErr
	}{
		{"unknown path", op(types.OpReplace, "/integrationResponses", "x"), defBad("Invalid patch path /integrationResponses")},
		{"add to uri", op(types.OpAdd, "/uri", "http://x"), defBad("Invalid patch operation specified. Must be one of: [replace]")},
		{"bad uri", op(types.OpReplace, "/uri", "backend"), defBad("Invalid HTTP endpoint specified for URI")},
		{"timeout", op(types.OpReplace, "/timeoutInMillis", "30000"), defBad("Timeout should be between 50 ms and 29000 ms")},
		{"timeout not a number", op(types.OpReplace, "/timeoutInMillis", "soon"), defBad("Timeout should be between 50 ms and 29000 ms")},
		{"passthrough", op(types.OpReplace, "/passthroughBehavior", "SOMETIMES"), defBad("Invalid passthrough behavior specified")},
		{"undeclared mapping", op(types.OpAdd, "/requestParameters/integration.request.header.X", "method.request.header.Nope"),
			defBad(mappingPrefix + "Invalid mapping expression parameter specified: method.request.header.Nope]")},
		{"cache key", op(types.OpAdd, "/cacheKeyParameters/method.request.header.Nope", ""), defBad("Invalid cache key parameter specified: method.request.header.Nope")},
		{"type", op(types.OpReplace, "/type", "FTP"),
			defInvalid("1 validation error detected: Value 'FTP' at 'updateIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]")},
	}
	for _, tc := range rejects {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.UpdateIntegration(bg, &apigateway.UpdateIntegrationInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: aws.String("GET"),
				PatchOperations: []types.PatchOperation{op(types.OpReplace, "/uri", "http://changed"), tc.op}})
			defCheck(t, err, tc.want)
			now, err := e.c.GetIntegration(bg, &apigateway.GetIntegrationInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: aws.String("GET")})
			if err != nil || *now.Uri != "https://v2.backend/pets/{id}" {
				t.Errorf("refused update changed the integration: %v %v", now.Uri, err)
			}
		})
	}
}

func TestDeleteIntegration(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, petID := integrationFixture(t, e)
	putHTTPIntegration(t, e, apiID, petID)
	status, _ := e.rawJSON(t, http.MethodDelete, "/restapis/"+apiID+"/resources/"+petID+"/methods/GET/integration", "")
	if status != http.StatusNoContent {
		t.Fatalf("DeleteIntegration status %d, want 204", status)
	}
	_, err := e.c.GetIntegration(bg, &apigateway.GetIntegrationInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: aws.String("GET")})
	defCheck(t, err, defNotFound("No integration defined for method"))
	_, err = e.c.DeleteIntegration(bg, &apigateway.DeleteIntegrationInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: aws.String("GET")})
	defCheck(t, err, defNotFound("No integration defined for method"))
	_, err = e.c.UpdateIntegration(bg, &apigateway.UpdateIntegrationInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: aws.String("GET")})
	defCheck(t, err, defNotFound("No integration defined for method"))
}

func TestIntegrationResponses(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, petID := integrationFixture(t, e)
	get := aws.String("GET")
	_, err := e.c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("200")})
	defCheck(t, err, defNotFound("No integration defined for method"))

	putHTTPIntegration(t, e, apiID, petID)
	put, err := e.c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("200"),
		SelectionPattern:   aws.String("2\\d{2}"),
		ResponseParameters: map[string]string{"method.response.header.X-Total": "integration.response.header.X-Count"},
		ResponseTemplates:  map[string]string{"application/json": "$input.body"}, ContentHandling: types.ContentHandlingStrategyConvertToText})
	if err != nil {
		t.Fatal(err)
	}
	if *put.StatusCode != "200" || *put.SelectionPattern != "2\\d{2}" || put.ResponseTemplates["application/json"] != "$input.body" {
		t.Errorf("put: %+v", put)
	}
	// A response without header mappings needs no method response.
	if _, err := e.c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("404"),
		SelectionPattern: aws.String("404")}); err != nil {
		t.Fatal(err)
	}
	upd, err := e.c.UpdateIntegrationResponse(bg, &apigateway.UpdateIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("200"),
		PatchOperations: []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/selectionPattern"), Value: aws.String("")},
			{Op: types.OpReplace, Path: aws.String("/responseParameters/method.response.header.X-Total"), Value: aws.String("'42'")},
			{Op: types.OpAdd, Path: aws.String("/responseTemplates/text~1plain"), Value: aws.String("ok")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.c.GetIntegrationResponse(bg, &apigateway.GetIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("200")})
	if err != nil {
		t.Fatal(err)
	}
	for _, ir := range []*apigateway.GetIntegrationResponseOutput{got, (*apigateway.GetIntegrationResponseOutput)(upd)} {
		if ir.SelectionPattern != nil || ir.ResponseParameters["method.response.header.X-Total"] != "'42'" || ir.ResponseTemplates["text/plain"] != "ok" {
			t.Errorf("after update: %+v", ir)
		}
	}
	ig, err := e.c.GetIntegration(bg, &apigateway.GetIntegrationInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get})
	if err != nil || len(ig.IntegrationResponses) != 2 {
		t.Errorf("integration responses on the integration: %+v %v", ig, err)
	}

	cases := []struct {
		name string
		call func() error
		want defErr
	}{
		{"no method response", func() error {
			_, err := e.c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("500"),
				ResponseParameters: map[string]string{"method.response.header.X-Total": "'1'"}})
			return err
		}, defBad(mappingPrefix + "No method response exists for method.]")},
		{"undeclared header", func() error {
			_, err := e.c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("200"),
				ResponseParameters: map[string]string{"method.response.header.X-Nope": "'1'"}})
			return err
		}, defBad(mappingPrefix + "Invalid mapping expression parameter specified: method.response.header.X-Nope]")},
		{"bad source", func() error {
			_, err := e.c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("200"),
				ResponseParameters: map[string]string{"method.response.header.X-Total": "integration.response.status"}})
			return err
		}, defBad(mappingPrefix + "Invalid mapping expression specified: integration.response.status]")},
		{"selection pattern", func() error {
			_, err := e.c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("200"),
				SelectionPattern: aws.String("(")})
			return err
		}, defBad("Invalid selection pattern specified")},
		{"status code", func() error {
			_, err := e.c.PutIntegrationResponse(bg, &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("700")})
			return err
		}, defBad("Invalid status code specified: 700")},
		{"update bad path", func() error {
			_, err := e.c.UpdateIntegrationResponse(bg, &apigateway.UpdateIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("200"),
				PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/statusCode"), Value: aws.String("201")}}})
			return err
		}, defBad("Invalid patch path /statusCode")},
		{"update undeclared header", func() error {
			_, err := e.c.UpdateIntegrationResponse(bg, &apigateway.UpdateIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("404"),
				PatchOperations: []types.PatchOperation{{Op: types.OpAdd, Path: aws.String("/responseParameters/method.response.header.X-Total"), Value: aws.String("'1'")}}})
			return err
		}, defBad(mappingPrefix + "No method response exists for method.]")},
		{"get unknown", func() error {
			_, err := e.c.GetIntegrationResponse(bg, &apigateway.GetIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("500")})
			return err
		}, defNotFound("Invalid Response status code specified")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { defCheck(t, tc.call(), tc.want) })
	}
	still, err := e.c.GetIntegrationResponse(bg, &apigateway.GetIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("200")})
	if err != nil || still.ResponseParameters["method.response.header.X-Total"] != "'42'" || still.SelectionPattern != nil {
		t.Errorf("refused calls changed the 200 response: %+v %v", still, err)
	}
	status, _ := e.rawJSON(t, http.MethodDelete, "/restapis/"+apiID+"/resources/"+petID+"/methods/GET/integration/responses/404", "")
	if status != http.StatusNoContent {
		t.Errorf("DeleteIntegrationResponse status %d, want 204", status)
	}
	_, err = e.c.DeleteIntegrationResponse(bg, &apigateway.DeleteIntegrationResponseInput{RestApiId: &apiID, ResourceId: &petID, HttpMethod: get, StatusCode: aws.String("404")})
	defCheck(t, err, defNotFound("Invalid Response status code specified"))
}
