package gateway

import (
	"fmt"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/gateway/mappingtemplate"
)

// sourceKind says where a mapping expression takes its value from.
type sourceKind int

const (
	srcStatic       sourceKind = iota // 'literal' and stageVariables.x (resolved at compile time)
	srcPath                           // method.request.path.x
	srcQuery                          // method.request.querystring.x
	srcMultiQuery                     // method.request.multivaluequerystring.x (joined with ",")
	srcHeader                         // method.request.header.x
	srcMultiHeader                    // method.request.multivalueheader.x (joined with ",")
	srcContext                        // context.x
	srcRespHeader                     // integration.response.header.x
	srcRespBody                       // integration.response.body
	srcRespBodyPath                   // integration.response.body.<JSONPath>
	srcReqBody                        // method.request.body
	srcReqBodyPath                    // method.request.body.<JSONPath>
)

// valueSource is a compiled mapping expression (the right-hand side of a
// requestParameters or responseParameters entry).
type valueSource struct {
	kind   sourceKind
	name   string // parameter, header (canonical) or context variable name
	static string
	path   *mappingtemplate.Path // the JSONPath of a body source
}

// parseSource compiles a mapping expression. Stage variables are resolved
// here because a compiled method belongs to one stage variant. Supported:
// 'static', stageVariables.x, method.request.{path,querystring,
// multivaluequerystring,header,multivalueheader}.x, context.{requestId,
// extendedRequestId,stage,apiId,httpMethod,resourceId,resourcePath,
// path,protocol,accountId,domainName,identity.sourceIp,identity.userAgent},
// and in responses integration.response.header.x and
// integration.response.body, and JSONPath into either body
// (method.request.body.a.b, integration.response.body.a[0]).
func parseSource(expr string, vars map[string]string) (*valueSource, error) {
	if len(expr) >= 2 && expr[0] == '\'' && expr[len(expr)-1] == '\'' {
		return &valueSource{kind: srcStatic, static: expr[1 : len(expr)-1]}, nil
	}
	if name, ok := strings.CutPrefix(expr, "stageVariables."); ok {
		return &valueSource{kind: srcStatic, static: vars[name]}, nil
	}
	prefixes := []struct {
		prefix string
		kind   sourceKind
	}{
		{"method.request.path.", srcPath},
		{"method.request.querystring.", srcQuery},
		{"method.request.multivaluequerystring.", srcMultiQuery},
		{"method.request.header.", srcHeader},
		{"method.request.multivalueheader.", srcMultiHeader},
		{"integration.response.header.", srcRespHeader},
		{"context.", srcContext},
	}
	for _, p := range prefixes {
		if name, ok := strings.CutPrefix(expr, p.prefix); ok && name != "" {
			if p.kind == srcHeader || p.kind == srcMultiHeader || p.kind == srcRespHeader {
				name = textproto.CanonicalMIMEHeaderKey(name)
			}
			if p.kind == srcContext && !knownContextVar[name] {
				return nil, fmt.Errorf("mapping expression %q: context variable not supported", expr)
			}
			return &valueSource{kind: p.kind, name: name}, nil
		}
	}
	switch expr {
	case "integration.response.body":
		return &valueSource{kind: srcRespBody}, nil
	case "method.request.body":
		return &valueSource{kind: srcReqBody}, nil
	}
	// A JSONPath into the body, without its "$." ("body.a.b[0]"),
	// compiled here, once.
	for _, b := range []struct {
		prefix string
		kind   sourceKind
	}{{"integration.response.body.", srcRespBodyPath}, {"method.request.body.", srcReqBodyPath}} {
		if rest, ok := strings.CutPrefix(expr, b.prefix); ok && rest != "" {
			p, err := mappingtemplate.CompilePath("$." + rest)
			if err != nil {
				return nil, fmt.Errorf("mapping expression %q: %v", expr, err)
			}
			return &valueSource{kind: b.kind, path: p}, nil
		}
	}
	return nil, fmt.Errorf("mapping expression %q is not supported", expr)
}

var knownContextVar = map[string]bool{
	"requestId": true, "extendedRequestId": true, "stage": true, "apiId": true,
	"httpMethod": true, "resourceId": true, "resourcePath": true, "path": true,
	"protocol": true, "accountId": true, "domainName": true,
	"identity.sourceIp": true, "identity.userAgent": true, "requestTimeEpoch": true,
}

