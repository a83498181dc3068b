package gateway

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/gateway/mappingtemplate"
	"github.com/stagecoach/stagecoach/internal/telemetry"
	"github.com/stagecoach/stagecoach/internal/telemetry/accesslog"
)

// Mapping templates (mapping-templates.md): request templates of HTTP and
// MOCK integrations and the templates of integration responses are
// compiled with the stage snapshot (compileTemplates) and rendered per
// request by internal/gateway/mappingtemplate, which gives them $input,
// $context, $stageVariables and $util.
//
// A template that does not compile, or whose evaluation fails (a Java
// method that threw, the evaluation budget exhausted, an override set
// twice), makes the request fail with API Gateway's 500 and the execution
// log line "Execution failed due to configuration error: Unable to
// transform request" (or "response"), with the reason appended.

// template is one content type's mapping template.
type template struct {
	mt  *mappingtemplate.Template // nil when the text does not compile
	err error                     // why it does not compile
}

// compileTemplates compiles a requestTemplates or responseTemplates map,
// keyed by lower-case media type. Templates that do not compile are kept
// (they fail the requests that select them) and reported.
func compileTemplates(ts map[string]string) (map[string]*template, []error) {
	if len(ts) == 0 {
		return nil, nil
	}
	out := make(map[string]*template, len(ts))
	var errs []error
	for ct, text := range ts {
		mt, err := mappingtemplate.Compile(text)
		if err != nil {
			errs = append(errs, fmt.Errorf("mapping template for %s does not compile: %v", ct, err))
		}
		out[strings.ToLower(ct)] = &template{mt: mt, err: err}
	}
	return out, errs
}

// empty reports whether the template is the empty string: for responses
// that means "pass the integration response body through".
func (t *template) empty() bool { return t.mt != nil && t.mt.Source() == "" }

// render evaluates t for this request with body as $input.body. what is
// "request" or "response". On failure it answers 500 and returns false.
func (inv *invocation) render(t *template, body []byte, what string) (mappingtemplate.Result, bool) {
	err := t.err
	var res mappingtemplate.Result
	if err == nil {
		res, err = t.mt.Render(nil, inv.templateInput(body))
	}
	if err != nil {
		inv.templateFailed("Unable to transform "+what, err)
		return res, false
	}
	return res, true
}

// templateFailed answers a template failure: AWS's 500 and its execution
// log line, and a warning in the gateway's log.
func (inv *invocation) templateFailed(msg string, err error) {
	log := inv.variant.log
	if log == nil { // a variant built outside compileVariant
		log = slog.Default()
	}
	log.Warn("data plane: mapping template failed", "rest_api_id", inv.variant.apiID,
		"stage", inv.variant.stageName, "resource", inv.method.resourcePath, "method", inv.r.Method,
		"request_id", inv.requestID(), "error", err)
	if o := &inv.obs; o.tel != nil {
		o.integrationError = msg + ": " + err.Error()
	}
	respConfigurationError.write(inv)
}

// templateInput is what a template of this request reads: built once
// per request in the invocation (request and response templates share
// it), with body as $input.body.
func (inv *invocation) templateInput(body []byte) *mappingtemplate.Input {
	in := &inv.tplInput
	if in.Header == nil {
		in.Query = inv.queryValues()
		in.Header = inv.r.Header
		in.StageVariables = inv.variant.vars
		in.Context = inv
		if len(inv.params) > 0 {
			in.Path = make([]mappingtemplate.Param, len(inv.params))
			for i, p := range inv.params {
				in.Path[i] = mappingtemplate.Param{Name: p.name, Value: p.value()}
			}
		}
	}
	in.Body = body
	return in
}

// ContextValue resolves $context.<name> for templates: the access log's
// variables (accesslog.Lookup) over this request, except those AWS gives
// access logs only.
func (inv *invocation) ContextValue(name string) (any, bool) {
	if accessLogOnly[name] {
		return nil, false
	}
	if inv.ctxEvent == nil {
		inv.ctxEvent = inv.contextEvent()
	}
	if name == "requestTimeEpoch" {
		return inv.ctxEvent.RequestTime.UnixMilli(), true
	}
	v, ok := accesslog.Lookup(inv.ctxEvent, name)
	if !ok {
		return nil, false
	}
	return v, true
}

