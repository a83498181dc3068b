package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// lambdaRuntime is a function behind the Lambda Runtime Interface Emulator
// protocol, written for the test: it records each event and answers with
// what handle returns (raw bytes, runtime status, function error flag).
type lambdaRuntime struct {
	*httptest.Server
	mu     sync.Mutex
	events []map[string]any
	// handle answers each event; tests may replace it.
	handle func(ev map[string]any) (body string, status int, fnErr bool)
}

func newLambdaRuntime(t testing.TB, handle func(ev map[string]any) (body string, status int, fnErr bool)) *lambdaRuntime {
	lr := &lambdaRuntime{handle: handle}
	lr.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/2015-03-31/functions/function/invocations" {
			http.Error(w, "not the RIE invoke route", 404)
			return
		}
		var ev map[string]any
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		lr.mu.Lock()
		lr.events = append(lr.events, ev)
		handle := lr.handle
		lr.mu.Unlock()
		body, status, fnErr := handle(ev)
		if fnErr {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(lr.Close)
	return lr
}

func (lr *lambdaRuntime) lastEvent() map[string]any {
	lr.mu.Lock()
	defer lr.mu.Unlock()
	return lr.events[len(lr.events)-1]
}

func lambdaURI(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fn + "/invocations"
}

func TestLambdaProxyEventAndResponse(t *testing.T) {
	fn := newLambdaRuntime(t, func(ev map[string]any) (string, int, bool) {
		return `{"statusCode": 201, "headers": {"X-Fn": "pets", "X-Num": 3},
			"multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}, "body": "{\"created\":true}", "isBase64Encoded": false}`, 200, false
	})
	e := newTestEnv(t, Options{LambdaEndpoints: map[string]string{
		"arn:aws:lambda:us-east-1:000000000000:function:pets": fn.URL,
	}})
	b := newAPIBuilder("lambdaapi1")
	b.method("/pets/{petId}", "POST", &apigw.Integration{Type: apigw.IntegrationAWSProxy, HTTPMethod: "POST",
		URI: lambdaURI("arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}")})
	e.deploy(b, "prod", map[string]string{"fn": "pets"})

	resp := e.invoke("POST", "lambdaapi1", "prod", "/pets/a%20b?tag=x&tag=y&one=1", strings.NewReader(`{"name":"rex"}`),
		http.Header{"X-Custom": {"v1", "v2"}, "User-Agent": {"test-agent"}, "X-Forwarded-For": {"6.6.6.6"}})
	body := readAll(t, resp)
	if resp.StatusCode != 201 || body != `{"created":true}` {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Fn") != "pets" || resp.Header.Get("X-Num") != "3" {
		t.Errorf("headers not mapped: %v", resp.Header)
	}
	if got := resp.Header.Values("Set-Cookie"); len(got) != 2 {
		t.Errorf("multiValueHeaders Set-Cookie = %v", got)
	}
	expectRequestIDs(t, resp)

	ev := fn.lastEvent()
	rc := ev["requestContext"].(map[string]any)
	id := rc["identity"].(map[string]any)
	checks := []struct {
		what string
		got  any
		want any
	}{
		{"resource", ev["resource"], "/pets/{petId}"},
		{"path", ev["path"], "/pets/a b"},
		{"httpMethod", ev["httpMethod"], "POST"},
		{"body", ev["body"], `{"name":"rex"}`},
		{"isBase64Encoded", ev["isBase64Encoded"], false},
		{"pathParameters", ev["pathParameters"], map[string]any{"petId": "a b"}},
		{"stageVariables", ev["stageVariables"], map[string]any{"fn": "pets"}},
		{"queryStringParameters", ev["queryStringParameters"], map[string]any{"tag": "y", "one": "1"}},
		{"multiValueQueryStringParameters", ev["multiValueQueryStringParameters"], map[string]any{"tag": []any{"x", "y"}, "one": []any{"1"}}},
		{"headers last value", ev["headers"].(map[string]any)["X-Custom"], "v2"},
		{"multiValueHeaders", ev["multiValueHeaders"].(map[string]any)["X-Custom"], []any{"v1", "v2"}},
		{"X-Forwarded-For not trusted", ev["headers"].(map[string]any)["X-Forwarded-For"], "127.0.0.1"},
		{"requestContext.stage", rc["stage"], "prod"},
		{"requestContext.apiId", rc["apiId"], "lambdaapi1"},
		{"requestContext.accountId", rc["accountId"], "000000000000"},
		{"requestContext.resourcePath", rc["resourcePath"], "/pets/{petId}"},
		{"requestContext.httpMethod", rc["httpMethod"], "POST"},
		{"requestContext.path", rc["path"], "/prod/pets/a b"},
		{"requestContext.protocol", rc["protocol"], "HTTP/1.1"},
		{"requestContext.requestId", rc["requestId"], resp.Header.Get("x-amzn-RequestId")},
		{"requestContext.resourceId", rc["resourceId"], b.resource("/pets/{petId}").ID},
		{"identity.sourceIp", id["sourceIp"], "127.0.0.1"},
		{"identity.userAgent", id["userAgent"], "test-agent"},
		{"identity.caller", id["caller"], nil},
	}
	for _, c := range checks {
		gj, _ := json.Marshal(c.got)
		wj, _ := json.Marshal(c.want)
		if string(gj) != string(wj) {
			t.Errorf("event %s = %s, want %s", c.what, gj, wj)
		}
	}
	if ms, _ := rc["requestTimeEpoch"].(float64); time.Since(time.UnixMilli(int64(ms))) > time.Minute {
		t.Errorf("requestTimeEpoch = %v", rc["requestTimeEpoch"])
	}
}

