package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// TestInvokeMethod runs the method as configured, without a deployment,
// and returns the response with its execution log in AWS's format.
func TestTestInvokeMethod(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"path":"` + r.URL.Path + `","color":"` + r.Header.Get("X-Color") + `"}`))
	}))
	defer backend.Close()
	s := newSDKAPI(t, nil, backend.URL)
	ctx := servertest.Ctx()

	// /a's MOCK is not deployed at all: test-invoke still runs it.
	out, err := s.api.TestInvokeMethod(ctx, &apigateway.TestInvokeMethodInput{RestApiId: &s.id, ResourceId: aws.String(s.res["/a"]),
		HttpMethod: aws.String("GET"), PathWithQueryString: aws.String("/a?x=1"), Headers: map[string]string{"Accept": "application/json"}})
	s.must(err)
	if out.Status != 200 || *out.Body != `{"v":"v1"}` || out.Headers["Content-Type"] != "application/json" || out.MultiValueHeaders["Content-Type"][0] != "application/json" {
		t.Errorf("MOCK: %d %s %v %v", out.Status, *out.Body, out.Headers, out.MultiValueHeaders)
	}
	log := *out.Log
	date := `[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}`
	for _, want := range []string{
		`^Execution log for request [0-9a-f-]{36}\n`,
		"\n" + date + ` : Starting execution for request: [0-9a-f-]{36}\n`,
		"\n" + date + ` : HTTP Method: GET, Resource Path: /a\n`,
		"\n" + date + ` : Method request query string: \{x=1\}\n`,
		"\n" + date + ` : Method request headers: \{Accept=application/json\}\n`,
		"\n" + date + ` : Method response body after transformations: \{"v":"v1"\}\n`,
		"\n" + date + ` : Successfully completed execution\n`,
		"\n" + date + ` : Method completed with status: 200\n$`,
	} {
		if !regexp.MustCompile(want).MatchString(log) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "Usage Plan") || strings.Contains(log, "Extended Request Id") {
		t.Errorf("log has stage-only lines:\n%s", log)
	}

	// HTTP_PROXY with the request's stage variables.
	out, err = s.api.TestInvokeMethod(ctx, &apigateway.TestInvokeMethodInput{RestApiId: &s.id, ResourceId: aws.String(s.res["/proxy"]),
		HttpMethod: aws.String("GET"), PathWithQueryString: aws.String("/proxy"), StageVariables: map[string]string{"path": "pets", "color": "blue"}})
	s.must(err)
	if out.Status != 200 || *out.Body != `{"path":"/pets","color":"blue"}` {
		t.Errorf("HTTP_PROXY: %d %s", out.Status, *out.Body)
	}
	if !strings.Contains(*out.Log, " : Endpoint request URI: "+backend.URL+"/pets\n") || !strings.Contains(*out.Log, " : Received response. Status: 200, Integration latency: ") {
		t.Errorf("HTTP_PROXY log:\n%s", *out.Log)
	}

	// A validation failure, with AWS's log line.
	v, err := s.api.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: &s.id, ValidateRequestParameters: true})
	s.must(err)
	_, err = s.api.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: &s.id, ResourceId: aws.String(s.res["/b"]), HttpMethod: aws.String("GET"),
		PatchOperations: []types.PatchOperation{replace("/requestValidatorId", *v.Id),
			{Op: types.OpAdd, Path: aws.String("/requestParameters/method.request.querystring.q"), Value: aws.String("true")}}})
	s.must(err)
	out, err = s.api.TestInvokeMethod(ctx, &apigateway.TestInvokeMethodInput{RestApiId: &s.id, ResourceId: aws.String(s.res["/b"]), HttpMethod: aws.String("GET")})
	s.must(err)
	if out.Status != 400 || *out.Body != `{"message": "Missing required request parameters: [q]"}` ||
		!strings.Contains(*out.Log, " : Request validation failed: Missing required request parameters: [q]\n") ||
		!strings.Contains(*out.Log, " : Method completed with status: 400\n") {
		t.Errorf("validation: %d %s\n%s", out.Status, *out.Body, *out.Log)
	}

	_, err = s.api.TestInvokeMethod(ctx, &apigateway.TestInvokeMethodInput{RestApiId: &s.id, ResourceId: aws.String(s.res["/a"]), HttpMethod: aws.String("DELETE")})
	if ae := apiErrorOf(t, err); ae.ErrorCode() != "NotFoundException" || ae.ErrorMessage() != "Invalid Method identifier specified" {
		t.Errorf("unknown method: %v", err)
	}
}
