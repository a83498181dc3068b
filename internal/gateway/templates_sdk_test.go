package gateway_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// templateAPI is a REST API built with the SDK whose methods use mapping
// templates, on a whole in-process Stagecoach:
//
//	POST /orders/{id}  HTTP to the echo backend: the request template
//	                   reshapes the order and overrides a header, the
//	                   query string and the {id} path parameter; the
//	                   integration response renders JSON or XML by Accept
//	                   and maps a header from the backend's JSON body
//	GET  /scope        MOCK: the request template picks 200 or 500
//	GET  /override     MOCK: the response template overrides status and a header
//	GET  /runaway      MOCK: the response template never ends
//	GET  /broken       MOCK: the request template does not compile
//	POST /strict       HTTP with passthroughBehavior NEVER
type templateAPI struct {
	t    *testing.T
	env  *servertest.Env
	api  *apigateway.Client
	id   string
	root string
}

func newTemplateAPI(t *testing.T) *templateAPI {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var received any
		if err := json.Unmarshal(body, &received); err != nil {
			received = string(body)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", "echo")
		json.NewEncoder(w).Encode(map[string]any{
			"path": r.URL.Path, "query": r.URL.RawQuery, "received": received,
			"contentType": r.Header.Get("Content-Type"), "override": r.Header.Get("X-From-Template"),
		})
	}))
	t.Cleanup(backend.Close)

	env := servertest.Start(t, nil)
	a := &templateAPI{t: t, env: env, api: env.APIGateway()}
	ctx := servertest.Ctx()
	rest, err := a.api.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("templates")})
	a.must(err)
	a.id = *rest.Id
	res, err := a.api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &a.id})
	a.must(err)
	a.root = *res.Items[0].Id

	orders := a.resource(a.root, "orders")
	order := a.resource(orders, "{id}")
	a.method(order, "POST", &apigateway.PutIntegrationInput{
		Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String(backend.URL + "/orders/{id}"),
		RequestParameters: map[string]string{
			"integration.request.path.id":           "method.request.path.id",
			"integration.request.querystring.fixed": "'yes'",
		},
		RequestTemplates: map[string]string{"application/json": `#set($order = $input.path('$'))
{
  "customer": "$util.escapeJavaScript($order.customer).replaceAll("\\'","'")",
  "skus": [#foreach($item in $order.items)"$item.sku"#if($foreach.hasNext),#end#end],
  "total": #set($total = 0)#foreach($item in $order.items)#set($total = $total + $item.qty)#end$total,
  "stage": "$context.stage",
  "env": "$stageVariables.env"
}
#set($context.requestOverride.header.X-From-Template = "order-$input.params('id')")
#set($context.requestOverride.querystring.fixed = "overridden")
#set($context.requestOverride.path.id = "42")
`},
	}, map[string]string{"method.request.path.id": "true"})
	a.response(order, "POST", "200", "", map[string]string{
		"application/json": `$input.json('$.received')`,
		"application/xml":  `#set($r = $input.path('$.received'))<order customer="$r.customer">#foreach($s in $r.skus)<sku>$s</sku>#end</order>`,
	}, map[string]string{
		"method.response.header.X-Total":   "integration.response.body.received.total",
		"method.response.header.X-Path":    "integration.response.body.path",
		"method.response.header.X-Backend": "integration.response.header.X-Backend",
		"method.response.header.X-Query":   "integration.response.body.query",
		"method.response.header.X-Header":  "integration.response.body.override",
	})

	scope := a.resource(a.root, "scope")
	a.method(scope, "GET", &apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{
  #if( $input.params('scope') == "internal" )
    "statusCode": 200
  #else
    "statusCode": 500
  #end
}`}}, nil)
	a.response(scope, "GET", "200", "", map[string]string{"application/json": `{"scope": "$input.params('scope')"}`}, nil)
	a.response(scope, "GET", "500", `5\d{2}`, map[string]string{"application/json": `{"message": "internal only"}`}, nil)

	override := a.resource(a.root, "override")
	a.method(override, "GET", &apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}, nil)
	a.response(override, "GET", "200", "", map[string]string{"application/json": `#set($context.responseOverride.status = 418)
#set($context.responseOverride.header.X-Teapot = "short and stout")
{"teapot": true}`}, nil)

	runaway := a.resource(a.root, "runaway")
	a.method(runaway, "GET", &apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}, nil)
	a.response(runaway, "GET", "200", "", map[string]string{"application/json": `#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])x#end#end#end`}, nil)

	broken := a.resource(a.root, "broken")
	a.method(broken, "GET", &apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `#if($x) {"statusCode": 200}`}}, nil)
	a.response(broken, "GET", "200", "", nil, nil)

	strict := a.resource(a.root, "strict")
	a.method(strict, "POST", &apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp,
		IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(backend.URL + "/strict"),
		PassthroughBehavior: aws.String("NEVER"),
		RequestTemplates:    map[string]string{"application/json": `{"wrapped": $input.json('$')}`}}, nil)
	a.response(strict, "POST", "200", "", nil, nil)

	_, err = a.api.UpdateAccount(ctx, &apigateway.UpdateAccountInput{PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/cloudwatchRoleArn"), Value: aws.String("arn:aws:iam::123456789012:role/apigw-logs")}}})
	a.must(err)
	_, err = a.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &a.id, StageName: aws.String("prod"),
		Variables: map[string]string{"env": "production"}})
	a.must(err)
	_, err = a.api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &a.id, StageName: aws.String("prod"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/*/*/logging/loglevel"), Value: aws.String("ERROR")}}})
	a.must(err)
	return a
}