// request resolves the source against the method request.
func (s *valueSource) request(inv *invocation) (string, bool) {
	r := inv.r
	switch s.kind {
	case srcStatic:
		return s.static, true
	case srcPath:
		return inv.param(s.name)
	case srcQuery:
		vs := inv.queryValues()[s.name]
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true // AWS keeps the last value of a repeated parameter
	case srcMultiQuery:
		vs, ok := inv.queryValues()[s.name]
		return strings.Join(vs, ","), ok
	case srcHeader:
		vs := r.Header[s.name]
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	case srcMultiHeader:
		vs, ok := r.Header[s.name]
		return strings.Join(vs, ","), ok
	case srcContext:
		return contextValue(inv, s.name), true
	case srcReqBody:
		return string(inv.reqBody), true
	case srcReqBodyPath:
		return s.path.Value(inv.reqBody)
	}
	return "", false
}

// response resolves the source against the integration response.
func (s *valueSource) response(inv *invocation, h http.Header, body []byte) (string, bool) {
	switch s.kind {
	case srcRespHeader:
		vs := h[s.name]
		if len(vs) == 0 {
			return "", false
		}
		return strings.Join(vs, ","), true
	case srcRespBody:
		return string(body), true
	case srcRespBodyPath:
		return s.path.Value(body)
	}
	return s.request(inv)
}

func contextValue(inv *invocation, name string) string {
	v, m, r := inv.variant, inv.method, inv.r
	switch name {
	case "requestId":
		return inv.requestID()
	case "extendedRequestId":
		return inv.extendedID()
	case "stage":
		return v.stageName
	case "apiId":
		return v.apiID
	case "httpMethod":
		return r.Method
	case "resourceId":
		if m == nil { // a gateway response to a request that matched no method
			return ""
		}
		return m.resourceID
	case "resourcePath":
		if m == nil {
			return ""
		}
		return m.resourcePath
	case "path":
		return "/" + v.stageName + inv.path
	case "protocol":
		return r.Proto
	case "accountId":
		return accountID
	case "domainName":
		return r.Host
	case "identity.sourceIp":
		return clientIP(r)
	case "identity.userAgent":
		return r.UserAgent()
	case "requestTimeEpoch":
		return strconv.FormatInt(inv.start.UnixMilli(), 10)
	}
	return ""
}

// requestMapping is one integration.request.{header,querystring,path}.x
// entry of an integration's requestParameters.
type requestMapping struct {
	target string // "header", "querystring" or "path"
	name   string
	src    *valueSource
}

// compileRequestMappings compiles an integration's requestParameters,
// except path targets, which the URI template consumes.
func compileRequestMappings(params map[string]string, vars map[string]string) ([]requestMapping, []error) {
	var out []requestMapping
	var errs []error
	for _, k := range sortedKeys(params) {
		rest, ok := strings.CutPrefix(k, "integration.request.")
		if !ok {
			errs = append(errs, fmt.Errorf("request parameter %q: target must be integration.request.*", k))
			continue
		}
		target, name, ok := strings.Cut(rest, ".")
		if !ok || name == "" || (target != "header" && target != "querystring" && target != "path" && target != "multivaluequerystring" && target != "multivalueheader") {
			errs = append(errs, fmt.Errorf("request parameter %q: unknown target", k))
			continue
		}
		if target == "path" {
			continue
		}
		src, err := parseSource(params[k], vars)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		target = strings.TrimPrefix(target, "multivalue")
		if target == "header" {
			name = textproto.CanonicalMIMEHeaderKey(name)
		}
		out = append(out, requestMapping{target: target, name: name, src: src})
	}
	return out, errs
}

// pathSourceFor returns where the URI placeholder {name} takes its value:
// the integration.request.path.name mapping if there is one, else the
// method request path parameter of the same name (what the console sets up
// for {proxy+}).
func pathSourceFor(params map[string]string, vars map[string]string, errs *[]error) func(string) *valueSource {
	return func(name string) *valueSource {
		if expr, ok := params["integration.request.path."+name]; ok {
			src, err := parseSource(expr, vars)
			if err == nil {
				return src
			}
			*errs = append(*errs, err)
		}
		return &valueSource{kind: srcPath, name: name}
	}
}

// mediaType returns the lower-case media type of a Content-Type or Accept
// value without parameters.
func mediaType(v string) string {
	if i := strings.IndexAny(v, ";,"); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(strings.TrimSpace(v))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
