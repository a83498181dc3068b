package h1serve

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unsafe"
)

// A request head (request line + header fields) is parsed from one
// contiguous byte slice holding all of it. The slice is first converted
// into ONE string, and the method, target, header names (unless they are
// common, interned names) and values are all substrings of it: a request
// costs one string allocation for all its text instead of one per field,
// which is what textproto.Reader spends most of its allocations on. The
// string lives as long as anything refers to a piece of it; heads are
// bounded by Server.MaxHeaderBytes.
//
// The rules are net/http's (so a handler sees the same *http.Request
// either way): names must be tokens, values must not hold control bytes
// other than HTAB, obsolete line folding is rejected, Host is required
// for HTTP/1.1 and moves from Header to Request.Host, Transfer-Encoding
// is only "chunked" and moves to Request.TransferEncoding, differing
// Content-Length values are rejected, "Pragma: no-cache" implies
// "Cache-Control: no-cache", and "Connection: close" sets Request.Close.

// errTooLarge reports a head over Server.MaxHeaderBytes (431).
var errTooLarge = errors.New("request header too large")

// statusError is a malformed request answered with a status and closed.
type statusError struct {
	code int
	text string
}

func (e *statusError) Error() string { return strconv.Itoa(e.code) + " " + e.text }

func badRequest(text string) error { return &statusError{http.StatusBadRequest, text} }

// headEnd returns the length of the head in b (up to and including the
// blank line that ends it), or -1 if b does not hold a whole head yet.
// Lines end in CRLF or, as net/http also accepts, a bare LF. from is
// where to resume a previous search of a prefix of b.
func headEnd(b []byte, from int) int {
	for i := from; i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		// The next line is empty: "\n" or "\r\n".
		if i < len(b) && b[i] == '\n' {
			return i + 1
		}
		if i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n' {
			return i + 2
		}
		if i+1 >= len(b) {
			return -1 // cannot tell yet
		}
	}
	return -1
}

// headResumeFrom is where a later headEnd search over a grown b may start:
// far enough back to see a terminator split across the two reads.
func headResumeFrom(n int) int { return max(0, n-3) }

// parsed is a request head: everything parseHead extracts.
type parsed struct {
	method, target, proto string
	major, minor          int
	url                   *url.URL
	host                  string
	hosts                 int    // Host fields seen (parseHead keeps them out of header)
	hostValue             string // the first one's value
	header                http.Header
	contentLength         int64 // -1: chunked
	chunked               bool
	close                 bool // Connection: close, or HTTP/1.0 without keep-alive
	expectContinue        bool
	trailer               http.Header
}

// headBlock is one allocation for what a small request head needs: its
// text (the strings of the request point into it), its URL and the value
// slots of its single-valued header fields. Sized (448 bytes, a malloc
// size class) for short heads — load generators, curl, health checks,
// service-to-service calls; anything longer is allocated piecewise. Bytes
// allocated per request set how often the GC runs, so the block is not
// made larger for heads it would rarely fit.
type headBlock struct {
	url  url.URL
	vals [8]string
	text [176]byte
}

