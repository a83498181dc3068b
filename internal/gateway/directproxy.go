package gateway

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// The direct proxy path serves the most common HTTP_PROXY request — a
// bodiless GET/HEAD/OPTIONS to a plain-http backend, with no header or
// query mappings — without httputil.ReverseProxy. Profiles of
// bench/proxy.sh showed that, once the transport's goroutine hand-offs
// were gone (h1Transport), the remaining cost was mostly allocation and GC
// in ReverseProxy's generic machinery: cloning the request, its URL and
// headers, a timeout context and a value context per request, then
// copying the response headers. Here the request line and headers are
// written from the inbound request straight onto a pooled backend
// connection, the response is parsed with http.ReadResponse, its header
// map handed to the client response as is, and the integration timeout is
// a connection deadline. The header rules are ReverseProxy's: hop-by-hop
// headers (and those named in Connection) are dropped both ways, the
// client's X-Forwarded-* are replaced by our own, Host is the backend's.
// Everything else goes through ReverseProxy (see httpProxyPlan.serve).

// directEligible reports whether the inbound request can take the direct
// path: a replayable verb without a body and without an upgrade.
func directEligible(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		return false
	}
	if r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
		return false
	}
	_, upgrade := r.Header["Upgrade"]
	return !upgrade
}

// hopHeaders are the hop-by-hop headers (RFC 9110 §7.6.1) plus the
// forwarding headers a client must not be able to set.
var hopHeaders = map[string]bool{
	"Connection": true, "Proxy-Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true,
	"Proxy-Authorization": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

var untrustedForwarding = map[string]bool{
	"X-Forwarded-For": true, "X-Forwarded-Host": true, "X-Forwarded-Proto": true, "Forwarded": true,
}

var headRequest = &http.Request{Method: http.MethodHead}

func (p *httpProxyPlan) serveDirect(inv *invocation) {
	t := p.g.proxyFast
	r := inv.r
	addr := p.uri.hostPort
	pool := t.pool(addr)
	deadline := inv.start.Add(p.timeout)
	inv.directProxyStarted(p.uri)
	var (
		c    *h1Conn
		resp *http.Response
		err  error
	)
	for attempt := 0; attempt < 2; attempt++ {
		reused := false
		if attempt == 0 {
			c = pool.get(t.idleTimeout)
			reused = c != nil
		}
		if c == nil {
			if c, err = t.dialDeadline(addr, deadline); err != nil {
				break
			}
		}
		c.SetDeadline(deadline)
		if resp, err = p.exchange(c, inv); err == nil {
			break
		}
		c.Close()
		c = nil
		// A reused connection the backend closed while idle fails before
		// any response byte; the request is replayable, so retry once.
		if !reused || !errors.Is(err, errStaleConn) {
			break
		}
	}
	if err != nil {
		if errors.Is(err, errStaleConn) {
			err = io.ErrUnexpectedEOF
		}
		if isTimeout(err) && !time.Now().Before(deadline) {
			inv.integrationFailed(err.Error())
			respIntegrationTimeout.write(inv)
			return
		}
		p.g.writeBackendError(inv, r.Context(), err, "HTTP_PROXY "+addr)
		return
	}

	inv.integrationAnswered(resp.StatusCode, resp.Header, nil)
	// Response headers: the backend's map becomes part of ours.
	h := inv.w.Header()
	removeHopHeaders(resp.Header)
	remapBackendHeaders(resp)
	for k, vs := range resp.Header {
		h[k] = vs
	}
	if len(resp.Trailer) > 0 {
		names := make([]string, 0, len(resp.Trailer))
		for k := range resp.Trailer {
			names = append(names, k)
		}
		h["Trailer"] = []string{strings.Join(names, ", ")}
	}
	inv.w.WriteHeader(resp.StatusCode)
	streaming := resp.ContentLength < 0
	bufp := proxyBuffers.get()
	defer proxyBuffers.put(bufp)
	buf := *bufp
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := inv.w.Write(buf[:n]); werr != nil {
				c.Close()
				return // the client went away
			}
			if streaming {
				http.NewResponseController(inv.w).Flush()
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			c.Close()
			// The status is sent; abort the client connection so it sees
			// a truncated response rather than a complete one.
			panic(http.ErrAbortHandler)
		}
	}
	for k, vs := range resp.Trailer {
		h[http.TrailerPrefix+k] = vs
	}
	if resp.Close || c.br.Buffered() > 0 {
		c.Close()
		return
	}
	c.SetDeadline(time.Time{})
	pool.put(c, t.maxIdlePerHost)
}