func TestLambdaProxyBinaryBodies(t *testing.T) {
	fn := newLambdaRuntime(t, func(ev map[string]any) (string, int, bool) {
		// Echo the request body back base64-encoded.
		return `{"statusCode": 200, "body": "` + ev["body"].(string) + `", "isBase64Encoded": true}`, 200, false
	})
	e := newTestEnv(t, Options{LambdaEndpoints: map[string]string{"bin": fn.URL}})
	b := newAPIBuilder("lambdabin1")
	b.api.BinaryMediaTypes = []string{"image/*"}
	b.method("/img", "POST", &apigw.Integration{Type: apigw.IntegrationAWSProxy, URI: lambdaURI("bin")})
	e.deploy(b, "prod", nil)
	img := "\x89PNG\r\n\x1a\n\x00\x01"
	resp := e.invoke("POST", "lambdabin1", "prod", "/img", strings.NewReader(img), http.Header{"Content-Type": {"image/png"}})
	if got := readAll(t, resp); got != img {
		t.Errorf("round trip through base64 = %q", got)
	}
	if ev := fn.lastEvent(); ev["isBase64Encoded"] != true {
		t.Errorf("isBase64Encoded = %v for a binary media type", ev["isBase64Encoded"])
	}
}

func TestLambdaProxyFailures(t *testing.T) {
	outputs := map[string]struct {
		body   string
		status int
		fnErr  bool
	}{
		"/object-body":  {`{"statusCode": 200, "body": {"not": "a string"}}`, 200, false},
		"/no-status":    {`{"body": "x"}`, 200, false},
		"/not-json":     {`hello`, 200, false},
		"/fn-error":     {`{"errorMessage": "boom", "errorType": "Error"}`, 200, true},
		"/runtime-500":  {`oops`, 500, false},
		"/bad-base64":   {`{"statusCode": 200, "body": "%%%", "isBase64Encoded": true}`, 200, false},
		"/string-code":  {`{"statusCode": "202", "body": ""}`, 200, false},
		"/empty-object": {`{"statusCode": 204}`, 200, false},
	}
	fn := newLambdaRuntime(t, func(ev map[string]any) (string, int, bool) {
		o := outputs[ev["path"].(string)]
		return o.body, o.status, o.fnErr
	})
	// The slow function answers only when the test ends: the 100ms
	// integration timeout is the only way its request can finish.
	release := make(chan struct{})
	slow := newLambdaRuntime(t, func(ev map[string]any) (string, int, bool) {
		<-release
		return `{"statusCode": 200}`, 200, false
	})
	t.Cleanup(func() { close(release) }) // runs before the runtime's Close
	e := newTestEnv(t, Options{LambdaEndpoints: map[string]string{"fails": fn.URL, "slow": slow.URL}})
	b := newAPIBuilder("lambdafail")
	b.method("/{proxy+}", "ANY", &apigw.Integration{Type: apigw.IntegrationAWSProxy, URI: lambdaURI("arn:aws:lambda:us-east-1:000000000000:function:fails:live")})
	b.method("/slow", "GET", &apigw.Integration{Type: apigw.IntegrationAWSProxy, URI: lambdaURI("slow"), TimeoutInMillis: 100})
	b.method("/unmapped", "GET", &apigw.Integration{Type: apigw.IntegrationAWSProxy, URI: lambdaURI("nobody-runs-this")})
	e.deploy(b, "prod", nil)

	const internal = `{"message": "Internal server error"}`
	for _, path := range []string{"/object-body", "/no-status", "/not-json", "/fn-error", "/runtime-500", "/bad-base64", "/unmapped"} {
		t.Run(path, func(t *testing.T) {
			expectGatewayError(t, e.invoke("GET", "lambdafail", "prod", path, nil, nil), 502, "InternalServerErrorException", internal)
		})
	}
	t.Run("/slow", func(t *testing.T) {
		expectGatewayError(t, e.invoke("GET", "lambdafail", "prod", "/slow", nil, nil), 504, "InternalServerErrorException", `{"message": "Endpoint request timed out"}`)
	})
	t.Run("statusCode as a string", func(t *testing.T) {
		if resp := e.invoke("GET", "lambdafail", "prod", "/string-code", nil, nil); resp.StatusCode != 202 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("no body", func(t *testing.T) {
		resp := e.invoke("GET", "lambdafail", "prod", "/empty-object", nil, nil)
		if got := readAll(t, resp); resp.StatusCode != 204 || got != "" {
			t.Errorf("got %d %q", resp.StatusCode, got)
		}
	})
}

func TestLambdaEndpointLookup(t *testing.T) {
	c := &compiler{g: &Gateway{opts: Options{LambdaEndpoints: map[string]string{
		"arn:aws:lambda:us-east-1:000000000000:function:exact:prod": "http://exact",
		"arn:aws:lambda:us-east-1:000000000000:function:byarn":      "http://byarn/",
		"byname": "http://byname",
		"rie":    "http://rie/2015-03-31/functions/function/invocations",
	}}}}
	tests := map[string]string{
		"arn:aws:lambda:us-east-1:000000000000:function:exact:prod": "http://exact" + rieInvokePath,
		"arn:aws:lambda:us-east-1:000000000000:function:byarn:v3":   "http://byarn" + rieInvokePath,
		"arn:aws:lambda:eu-west-1:111111111111:function:byname":     "http://byname" + rieInvokePath,
		"byname:alias": "http://byname" + rieInvokePath,
		"rie":          "http://rie" + rieInvokePath,
		"unknown":      "",
	}
	for fn, want := range tests {
		if got := c.lambdaEndpoint(fn); got != want {
			t.Errorf("lambdaEndpoint(%q) = %q, want %q", fn, got, want)
		}
	}
	if got := functionFromURI(lambdaURI("arn:aws:lambda:us-east-1:1:function:f")); got != "arn:aws:lambda:us-east-1:1:function:f" {
		t.Errorf("functionFromURI = %q", got)
	}
}

func TestLoadLambdaEndpoints(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"pets": "http://127.0.0.1:9001"}`), 0o644)
	m, err := LoadLambdaEndpoints(good)
	if err != nil || m["pets"] != "http://127.0.0.1:9001" {
		t.Errorf("got %v, %v", m, err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"pets": "127.0.0.1:9001"}`), 0o644)
	if _, err := LoadLambdaEndpoints(bad); err == nil {
		t.Errorf("a URL without scheme was accepted")
	}
	if _, err := LoadLambdaEndpoints(filepath.Join(dir, "missing.json")); err == nil {
		t.Errorf("a missing file was accepted")
	}
}