func (a *templateAPI) must(err error) {
	a.t.Helper()
	if err != nil {
		a.t.Fatal(err)
	}
}

func (a *templateAPI) resource(parent, part string) string {
	r, err := a.api.CreateResource(servertest.Ctx(), &apigateway.CreateResourceInput{RestApiId: &a.id, ParentId: &parent, PathPart: &part})
	a.must(err)
	return *r.Id
}

func (a *templateAPI) method(id, verb string, in *apigateway.PutIntegrationInput, params map[string]string) {
	ctx := servertest.Ctx()
	req := map[string]bool{}
	for k := range params {
		req[k] = true
	}
	_, err := a.api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &a.id, ResourceId: &id, HttpMethod: &verb,
		AuthorizationType: aws.String("NONE"), RequestParameters: req})
	a.must(err)
	in.RestApiId, in.ResourceId, in.HttpMethod = &a.id, &id, &verb
	_, err = a.api.PutIntegration(ctx, in)
	a.must(err)
}

func (a *templateAPI) response(id, verb, status, pattern string, templates, params map[string]string) {
	ctx := servertest.Ctx()
	declared := map[string]bool{}
	for k := range params {
		declared[k] = false
	}
	if status == "200" {
		declared["method.response.header.X-Teapot"] = false
	}
	_, err := a.api.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &a.id, ResourceId: &id,
		HttpMethod: &verb, StatusCode: &status, ResponseParameters: declared})
	a.must(err)
	in := &apigateway.PutIntegrationResponseInput{RestApiId: &a.id, ResourceId: &id, HttpMethod: &verb,
		StatusCode: &status, ResponseTemplates: templates, ResponseParameters: params}
	if pattern != "" {
		in.SelectionPattern = &pattern
	}
	_, err = a.api.PutIntegrationResponse(ctx, in)
	a.must(err)
}

