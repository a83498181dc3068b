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

// A type AWS Lambda integration: the request template is the event, the
// function's result the body, and a function error's message selects the
// integration response.
func TestLambdaNonProxyIntegration(t *testing.T) {
	var gotEvent string
	rie := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotEvent = string(b)
		var ev struct {
			Name string `json:"name"`
		}
		json.Unmarshal(b, &ev)
		if ev.Name == "ghost" {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			w.Write([]byte(`{"errorMessage":"Not found: ghost","errorType":"Error"}`))
			return
		}
		w.Write([]byte(`{"greeting":"hello ` + ev.Name + `"}`))
	}))
	defer rie.Close()
	eps := filepath.Join(t.TempDir(), "lambda.json")
	if err := os.WriteFile(eps, []byte(`{"greeter": "`+rie.URL+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newSDKAPI(t, &server.Config{LambdaEndpoints: eps}, "")
	ctx := servertest.Ctx()
	res := aws.String(s.res["/a"])
	verb := aws.String("POST")
	_, err := s.api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &s.id, ResourceId: res, HttpMethod: verb, AuthorizationType: aws.String("NONE")})
	s.must(err)
	_, err = s.api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &s.id, ResourceId: res, HttpMethod: verb, Type: types.IntegrationTypeAws,
		IntegrationHttpMethod: aws.String("POST"), Credentials: aws.String("arn:aws:iam::000000000000:role/invoke"),
		Uri:              aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:greeter/invocations"),
		RequestTemplates: map[string]string{"application/json": `{"name": "$input.path('$.who')"}`}})
	s.must(err)
	for _, code := range []string{"200", "404"} {
		_, err = s.api.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &s.id, ResourceId: res, HttpMethod: verb, StatusCode: aws.String(code)})
		s.must(err)
	}
	_, err = s.api.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &s.id, ResourceId: res, HttpMethod: verb, StatusCode: aws.String("200")})
	s.must(err)
	_, err = s.api.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &s.id, ResourceId: res, HttpMethod: verb, StatusCode: aws.String("404"),
		SelectionPattern: aws.String("Not found.*"), ResponseTemplates: map[string]string{"application/json": `{"error": "$input.path('$.errorMessage')"}`}})
	s.must(err)
	s.deploy()
	post := func(body string) (int, string) {
		resp, err := http.Post(s.base+"/a", "application/json", strings.NewReader(body))
		s.must(err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	if code, body := post(`{"who":"ann"}`); code != 200 || body != `{"greeting":"hello ann"}` || gotEvent != `{"name": "ann"}` {
		t.Errorf("success: %d %s (event %s)", code, body, gotEvent)
	}
	if code, body := post(`{"who":"ghost"}`); code != 404 || body != `{"error": "Not found: ghost"}` {
		t.Errorf("function error: %d %s", code, body)
	}
}
