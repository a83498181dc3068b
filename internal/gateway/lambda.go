package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// LoadLambdaEndpoints reads a --lambda-endpoints file: a JSON object
// mapping function ARNs or names to local runtime base URLs, e.g.
//
//	{"arn:aws:lambda:us-east-1:000000000000:function:pets": "http://127.0.0.1:9001",
//	 "orders": "http://127.0.0.1:9002"}
func LoadLambdaEndpoints(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lambda endpoints: %w", err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("lambda endpoints %s: want a JSON object of function ARN or name to URL: %w", path, err)
	}
	for k, v := range m {
		if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return nil, fmt.Errorf("lambda endpoints %s: %q: %q is not an http(s) URL", path, k, v)
		}
	}
	return m, nil
}

// lambdaPlan is a compiled AWS_PROXY integration: the request becomes a
// REST API proxy event (payload version 1.0), posted to a local runtime
// that speaks the Lambda Runtime Interface Emulator protocol.
type lambdaPlan struct {
	g           *Gateway
	functionARN string
	endpoint    string // full invocation URL; "" when none is configured
	timeout     time.Duration
}

// rieInvokePath is where a Runtime Interface Emulator accepts invocations.
const rieInvokePath = "/2015-03-31/functions/function/invocations"

func (c *compiler) lambdaProxy(v *variant, m *method, in *apigw.Integration) (handler, []error) {
	uri := expandStageVariables(in.URI, v.vars)
	fn := functionFromURI(uri)
	if fn == "" {
		return nil, []error{fmt.Errorf("AWS_PROXY uri %q is not a Lambda invocation URI (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations)", uri)}
	}
	p := &lambdaPlan{g: c.g, functionARN: fn, endpoint: c.lambdaEndpoint(fn), timeout: timeoutOf(in)}
	if p.endpoint == "" {
		c.warn(v, m, "no local endpoint for Lambda function; calls answer 502 until --lambda-endpoints maps it", "function", fn)
	}
	return p.serve, nil
}

// functionFromURI extracts the function ARN (or name) from a Lambda
// invocation URI; a bare function ARN or name is accepted too.
func functionFromURI(uri string) string {
	const mid, end = "/functions/", "/invocations"
	if i := strings.Index(uri, mid); i >= 0 && strings.Contains(uri, ":lambda:path/") {
		rest := uri[i+len(mid):]
		fn, _, _ := strings.Cut(rest, end)
		return fn
	}
	if strings.HasPrefix(uri, "arn:aws:lambda:") || (uri != "" && !strings.ContainsAny(uri, "/ ")) {
		return uri
	}
	return ""
}

// lambdaEndpoint finds the runtime URL for a function: the full ARN, the
// ARN without its version or alias, the function name, then "*".
func (c *compiler) lambdaEndpoint(fn string) string {
	eps := c.g.opts.LambdaEndpoints
	name, qualified := fn, fn
	if strings.HasPrefix(fn, "arn:") {
		// arn:aws:lambda:region:account:function:name[:qualifier]
		parts := strings.Split(fn, ":")
		if len(parts) >= 7 {
			name = parts[6]
			qualified = strings.Join(parts[:7], ":")
		}
	} else if n, _, ok := strings.Cut(fn, ":"); ok {
		name = n
	}
	for _, k := range []string{fn, qualified, name, "*"} {
		if base, ok := eps[k]; ok {
			base = strings.TrimRight(base, "/")
			if strings.HasSuffix(base, "/invocations") {
				return base
			}
			return base + rieInvokePath
		}
	}
	return ""
}