// accessLogOnly are the $context variables API Gateway provides to access
// logs only; in templates they are null.
var accessLogOnly = map[string]bool{
	"integrationLatency": true, "integrationStatus": true, "responseLatency": true,
	"responseLength": true, "status": true, "authorizer.integrationLatency": true,
	"integration.latency": true, "integration.status": true, "integration.integrationStatus": true,
	"integrationErrorMessage": true, "integration.error": true,
}

// contextEvent is the request as $context sees it while a template runs:
// the fields known before the response.
func (inv *invocation) contextEvent() *telemetry.RequestEvent {
	v, r := inv.variant, inv.r
	ev := &telemetry.RequestEvent{
		AccountID:         accountID,
		APIID:             v.apiID,
		Stage:             v.stageName,
		DeploymentID:      v.deploymentID,
		Canary:            inv.canary,
		RequestID:         inv.requestID(),
		ExtendedRequestID: inv.extendedID(),
		RequestTime:       inv.start.In(time.UTC),
		HTTPMethod:        r.Method,
		Path:              "/" + v.stageName + inv.path,
		Protocol:          r.Proto,
		DomainName:        r.Host,
		XRayTraceID:       inv.xrayTraceID(),
	}
	if m := inv.method; m != nil {
		ev.ResourceID, ev.ResourcePath = m.resourceID, m.resourcePath
	}
	ev.Identity.SourceIP = clientIP(r)
	ev.Identity.UserAgent = r.UserAgent()
	return ev
}

// applyRequestOverrides applies $context.requestOverride.header and
// .querystring to the integration request (after the parameter
// mappings: overrides are final). Path overrides were applied when the
// URI was built (inv.pathOverride).
func applyRequestOverrides(ov *mappingtemplate.Overrides, h http.Header, u *url.URL) {
	if ov == nil {
		return
	}
	for _, p := range ov.Header {
		h[http.CanonicalHeaderKey(p.Name)] = []string{p.Value}
	}
	if len(ov.QueryString) > 0 {
		q := u.Query()
		for _, p := range ov.QueryString {
			q.Set(p.Name, p.Value)
		}
		u.RawQuery = q.Encode()
	}
}

// pathOverride returns the $context.requestOverride.path value for a URI
// placeholder.
func (inv *invocation) pathOverrideFor(name string) (string, bool) {
	for _, p := range inv.pathOverride {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// statusOverride is $context.responseOverride.status, or status.
func statusOverride(ov *mappingtemplate.Overrides, status int) int {
	if ov != nil && ov.Status != 0 {
		return ov.Status
	}
	return status
}

// bodyPlan decides the integration request body of a non-proxy
// integration from its request templates and passthrough behaviour.
type bodyPlan struct {
	templates   map[string]*template
	passthrough string
}

func newBodyPlan(in *apigw.Integration) (bodyPlan, []error) {
	ts, errs := compileTemplates(in.RequestTemplates)
	bp := bodyPlan{templates: ts, passthrough: in.PassthroughBehavior}
	if bp.passthrough == "" {
		bp.passthrough = passWhenNoMatch
	}
	return bp, errs
}

// resolve returns the integration request body, its content type and the
// template's request overrides. The template is chosen by the request's
// Content-Type (application/json when it has none); without one, the
// passthrough behaviour decides (mapping-templates.md §6):
//
//	                     WHEN_NO_MATCH  WHEN_NO_TEMPLATES  NEVER
//	no template matches  pass through   415                415
//	no templates at all  pass through   pass through       415
//
// ok=false means the response is written: 415 Unsupported Media Type, or
// 500 when the template fails.
func (bp *bodyPlan) resolve(inv *invocation, body []byte) (out []byte, ctype string, ov *mappingtemplate.Overrides, ok bool) {
	mt := requestMediaType(inv.r)
	if t, found := bp.templates[mt]; found {
		res, ok := inv.render(t, body, "request")
		if !ok {
			return nil, "", nil, false
		}
		return res.Body, mt, res.RequestOverride, true
	}
	switch bp.passthrough {
	case passNever:
		respUnsupportedMediaType.write(inv)
		return nil, "", nil, false
	case passWhenNoTemplates:
		if len(bp.templates) > 0 {
			respUnsupportedMediaType.write(inv)
			return nil, "", nil, false
		}
	}
	return body, inv.r.Header.Get("Content-Type"), nil, true
}