func (a *templateAPI) call(method, path string, header http.Header, body string) (*http.Response, string) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.env.URL+"/restapis/"+a.id+"/prod/_user_request_"+path, strings.NewReader(body))
	a.must(err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	a.must(err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// execLog returns request rid's execution log lines.
func (a *templateAPI) execLog(rid string) string {
	a.t.Helper()
	a.must(a.env.App.Recorder.Flush(servertest.Ctx()))
	logs := cwl.NewFromConfig(a.env.AWSConfig())
	out, err := logs.FilterLogEvents(servertest.Ctx(), &cwl.FilterLogEventsInput{
		LogGroupName: aws.String("API-Gateway-Execution-Logs_" + a.id + "/prod"), FilterPattern: aws.String(`"(` + rid + `)"`)})
	a.must(err)
	var lines []string
	for _, e := range out.Events {
		lines = append(lines, aws.ToString(e.Message))
	}
	return strings.Join(lines, "\n")
}

func TestMappingTemplatesEndToEnd(t *testing.T) {
	a := newTemplateAPI(t)
	order := `{"customer": "O'Brien", "items": [{"sku": "a-1", "qty": 2}, {"sku": "b-2", "qty": 3}]}`
	jsonCT := http.Header{"Content-Type": {"application/json"}}

	t.Run("request template, overrides, JSON response", func(t *testing.T) {
		resp, body := a.call("POST", "/orders/7", jsonCT, order)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("response is not JSON: %v\n%s", err, body)
		}
		want := map[string]any{"customer": "O'Brien", "skus": []any{"a-1", "b-2"}, "total": float64(5), "stage": "prod", "env": "production"}
		if !jsonEqual(got, want) {
			t.Errorf("backend received %v, want %v", got, want)
		}
		if h := resp.Header.Get("X-Total"); h != "5" {
			t.Errorf("X-Total (integration.response.body.received.total) = %q", h)
		}
		if h := resp.Header.Get("X-Path"); h != "/orders/42" {
			t.Errorf("X-Path = %q: the path override did not reach the backend", h)
		}
		if h := resp.Header.Get("X-Backend"); h != "echo" {
			t.Errorf("X-Backend = %q", h)
		}
		if h := resp.Header.Get("X-Query"); h != "fixed=overridden" {
			t.Errorf("backend query %q: the querystring override replaces the mapped value", h)
		}
		if h := resp.Header.Get("X-Header"); h != "order-7" {
			t.Errorf("backend X-From-Template header %q", h)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
	})

	t.Run("unmatched Accept uses the application/json template", func(t *testing.T) {
		resp, body := a.call("POST", "/orders/7", http.Header{"Content-Type": {"application/json"}, "Accept": {"text/plain"}}, order)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if !strings.HasPrefix(body, `{"customer"`) {
			t.Errorf("Accept text/plain rendered %s", body)
		}
	})

	t.Run("XML response by Accept", func(t *testing.T) {
		resp, body := a.call("POST", "/orders/7", http.Header{"Content-Type": {"application/json"}, "Accept": {"application/xml"}}, order)
		want := `<order customer="O'Brien"><sku>a-1</sku><sku>b-2</sku></order>`
		if resp.StatusCode != 200 || body != want {
			t.Errorf("got %d %s, want 200 %s", resp.StatusCode, body, want)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
			t.Errorf("Content-Type = %q", ct)
		}
	})

	t.Run("MOCK status from the request template", func(t *testing.T) {
		resp, body := a.call("GET", "/scope?scope=internal", nil, "")
		if resp.StatusCode != 200 || body != `{"scope": "internal"}` {
			t.Errorf("internal: %d %s", resp.StatusCode, body)
		}
		resp, body = a.call("GET", "/scope?scope=public", nil, "")
		if resp.StatusCode != 500 || body != `{"message": "internal only"}` {
			t.Errorf("public: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("response overrides", func(t *testing.T) {
		resp, body := a.call("GET", "/override", nil, "")
		if resp.StatusCode != 418 || resp.Header.Get("X-Teapot") != "short and stout" || strings.TrimSpace(body) != `{"teapot": true}` {
			t.Errorf("got %d %q %s", resp.StatusCode, resp.Header.Get("X-Teapot"), body)
		}
	})

	t.Run("passthrough NEVER refuses other types", func(t *testing.T) {
		resp, body := a.call("POST", "/strict", http.Header{"Content-Type": {"text/plain"}}, "hello")
		if resp.StatusCode != 415 || body != `{"message":"Unsupported Media Type"}` {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
		resp, body = a.call("POST", "/strict", jsonCT, `{"a":1}`)
		if resp.StatusCode != 200 || !strings.Contains(body, `"received":{"wrapped":{"a":1}}`) {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})

	t.Run("runaway template is cut off", func(t *testing.T) {
		start := time.Now()
		resp, body := a.call("GET", "/runaway", nil, "")
		if resp.StatusCode != 500 || body != `{"message": "Internal server error"}` {
			t.Fatalf("got %d %s", resp.StatusCode, body)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("runaway template took %v", d)
		}
		log := a.execLog(resp.Header.Get("X-Amzn-Requestid"))
		if !strings.Contains(log, "Execution failed due to configuration error: Unable to transform response: template exceeded") {
			t.Errorf("execution log:\n%s", log)
		}
	})

	t.Run("template that does not compile", func(t *testing.T) {
		resp, body := a.call("GET", "/broken", nil, "")
		if resp.StatusCode != 500 || body != `{"message": "Internal server error"}` {
			t.Fatalf("got %d %s", resp.StatusCode, body)
		}
		log := a.execLog(resp.Header.Get("X-Amzn-Requestid"))
		if !strings.Contains(log, "Execution failed due to configuration error: Unable to transform request: line 1") ||
			!strings.Contains(log, "Gateway response type: API_CONFIGURATION_ERROR with status code: 500") {
			t.Errorf("execution log:\n%s", log)
		}
	})
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