func (p *lambdaPlan) serve(inv *invocation) {
	r := inv.r
	if p.endpoint == "" {
		p.g.log.Warn("data plane: AWS_PROXY function has no local endpoint; set --lambda-endpoints",
			"function", p.functionARN, "rest_api_id", inv.variant.apiID, "stage", inv.variant.stageName,
			"resource", inv.method.resourcePath, "request_id", inv.requestID())
		inv.integrationFailed("no local endpoint for Lambda function " + p.functionARN)
		respIntegrationFailure.write(inv)
		return
	}
	body, err := readBody(r)
	if err != nil {
		p.g.writeBackendError(inv, r.Context(), err, "Lambda request body")
		return
	}
	payload, err := json.Marshal(newProxyEvent(inv, body))
	if err != nil {
		p.g.writeBackendError(inv, r.Context(), err, "Lambda event")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), p.timeout)
	defer cancel()
	req, err := newFunctionRequest(ctx, p.endpoint, payload, inv.traceHeader())
	if err != nil {
		p.g.writeBackendError(inv, ctx, err, "Lambda "+p.functionARN)
		return
	}
	inv.integrationStarted(lambdaType)
	inv.endpointRequest(req.URL, req.Header, payload)
	ans, err := p.g.invokeFunction(req)
	if err != nil {
		p.g.writeBackendError(inv, ctx, err, "Lambda "+p.functionARN)
		return
	}
	inv.integrationAnswered(ans.status, ans.header, ans.body)
	if ans.failed() {
		p.fail(inv, fmt.Sprintf("function error (runtime status %d): %.200s", ans.status, ans.body))
		return
	}
	res, err := parseProxyResult(ans.body)
	if err != nil {
		p.fail(inv, "malformed Lambda proxy response: "+err.Error())
		return
	}
	inv.lambdaResult(res.status)
	h := inv.w.Header()
	for k, v := range res.header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(res.body)))
	inv.w.WriteHeader(res.status)
	inv.w.Write(res.body)
}

func (p *lambdaPlan) fail(inv *invocation, why string) {
	p.g.log.Warn("data plane: AWS_PROXY integration failed", "function", p.functionARN,
		"rest_api_id", inv.variant.apiID, "stage", inv.variant.stageName, "request_id", inv.requestID(), "error", why)
	inv.integrationFailed(why)
	respIntegrationFailure.write(inv)
}