// parseHead parses head, which ends with the blank line. It canonicalises
// header names in place, so head must be the caller's to modify.
func parseHead(head []byte, p *parsed) error {
	// Skip empty lines before the request line (RFC 9112 §2.2: a server
	// SHOULD ignore at least one).
	for len(head) > 0 && (head[0] == '\r' || head[0] == '\n') {
		if head[0] == '\r' && (len(head) < 2 || head[1] != '\n') {
			return badRequest("malformed HTTP request")
		}
		head = head[bytes.IndexByte(head, '\n')+1:]
	}
	if len(head) == 0 {
		return badRequest("malformed HTTP request")
	}
	// Canonicalise header names in the bytes before the one conversion
	// to a string; count lines to size the header map.
	lines := 0
	first := true
	if head[len(head)-1] != '\n' {
		return badRequest("malformed HTTP request")
	}
	for rest := head; len(rest) > 0; {
		nl := bytes.IndexByte(rest, '\n')
		line := rest[:nl]
		rest = rest[nl+1:]
		if first {
			first = false
			continue
		}
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			break
		}
		if c := line[0]; c == ' ' || c == '\t' {
			// Obsolete line folding: RFC 9112 §5.2 lets a server reject it.
			return badRequest("malformed MIME header line")
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !canonicalizeName(line[:colon]) {
			return badRequest("invalid header name")
		}
		lines++
	}

	// A small head (nearly all) gets one allocation for its text, its URL
	// and its header values (headBlock); a larger one gets them apart.
	var s string
	var blk *headBlock
	if len(head) <= len(blk.text) && lines <= len(blk.vals) {
		blk = new(headBlock)
		n := copy(blk.text[:], head)
		// The block's text is written once, here, and never again: a
		// string over it is as immutable as string(head) would be.
		s = unsafe.String(&blk.text[0], n)
	} else {
		s = string(head)
	}
	nl := strings.IndexByte(s, '\n')
	reqLine := s[:nl]
	s = s[nl+1:]
	reqLine = strings.TrimSuffix(reqLine, "\r")
	method, rest, ok1 := strings.Cut(reqLine, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 {
		return badRequest("malformed HTTP request")
	}
	if !isToken(method) {
		return badRequest("invalid method")
	}
	p.method, p.target, p.proto = internMethod(method), target, proto
	switch proto {
	case "HTTP/1.1":
		p.major, p.minor = 1, 1
	case "HTTP/1.0":
		p.major, p.minor = 1, 0
	default:
		var ok bool
		if p.major, p.minor, ok = http.ParseHTTPVersion(proto); !ok {
			return badRequest("malformed HTTP version")
		}
		if p.major != 1 {
			return &statusError{http.StatusHTTPVersionNotSupported, "unsupported protocol version"}
		}
	}
	var dst *url.URL
	if blk != nil {
		dst = &blk.url
	}
	u, err := parseTarget(p.method, target, dst)
	if err != nil {
		return badRequest("malformed request target")
	}
	p.url = u

	h := make(http.Header, lines)
	var vals []string // one backing array for single-valued fields
	if blk != nil {
		vals = blk.vals[:lines]
	} else {
		vals = make([]string, lines)
	}
	for len(s) > 0 {
		nl := strings.IndexByte(s, '\n')
		line := s[:nl]
		s = s[nl+1:]
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			break
		}
		colon := strings.IndexByte(line, ':')
		name := internName(line[:colon])
		value := trimOWS(line[colon+1:])
		if !validValue(value) {
			return badRequest("invalid header value")
		}
		if name == "Host" {
			// Host goes to Request.Host, never into Header: kept out of
			// the map, a request with no other field (load generators,
			// health checks) leaves the map empty, and an empty map
			// allocates no slots.
			p.hosts++
			if p.hosts == 1 {
				p.hostValue = value
			}
			continue
		}
		if vs, ok := h[name]; ok {
			h[name] = append(vs, value)
			continue
		}
		vals[0] = value
		h[name] = vals[:1:1]
		vals = vals[1:]
	}
	p.header = h
	return p.fixRequest()
}

// fixRequest applies net/http's request rules to a parsed head.
func (p *parsed) fixRequest() error {
	h := p.header
	haveHost := p.hosts > 0
	if p.hosts > 1 {
		return badRequest("too many Host headers")
	}
	if p.minor >= 1 && !haveHost && p.method != http.MethodConnect {
		return badRequest("missing required Host header")
	}
	if haveHost && !validHost(p.hostValue) {
		return badRequest("malformed Host header")
	}
	p.host = p.url.Host
	if p.host == "" && haveHost {
		p.host = p.hostValue
	}

	if pr, ok := h["Pragma"]; ok && pr[0] == "no-cache" {
		if _, ok := h["Cache-Control"]; !ok {
			h["Cache-Control"] = []string{"no-cache"}
		}
	}

	if conn, ok := h["Connection"]; ok {
		hasClose := hasToken(conn, "close")
		if p.minor == 0 {
			p.close = hasClose || !hasToken(conn, "keep-alive")
		} else {
			p.close = hasClose
		}
	} else {
		p.close = p.minor == 0
	}

	// Transfer-Encoding: ignored on HTTP/1.0 (as net/http, issue 12785);
	// only a single "chunked" otherwise.
	if te, ok := h["Transfer-Encoding"]; ok {
		delete(h, "Transfer-Encoding")
		if p.minor >= 1 {
			if len(te) != 1 || !strings.EqualFold(te[0], "chunked") {
				return &statusError{http.StatusNotImplemented, "unsupported transfer encoding"}
			}
			p.chunked = true
		}
	}
	cls := h["Content-Length"]
	if len(cls) > 1 {
		for _, v := range cls[1:] {
			if v != cls[0] {
				return badRequest("multiple Content-Length headers")
			}
		}
		h["Content-Length"] = cls[:1]
	}
	if p.chunked && len(cls) > 0 {
		// RFC 9112 §6.1: a message with both "ought to be handled as an
		// error" — it is the classic request-smuggling shape (a front
		// proxy framing by one field, the server by the other). Refused
		// with 400, and the connection is closed (every statusError
		// closes it): where this request's body ends is unknowable.
		return badRequest("both Transfer-Encoding and Content-Length")
	}
	switch {
	case p.chunked:
		p.contentLength = -1
	case len(cls) > 0:
		n, ok := parseContentLength(cls[0])
		if !ok {
			return badRequest("bad Content-Length")
		}
		p.contentLength = n
	default:
		p.contentLength = 0
	}

	// Declared trailers move from Header to Request.Trailer (chunked
	// bodies only; otherwise the field stays, as net/http).
	if tr, ok := h["Trailer"]; ok && p.chunked {
		delete(h, "Trailer")
		p.trailer = make(http.Header)
		for _, v := range tr {
			for _, f := range strings.Split(v, ",") {
				k := http.CanonicalHeaderKey(strings.TrimSpace(f))
				switch k {
				case "Transfer-Encoding", "Trailer", "Content-Length":
					return badRequest("bad trailer key")
				case "":
					continue
				}
				p.trailer[k] = nil
			}
		}
		if len(p.trailer) == 0 {
			p.trailer = nil
		}
	}

	// Expect: as net/http, 100-continue is honoured for HTTP/1.1 requests
	// with a body; any other expectation is answered 417.
	if ex, ok := h["Expect"]; ok {
		if hasToken(ex, "100-continue") {
			p.expectContinue = p.minor >= 1 && p.contentLength != 0
		} else if ex[0] != "" {
			return &statusError{http.StatusExpectationFailed, "unsupported Expect header"}
		}
	}
	return nil
}

