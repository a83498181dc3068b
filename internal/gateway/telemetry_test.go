package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/stagecoach/stagecoach/internal/server"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// telAPI is the "pets" REST API built with the SDK on a whole in-process
// Stagecoach, for the observability tests: every request goes through the
// front door, the data plane and the server's recorder, and is read back
// with the CloudWatch Logs SDK client and a /metrics scrape.
//
//	GET  /pets           MOCK, 200 [{"id":1}]
//	GET  /pets/{petId}   HTTP_PROXY to the backend's /pets/{petId}
//	POST /orders         HTTP (non-proxy) to the backend's /orders
//	GET  /slow           HTTP_PROXY with a 50 ms timeout to a backend that takes 1 s
//	GET  /down           HTTP_PROXY to a closed port
type telAPI struct {
	t          testing.TB
	env        *servertest.Env
	api        *apigateway.Client
	logs       *cwl.Client
	id         string
	deployment string
}

const telAccessARN = "arn:aws:logs:us-east-1:000000000000:log-group:"

func newTelAPI(t testing.TB, cfg *server.Config) *telAPI {
	t.Helper()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			// Never answers: only the integration's timeout ends it.
			<-r.Context().Done()
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", "yes")
		io.WriteString(w, `{"path":"`+r.URL.Path+`","body":"`+string(body)+`"}`)
	}))
	t.Cleanup(backend.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()

	env := servertest.Start(t, cfg)
	a := &telAPI{t: t, env: env, api: env.APIGateway(), logs: cwl.NewFromConfig(env.AWSConfig())}
	ctx := servertest.Ctx()
	rest, err := a.api.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	a.must(err)
	a.id = *rest.Id
	res, err := a.api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &a.id})
	a.must(err)
	root := *res.Items[0].Id
	resource := func(parent, part string) string {
		r, err := a.api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &a.id, ParentId: &parent, PathPart: &part})
		a.must(err)
		return *r.Id
	}
	method := func(id, verb string, in *apigateway.PutIntegrationInput) {
		_, err := a.api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &a.id, ResourceId: &id, HttpMethod: &verb, AuthorizationType: aws.String("NONE")})
		a.must(err)
		in.RestApiId, in.ResourceId, in.HttpMethod = &a.id, &id, &verb
		_, err = a.api.PutIntegration(ctx, in)
		a.must(err)
	}
	proxy := func(uri string, timeout int32) *apigateway.PutIntegrationInput {
		in := &apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("ANY"), Uri: &uri}
		if timeout > 0 {
			in.TimeoutInMillis = &timeout
		}
		return in
	}
	response := func(id, verb, template string) {
		_, err := a.api.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &a.id, ResourceId: &id, HttpMethod: &verb, StatusCode: aws.String("200")})
		a.must(err)
		in := &apigateway.PutIntegrationResponseInput{RestApiId: &a.id, ResourceId: &id, HttpMethod: &verb, StatusCode: aws.String("200")}
		if template != "" {
			in.ResponseTemplates = map[string]string{"application/json": template}
		}
		_, err = a.api.PutIntegrationResponse(ctx, in)
		a.must(err)
	}

	pets := resource(root, "pets")
	method(pets, "GET", &apigateway.PutIntegrationInput{Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	response(pets, "GET", `[{"id":1}]`)
	pet := resource(pets, "{petId}")
	method(pet, "GET", proxy(backend.URL+"/pets/{petId}", 0))
	orders := resource(root, "orders")
	method(orders, "POST", &apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String(backend.URL + "/orders")})
	response(orders, "POST", "")
	method(resource(root, "slow"), "GET", proxy(backend.URL+"/slow", 50))
	method(resource(root, "down"), "GET", proxy(closed+"/down", 0))

	d, err := a.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &a.id, StageName: aws.String("prod")})
	a.must(err)
	a.deployment = *d.Id
	return a
}

func (a *telAPI) must(err error) {
	a.t.Helper()
	if err != nil {
		a.t.Fatal(err)
	}
}

