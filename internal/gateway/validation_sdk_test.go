package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// A request validator refuses missing parameters and bodies that do not
// match the model before the backend is called; valid requests pass with
// their body intact.
func TestRequestValidation(t *testing.T) {
	var calls atomic.Int32
	var lastBody atomic.Value
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		lastBody.Store(string(b))
		w.Write([]byte(`{"ok":true}`))
	}))
	defer backend.Close()
	s := newSDKAPI(t, nil, "")
	ctx := servertest.Ctx()
	_, err := s.api.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: &s.id, Name: aws.String("Pet"), ContentType: aws.String("application/json"),
		Schema: aws.String(`{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name"]}`)})
	s.must(err)
	_, err = s.api.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: &s.id, Name: aws.String("Pets"), ContentType: aws.String("application/json"),
		Schema: aws.String(`{"type":"array","items":{"$ref":"` + apigw.ModelURL(s.id, "Pet") + `"}}`)})
	s.must(err)
	all, err := s.api.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: &s.id, Name: aws.String("all"),
		ValidateRequestBody: true, ValidateRequestParameters: true})
	s.must(err)
	res := aws.String(s.res["/a"])
	_, err = s.api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &s.id, ResourceId: res, HttpMethod: aws.String("POST"),
		AuthorizationType: aws.String("NONE"), RequestValidatorId: all.Id,
		RequestParameters: map[string]bool{"method.request.querystring.q": true, "method.request.header.x-key": true, "method.request.querystring.opt": false},
		RequestModels:     map[string]string{"application/json": "Pet", "$default": "Pets"}})
	s.must(err)
	_, err = s.api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &s.id, ResourceId: res, HttpMethod: aws.String("POST"),
		Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(backend.URL + "/pets")})
	s.must(err)
	s.deploy()

	post := func(query, ctype, body string, h http.Header) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.base+"/a"+query, strings.NewReader(body))
		for k, v := range h {
			req.Header[k] = v
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		s.must(err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b), resp.Header
	}
	key := http.Header{"X-Key": {"k"}}
	cases := []struct {
		name, query, ctype, body string
		h                        http.Header
		status                   int
		want                     string
	}{
		{"valid", "?q=1", "application/json", `{"name":"rex","age":3}`, key, 200, `{"ok":true}`},
		{"missing both parameters", "", "application/json", `{"name":"rex"}`, nil, 400, `{"message": "Missing required request parameters: [q, x-key]"}`},
		{"blank query parameter", "?q=", "application/json", `{"name":"rex"}`, key, 400, `{"message": "Missing required request parameters: [q]"}`},
		{"blank header", "?q=1", "application/json", `{"name":"rex"}`, http.Header{"X-Key": {" "}}, 400, `{"message": "Missing required request parameters: [x-key]"}`},
		{"missing property", "?q=1", "application/json", `{"age":3}`, key, 400, `{"message": "Invalid request body"}`},
		{"wrong type", "?q=1", "application/json; charset=utf-8", `{"name":"rex","age":"old"}`, key, 400, `{"message": "Invalid request body"}`},
		{"empty body", "?q=1", "application/json", ``, key, 400, `{"message": "Invalid request body"}`},
		{"default model by reference", "?q=1", "text/plain", `[{"name":"a"},{"name":"b"}]`, key, 200, `{"ok":true}`},
		{"default model refuses", "?q=1", "text/plain", `[{"age":1}]`, key, 400, `{"message": "Invalid request body"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := calls.Load()
			code, body, h := post(tc.query, tc.ctype, tc.body, tc.h)
			if code != tc.status || body != tc.want {
				t.Fatalf("got %d %s, want %d %s", code, body, tc.status, tc.want)
			}
			called := calls.Load() != before
			if called != (tc.status == 200) {
				t.Errorf("backend called = %v for status %d", called, code)
			}
			if tc.status == 200 && lastBody.Load() != tc.body {
				t.Errorf("backend got body %q, want %q", lastBody.Load(), tc.body)
			}
			if tc.status == 400 && h.Get("X-Amzn-Errortype") != "BadRequestException" {
				t.Errorf("x-amzn-ErrorType = %q", h.Get("X-Amzn-Errortype"))
			}
		})
	}

	// The BAD_REQUEST_BODY gateway response can be customized, with the
	// validation errors in $context.error.validationErrorString.
	_, err = s.api.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: &s.id, ResponseType: types.GatewayResponseTypeBadRequestBody,
		ResponseTemplates: map[string]string{"application/json": `{"error":"$context.error.validationErrorString"}`}})
	s.must(err)
	s.deploy()
	code, body, _ := post("?q=1", "application/json", `{"age":3}`, key)
	if want := `{"error":"[object has missing required properties (["name"])]"}`; code != 400 || body != want {
		t.Errorf("customized BAD_REQUEST_BODY: %d %s, want %s", code, body, want)
	}

	// Validation follows the deployment: a validator removed from the
	// method stops applying only after the next deployment.
	_, err = s.api.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: &s.id, ResourceId: res, HttpMethod: aws.String("POST"),
		PatchOperations: []types.PatchOperation{replace("/requestValidatorId", "")}})
	s.must(err)
	if code, _, _ := post("", "application/json", `{}`, nil); code != 400 {
		t.Errorf("before redeploying: %d, want 400", code)
	}
	s.deploy()
	if code, body, _ := post("", "application/json", `{}`, nil); code != 200 {
		t.Errorf("after redeploying without the validator: %d %s", code, body)
	}
}
