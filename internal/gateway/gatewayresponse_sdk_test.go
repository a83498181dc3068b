package gateway_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/smithy-go"

	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

func (s *sdkAPI) deploy() {
	s.t.Helper()
	_, err := s.api.CreateDeployment(servertest.Ctx(), &apigateway.CreateDeploymentInput{RestApiId: &s.id, StageName: aws.String("prod")})
	s.must(err)
}

// do sends a request to the prod stage and returns status, body, headers.
func (s *sdkAPI) do(method, path string, h http.Header) (int, string, http.Header) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, nil)
	s.must(err)
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	s.must(err)
	b, err := io.ReadAll(resp.Body)
	s.must(err)
	resp.Body.Close()
	return resp.StatusCode, string(b), resp.Header
}

func apiErrorOf(t *testing.T, err error) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an API error, got %v", err)
	}
	return ae
}

// The gateway response operations through the SDK: defaults for every
// type, put/update/delete of a customization, AWS's validation.
func TestGatewayResponseOperationsThroughSDK(t *testing.T) {
	s := newSDKAPI(t, nil, "")
	ctx := servertest.Ctx()

	all, err := s.api.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: &s.id})
	s.must(err)
	if len(all.Items) != 21 {
		t.Fatalf("GetGatewayResponses: %d types, want 21", len(all.Items))
	}
	for _, gr := range all.Items {
		if !gr.DefaultResponse || gr.ResponseTemplates["application/json"] != `{"message":$context.error.messageString}` {
			t.Errorf("default %s = %+v", gr.ResponseType, gr)
		}
	}
	if all.Items[0].ResponseType != types.GatewayResponseTypeDefault4xx || all.Items[0].StatusCode != nil {
		t.Errorf("first default = %s status %v, want DEFAULT_4XX without status", all.Items[0].ResponseType, all.Items[0].StatusCode)
	}
	got, err := s.api.GetGatewayResponse(ctx, &apigateway.GetGatewayResponseInput{RestApiId: &s.id, ResponseType: types.GatewayResponseTypeThrottled})
	s.must(err)
	if !got.DefaultResponse || aws.ToString(got.StatusCode) != "429" {
		t.Errorf("default THROTTLED = %+v", got)
	}

	put, err := s.api.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: &s.id,
		ResponseType: types.GatewayResponseTypeThrottled, StatusCode: aws.String("599"),
		ResponseParameters: map[string]string{"gatewayresponse.header.X-Why": "'slow down'"},
		ResponseTemplates:  map[string]string{"application/json": `{"err":$context.error.messageString}`}})
	s.must(err)
	if put.DefaultResponse || aws.ToString(put.StatusCode) != "599" || put.ResponseParameters["gatewayresponse.header.X-Why"] != "'slow down'" {
		t.Errorf("PutGatewayResponse = %+v", put)
	}
	upd, err := s.api.UpdateGatewayResponse(ctx, &apigateway.UpdateGatewayResponseInput{RestApiId: &s.id,
		ResponseType: types.GatewayResponseTypeThrottled, PatchOperations: []types.PatchOperation{
			replace("/statusCode", "598"),
			{Op: types.OpAdd, Path: aws.String("/responseParameters/gatewayresponse.header.X-Id"), Value: aws.String("context.requestId")},
			{Op: types.OpRemove, Path: aws.String("/responseParameters/gatewayresponse.header.X-Why")},
		}})
	s.must(err)
	if aws.ToString(upd.StatusCode) != "598" || len(upd.ResponseParameters) != 1 || upd.ResponseParameters["gatewayresponse.header.X-Id"] != "context.requestId" {
		t.Errorf("UpdateGatewayResponse = %+v", upd)
	}
	// Patching an uncustomized type customizes it from its default.
	upd, err = s.api.UpdateGatewayResponse(ctx, &apigateway.UpdateGatewayResponseInput{RestApiId: &s.id,
		ResponseType: types.GatewayResponseTypeDefault4xx, PatchOperations: []types.PatchOperation{replace("/statusCode", "418")}})
	s.must(err)
	if upd.DefaultResponse || aws.ToString(upd.StatusCode) != "418" || upd.ResponseTemplates["application/json"] == "" {
		t.Errorf("UpdateGatewayResponse of a default = %+v", upd)
	}

	for _, c := range []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"bad status", func() error {
			_, err := s.api.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: &s.id, ResponseType: types.GatewayResponseTypeAccessDenied, StatusCode: aws.String("99")})
			return err
		}, "ValidationException", "1 validation error detected: Value '99' at 'statusCode'"},
		{"bad type", func() error {
			_, err := s.api.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: &s.id, ResponseType: "NOPE"})
			return err
		}, "ValidationException", "1 validation error detected: Value 'NOPE' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: [DEFAULT_4XX, DEFAULT_5XX,"},
		{"bad parameter target", func() error {
			_, err := s.api.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: &s.id, ResponseType: types.GatewayResponseTypeAccessDenied,
				ResponseParameters: map[string]string{"method.response.header.X": "'a'"}})
			return err
		}, "BadRequestException", "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: method.response.header.X]"},
		{"bad parameter source", func() error {
			_, err := s.api.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: &s.id, ResponseType: types.GatewayResponseTypeAccessDenied,
				ResponseParameters: map[string]string{"gatewayresponse.header.X": "unquoted"}})
			return err
		}, "BadRequestException", "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: unquoted]"},
		{"bad patch path", func() error {
			_, err := s.api.UpdateGatewayResponse(ctx, &apigateway.UpdateGatewayResponseInput{RestApiId: &s.id, ResponseType: types.GatewayResponseTypeThrottled,
				PatchOperations: []types.PatchOperation{replace("/responseType", "X")}})
			return err
		}, "BadRequestException", "Invalid patch path /responseType"},
		{"delete uncustomized", func() error {
			_, err := s.api.DeleteGatewayResponse(ctx, &apigateway.DeleteGatewayResponseInput{RestApiId: &s.id, ResponseType: types.GatewayResponseTypeWafFiltered})
			return err
		}, "NotFoundException", "Gateway response type not defined on api"},
		{"unknown API", func() error {
			_, err := s.api.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: aws.String("nope")})
			return err
		}, "NotFoundException", "Invalid API identifier specified"},
	} {
		err := c.call()
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		ae := apiErrorOf(t, err)
		if ae.ErrorCode() != c.code || !strings.HasPrefix(ae.ErrorMessage(), c.msg) {
			t.Errorf("%s: %s %q, want %s %q", c.name, ae.ErrorCode(), ae.ErrorMessage(), c.code, c.msg)
		}
	}
	// A refused update changed nothing.
	got, err = s.api.GetGatewayResponse(ctx, &apigateway.GetGatewayResponseInput{RestApiId: &s.id, ResponseType: types.GatewayResponseTypeThrottled})
	s.must(err)
	if aws.ToString(got.StatusCode) != "598" {
		t.Errorf("THROTTLED after refused calls = %+v", got)
	}

	_, err = s.api.DeleteGatewayResponse(ctx, &apigateway.DeleteGatewayResponseInput{RestApiId: &s.id, ResponseType: types.GatewayResponseTypeThrottled})
	s.must(err)
	got, err = s.api.GetGatewayResponse(ctx, &apigateway.GetGatewayResponseInput{RestApiId: &s.id, ResponseType: types.GatewayResponseTypeThrottled})
	s.must(err)
	if !got.DefaultResponse || aws.ToString(got.StatusCode) != "429" {
		t.Errorf("THROTTLED after delete = %+v", got)
	}
}