// exchange writes the request and reads the response head.
func (p *httpProxyPlan) exchange(c *h1Conn, inv *invocation) (*http.Response, error) {
	r, w := inv.r, c.bw
	w.WriteString(r.Method)
	w.WriteByte(' ')
	p.uri.writeRequestTarget(w, inv, r.URL.RawQuery)
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(p.uri.host)
	w.WriteString("\r\n")
	connHeaders := r.Header["Connection"]
	for k, vs := range r.Header {
		if !forwardedToBackend(k, connHeaders) {
			continue
		}
		for _, v := range vs {
			w.WriteString(k)
			w.WriteString(": ")
			w.WriteString(v)
			w.WriteString("\r\n")
		}
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		w.WriteString("X-Forwarded-For: ")
		w.WriteString(host)
		w.WriteString("\r\n")
	}
	w.WriteString("X-Forwarded-Host: ")
	w.WriteString(r.Host)
	w.WriteString("\r\nX-Forwarded-Proto: ")
	w.WriteString(forwardedProto(r))
	w.WriteString("\r\n\r\n")
	if err := w.Flush(); err != nil {
		return nil, errStaleConn
	}
	if _, err := c.br.Peek(1); err != nil {
		if !isTimeout(err) {
			return nil, errStaleConn
		}
		return nil, err
	}
	var req *http.Request
	if r.Method == http.MethodHead {
		req = headRequest
	}
	for {
		resp, err := http.ReadResponse(c.br, req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 200 {
			return resp, nil
		}
		// Informational responses (100, 103) are not relayed.
		resp.Body.Close()
	}
}

// forwardedToBackend reports whether the client's header k (canonical)
// goes to the backend: not hop-by-hop, not named in the request's
// Connection header conn, not a forwarding header we set ourselves. The
// direct path's exchange and its dataTrace rebuild share it.
func forwardedToBackend(k string, conn []string) bool {
	return !hopHeaders[k] && !untrustedForwarding[k] && (len(conn) == 0 || !namedInConnection(conn, k))
}

// forwardedProto is the X-Forwarded-Proto value for the client's request.
func forwardedProto(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// namedInConnection reports whether header k (canonical) is listed in a
// Connection header, and so is hop-by-hop for this request. It runs for
// every header of such a request, so it compares in place (ASCII case
// folding: for a canonical token k, the same as comparing the
// canonicalised name) rather than splitting and canonicalising.
func namedInConnection(conn []string, k string) bool {
	for _, v := range conn {
		for v != "" {
			var f string
			f, v, _ = strings.Cut(v, ",")
			if asciiEqualFold(strings.TrimSpace(f), k) {
				return true
			}
		}
	}
	return false
}

// asciiEqualFold is strings.EqualFold for header names: ASCII letters
// only, so a non-ASCII byte never matches a letter.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func removeHopHeaders(h http.Header) {
	for _, v := range h["Connection"] {
		for v != "" {
			var f string
			f, v, _ = strings.Cut(v, ",")
			delete(h, http.CanonicalHeaderKey(strings.TrimSpace(f)))
		}
	}
	for k := range hopHeaders {
		delete(h, k)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// proxyBuffers lends copy buffers to the direct path.
var proxyBuffers = newBufferPool()

func (t *h1Transport) dialDeadline(addr string, deadline time.Time) (*h1Conn, error) {
	d := t.dialer
	d.Deadline = deadline
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &h1Conn{Conn: nc, br: bufio.NewReaderSize(nc, 4096), bw: bufio.NewWriterSize(nc, 4096), addr: addr}, nil
}