// allowLogging sets the account's CloudWatch role ARN, which AWS requires
// before a stage may log.
func (a *telAPI) allowLogging() {
	a.t.Helper()
	_, err := a.api.UpdateAccount(servertest.Ctx(), &apigateway.UpdateAccountInput{PatchOperations: []types.PatchOperation{
		telReplace("/cloudwatchRoleArn", "arn:aws:iam::123456789012:role/apigw-logs")}})
	a.must(err)
}

// stage creates a stage of the deployment with the given settings (as
// update-stage patches; "path=value" pairs).
func (a *telAPI) stage(name string, settings ...string) {
	a.t.Helper()
	ctx := servertest.Ctx()
	_, err := a.api.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: &a.id, StageName: &name, DeploymentId: &a.deployment})
	a.must(err)
	if len(settings) > 0 {
		a.must(a.updateStage(name, settings...))
	}
}

func (a *telAPI) updateStage(name string, settings ...string) error {
	var ops []types.PatchOperation
	for _, s := range settings {
		path, value, _ := strings.Cut(s, "=")
		ops = append(ops, telReplace(path, value))
	}
	_, err := a.api.UpdateStage(servertest.Ctx(), &apigateway.UpdateStageInput{RestApiId: &a.id, StageName: &name, PatchOperations: ops})
	return err
}

func telReplace(path, value string) types.PatchOperation {
	return types.PatchOperation{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)}
}

