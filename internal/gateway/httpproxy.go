package gateway

import (
	"context"
	"log"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// httpProxyPlan is a compiled HTTP_PROXY integration: the request goes to
// the backend as the client sent it (method, headers, query, body, with
// path parameters substituted into the URI) and the backend's response
// comes back unchanged.
type httpProxyPlan struct {
	g        *Gateway
	uri      *uriTemplate
	verb     string // outbound verb; "" means the client's
	mappings []requestMapping
	timeout  time.Duration
	rp       *httputil.ReverseProxy
	// direct is set when requests may skip ReverseProxy (directproxy.go):
	// a plain-http backend and no header or query mappings; serve also
	// checks that the outbound verb is the client's.
	direct bool
}

type invocationKey struct{}

func (c *compiler) httpProxy(v *variant, in *apigw.Integration) (handler, []error) {
	var errs []error
	uri, err := compileURI(expandStageVariables(in.URI, v.vars), pathSourceFor(in.RequestParameters, v.vars, &errs))
	if err != nil {
		return nil, append(errs, err)
	}
	mappings, merrs := compileRequestMappings(in.RequestParameters, v.vars)
	p := &httpProxyPlan{g: c.g, uri: uri, mappings: mappings, timeout: timeoutOf(in), rp: c.g.proxy}
	// Proxies usually say ANY: then the client's verb goes through.
	if in.HTTPMethod != "" && in.HTTPMethod != "ANY" {
		p.verb = in.HTTPMethod
	}
	if in.TLSConfig != nil && in.TLSConfig.InsecureSkipVerification {
		p.rp = c.g.insecureProxy
	}
	p.direct = uri.scheme == "http" && len(mappings) == 0
	return p.serve, append(errs, merrs...)
}

func (p *httpProxyPlan) serve(inv *invocation) {
	// The direct path sends the client's verb, so it serves integrations
	// that say ANY or name the very verb the client used (GET -> GET).
	if p.direct && (p.verb == "" || p.verb == inv.r.Method) && directEligible(inv.r) {
		p.serveDirect(inv)
		return
	}
	ctx, cancel := context.WithTimeout(inv.r.Context(), p.timeout)
	defer cancel()
	inv.proxyPlan = p
	p.rp.ServeHTTP(inv.w, inv.r.WithContext(context.WithValue(ctx, invocationKey{}, inv)))
}

// newReverseProxy returns the ReverseProxy all HTTP_PROXY methods share.
// Rewrite (not the deprecated Director) runs after the hop-by-hop and
// client-sent X-Forwarded-* headers are stripped, so a client can neither
// spoof its address nor make the proxy drop a header we set.
func (g *Gateway) newReverseProxy(t http.RoundTripper) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite:        rewriteProxyRequest,
		Transport:      t,
		BufferPool:     newBufferPool(),
		ModifyResponse: proxyResponse, // remapBackendHeaders, and telemetry
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			inv := r.Context().Value(invocationKey{}).(*invocation)
			g.writeBackendError(inv, r.Context(), err, "HTTP_PROXY")
		},
		ErrorLog: log.New(slogWriter{g.log}, "", 0),
	}
}

func rewriteProxyRequest(pr *httputil.ProxyRequest) {
	inv := pr.In.Context().Value(invocationKey{}).(*invocation)
	p := inv.proxyPlan
	out := pr.Out
	out.URL = p.uri.build(inv, pr.In.URL.RawQuery)
	out.Host = "" // Host header = the backend's host
	if p.verb != "" {
		out.Method = p.verb
	}
	applyRequestMappings(inv, out.Header, out.URL, p.mappings)
	pr.SetXForwarded()
	inv.integrationStarted(httpProxyType)
	inv.endpointRequest(out.URL, out.Header, nil)
}

// applyRequestMappings sets the mapped headers and query parameters on an
// outbound request.
func applyRequestMappings(inv *invocation, h http.Header, u *url.URL, mappings []requestMapping) {
	var extra []string
	for _, m := range mappings {
		v, ok := m.src.request(inv)
		if !ok {
			continue
		}
		switch m.target {
		case "header":
			h.Set(m.name, v)
		case "querystring":
			extra = append(extra, url.QueryEscape(m.name)+"="+url.QueryEscape(v))
		}
	}
	if len(extra) > 0 {
		q := strings.Join(extra, "&")
		if u.RawQuery != "" {
			q = u.RawQuery + "&" + q
		}
		u.RawQuery = q
	}
}

// remapBackendHeaders renames backend headers that would clash with the
// gateway's own, as AWS does (x-amzn-Remapped-*).
func remapBackendHeaders(resp *http.Response) error {
	h := resp.Header
	for _, k := range [...]string{"X-Amzn-Requestid", "X-Amz-Apigw-Id"} {
		if v, ok := h[k]; ok {
			delete(h, k)
			h["X-Amzn-Remapped-"+k] = v
		}
	}
	return nil
}

// slogWriter sends the standard library logger's lines (ReverseProxy's
// copy errors) to slog.
type slogWriter struct{ l *slog.Logger }

func (s slogWriter) Write(b []byte) (int, error) {
	s.l.Debug("data plane: proxy", "detail", strings.TrimSpace(string(b)))
	return len(b), nil
}