// parseTarget turns the request target into a URL the way net/http does
// (url.ParseRequestURI, CONNECT's authority form), with an allocation-
// light shortcut for the common origin form whose path needs no
// unescaping: then URL.Path is the path as sent and RawPath is empty,
// exactly what url.ParseRequestURI would produce.
// A plain origin-form target is parsed into dst when it is not nil.
func parseTarget(method, target string, dst *url.URL) (*url.URL, error) {
	if len(target) > 0 && target[0] == '/' {
		path, query, _ := strings.Cut(target, "?")
		if plainPath(path) && !hasCTL(query) {
			if dst == nil {
				dst = new(url.URL)
			}
			*dst = url.URL{Path: path, RawQuery: query, ForceQuery: query == "" && len(path) < len(target)}
			return dst, nil
		}
	}
	if method == http.MethodConnect && !strings.HasPrefix(target, "/") {
		u, err := url.ParseRequestURI("http://" + target)
		if err != nil {
			return nil, err
		}
		u.Scheme = ""
		return u, nil
	}
	return url.ParseRequestURI(target)
}

// plainPath reports whether every byte of p is one url's path escaping
// leaves alone, so Path == EscapedPath() with no RawPath.
func plainPath(p string) bool { return allIn(p, &pathSafe) }

// allIn reports whether every byte of s is in the class t.
func allIn(s string, t *[256]bool) bool {
	for i := 0; i < len(s); i++ {
		if !t[s[i]] {
			return false
		}
	}
	return true
}

var pathSafe = alnumAnd("-_.~$&+,/:;=@")

// alnumAnd is a byte class: ASCII letters and digits, and extra.
func alnumAnd(extra string) (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for i := 0; i < len(extra); i++ {
		t[extra[i]] = true
	}
	return t
}

func hasCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// tokenChar is RFC 9110's tchar.
var tokenChar = alnumAnd("!#$%&'*+-.^_`|~")

func isToken(s string) bool { return s != "" && allIn(s, &tokenChar) }

// canonicalizeName validates a header name and rewrites it in place into
// canonical MIME form ("content-type" -> "Content-Type"), as
// textproto.CanonicalMIMEHeaderKey would.
func canonicalizeName(b []byte) bool {
	upper := true
	for i, c := range b {
		if !tokenChar[c] {
			return false
		}
		if upper && 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		} else if !upper && 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
		upper = c == '-'
	}
	return true
}

// commonNames are interned: a map key of a common header costs nothing
// and its string does not keep the head alive.
var commonNames = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Authorization",
		"Cache-Control", "Connection", "Content-Encoding", "Content-Length", "Content-Type",
		"Cookie", "Date", "Expect", "Forwarded", "Host", "If-Match", "If-Modified-Since",
		"If-None-Match", "If-Range", "If-Unmodified-Since", "Keep-Alive", "Origin", "Pragma",
		"Range", "Referer", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "User-Agent",
		"Via", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Target", "X-Amz-User-Agent",
		"X-Api-Key", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
		"X-Request-Id", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request",
	} {
		m[k] = k
	}
	return m
}()

func internName(k string) string {
	if c, ok := commonNames[k]; ok {
		return c
	}
	return k
}

// internMethod returns the constant for common methods, so a method
// string does not pin the head.
func internMethod(m string) string {
	switch m {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodPost:
		return http.MethodPost
	case http.MethodPut:
		return http.MethodPut
	case http.MethodDelete:
		return http.MethodDelete
	case http.MethodHead:
		return http.MethodHead
	case http.MethodOptions:
		return http.MethodOptions
	case http.MethodPatch:
		return http.MethodPatch
	}
	return m
}

func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// validValue rejects control bytes other than HTAB (httpguts'
// ValidHeaderFieldValue): a bare CR or NUL in a value is a smuggling or
// response-splitting attempt.
func validValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// validHost accepts what httpguts.ValidHostHeader accepts: the bytes
// that may appear in a host, IP literal and port.
func validHost(h string) bool { return allIn(h, &hostChar) }

var hostChar = alnumAnd("!$%&'()*+,-.:;=[]_~")

// hasToken reports whether a comma-separated header holds token,
// case-insensitively.
func hasToken(vs []string, token string) bool {
	for _, v := range vs {
		for v != "" {
			var f string
			f, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(trimOWS(f), token) {
				return true
			}
		}
	}
	return false
}

// parseContentLength accepts only digits (no sign, no spaces: net/http).
func parseContentLength(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