// Customized gateway responses change what callers get — once deployed —
// for the errors the data plane already produces: a throttled call, an
// unknown route, and DEFAULT_4XX's fields reaching types it does not name.
func TestCustomGatewayResponsesOnTheDataPlane(t *testing.T) {
	s := newSDKAPI(t, nil, "")
	ctx := servertest.Ctx()
	s.deploy()
	s.updateStage(replace("/*/*/throttling/rateLimit", "0.001"), replace("/*/*/throttling/burstLimit", "1"))

	_, err := s.api.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: &s.id,
		ResponseType: types.GatewayResponseTypeThrottled, StatusCode: aws.String("503"),
		ResponseParameters: map[string]string{
			"gatewayresponse.header.Retry-After": "'120'",
			"gatewayresponse.header.X-Caller":    "method.request.header.x-caller",
			"gatewayresponse.header.X-Type":      "context.error.responseType",
		},
		ResponseTemplates: map[string]string{"application/json": `{"error":$context.error.messageString,"type":"$context.error.responseType","id":"$context.requestId","stage":"${context.stage}"}`}})
	s.must(err)
	_, err = s.api.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: &s.id,
		ResponseType:       types.GatewayResponseTypeDefault4xx,
		ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}})
	s.must(err)

	// Not deployed yet: the defaults still answer.
	if code, body := s.get("/a"); code != 200 {
		t.Fatalf("first GET /a: %d %s", code, body)
	}
	if code, body := s.get("/a"); code != 429 || body != `{"message":"Too Many Requests"}` {
		t.Fatalf("throttled before the deployment: %d %s", code, body)
	}

	s.deploy()
	code, body, h := s.do("GET", "/a", http.Header{"X-Caller": {"me"}})
	id := h.Get("x-amzn-RequestId")
	want := `{"error":"Too Many Requests","type":"THROTTLED","id":"` + id + `","stage":"prod"}`
	if code != 503 || body != want {
		t.Errorf("custom THROTTLED: %d %s, want 503 %s", code, body, want)
	}
	for k, v := range map[string]string{"Retry-After": "120", "X-Caller": "me", "X-Type": "THROTTLED",
		"Access-Control-Allow-Origin": "*", "X-Amzn-Errortype": "ThrottlingException", "Content-Type": "application/json"} {
		if h.Get(k) != v {
			t.Errorf("custom THROTTLED header %s = %q, want %q", k, h.Get(k), v)
		}
	}
	// MISSING_AUTHENTICATION_TOKEN is not customized: DEFAULT_4XX's
	// header is added to its default status and body.
	code, body, h = s.do("GET", "/nowhere", nil)
	if code != 403 || body != `{"message":"Missing Authentication Token"}` || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("unknown route: %d %s %v", code, body, h)
	}

	// Deleting the customization and redeploying restores the default.
	_, err = s.api.DeleteGatewayResponse(ctx, &apigateway.DeleteGatewayResponseInput{RestApiId: &s.id, ResponseType: types.GatewayResponseTypeThrottled})
	s.must(err)
	s.deploy()
	code, body, h = s.do("GET", "/a", nil)
	if code != 429 || body != `{"message":"Too Many Requests"}` || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("THROTTLED after delete and redeploy: %d %s %v", code, body, h)
	}
}