// invoke calls stage's path and returns the status and request id.
func (a *telAPI) invoke(method, stage, path string, header http.Header, body string) (int, string) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.env.URL+"/restapis/"+a.id+"/"+stage+"/_user_request_"+path, strings.NewReader(body))
	a.must(err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	a.must(err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Amzn-Requestid")
}

// flush waits until everything recorded so far is in the log store.
func (a *telAPI) flush() {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a.must(a.env.App.Recorder.Flush(ctx))
}

// lines returns the messages of a log group that contain term, read with
// the CloudWatch Logs client; nil when the group does not exist.
func (a *telAPI) lines(group, term string) []string {
	a.t.Helper()
	in := &cwl.FilterLogEventsInput{LogGroupName: &group}
	if term != "" {
		in.FilterPattern = aws.String(`"` + term + `"`)
	}
	var out []string
	p := cwl.NewFilterLogEventsPaginator(a.logs, in)
	for p.HasMorePages() {
		page, err := p.NextPage(servertest.Ctx())
		if err != nil {
			if strings.Contains(err.Error(), "ResourceNotFoundException") {
				return nil
			}
			a.t.Fatal(err)
		}
		for _, e := range page.Events {
			out = append(out, aws.ToString(e.Message))
		}
	}
	return out
}

// execLines returns request rid's execution log lines in stage's group.
func (a *telAPI) execLines(stage, rid string) []string {
	return a.lines("API-Gateway-Execution-Logs_"+a.id+"/"+stage, "("+rid+")")
}

// metrics scrapes /metrics.
func (a *telAPI) metrics() string {
	a.t.Helper()
	resp, err := http.Get(a.env.URL + "/metrics")
	a.must(err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return string(b)
}

// metric returns a sample's value from a scrape: name{ApiName="pets",
// Method=..,Resource=..,Stage=stage}; -1 when the series does not exist.
func metric(scrape, name, stage, method, resource string) float64 {
	prefix := name + `{ApiName="pets",Method="` + method + `",Resource="` + resource + `",Stage="` + stage + `"} `
	for line := range strings.SplitSeq(scrape, "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return -1
}

func contains(lines []string, want string) bool {
	for _, l := range lines {
		if strings.Contains(l, want) {
			return true
		}
	}
	return false
}

// TestObservabilitySeedGuide follows the console guide's CloudWatch
// settings: the role ARN, INFO logs with full request/response data,
// detailed metrics and a JSON access log, then one invocation read back
// line by line.
func TestObservabilitySeedGuide(t *testing.T) {
	a := newTelAPI(t, nil)
	err := a.updateStage("prod", "/*/*/logging/loglevel=INFO")
	if err == nil || !strings.Contains(err.Error(), "CloudWatch Logs role ARN must be set in account settings to enable logging") {
		t.Fatalf("enabling logs without the account's role ARN: %v", err)
	}
	a.allowLogging()
	a.must(a.updateStage("prod",
		"/*/*/logging/loglevel=INFO", "/*/*/logging/dataTrace=true", "/*/*/metrics/enabled=true",
		"/accessLogSettings/destinationArn="+telAccessARN+"pets-access",
		`/accessLogSettings/format={"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod","resourcePath":"$context.resourcePath","path":"$context.path","status":"$context.status","length":"$context.responseLength","integrationStatus":"$context.integrationStatus","error":"$context.error.responseType","ua":"$context.identity.userAgent"}`))

	header := http.Header{
		"Authorization": {"Bearer secret-token-0123456789"},
		"Cookie":        {"session=cookie-secret-abcdefgh"},
		"User-Agent":    {"telemetry-test"},
	}
	status, rid := a.invoke("GET", "prod", "/pets/7?color=red&token=query-secret-abcdef", header, "")
	if status != 200 || rid == "" {
		t.Fatalf("invoke: %d %q", status, rid)
	}
	a.flush()

	exec := a.execLines("prod", rid)
	for _, want := range []string{
		"(" + rid + ") Extended Request Id: ",
		"(" + rid + ") Starting execution for request: " + rid,
		"(" + rid + ") HTTP Method: GET, Resource Path: /pets/7",
		"(" + rid + ") Method request path: {petId=7}",
		"(" + rid + ") Method request query string: {color=red, token=",
		"Authorization=" + strings.Repeat("*", 24) + "456789",
		"(" + rid + ") Endpoint request URI: http://127.0.0.1:",
		"/pets/7?color=red&token=",
		"(" + rid + ") Endpoint request headers: {",
		"X-Forwarded-For=127.0.0.1",
		"(" + rid + ") Received response. Status: 200, Integration latency: ",
		"(" + rid + ") Endpoint response headers: {",
		"X-Backend=yes",
		`(` + rid + `) Endpoint response body before transformations: {"path":"/pets/7","body":""}`,
		`(` + rid + `) Method response body after transformations: {"path":"/pets/7","body":""}`,
		"(" + rid + ") Method response headers: {",
		"(" + rid + ") Successfully completed execution",
		"(" + rid + ") Method completed with status: 200",
	} {
		if !contains(exec, want) {
			t.Errorf("execution log lacks %q:\n%s", want, strings.Join(exec, "\n"))
		}
	}
	for _, secret := range []string{"secret-token", "cookie-secret", "query-secret"} {
		if contains(exec, secret) {
			t.Errorf("execution log shows %s in clear", secret)
		}
	}

	access := a.lines("pets-access", rid)
	if len(access) != 1 {
		t.Fatalf("access log lines for %s: %q", rid, access)
	}
	var line map[string]string
	if err := json.Unmarshal([]byte(access[0]), &line); err != nil {
		t.Fatalf("access log line is not JSON: %v: %s", err, access[0])
	}
	want := map[string]string{"requestId": rid, "ip": "127.0.0.1", "method": "GET", "resourcePath": "/pets/{petId}",
		"path": "/prod/pets/7", "status": "200", "length": strconv.Itoa(len(`{"path":"/pets/7","body":""}`)),
		"integrationStatus": "200", "error": "-", "ua": "telemetry-test"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("access log %s = %q, want %q", k, line[k], v)
		}
	}

	m := a.metrics()
	for _, c := range []struct {
		name, method, resource string
		want                   float64
	}{
		{"apigateway_Count", "", "", 1},
		{"apigateway_Count", "GET", "/pets/{petId}", 1},
		{"apigateway_Latency_count", "", "", 1},
		{"apigateway_IntegrationLatency_count", "", "", 1},
		{"apigateway_IntegrationLatency_count", "GET", "/pets/{petId}", 1},
		{"apigateway_4XXError", "", "", 0},
		{"apigateway_5XXError", "", "", 0},
	} {
		if got := metric(m, c.name, "prod", c.method, c.resource); got != c.want {
			t.Errorf("%s{Method=%q,Resource=%q} = %v, want %v", c.name, c.method, c.resource, got, c.want)
		}
	}
	if !strings.Contains(m, "\nstagecoach_log_requests_dropped_total 0\n") {
		t.Error("log lines were dropped")
	}
}

// TestExecutionLogLevels shows what each loggingLevel and dataTrace
// setting writes, stage-wide and per method, for a success and for a
// gateway failure (502 from an unreachable backend).
func TestExecutionLogLevels(t *testing.T) {
	a := newTelAPI(t, nil)
	a.allowLogging()
	header := http.Header{"Authorization": {"Bearer secret-token-0123456789"}, "Content-Type": {"application/json"}}
	for _, c := range []struct {
		name     string
		settings []string
		method   string
		path     string
		body     string
		status   int
		want     []string // in the request's execution log
		wantNot  []string
		none     bool // no line at all
	}{
		{name: "off", settings: []string{"/*/*/logging/loglevel=OFF"}, method: "GET", path: "/down", status: 502, none: true},
		{name: "errorsuccess", settings: []string{"/*/*/logging/loglevel=ERROR"}, method: "GET", path: "/pets", status: 200, none: true},
		{name: "errorfailure", settings: []string{"/*/*/logging/loglevel=ERROR"}, method: "GET", path: "/down", status: 502,
			want: []string{
				") Execution failed due to configuration error: ",
				") Gateway response type: INTEGRATION_FAILURE with status code: 502",
				") Method completed with status: 502",
			},
			wantNot: []string{"Starting execution", "Method request headers", "Gateway response body"}},
		{name: "errortimeout", settings: []string{"/*/*/logging/loglevel=ERROR"}, method: "GET", path: "/slow", status: 504,
			want: []string{
				") Execution failed due to a timeout error",
				") Gateway response type: INTEGRATION_TIMEOUT with status code: 504",
			}},
		{name: "infonames", settings: []string{"/*/*/logging/loglevel=INFO"}, method: "POST", path: "/orders?token=query-secret-abcdef", body: `{"n":1}`, status: 200,
			want: []string{
				") Method request headers: {Accept-Encoding, Authorization, Content-Length, Content-Type, User-Agent}",
				") Method request query string: {token}",
				") Endpoint request URI: http://127.0.0.1:",
				") Received response. Status: 200, Integration latency: ",
				") Method completed with status: 200",
			},
			wantNot: []string{"body", "Endpoint request headers", "secret", "?token"}},
		{name: "infotrace", settings: []string{"/*/*/logging/loglevel=INFO", "/*/*/logging/dataTrace=true"}, method: "POST", path: "/orders", body: `{"n":1}`, status: 200,
			want: []string{
				`) Method request body before transformations: {"n":1}`,
				") Endpoint request headers: {Content-Type=application/json, User-Agent=AmazonAPIGateway_",
				`) Endpoint request body after transformations: {"n":1}`,
				`) Endpoint response body before transformations: {"path":"/orders","body":"{"n":1}"}`,
				`) Method response body after transformations: {"path":"/orders","body":"{"n":1}"}`,
				"Authorization=" + strings.Repeat("*", 24) + "456789",
			},
			wantNot: []string{"secret-token"}},
		{name: "errortrace", settings: []string{"/*/*/logging/loglevel=ERROR", "/*/*/logging/dataTrace=true"}, method: "GET", path: "/nowhere", status: 403,
			want: []string{
				") No resource or method matches GET /nowhere",
				") Gateway response type: MISSING_AUTHENTICATION_TOKEN with status code: 403",
				`) Gateway response body: {"message":"Missing Authentication Token"}`,
			}},
		{name: "methodoff", settings: []string{"/*/*/logging/loglevel=INFO", "/pets/GET/logging/loglevel=OFF"}, method: "GET", path: "/pets", status: 200, none: true},
		{name: "methodinfo", settings: []string{"/*/*/logging/loglevel=OFF", "/~1pets~1{petId}/GET/logging/loglevel=INFO"}, method: "GET", path: "/pets/3", status: 200,
			want: []string{") Method completed with status: 200"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a.t = t
			a.stage(c.name, c.settings...)
			status, rid := a.invoke(c.method, c.name, c.path, header, c.body)
			if status != c.status {
				t.Fatalf("status %d, want %d", status, c.status)
			}
			a.flush()
			exec := a.execLines(c.name, rid)
			if c.none {
				if len(exec) > 0 {
					t.Errorf("logged:\n%s", strings.Join(exec, "\n"))
				}
				return
			}
			for _, w := range c.want {
				if !contains(exec, w) {
					t.Errorf("lacks %q:\n%s", w, strings.Join(exec, "\n"))
				}
			}
			for _, w := range c.wantNot {
				if contains(exec, w) {
					t.Errorf("has %q:\n%s", w, strings.Join(exec, "\n"))
				}
			}
		})
	}
}

// TestMetricsForEveryInvocation counts gateway errors as well as
// integration answers, and adds the Method/Resource series only for
// methods with detailed metrics.
func TestMetricsForEveryInvocation(t *testing.T) {
	a := newTelAPI(t, nil)
	a.stage("plain")
	a.stage("detailed", "/~1pets/GET/metrics/enabled=true")
	for _, stage := range []string{"plain", "detailed"} {
		for _, c := range []struct {
			path   string
			status int
		}{{"/pets", 200}, {"/pets", 200}, {"/nowhere", 403}, {"/down", 502}, {"/slow", 504}} {
			if status, _ := a.invoke("GET", stage, c.path, nil, ""); status != c.status {
				t.Fatalf("%s %s: %d, want %d", stage, c.path, status, c.status)
			}
		}
	}
	// A stage that does not exist has nothing to count under.
	if status, _ := a.invoke("GET", "nosuchstage", "/pets", nil, ""); status != 403 {
		t.Fatalf("unknown stage: %d", status)
	}
	m := a.metrics()
	for _, stage := range []string{"plain", "detailed"} {
		for _, c := range []struct {
			name string
			want float64
		}{
			{"apigateway_Count", 5},
			{"apigateway_4XXError", 1},
			{"apigateway_5XXError", 2},
			{"apigateway_Latency_count", 5},
			{"apigateway_IntegrationLatency_count", 2}, // the two failed backend calls; MOCK calls none
			{"apigateway_CacheHitCount", 0},
		} {
			if got := metric(m, c.name, stage, "", ""); got != c.want {
				t.Errorf("%s %s = %v, want %v", stage, c.name, got, c.want)
			}
		}
	}
	if got := metric(m, "apigateway_Count", "detailed", "GET", "/pets"); got != 2 {
		t.Errorf("detailed GET /pets Count = %v, want 2", got)
	}
	if got := metric(m, "apigateway_Count", "detailed", "GET", "/down"); got != -1 {
		t.Errorf("GET /down has per-method metrics without metrics/enabled: %v", got)
	}
	if strings.Contains(m, `Stage="plain"`) && regexp.MustCompile(`Method="GET"[^}]*Stage="plain"`).MatchString(m) {
		t.Error("stage without detailed metrics has per-method series")
	}
	if strings.Contains(m, `Stage="nosuchstage"`) {
		t.Error("an unknown stage has metrics")
	}
}

// TestThrottledRequestsRecorded: a 429 counts as Count, 4XXError and
// ThrottleCount, and the ERROR log and the access log say THROTTLED.
func TestThrottledRequestsRecorded(t *testing.T) {
	a := newTelAPI(t, nil)
	a.allowLogging()
	a.stage("limited", "/*/*/throttling/rateLimit=0.001", "/*/*/throttling/burstLimit=1", "/*/*/logging/loglevel=ERROR",
		"/accessLogSettings/destinationArn="+telAccessARN+"limited-access",
		"/accessLogSettings/format=$context.requestId $context.status $context.error.responseType $context.error.message")
	var throttled []string
	for range 4 {
		status, rid := a.invoke("GET", "limited", "/pets", nil, "")
		if status == 429 {
			throttled = append(throttled, rid)
		}
	}
	if len(throttled) != 3 {
		t.Fatalf("%d of 4 requests throttled, want 3 (burst 1)", len(throttled))
	}
	a.flush()
	exec := a.execLines("limited", throttled[0])
	if !contains(exec, ") Gateway response type: THROTTLED with status code: 429") {
		t.Errorf("execution log:\n%s", strings.Join(exec, "\n"))
	}
	if got := a.lines("limited-access", throttled[0]); len(got) != 1 || got[0] != throttled[0]+" 429 THROTTLED Too Many Requests" {
		t.Errorf("access log %q", got)
	}
	m := a.metrics()
	for name, want := range map[string]float64{"apigateway_Count": 4, "apigateway_4XXError": 3, "apigateway_ThrottleCount": 3, "apigateway_IntegrationLatency_count": 0} {
		if got := metric(m, name, "limited", "", ""); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

// TestCachedRequestsRecorded: with the stage cache on, the first GET is a
// miss and the second a hit, in the metrics and in the INFO log.
func TestCachedRequestsRecorded(t *testing.T) {
	a := newTelAPI(t, nil)
	a.allowLogging()
	a.stage("cached", "/cacheClusterEnabled=true", "/*/*/caching/enabled=true", "/*/*/logging/loglevel=INFO", "/*/*/metrics/enabled=true")
	_, miss := a.invoke("GET", "cached", "/pets/5", nil, "")
	_, hit := a.invoke("GET", "cached", "/pets/5", nil, "")
	a.flush()
	if exec := a.execLines("cached", hit); !contains(exec, ") Sending response from the stage cache") || contains(exec, "Endpoint request URI") {
		t.Errorf("cache hit's log:\n%s", strings.Join(exec, "\n"))
	}
	if exec := a.execLines("cached", miss); !contains(exec, ") Endpoint request URI: ") {
		t.Errorf("cache miss's log:\n%s", strings.Join(exec, "\n"))
	}
	m := a.metrics()
	for _, c := range []struct {
		name, method, resource string
		want                   float64
	}{
		{"apigateway_CacheHitCount", "", "", 1},
		{"apigateway_CacheMissCount", "", "", 1},
		{"apigateway_CacheHitCount", "GET", "/pets/{petId}", 1},
		{"apigateway_CacheMissCount", "GET", "/pets/{petId}", 1},
		{"apigateway_IntegrationLatency_count", "", "", 1},
	} {
		if got := metric(m, c.name, "cached", c.method, c.resource); got != c.want {
			t.Errorf("%s{Method=%q} = %v, want %v", c.name, c.method, got, c.want)
		}
	}
}

// TestCanaryRequestsRecorded: canary traffic is logged to the stage's
// groups and the /Canary groups, and counted under the stage and under
// "{stage}/Canary".
func TestCanaryRequestsRecorded(t *testing.T) {
	a := newTelAPI(t, nil)
	a.allowLogging()
	a.stage("release", "/*/*/logging/loglevel=INFO",
		"/accessLogSettings/destinationArn="+telAccessARN+"release-access",
		"/accessLogSettings/format=$context.requestId $context.isCanaryRequest $context.deploymentId")
	ctx := servertest.Ctx()
	d, err := a.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &a.id, StageName: aws.String("release"),
		CanarySettings: &types.DeploymentCanarySettings{PercentTraffic: 100}})
	a.must(err)
	_, rid := a.invoke("GET", "release", "/pets", nil, "")
	a.flush()
	group := "API-Gateway-Execution-Logs_" + a.id + "/release"
	for _, g := range []string{group, group + "/Canary"} {
		if !contains(a.lines(g, "("+rid+")"), ") Method completed with status: 200") {
			t.Errorf("%s lacks the canary request", g)
		}
	}
	want := rid + " true " + *d.Id
	for _, g := range []string{"release-access", "release-access/Canary"} {
		if got := a.lines(g, rid); len(got) != 1 || got[0] != want {
			t.Errorf("%s: %q, want %q", g, got, want)
		}
	}
	m := a.metrics()
	for _, stage := range []string{"release", "release/Canary"} {
		if got := metric(m, "apigateway_Count", stage, "", ""); got != 1 {
			t.Errorf("Count{Stage=%q} = %v, want 1", stage, got)
		}
	}
}
