package gateway

import (
	"net/http"
	"sort"
	"strings"
)

// Prepared responses: answers whose header is known before the request
// arrives — a 429, a cache hit — are written on h1serve with
// WritePrepared, from a header block rendered once (the 429's at startup,
// a cache entry's when it is stored), followed by the request's two ids
// formatted from the invocation's array. No header map is built and
// nothing is allocated for them. The normal path through the header map
// remains for everything else: net/http, a response some step already
// added headers to (a cache Warning), dataTrace (which logs the header
// map), a cache fill's capture writer, sealed cache entries.

// preparedWriter is h1serve.PreparedWriter, named here so the gateway
// does not depend on a server.
type preparedWriter interface {
	WritePrepared(status int, fields, body []byte) error
}

// writePrepared answers with status, the encoded header lines fields, the
// request ids and body. It reports false, having written nothing, when
// the response must take the normal path (see above).
func (inv *invocation) writePrepared(status int, fields, body []byte) bool {
	rw := &inv.obs.rw
	if inv.w != http.ResponseWriter(rw) || rw.idsSet || rw.trace {
		return false
	}
	pw, ok := rw.ResponseWriter.(preparedWriter)
	if !ok {
		return false
	}
	// Sorted as h1serve sorts a header map: X-Amz-Apigw-Id first.
	b := append(inv.bufs.scratch[:0], fields...)
	b = append(b, "X-Amz-Apigw-Id: "...)
	b = append(b, inv.ids[36:]...)
	b = append(b, "\r\nX-Amzn-Requestid: "...)
	b = append(b, inv.ids[:36]...)
	b = append(b, '\r', '\n')
	rw.status = status
	if pw.WritePrepared(status, b, body) == nil && status != http.StatusNoContent && status != http.StatusNotModified {
		rw.n = int64(len(body))
	}
	return true
}

// encodeFields renders h as HTTP/1 header lines for WritePrepared, sorted
// by name, as a server would write the map: values trimmed, CR and LF
// made spaces. The framing fields and Date are left to the server;
// without a Content-Type one is sniffed from body, as the server would
// for the map. It returns nil when h holds a name that is not a valid
// token (the server's map path drops it; keeping the rule in one place).
func encodeFields(h http.Header, body []byte) []byte {
	keys := make([]string, 0, len(h))
	for k := range h {
		switch k {
		case "Content-Length", "Transfer-Encoding", "Connection", "Date", "Trailer":
			continue
		}
		if !isHeaderToken(k) || strings.HasPrefix(k, http.TrailerPrefix) {
			return nil
		}
		keys = append(keys, k)
	}
	if _, ok := h["Content-Type"]; !ok && len(body) > 0 {
		keys = append(keys, "Content-Type")
	}
	sort.Strings(keys)
	var b []byte
	for _, k := range keys {
		vs, ok := h[k]
		if !ok { // the sniffed Content-Type
			vs = []string{http.DetectContentType(body)}
		}
		for _, v := range vs {
			b = append(b, k...)
			b = append(b, ':', ' ')
			v = strings.Trim(v, " \t\r\n")
			start := len(b)
			b = append(b, v...)
			for i := start; i < len(b); i++ {
				if b[i] == '\r' || b[i] == '\n' {
					b[i] = ' '
				}
			}
			b = append(b, '\r', '\n')
		}
	}
	if b == nil {
		b = []byte{} // no fields is still a prepared header
	}
	return b
}

// isHeaderToken reports whether s is a valid header field name (an RFC
// 9110 token).
func isHeaderToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
