package gateway

import (
	"net/textproto"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// customResponses are a deployment's gateway response customizations
// compiled for one stage variant, indexed by type: nil entries answer
// AWS's default. A deployment without customizations compiles to a nil
// table, so the default path costs one nil check.
type customResponses [numGWTypes]*customResponse

// customResponse is the effective customization of one type: its own
// fields over those of DEFAULT_4XX or DEFAULT_5XX (AWS: customizing a
// default type changes every type of its class that is not customized
// itself, field by field).
type customResponse struct {
	status    int // 0: the error's own status
	headers   []gwHeader
	templates map[string]*gwTemplate // by lower-case media type; none: the default body
}

// gwHeader is one gatewayresponse.header.X parameter.
type gwHeader struct {
	name string // canonical
	src  gwValue
}

// customResponse returns v's customization of t, nil when there is none
// (or no variant: an unknown API or stage).
func (v *variant) customResponse(t gwType) *customResponse {
	if v == nil || v.responses == nil {
		return nil
	}
	return v.responses[t]
}

// compileCustomResponses resolves a deployment's customizations for every
// type. Problems (a value this build cannot resolve) are returned and the
// parameter skipped; the rest of the customization still applies.
func compileCustomResponses(grs map[string]*apigw.GatewayResponse, vars map[string]string) (*customResponses, []error) {
	if len(grs) == 0 {
		return nil, nil
	}
	var errs []error
	compiled := map[string]*compiledSpec{}
	for name, gr := range grs {
		cs, err := compileSpec(gr, vars)
		errs = append(errs, err...)
		compiled[name] = cs
	}
	out := &customResponses{}
	for t := range numGWTypes {
		info := apigw.GatewayResponseTypes[t]
		own := compiled[info.Name]
		var class *compiledSpec
		switch {
		case t == gtDefault4XX || t == gtDefault5XX:
		case info.DefaultStatus >= 500:
			class = compiled["DEFAULT_5XX"]
		default:
			class = compiled["DEFAULT_4XX"]
		}
		if own == nil && class == nil {
			continue
		}
		out[t] = mergeSpecs(class, own)
	}
	return out, errs
}

// compiledSpec is one stored customization, compiled.
type compiledSpec struct {
	status    int
	headers   []gwHeader
	templates map[string]*gwTemplate
}

func compileSpec(gr *apigw.GatewayResponse, vars map[string]string) (*compiledSpec, []error) {
	cs := &compiledSpec{}
	var errs []error
	if gr.StatusCode != "" {
		cs.status, _ = strconv.Atoi(gr.StatusCode) // validated by the control plane
	}
	for _, k := range sortedKeys(gr.ResponseParameters) {
		name, ok := strings.CutPrefix(k, "gatewayresponse.header.")
		if !ok || name == "" {
			// Query string and path targets mean nothing on a response.
			continue
		}
		src, err := parseGWValue(gr.ResponseParameters[k], vars)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cs.headers = append(cs.headers, gwHeader{name: textproto.CanonicalMIMEHeaderKey(name), src: src})
	}
	if len(gr.ResponseTemplates) > 0 {
		cs.templates = make(map[string]*gwTemplate, len(gr.ResponseTemplates))
		for ct, text := range gr.ResponseTemplates {
			cs.templates[strings.ToLower(ct)] = compileGWTemplate(text, vars)
		}
	}
	return cs, errs
}

// mergeSpecs lays own over class (either may be nil).
func mergeSpecs(class, own *compiledSpec) *customResponse {
	c := &customResponse{}
	for _, s := range []*compiledSpec{class, own} {
		if s == nil {
			continue
		}
		if s.status != 0 {
			c.status = s.status
		}
		for _, h := range s.headers {
			replaced := false
			for i := range c.headers {
				if c.headers[i].name == h.name {
					c.headers[i], replaced = h, true
				}
			}
			if !replaced {
				c.headers = append(c.headers, h)
			}
		}
		if len(s.templates) > 0 {
			c.templates = s.templates
		}
	}
	return c
}

// write renders the customized response for the error gr.
func (c *customResponse) write(inv *invocation, gr *gatewayResponse) {
	w := inv.w
	noteGatewayResponse(w, gr)
	status := gr.status
	if c.status != 0 {
		status = c.status
	}
	body, ctype := gr.body, "application/json"
	if t, ct, ok := selectGWTemplate(c.templates, inv.r.Header.Get("Accept")); ok {
		body, ctype = t.render(inv, gr), ct
	}
	h := w.Header()
	for _, hd := range c.headers {
		if v, ok := hd.src.value(inv, gr); ok {
			h[hd.name] = []string{v}
		}
	}
	h["Content-Type"] = []string{ctype}
	h["X-Amzn-Errortype"] = []string{gr.errorType}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body)
}

// selectGWTemplate picks the template for the Accept type, else
// application/json, else the only one (what selectTemplate does for
// integration responses).
func selectGWTemplate(ts map[string]*gwTemplate, accept string) (*gwTemplate, string, bool) {
	if len(ts) == 0 {
		return nil, "", false
	}
	if accept != "" {
		if t, ok := ts[mediaType(accept)]; ok {
			return t, mediaType(accept), true
		}
	}
	if t, ok := ts["application/json"]; ok {
		return t, "application/json", true
	}
	if len(ts) == 1 {
		for ct, t := range ts {
			return t, ct, true
		}
	}
	return nil, "", false
}

