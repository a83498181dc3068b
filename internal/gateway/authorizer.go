package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"regexp"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// Authorization answers (access-control.md §4). The 403 bodies spell
// "Message" with a capital M, as AWS does for policy denials.
var (
	// UNAUTHORIZED: no identity, a token the validation expression
	// refuses, or a function that failed with "Unauthorized".
	respUnauthorized = newGatewayResponse(gtUnauthorized, http.StatusUnauthorized, "UnauthorizedException",
		`{"message":"Unauthorized"}`)
	// ACCESS_DENIED: the returned policy allows nothing matching the
	// method ARN, or denies it explicitly.
	respAccessDenied = newGatewayResponse(gtAccessDenied, http.StatusForbidden, "AccessDeniedException",
		`{"Message":"User is not authorized to access this resource"}`)
	respExplicitDeny = newGatewayResponse(gtAccessDenied, http.StatusForbidden, "AccessDeniedException",
		`{"Message":"User is not authorized to access this resource with an explicit deny"}`)
	// AUTHORIZER_CONFIGURATION_ERROR: the function could not be called,
	// failed, timed out, or returned something that is not a policy.
	respAuthorizerConfig = newGatewayResponse(gtAuthorizerConfigurationError, http.StatusInternalServerError,
		"AuthorizerConfigurationException", `{"message": null}`)
)

// authorizerTimeout bounds a Lambda authorizer call. AWS does not
// document a separate limit; this is the integration default.
const authorizerTimeout = defaultTimeout

// authResult is one authorizer answer: the caller's context and, for
// Lambda authorizers, the policy to evaluate against each method ARN. It
// is immutable once made, so a cached one is shared by requests.
type authResult struct {
	ctx     *authContext
	policy  *authPolicy    // Lambda authorizers: evaluated per method ARN
	cognito *cognitoClaims // user pool tokens: checked per method's scopes
}

// lambdaAuthorizer is a TOKEN or REQUEST authorizer compiled for one
// stage variant.
type lambdaAuthorizer struct {
	g           *Gateway
	id          string
	name        string
	token       bool // TOKEN (else REQUEST)
	functionARN string
	endpoint    string // "" when --lambda-endpoints has no runtime for it
	sources     []identitySource
	validation  *regexp.Regexp // TOKEN's identityValidationExpression, anchored
	ttl         time.Duration  // 0: no caching
	cache       *authCache     // the stage's; nil when ttl is 0
	clock       interface{ Now() time.Time }
}

// identitySource is one compiled identitySource entry.
type identitySource struct {
	src *valueSource // header, query string or context variable
}

// compileIdentitySources compiles "method.request.header.X, ..." once.
// stageVariables.x becomes its value (a static source).
func compileIdentitySources(spec string, vars map[string]string) ([]identitySource, error) {
	var out []identitySource
	for _, s := range strings.Split(spec, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		src, err := parseSource(s, vars)
		if err != nil {
			return nil, err
		}
		if src.kind == srcHeader {
			src.name = textproto.CanonicalMIMEHeaderKey(src.name)
		}
		out = append(out, identitySource{src: src})
	}
	return out, nil
}

// compileLambdaAuthorizer compiles a deployed TOKEN or REQUEST authorizer.
func (c *compiler) compileLambdaAuthorizer(v *variant, a *apigw.Authorizer, cache *authCache) (*lambdaAuthorizer, error) {
	fn := functionFromURI(expandStageVariables(a.AuthorizerURI, v.vars))
	if fn == "" {
		return nil, fmt.Errorf("authorizerUri %q is not a Lambda invocation URI", a.AuthorizerURI)
	}
	la := &lambdaAuthorizer{
		g: c.g, id: a.ID, name: a.Name, token: a.Type == apigw.AuthorizerToken,
		functionARN: fn, endpoint: c.lambdaEndpoint(fn),
		ttl: time.Duration(a.TTL()) * time.Second, clock: c.g.state.clock,
	}
	srcs, err := compileIdentitySources(a.IdentitySource, v.vars)
	if err != nil {
		return nil, err
	}
	la.sources = srcs
	if la.token && a.IdentityValidationExpression != "" {
		// AWS matches the whole token; compiled here, never per request.
		if la.validation, err = regexp.Compile(`^(?:` + a.IdentityValidationExpression + `)$`); err != nil {
			return nil, err
		}
	}
	if la.ttl > 0 && len(la.sources) > 0 {
		la.cache = cache
	}
	return la, nil
}

