package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// testInvokeStage is the stage name AWS puts in a test invocation's
// method ARN.
const testInvokeStage = "ESTestInvoke-stage"

// TestInvokeAuthorizer runs an authorizer (as stored, not as deployed)
// against a described request, without caching, for
// test-invoke-authorizer. Refusals are results (clientStatus), not errors.
func (g *Gateway) TestInvokeAuthorizer(ctx context.Context, restAPIID string, a *apigw.Authorizer, in apigw.TestInvokeAuthorizerInput) (*apigw.TestInvokeAuthorizerResult, error) {
	start := time.Now()
	inv, err := testInvocation(restAPIID, in)
	if err != nil {
		return nil, err
	}
	defer putInvocation(inv)
	reqID := inv.requestID()
	out := &apigw.TestInvokeAuthorizerResult{}
	var log strings.Builder
	logf := func(format string, args ...any) {
		fmt.Fprintf(&log, "%s : "+format+"\n", append([]any{time.Now().UTC().Format("Mon Jan 02 15:04:05 UTC 2006")}, args...)...)
	}
	finish := func(status int) (*apigw.TestInvokeAuthorizerResult, error) {
		out.ClientStatus = status
		out.Latency = time.Since(start).Milliseconds()
		out.Log = log.String()
		return out, nil
	}
	logf("Starting authorizer: %s for request: %s", a.ID, reqID)

	switch a.Type {
	case apigw.AuthorizerToken, apigw.AuthorizerRequest:
		c := &compiler{g: g, log: g.log}
		la, err := c.compileLambdaAuthorizer(inv.variant, a, nil)
		if err != nil {
			logf("Execution failed due to configuration error: %v", err)
			return finish(http.StatusInternalServerError)
		}
		_, ok := la.identity(inv, nil)
		if !ok {
			logf("Unauthorized request: %s", reqID)
			return finish(http.StatusUnauthorized)
		}
		if la.validation != nil {
			tok, _ := la.sources[0].src.request(inv)
			if !la.validation.MatchString(tok) {
				logf("Incoming identity does not match the identity validation expression")
				return finish(http.StatusUnauthorized)
			}
		}
		arn := "arn:aws:execute-api:" + g.region() + ":" + accountID + ":" + restAPIID + "/" + testInvokeStage + "/" + inv.r.Method + "/" +
			strings.TrimPrefix(unescapePath(inv.path), "/")
		logf("Endpoint request URI: %s", la.endpoint)
		raw, err := la.call(ctx, la.event(inv, arn))
		if err == errFunctionUnauthorized {
			logf("Unauthorized request: %s", reqID)
			return finish(http.StatusUnauthorized)
		}
		if err != nil {
			logf("Execution failed due to configuration error: Authorizer error")
			logf("Execution failed due to configuration error: %v", err)
			return finish(http.StatusInternalServerError)
		}
		logf("Authorizer result body before parsing: %s", raw)
		res, err := parseAuthorizerOutput(raw)
		if err != nil {
			logf("Execution failed due to configuration error: Could not parse policy: %v", err)
			return finish(http.StatusInternalServerError)
		}
		var doc struct {
			PolicyDocument json.RawMessage `json:"policyDocument"`
		}
		json.Unmarshal(raw, &doc)
		out.PrincipalID = res.ctx.principalID
		out.Policy = string(doc.PolicyDocument)
		for k, v := range res.ctx.context {
			if out.Authorization == nil {
				out.Authorization = map[string][]string{}
			}
			out.Authorization[k] = []string{v}
		}
		logf("Using valid authorizer policy for principal: %s", out.PrincipalID)
		logf("Successfully completed authorizer execution")
		return finish(0)
	}
	return nil, apigw.BadRequest("Authorizer type %s cannot be test-invoked", a.Type)
}

// testInvocation builds the invocation a test-invoke describes: GET of
// pathWithQueryString with the given headers, on a variant with the given
// stage variables.
func testInvocation(restAPIID string, in apigw.TestInvokeAuthorizerInput) (*invocation, error) {
	p := in.PathWithQueryString
	if p == "" {
		p = "/"
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	u, err := url.Parse(p)
	if err != nil {
		return nil, apigw.BadRequest("Invalid pathWithQueryString specified: %s", in.PathWithQueryString)
	}
	r := &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}, Host: restAPIID + ".execute-api",
		Proto: "HTTP/1.1", RemoteAddr: "127.0.0.1:0", Body: http.NoBody}
	r = r.WithContext(context.Background())
	for k, vs := range in.MultiValueHeaders {
		r.Header[http.CanonicalHeaderKey(k)] = vs
	}
	for k, v := range in.Headers {
		r.Header.Set(k, v)
	}
	inv := getInvocation(testInvokeWriter{}, r)
	inv.path = u.EscapedPath()
	inv.variant = &variant{apiID: restAPIID, stageName: testInvokeStage, vars: in.StageVariables}
	inv.method = &method{verb: http.MethodGet, resourcePath: unescapePath(inv.path)}
	return inv, nil
}

// testInvokeWriter is a test invocation's response writer: nothing is sent.
type testInvokeWriter struct{}

func (testInvokeWriter) Header() http.Header         { return http.Header{} }
func (testInvokeWriter) Write(b []byte) (int, error) { return len(b), nil }
func (testInvokeWriter) WriteHeader(int)             {}
