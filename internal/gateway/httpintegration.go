package gateway

import (
	"bytes"
	"context"
	"github.com/stagecoach/stagecoach/internal/telemetry/tracing"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// Passthrough behaviours (integration passthroughBehavior).
const (
	passWhenNoMatch     = "WHEN_NO_MATCH"
	passWhenNoTemplates = "WHEN_NO_TEMPLATES"
	passNever           = "NEVER"
)

// httpPlan is a compiled HTTP (non-proxy) integration: only mapped
// parameters reach the backend, the body passes through or is what the
// request template renders, and the backend's answer is turned into the
// method response by the integration responses.
type httpPlan struct {
	g         *Gateway
	uri       *uriTemplate
	verb      string // "" means the client's
	mappings  []requestMapping
	body      bodyPlan
	responses *responseSet
	timeout   time.Duration
	transport http.RoundTripper
	userAgent string
}

// requestMediaType is the media type that selects a request template: the
// request's Content-Type, application/json when it has none (AWS's
// default).
func requestMediaType(r *http.Request) string {
	if mt := mediaType(r.Header.Get("Content-Type")); mt != "" {
		return mt
	}
	return "application/json"
}

func (c *compiler) httpIntegration(v *variant, am *apigw.Method, in *apigw.Integration) (handler, []error) {
	var errs []error
	uri, err := compileURI(c.backendURI(v, in), pathSourceFor(in.RequestParameters, v.vars, &errs))
	if err != nil {
		return nil, append(errs, err)
	}
	mappings, merrs := compileRequestMappings(in.RequestParameters, v.vars)
	errs = append(errs, merrs...)
	responses, rerrs := compileResponses(in, am, v.vars)
	errs = append(errs, rerrs...)
	body, berrs := newBodyPlan(in)
	errs = append(errs, berrs...)
	p := &httpPlan{
		g: c.g, uri: uri, mappings: mappings, responses: responses, timeout: timeoutOf(in),
		body:      body,
		transport: c.g.transport,
		// AWS identifies itself to HTTP backends this way.
		userAgent: "AmazonAPIGateway_" + v.apiID,
	}
	if in.HTTPMethod != "" && in.HTTPMethod != "ANY" {
		p.verb = in.HTTPMethod
	}
	if in.TLSConfig != nil && in.TLSConfig.InsecureSkipVerification {
		p.transport = c.g.insecure
	}
	p.transport = c.signedTransport(v, in, p.transport) // awsintegration.go: SigV4 for type AWS
	return p.serve, errs
}

func (p *httpPlan) serve(inv *invocation) {
	r := inv.r
	in, err := readBody(r)
	if err != nil {
		p.g.writeBackendError(inv, r.Context(), err, "HTTP request body")
		return
	}
	inv.reqBody = in
	body, ctype, ov, ok := p.body.resolve(inv, in)
	if !ok {
		return
	}
	if ov != nil {
		inv.pathOverride = ov.Path
	}
	ctx, cancel := context.WithTimeout(r.Context(), p.timeout)
	defer cancel()
	u := p.uri.build(inv, "")
	h := http.Header{"User-Agent": {p.userAgent}}
	if len(body) > 0 && ctype != "" {
		h.Set("Content-Type", ctype)
	}
	if th := inv.traceHeader(); th != "" {
		h[tracing.HeaderName] = []string{th}
	}
	applyRequestMappings(inv, h, u, p.mappings)
	applyRequestOverrides(ov, h, u)
	verb := p.verb
	if verb == "" {
		verb = r.Method
	}
	out := (&http.Request{
		Method:        verb,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Host:          u.Host,
		ContentLength: int64(len(body)),
	}).WithContext(ctx)
	if len(body) > 0 {
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	inv.integrationStarted(httpType)
	inv.endpointRequest(u, h, body)
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		p.g.writeBackendError(inv, ctx, err, "HTTP "+redactURL(u))
		return
	}
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, maxPayload))
	resp.Body.Close()
	if err != nil {
		p.g.writeBackendError(inv, ctx, err, "HTTP response body")
		return
	}
	inv.integrationAnswered(resp.StatusCode, resp.Header, respBody)
	ir := p.responses.pick(strconv.Itoa(resp.StatusCode))
	if ir == nil {
		// AWS: "No match for output mapping and no default output mapping
		// configured" is a configuration error.
		p.g.log.Warn("data plane: no integration response matches the backend status and none is the default",
			"rest_api_id", inv.variant.apiID, "stage", inv.variant.stageName,
			"resource", inv.method.resourcePath, "method", r.Method, "status", resp.StatusCode)
	}
	writeIntegrationResponse(inv, ir, resp.Header, respBody)
}

// redactURL drops the query string (which may carry secrets) from a URL
// for logging.
func redactURL(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	return c.String()
}