// identity collects the identity source values into key (after the
// authorizer id), reporting false when one is missing or empty: AWS then
// answers 401 without calling the function.
func (la *lambdaAuthorizer) identity(inv *invocation, key []byte) ([]byte, bool) {
	key = append(key, la.id...)
	for _, s := range la.sources {
		v, ok := s.src.request(inv)
		if !ok || v == "" {
			return key, false
		}
		key = append(key, 0)
		key = append(key, v...)
	}
	return key, true
}

// authorize runs the authorizer for one request: the cached answer for
// its identity, else the function's. It answers the request itself and
// returns nil when the caller is refused.
func (la *lambdaAuthorizer) authorize(inv *invocation, methodARN string) *authResult {
	key, ok := la.identity(inv, inv.bufs.authBuf[:0])
	if !ok {
		respUnauthorized.write(inv)
		return nil
	}
	if la.validation != nil {
		tok, _ := la.sources[0].src.request(inv)
		if !la.validation.MatchString(tok) {
			respUnauthorized.write(inv)
			return nil
		}
	}
	if la.cache != nil {
		if res := la.cache.get(key, la.clock.Now()); res != nil {
			inv.obs.auth.cached = true
			return res
		}
	}
	start := time.Now()
	res, gr := la.invoke(inv.r.Context(), la.event(inv, methodARN))
	inv.obs.auth.called(time.Since(start), gr)
	if gr != nil {
		gr.write(inv)
		return nil
	}
	if la.cache != nil {
		now := la.clock.Now()
		la.cache.put(key, res, now.Add(la.ttl), now)
	}
	return res
}

// tokenEvent is the TOKEN authorizer's input.
type tokenEvent struct {
	Type               string `json:"type"`
	AuthorizationToken string `json:"authorizationToken"`
	MethodArn          string `json:"methodArn"`
}

// requestEvent is the REQUEST authorizer's input: the proxy event's
// request fields without the body.
type requestEvent struct {
	Type                            string              `json:"type"`
	MethodArn                       string              `json:"methodArn"`
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  eventContext        `json:"requestContext"`
}

func (la *lambdaAuthorizer) event(inv *invocation, methodARN string) any {
	if la.token {
		tok, _ := la.sources[0].src.request(inv)
		return &tokenEvent{Type: "TOKEN", AuthorizationToken: tok, MethodArn: methodARN}
	}
	pe := newProxyEvent(inv, nil)
	return &requestEvent{Type: "REQUEST", MethodArn: methodARN, Resource: pe.Resource, Path: pe.Path,
		HTTPMethod: pe.HTTPMethod, Headers: pe.Headers, MultiValueHeaders: pe.MultiValueHeaders,
		QueryStringParameters: pe.QueryStringParameters, MultiValueQueryStringParameters: pe.MultiValueQueryStringParameters,
		PathParameters: pe.PathParameters, StageVariables: pe.StageVariables, RequestContext: pe.RequestContext}
}

// invoke calls the function and reads its answer. A refusal or failure
// comes back as the gateway response to send.
func (la *lambdaAuthorizer) invoke(ctx context.Context, event any) (*authResult, *gatewayResponse) {
	out, err := la.call(ctx, event)
	if errors.Is(err, errFunctionUnauthorized) {
		return nil, &respUnauthorized
	}
	if err != nil {
		la.g.log.Warn("data plane: authorizer failed", "authorizer", la.name, "function", la.functionARN, "error", err)
		return nil, &respAuthorizerConfig
	}
	res, err := parseAuthorizerOutput(out)
	if err != nil {
		la.g.log.Warn("data plane: authorizer returned no usable policy", "authorizer", la.name, "function", la.functionARN, "error", err)
		return nil, &respAuthorizerConfig
	}
	return res, nil
}

