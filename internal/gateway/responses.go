package gateway

import (
	"fmt"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/gateway/mappingtemplate"
)

const accountID = apigw.AccountID

// integrationResponse is an integration response compiled once per stage
// variant: its selection pattern as an anchored regexp, its parameter
// mappings and templates.
type integrationResponse struct {
	status    int
	pattern   *regexp.Regexp // nil for the default response
	headers   []responseMapping
	templates map[string]*template
	// invalid is set when the method declares no method response for the
	// status; AWS then fails the call with a configuration error.
	invalid bool
}

// responseMapping is one method.response.header.x entry of an integration
// response's responseParameters.
type responseMapping struct {
	header string // canonical header name
	src    *valueSource
}

// responseSet chooses among a method's integration responses.
type responseSet struct {
	patterned []*integrationResponse // in statusCode order
	def       *integrationResponse
}

// compileResponses compiles an integration's integrationResponses against
// the method's declared method responses.
func compileResponses(in *apigw.Integration, am *apigw.Method, vars map[string]string) (*responseSet, []error) {
	rs := &responseSet{}
	var errs []error
	for _, code := range sortedKeys(in.IntegrationResponses) {
		ir := in.IntegrationResponses[code]
		status, err := strconv.Atoi(ir.StatusCode)
		if err != nil || status < 100 || status > 599 {
			errs = append(errs, fmt.Errorf("integration response status %q is not an HTTP status", ir.StatusCode))
			continue
		}
		templates, terrs := compileTemplates(ir.ResponseTemplates)
		errs = append(errs, terrs...)
		c := &integrationResponse{status: status, templates: templates}
		if len(am.MethodResponses) > 0 && am.MethodResponses[ir.StatusCode] == nil {
			c.invalid = true
		}
		for _, k := range sortedKeys(ir.ResponseParameters) {
			name, ok := strings.CutPrefix(k, "method.response.header.")
			if !ok || name == "" {
				errs = append(errs, fmt.Errorf("response parameter %q: target must be method.response.header.*", k))
				continue
			}
			src, err := parseSource(ir.ResponseParameters[k], vars)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			c.headers = append(c.headers, responseMapping{header: http.CanonicalHeaderKey(name), src: src})
		}
		if ir.SelectionPattern == "" {
			rs.def = c
			continue
		}
		// AWS matches the whole status string ("4\d{2}" does not match
		// "4000"), so anchor the pattern. Compiled here, never per request.
		re, err := regexp.Compile(`^(?:` + ir.SelectionPattern + `)$`)
		if err != nil {
			errs = append(errs, fmt.Errorf("selection pattern %q: %v", ir.SelectionPattern, err))
			continue
		}
		c.pattern = re
		rs.patterned = append(rs.patterned, c)
	}
	// AWS does not document an order between overlapping patterns. Try
	// literal patterns ("404") before regular expressions ("4\d{2}") so
	// the specific response wins, then by status code for determinism.
	sort.SliceStable(rs.patterned, func(i, j int) bool {
		return isLiteralPattern(rs.patterned[i]) && !isLiteralPattern(rs.patterned[j])
	})
	return rs, errs
}

func isLiteralPattern(ir *integrationResponse) bool {
	_, complete := ir.pattern.LiteralPrefix()
	return complete
}

// pick returns the integration response for a backend status, or nil when
// none matches and there is no default.
func (rs *responseSet) pick(status string) *integrationResponse {
	for _, ir := range rs.patterned {
		if ir.pattern.MatchString(status) {
			return ir
		}
	}
	return rs.def
}

// writeIntegrationResponse answers a non-proxy (HTTP or MOCK) call with
// the chosen integration response: its status, mapped headers, and body —
// the response template for the client's Accept type rendered over the
// backend body, or the backend body itself when there is no template or
// it is empty. The template's $context.responseOverride status and
// headers come last: overrides are final.
func writeIntegrationResponse(inv *invocation, ir *integrationResponse, backendHeader http.Header, backendBody []byte) {
	w := inv.w
	if ir == nil || ir.invalid {
		respConfigurationError.write(inv)
		return
	}
	body, ctype := backendBody, "application/json"
	var ov *mappingtemplate.Overrides
	if t, tct, ok := selectTemplate(ir.templates, inv.r.Header.Get("Accept")); ok {
		ctype = tct
		if !t.empty() {
			res, ok := inv.render(t, backendBody, "response")
			if !ok {
				return
			}
			body, ov = res.Body, res.ResponseOverride
		}
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	for _, m := range ir.headers {
		if v, ok := m.src.response(inv, backendHeader, backendBody); ok {
			h.Set(m.header, v)
		}
	}
	if ov != nil {
		for _, p := range ov.Header {
			h.Set(p.Name, p.Value)
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(statusOverride(ov, ir.status))
	w.Write(body)
}

// selectTemplate picks a response template: the one for the Accept media
// type, else application/json, else the first one (by media type: the
// order AWS lists them in). The developer guide ("Select a VTL mapping
// template") says an Accept that matches nothing takes the first
// template; LocalStack's tests against AWS found application/json is
// preferred to it, which is what this does.
func selectTemplate(ts map[string]*template, accept string) (*template, string, bool) {
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
	first := ""
	for ct := range ts {
		if first == "" || ct < first {
			first = ct
		}
	}
	return ts[first], first, true
}

// clientIP is the caller's address ($context.identity.sourceIp).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
