package gateway

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/gateway/throttle"
)

const authFn = "arn:aws:lambda:us-east-1:000000000000:function:auth"

// policyFor is an authorizer answer allowing or denying resource.
func policyFor(principal, effect, resource string, ctx map[string]any) string {
	b, _ := json.Marshal(map[string]any{
		"principalId": principal,
		"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}}},
		"context": ctx,
	})
	return string(b)
}

// tokenAuthorizerFn is a TOKEN authorizer function: "allow-X" is allowed
// everywhere as principal X, "deny" is denied explicitly, "other" is
// allowed only on another API, "fail" throws, "unauth" throws
// Unauthorized, "junk" returns no policy.
func tokenAuthorizerFn(ev map[string]any) (string, int, bool) {
	tok, _ := ev["authorizationToken"].(string)
	switch {
	case strings.HasPrefix(tok, "allow-"):
		return policyFor(strings.TrimPrefix(tok, "allow-"), "Allow", "arn:aws:execute-api:us-east-1:000000000000:*/prod/*",
			map[string]any{"tier": "gold", "n": 3, "ok": true}), 200, false
	case tok == "deny":
		return policyFor("bad", "Deny", "*", nil), 200, false
	case tok == "other":
		return policyFor("o", "Allow", "arn:aws:execute-api:us-east-1:000000000000:elsewhere/*", nil), 200, false
	case tok == "unauth":
		return `{"errorMessage":"Unauthorized","errorType":"Error"}`, 200, true
	case tok == "fail":
		return `{"errorMessage":"boom","errorType":"Error"}`, 200, true
	}
	return `{"principalId":"x"}`, 200, false
}

type authTest struct {
	e     *testEnv
	b     *apiBuilder
	auth  *lambdaRuntime
	app   *lambdaRuntime
	clock *throttle.ManualClock
}

// newAuthTest deploys API authapi1: GET /pets (CUSTOM with a TOKEN
// authorizer, ttl seconds) on a Lambda proxy that echoes its event.
func newAuthTest(t *testing.T, ttl int, configure func(a *apigw.Authorizer)) *authTest {
	at := &authTest{clock: throttle.NewManualClock(time.Unix(1700000000, 0))}
	at.auth = newLambdaRuntime(t, tokenAuthorizerFn)
	at.app = newLambdaRuntime(t, func(ev map[string]any) (string, int, bool) {
		return `{"statusCode": 200, "body": "ok"}`, 200, false
	})
	at.e = newTestEnv(t, Options{Clock: at.clock, LambdaEndpoints: map[string]string{authFn: at.auth.URL, "app": at.app.URL}})
	at.b = newAPIBuilder("authapi1")
	a := &apigw.Authorizer{ID: "au1", Name: "tok", Type: apigw.AuthorizerToken, AuthorizerURI: lambdaURI(authFn),
		IdentitySource: "method.request.header.Authorization", AuthorizerResultTTLInSeconds: &ttl}
	if configure != nil {
		configure(a)
	}
	at.b.api.Authorizers = map[string]*apigw.Authorizer{a.ID: a}
	for _, p := range []string{"/pets", "/pets/{id}"} {
		m := at.b.method(p, "GET", &apigw.Integration{Type: apigw.IntegrationAWSProxy, URI: lambdaURI("app")})
		m.AuthorizationType, m.AuthorizerID = "CUSTOM", a.ID
	}
	at.e.deploy(at.b, "prod", nil)
	return at
}

func (at *authTest) call(path string, h http.Header) (int, string, http.Header) {
	resp := at.e.invoke("GET", "authapi1", "prod", path, nil, h)
	return resp.StatusCode, readAll(at.e.t, resp), resp.Header
}

func (lr *lambdaRuntime) setHandle(h func(ev map[string]any) (string, int, bool)) {
	lr.mu.Lock()
	lr.handle = h
	lr.mu.Unlock()
}

func (lr *lambdaRuntime) calls() int {
	lr.mu.Lock()
	defer lr.mu.Unlock()
	return len(lr.events)
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {tok}} }