// proxyEvent is the REST API Lambda proxy event, payload version 1.0.
type proxyEvent struct {
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
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

type eventContext struct {
	ResourceID        string        `json:"resourceId"`
	ResourcePath      string        `json:"resourcePath"`
	HTTPMethod        string        `json:"httpMethod"`
	ExtendedRequestID string        `json:"extendedRequestId"`
	RequestTime       string        `json:"requestTime"`
	Path              string        `json:"path"`
	AccountID         string        `json:"accountId"`
	Protocol          string        `json:"protocol"`
	Stage             string        `json:"stage"`
	DomainPrefix      string        `json:"domainPrefix"`
	RequestTimeEpoch  int64         `json:"requestTimeEpoch"`
	RequestID         string        `json:"requestId"`
	Identity          eventIdentity `json:"identity"`
	DomainName        string        `json:"domainName"`
	APIID             string        `json:"apiId"`
	// Authorizer is what the method's authorizer returned (authcontext.go).
	Authorizer map[string]any `json:"authorizer,omitempty"`
}

// eventIdentity lists every identity field AWS sends; those this build
// has no value for are null, as AWS sends them for unauthenticated calls.
type eventIdentity struct {
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	AccountID                     *string `json:"accountId"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	Caller                        *string `json:"caller"`
	SourceIP                      string  `json:"sourceIp"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	AccessKey                     *string `json:"accessKey"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	UserArn                       *string `json:"userArn"`
	UserAgent                     string  `json:"userAgent"`
	User                          *string `json:"user"`
}

func newProxyEvent(inv *invocation, body []byte) *proxyEvent {
	r, v, m := inv.r, inv.variant, inv.method
	ev := &proxyEvent{
		Resource:   m.resourcePath,
		Path:       unescapePath(inv.path),
		HTTPMethod: r.Method,
		RequestContext: eventContext{
			ResourceID:        m.resourceID,
			ResourcePath:      m.resourcePath,
			HTTPMethod:        r.Method,
			ExtendedRequestID: inv.extendedID(),
			RequestTime:       inv.start.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			Path:              "/" + v.stageName + unescapePath(inv.path),
			AccountID:         accountID,
			Protocol:          r.Proto,
			Stage:             v.stageName,
			RequestTimeEpoch:  inv.start.UnixMilli(),
			RequestID:         inv.requestID(),
			Identity:          eventIdentity{SourceIP: clientIP(r), UserAgent: r.UserAgent()},
			DomainName:        hostWithoutPort(r.Host),
			APIID:             v.apiID,
		},
	}
	ev.RequestContext.DomainPrefix, _, _ = strings.Cut(ev.RequestContext.DomainName, ".")
	if a := inv.auth; a != nil {
		ev.RequestContext.Authorizer = a.eventAuthorizer()
		a.fillIdentity(&ev.RequestContext.Identity)
	}

	// Headers as the client sent them, plus what AWS's edge adds. Values
	// the client sent for X-Forwarded-* are not trusted.
	ev.Headers = map[string]string{}
	ev.MultiValueHeaders = map[string][]string{}
	for k, vs := range r.Header {
		if strings.HasPrefix(k, "X-Forwarded-") {
			continue
		}
		ev.Headers[k] = vs[len(vs)-1]
		ev.MultiValueHeaders[k] = vs
	}
	set := func(k, val string) { ev.Headers[k] = val; ev.MultiValueHeaders[k] = []string{val} }
	set("Host", r.Host)
	set("X-Forwarded-For", clientIP(r))
	proto, port := "http", "80"
	if r.TLS != nil {
		proto, port = "https", "443"
	}
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(la.String()); err == nil {
			port = p
		}
	}
	set("X-Forwarded-Proto", proto)
	set("X-Forwarded-Port", port)

	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(q))
		ev.MultiValueQueryStringParameters = q
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
		}
	}
	if len(inv.params) > 0 {
		ev.PathParameters = make(map[string]string, len(inv.params))
		for _, p := range inv.params {
			ev.PathParameters[p.name] = p.value()
		}
	}
	if len(v.vars) > 0 {
		ev.StageVariables = v.vars
	}
	if len(body) > 0 {
		var s string
		if isBinary(r.Header.Get("Content-Type"), v.binaryMediaTypes) || !utf8.Valid(body) {
			s = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		} else {
			s = string(body)
		}
		ev.Body = &s
	}
	return ev
}

// isBinary reports whether a content type is one of the API's
// binaryMediaTypes ("image/*" and "*/*" wildcards included).
func isBinary(ctype string, types []string) bool {
	mt := mediaType(ctype)
	if mt == "" {
		return false
	}
	for _, t := range types {
		t = strings.ToLower(t)
		if t == mt || t == "*/*" {
			return true
		}
		if prefix, ok := strings.CutSuffix(t, "/*"); ok && strings.HasPrefix(mt, prefix+"/") {
			return true
		}
	}
	return false
}

func hostWithoutPort(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

// proxyResult is a decoded Lambda proxy response.
type proxyResult struct {
	status int
	header http.Header
	body   []byte
}

// parseProxyResult decodes {statusCode, headers, multiValueHeaders, body,
// isBase64Encoded}. statusCode is required; body must be a string (an
// object body is AWS's classic "Malformed Lambda proxy response"). When a
// header appears in both maps, multiValueHeaders wins, as on AWS.
func parseProxyResult(b []byte) (*proxyResult, error) {
	var raw struct {
		StatusCode        json.RawMessage            `json:"statusCode"`
		Headers           map[string]json.RawMessage `json:"headers"`
		MultiValueHeaders map[string][]any           `json:"multiValueHeaders"`
		Body              *string                    `json:"body"`
		IsBase64Encoded   bool                       `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	if len(raw.StatusCode) == 0 || string(raw.StatusCode) == "null" {
		return nil, fmt.Errorf("statusCode is missing")
	}
	status, err := strconv.Atoi(strings.Trim(string(raw.StatusCode), `"`))
	if err != nil || status < 100 || status > 599 {
		return nil, fmt.Errorf("statusCode %s is not an HTTP status", raw.StatusCode)
	}
	res := &proxyResult{status: status, header: http.Header{}}
	for k, v := range raw.Headers {
		s, err := scalarString(v)
		if err != nil {
			return nil, fmt.Errorf("header %q: %v", k, err)
		}
		res.header.Set(k, s)
	}
	for k, vs := range raw.MultiValueHeaders {
		ck := http.CanonicalHeaderKey(k)
		res.header.Del(ck)
		for _, v := range vs {
			res.header.Add(ck, fmt.Sprint(v))
		}
	}
	if raw.Body != nil {
		if raw.IsBase64Encoded {
			if res.body, err = base64.StdEncoding.DecodeString(*raw.Body); err != nil {
				return nil, fmt.Errorf("body is not valid base64: %v", err)
			}
		} else {
			res.body = []byte(*raw.Body)
		}
	}
	return res, nil
}

// scalarString renders a JSON string, number or boolean header value.
func scalarString(v json.RawMessage) (string, error) {
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return "", err
	}
	switch t := x.(type) {
	case string:
		return t, nil
	case float64, bool:
		return string(v), nil
	}
	return "", fmt.Errorf("value %s is not a string", v)
}