// errFunctionUnauthorized is a function failing with the error message
// "Unauthorized": AWS's way for an authorizer to answer 401.
var errFunctionUnauthorized = errors.New("function answered Unauthorized")

// call invokes the function on its local runtime and returns its output.
func (la *lambdaAuthorizer) call(ctx context.Context, event any) ([]byte, error) {
	if la.endpoint == "" {
		return nil, fmt.Errorf("no local endpoint for Lambda function %s; set --lambda-endpoints", la.functionARN)
	}
	payload, err := json.Marshal(event)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, authorizerTimeout)
	defer cancel()
	req, err := newFunctionRequest(ctx, la.endpoint, payload, "")
	if err != nil {
		return nil, err
	}
	ans, err := la.g.invokeFunction(req)
	if err != nil {
		return nil, err
	}
	if ans.failed() {
		if ans.errorMessage() == "Unauthorized" {
			return nil, errFunctionUnauthorized
		}
		return nil, fmt.Errorf("function error (runtime status %d): %.200s", ans.status, ans.body)
	}
	return ans.body, nil
}

// parseAuthorizerOutput reads {principalId, policyDocument, context,
// usageIdentifierKey}. principalId and policyDocument are required;
// context values must be strings, numbers or booleans.
func parseAuthorizerOutput(b []byte) (*authResult, error) {
	var raw struct {
		PrincipalID        json.RawMessage            `json:"principalId"`
		PolicyDocument     json.RawMessage            `json:"policyDocument"`
		Context            map[string]json.RawMessage `json:"context"`
		UsageIdentifierKey string                     `json:"usageIdentifierKey"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("could not parse authorizer output: %v", err)
	}
	var principal any
	if len(raw.PrincipalID) == 0 || json.Unmarshal(raw.PrincipalID, &principal) != nil || principal == nil {
		return nil, errors.New("principalId is missing")
	}
	pid, ok := stringify(principal)
	if !ok {
		return nil, errors.New("principalId must be a string")
	}
	policy, err := parsePolicy(raw.PolicyDocument)
	if err != nil {
		return nil, fmt.Errorf("could not parse policy: %v", err)
	}
	ac := &authContext{principalID: pid, usageIdentifierKey: raw.UsageIdentifierKey}
	if len(raw.Context) > 0 {
		ac.context = make(map[string]string, len(raw.Context))
		for k, v := range raw.Context {
			var x any
			if err := json.Unmarshal(v, &x); err != nil {
				return nil, err
			}
			s, ok := stringify(x)
			if !ok && x != nil {
				return nil, fmt.Errorf("context value %q must be a string, number or boolean", k)
			}
			ac.context[k] = s
		}
	}
	return &authResult{ctx: ac, policy: policy}, nil
}

// methodARNPrefix is "arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/"
// for a variant; a request's method ARN adds "{METHOD}/{path}".
func (c *compiler) methodARNPrefix(v *variant) string {
	return "arn:aws:execute-api:" + c.g.region() + ":" + accountID + ":" + v.apiID + "/" + v.stageName + "/"
}

// methodARN is the request's method ARN: the actual path, unescaped,
// without its leading "/" (AWS's shape; the root is ".../GET/").
func methodARN(prefix string, inv *invocation) string {
	return prefix + inv.r.Method + "/" + strings.TrimPrefix(unescapePath(inv.path), "/")
}

// region is the gateway's region for ARNs.
func (g *Gateway) region() string {
	if g.opts.Region == "" {
		return "us-east-1"
	}
	return g.opts.Region
}