// gwValue is the source of a gateway response header: a method request
// parameter or context variable (valueSource), or one of the values only
// a gateway response has ($context.error.*, $context.authorizer.*).
type gwValue struct {
	src *valueSource // nil for a gateway-response-only value
	ctx string       // the context variable name, without "context."
}

// parseGWValue compiles a responseParameters value.
func parseGWValue(expr string, vars map[string]string) (gwValue, error) {
	if name, ok := strings.CutPrefix(expr, "context."); ok && gwOnlyContext(name) {
		return gwValue{ctx: name}, nil
	}
	src, err := parseSource(expr, vars)
	if err != nil {
		return gwValue{}, err
	}
	return gwValue{src: src}, nil
}

// gwOnlyContext reports whether a $context variable is one that only
// errors and authorized requests have.
func gwOnlyContext(name string) bool {
	return strings.HasPrefix(name, "error.") || strings.HasPrefix(name, "authorizer.") || strings.HasPrefix(name, "identity.")
}

func (g gwValue) value(inv *invocation, gr *gatewayResponse) (string, bool) {
	if g.src != nil {
		return g.src.request(inv)
	}
	return gwContextValue(inv, gr, g.ctx)
}

// gwContextValue resolves the $context variables a gateway response may
// name beyond the request's own (contextValue).
func gwContextValue(inv *invocation, gr *gatewayResponse, name string) (string, bool) {
	switch name {
	case "error.message":
		return gr.message, true
	case "error.messageString":
		return gr.messageJSON, true
	case "error.responseType":
		return gr.typ.String(), true
	case "error.validationErrorString":
		return gr.validation, true
	}
	if key, ok := strings.CutPrefix(name, "authorizer."); ok {
		return inv.authorizerValue(key)
	}
	if key, ok := strings.CutPrefix(name, "identity."); ok {
		return inv.identityValue(key)
	}
	if knownContextVar[name] {
		return contextValue(inv, name), true
	}
	return "", false
}

// gwTemplate is a compiled gateway response body template. AWS does not
// run these through Velocity: they support "only simple variable
// substitution" (x-amazon-apigateway-gateway-responses.responseTemplates),
// so a template is literal text with $context.x / ${context.x} and
// $stageVariables.x references, split once here.
type gwTemplate struct {
	parts []gwPart
}

// gwPart is a literal (ref == "") or a $context reference.
type gwPart struct {
	lit string
	ref string
}

// compileGWTemplate splits a template into literals and references;
// stage variables become literals.
func compileGWTemplate(text string, vars map[string]string) *gwTemplate {
	t := &gwTemplate{}
	var lit strings.Builder
	for i := 0; i < len(text); {
		name, n, ok := scanReference(text[i:])
		if !ok {
			lit.WriteByte(text[i])
			i++
			continue
		}
		i += n
		if sv, ok := strings.CutPrefix(name, "stageVariables."); ok {
			lit.WriteString(vars[sv])
			continue
		}
		ctx, _ := strings.CutPrefix(name, "context.")
		if lit.Len() > 0 {
			t.parts = append(t.parts, gwPart{lit: lit.String()})
			lit.Reset()
		}
		t.parts = append(t.parts, gwPart{ref: ctx})
	}
	if lit.Len() > 0 {
		t.parts = append(t.parts, gwPart{lit: lit.String()})
	}
	return t
}

// scanReference reads "$context.a.b", "${context.a.b}" or
// "$stageVariables.x" at the start of s: the name and the bytes used. A
// name ends at the first byte that is not a letter, digit, '_' or '.', and
// a trailing '.' is sentence punctuation, not part of it.
func scanReference(s string) (string, int, bool) {
	if len(s) < 2 || s[0] != '$' {
		return "", 0, false
	}
	braced := s[1] == '{'
	start := 1
	if braced {
		start = 2
	}
	end := start
	for end < len(s) && isRefByte(s[end]) {
		end++
	}
	for end > start && s[end-1] == '.' {
		end--
	}
	name := s[start:end]
	if !strings.HasPrefix(name, "context.") && !strings.HasPrefix(name, "stageVariables.") {
		return "", 0, false
	}
	if braced {
		if end >= len(s) || s[end] != '}' {
			return "", 0, false
		}
		return name, end + 1, true
	}
	return name, end, true
}

func isRefByte(c byte) bool {
	return c == '_' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// render substitutes the references; an unknown one renders as nothing.
func (t *gwTemplate) render(inv *invocation, gr *gatewayResponse) []byte {
	var b []byte
	for _, p := range t.parts {
		if p.ref == "" {
			b = append(b, p.lit...)
			continue
		}
		if gwOnlyContext(p.ref) || knownContextVar[p.ref] {
			v, _ := gwContextValue(inv, gr, p.ref)
			b = append(b, v...)
		}
	}
	return b
}