func TestTokenAuthorizerOutcomes(t *testing.T) {
	at := newAuthTest(t, 0, nil)
	cases := []struct {
		name   string
		h      http.Header
		status int
		body   string
		errTyp string
		called bool
	}{
		{"allow", bearer("allow-alice"), 200, "ok", "", true},
		{"no token", nil, 401, `{"message":"Unauthorized"}`, "UnauthorizedException", false},
		{"empty token", bearer(""), 401, `{"message":"Unauthorized"}`, "UnauthorizedException", false},
		{"explicit deny", bearer("deny"), 403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`, "AccessDeniedException", true},
		{"allow elsewhere", bearer("other"), 403, `{"Message":"User is not authorized to access this resource"}`, "AccessDeniedException", true},
		{"function says Unauthorized", bearer("unauth"), 401, `{"message":"Unauthorized"}`, "UnauthorizedException", true},
		{"function error", bearer("fail"), 500, `{"message": null}`, "AuthorizerConfigurationException", true},
		{"no policy", bearer("junk"), 500, `{"message": null}`, "AuthorizerConfigurationException", true},
	}
	for _, c := range cases {
		before := at.auth.calls()
		status, body, h := at.call("/pets", c.h)
		if status != c.status || body != c.body || h.Get("X-Amzn-Errortype") != c.errTyp {
			t.Errorf("%s: %d %s (%s), want %d %s (%s)", c.name, status, body, h.Get("X-Amzn-Errortype"), c.status, c.body, c.errTyp)
		}
		if called := at.auth.calls() > before; called != c.called {
			t.Errorf("%s: function called = %v", c.name, called)
		}
	}
	// The TOKEN event, and what the integration got from the authorizer.
	at.call("/pets/a%20b", bearer("allow-alice"))
	ev := at.auth.lastEvent()
	if ev["type"] != "TOKEN" || ev["authorizationToken"] != "allow-alice" ||
		ev["methodArn"] != "arn:aws:execute-api:us-east-1:000000000000:authapi1/prod/GET/pets/a b" {
		t.Errorf("TOKEN event = %v", ev)
	}
	rc := at.app.lastEvent()["requestContext"].(map[string]any)
	want := map[string]any{"principalId": "alice", "tier": "gold", "n": "3", "ok": "true"}
	if got, _ := json.Marshal(rc["authorizer"]); string(got) != mustJSON(want) {
		t.Errorf("requestContext.authorizer = %s, want %s", got, mustJSON(want))
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Results are cached per token for the TTL, shared by the stage's
// methods, expire with the (injected) clock and are emptied by a flush.
func TestTokenAuthorizerCache(t *testing.T) {
	at := newAuthTest(t, 60, nil)
	for _, p := range []string{"/pets", "/pets/1", "/pets"} {
		if status, body, _ := at.call(p, bearer("allow-bob")); status != 200 {
			t.Fatalf("GET %s: %d %s", p, status, body)
		}
	}
	if n := at.auth.calls(); n != 1 {
		t.Fatalf("function called %d times for one token, want 1 (cache)", n)
	}
	// A cached Deny still denies, without a call.
	at.call("/pets", bearer("deny"))
	if status, _, _ := at.call("/pets", bearer("deny")); status != 403 || at.auth.calls() != 2 {
		t.Errorf("cached deny: %d after %d calls", status, at.auth.calls())
	}
	at.clock.Advance(59 * time.Second)
	at.call("/pets", bearer("allow-bob"))
	if n := at.auth.calls(); n != 2 {
		t.Errorf("function called again before the TTL: %d", n)
	}
	at.clock.Advance(time.Second)
	at.call("/pets", bearer("allow-bob"))
	if n := at.auth.calls(); n != 3 {
		t.Errorf("after the TTL the function is called again: %d calls, want 3", n)
	}
	at.e.gw.FlushStageAuthorizersCache("authapi1", "prod")
	at.call("/pets", bearer("allow-bob"))
	if n := at.auth.calls(); n != 4 {
		t.Errorf("after a flush the function is called again: %d calls, want 4", n)
	}
	// A redeployment keeps the stage's cache.
	at.e.deploy(at.b, "prod", nil)
	at.call("/pets", bearer("allow-bob"))
	if n := at.auth.calls(); n != 4 {
		t.Errorf("a redeployment emptied the cache: %d calls", n)
	}
}

func TestTokenValidationExpression(t *testing.T) {
	at := newAuthTest(t, 300, func(a *apigw.Authorizer) { a.IdentityValidationExpression = `allow-[a-z]+` })
	if status, _, _ := at.call("/pets", bearer("allow-carol")); status != 200 {
		t.Errorf("matching token: %d", status)
	}
	if status, body, _ := at.call("/pets", bearer("allow-Carol9")); status != 401 || body != `{"message":"Unauthorized"}` {
		t.Errorf("token the expression refuses: %d %s", status, body)
	}
	if n := at.auth.calls(); n != 1 {
		t.Errorf("function called %d times, want 1", n)
	}
}

func TestRequestAuthorizer(t *testing.T) {
	at := newAuthTest(t, 300, func(a *apigw.Authorizer) {
		a.Type = apigw.AuthorizerRequest
		a.IdentitySource = "method.request.header.X-User, method.request.querystring.tenant, stageVariables.env"
	})
	at.auth.setHandle(func(ev map[string]any) (string, int, bool) {
		h := ev["headers"].(map[string]any)
		q := ev["queryStringParameters"].(map[string]any)
		sv, _ := ev["stageVariables"].(map[string]any)
		if ev["type"] != "REQUEST" || h["X-User"] != "dan" || q["tenant"] != "t1" || sv != nil {
			return policyFor("x", "Deny", "*", nil), 200, false
		}
		return policyFor("dan", "Allow", ev["methodArn"].(string), nil), 200, false
	})
	// stageVariables.env is not set on the stage: every call lacks it.
	if status, _, _ := at.call("/pets?tenant=t1", http.Header{"X-User": {"dan"}}); status != 401 || at.auth.calls() != 0 {
		t.Fatalf("missing stage variable: %d, %d calls", status, at.auth.calls())
	}
	at.e.editStage("authapi1", "prod", func(s *apigw.Stage) { s.Variables = map[string]string{"env": "test"} })
	if status, body, _ := at.call("/pets?tenant=t1", http.Header{"X-User": {"dan"}}); status != 403 {
		t.Fatalf("stage variables are sent: want the function's Deny for a non-nil map, got %d %s", status, body)
	}
	at.auth.setHandle(func(ev map[string]any) (string, int, bool) {
		if ev["type"] != "REQUEST" || ev["path"] != "/pets" || ev["httpMethod"] != "GET" {
			return policyFor("x", "Deny", "*", nil), 200, false
		}
		return policyFor("dan", "Allow", ev["methodArn"].(string), nil), 200, false
	})
	if status, body, _ := at.call("/pets?tenant=t2", http.Header{"X-User": {"dan"}}); status != 200 {
		t.Errorf("REQUEST allow: %d %s", status, body)
	}
	if status, _, _ := at.call("/pets", http.Header{"X-User": {"dan"}}); status != 401 {
		t.Errorf("missing query string source: %d", status)
	}
	// The policy named /pets only: the cached answer denies /pets/1.
	if status, _, _ := at.call("/pets/1?tenant=t2", http.Header{"X-User": {"dan"}}); status != 403 {
		t.Errorf("cached policy for another method: %d", status)
	}
}

// A custom ACCESS_DENIED response changes what a denied caller gets.
func TestCustomAccessDenied(t *testing.T) {
	at := newAuthTest(t, 0, nil)
	at.b.api.GatewayResponses = map[string]*apigw.GatewayResponse{"ACCESS_DENIED": {ResponseType: "ACCESS_DENIED", StatusCode: "404",
		ResponseTemplates: map[string]string{"application/json": `{"denied":$context.error.messageString,"who":"$context.authorizer.principalId"}`}}}
	at.e.deploy(at.b, "prod", nil)
	status, body, _ := at.call("/pets", bearer("deny"))
	if want := `{"denied":"User is not authorized to access this resource with an explicit deny","who":"bad"}`; status != 404 || body != want {
		t.Errorf("custom ACCESS_DENIED: %d %s, want 404 %s", status, body, want)
	}
}

func TestGlobMatch(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*", "anything", true},
		{"arn:aws:execute-api:*:*:api/*/GET/*", "arn:aws:execute-api:us-east-1:1:api/prod/GET/pets/1", true},
		{"arn:aws:execute-api:*:*:api/*/GET/*", "arn:aws:execute-api:us-east-1:1:api/prod/POST/pets", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*/GET/", "x/prod/GET/", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"", "", true},
	} {
		if got := globMatch(c.p, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.p, c.s, got)
		}
	}
}
