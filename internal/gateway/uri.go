package gateway

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// uriTemplate is an HTTP integration URI compiled for one stage variant:
// stage variables already substituted, the scheme and host fixed, and the
// path and query split into literal text and {name} placeholders.
type uriTemplate struct {
	scheme, host string
	hostPort     string // host with the scheme's default port, for dialing
	path         []uriPart
	query        []uriPart
	staticPath   string // the escaped path when it has no placeholders
	staticQuery  string
	hasParams    bool
}

// uriPart is literal text or, when src is set, a placeholder.
type uriPart struct {
	lit  string
	src  *valueSource // value of integration.request.path.{name}
	name string       // the placeholder's name
}

// compileURI parses an integration URI (after stage-variable expansion).
// pathSource says where each {name} placeholder gets its value.
func compileURI(raw string, pathSource func(name string) *valueSource) (*uriTemplate, error) {
	schemeEnd := strings.Index(raw, "://")
	if schemeEnd <= 0 {
		return nil, fmt.Errorf("integration uri %q is not an absolute http(s) URL", raw)
	}
	scheme := strings.ToLower(raw[:schemeEnd])
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("integration uri %q: scheme must be http or https", raw)
	}
	rest := raw[schemeEnd+3:]
	hostEnd := strings.IndexAny(rest, "/?")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	t := &uriTemplate{scheme: scheme, host: rest[:hostEnd]}
	if t.host == "" || strings.ContainsAny(t.host, "{}") {
		return nil, fmt.Errorf("integration uri %q: host must be literal", raw)
	}
	if _, err := url.Parse(scheme + "://" + t.host); err != nil {
		return nil, fmt.Errorf("integration uri %q: %v", raw, err)
	}
	t.hostPort = t.host
	if _, _, err := net.SplitHostPort(t.host); err != nil {
		port := "80"
		if scheme == "https" {
			port = "443"
		}
		t.hostPort = net.JoinHostPort(strings.Trim(t.host, "[]"), port)
	}
	rest = rest[hostEnd:]
	path, query, _ := strings.Cut(rest, "?")
	if path == "" {
		path = "/"
	}
	var err error
	if t.path, err = splitTemplate(path, pathSource); err != nil {
		return nil, fmt.Errorf("integration uri %q: %v", raw, err)
	}
	if t.query, err = splitTemplate(query, pathSource); err != nil {
		return nil, fmt.Errorf("integration uri %q: %v", raw, err)
	}
	for _, p := range append(append([]uriPart(nil), t.path...), t.query...) {
		if p.src != nil {
			t.hasParams = true
		}
	}
	if !t.hasParams {
		t.staticPath = joinLiterals(t.path)
		t.staticQuery = joinLiterals(t.query)
	}
	return t, nil
}

func splitTemplate(s string, source func(string) *valueSource) ([]uriPart, error) {
	var parts []uriPart
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			parts = append(parts, uriPart{lit: s})
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("unterminated placeholder")
		}
		if i > 0 {
			parts = append(parts, uriPart{lit: s[:i]})
		}
		name := strings.TrimSuffix(s[i+1:i+j], "+")
		parts = append(parts, uriPart{src: source(name), name: name})
		s = s[i+j+1:]
	}
	return parts, nil
}

func joinLiterals(parts []uriPart) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.lit)
	}
	return b.String()
}

// build returns the backend URL for one invocation. The client's query
// string, when passQuery is set (HTTP_PROXY), is appended after the URI's
// own query.
func (t *uriTemplate) build(inv *invocation, extraQuery string) *url.URL {
	u := &url.URL{Scheme: t.scheme, Host: t.host}
	var path, query string
	if t.hasParams {
		path = t.render(inv, t.path, true)
		query = t.render(inv, t.query, false)
	} else {
		path, query = t.staticPath, t.staticQuery
	}
	u.Path = unescapePath(path)
	if u.Path != path {
		u.RawPath = path
	}
	switch {
	case query == "":
		u.RawQuery = extraQuery
	case extraQuery == "":
		u.RawQuery = query
	default:
		u.RawQuery = query + "&" + extraQuery
	}
	return u
}

func (t *uriTemplate) render(inv *invocation, parts []uriPart, inPath bool) string {
	if len(parts) == 0 {
		return ""
	}
	if len(parts) == 1 && parts[0].src == nil {
		return parts[0].lit
	}
	var b strings.Builder
	for _, p := range parts {
		if p.src == nil {
			b.WriteString(p.lit)
			continue
		}
		if v, ok := inv.pathOverrideFor(p.name); ok {
			// $context.requestOverride.path.{name} (templates.go).
			if inPath {
				b.WriteString(escapePathKeepSlash(v))
			} else {
				b.WriteString(url.QueryEscape(v))
			}
			continue
		}
		if p.src.kind == srcPath {
			// Path parameters go back exactly as the client encoded them.
			v, _ := inv.rawParam(p.src.name)
			b.WriteString(v)
			continue
		}
		v, _ := p.src.request(inv)
		if inPath {
			b.WriteString(escapePathKeepSlash(v))
		} else {
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}

// escapePathKeepSlash escapes a value for a URL path, keeping '/' so a
// mapped value can span segments as {proxy+} does.
func escapePathKeepSlash(s string) string {
	if !strings.ContainsAny(s, " %?#") && url.PathEscape(s) == s {
		return s
	}
	segs := strings.Split(s, "/")
	for i, sg := range segs {
		segs[i] = url.PathEscape(sg)
	}
	return strings.Join(segs, "/")
}

// writeRequestTarget writes the escaped path and query of the backend URL
// straight into an outbound request line, without building a string.
func (t *uriTemplate) writeRequestTarget(w *bufio.Writer, inv *invocation, extraQuery string) {
	if !t.hasParams {
		w.WriteString(t.staticPath)
		writeQuery(w, t.staticQuery, extraQuery)
		return
	}
	for _, p := range t.path {
		switch {
		case p.src == nil:
			w.WriteString(p.lit)
		case p.src.kind == srcPath:
			v, _ := inv.rawParam(p.src.name)
			w.WriteString(v)
		default:
			v, _ := p.src.request(inv)
			w.WriteString(escapePathKeepSlash(v))
		}
	}
	writeQuery(w, t.render(inv, t.query, false), extraQuery)
}

func writeQuery(w *bufio.Writer, query, extra string) {
	if query == "" && extra == "" {
		return
	}
	w.WriteByte('?')
	w.WriteString(query)
	if query != "" && extra != "" {
		w.WriteByte('&')
	}
	w.WriteString(extra)
}
