package h1serve

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// response is the http.ResponseWriter. One per connection, reset per
// request: the http.ResponseWriter contract forbids using it after the
// handler returns. Its header map is new per request (what handlers and
// telemetry keep after the handler returns must stay theirs).
//
// The head is serialised at WriteHeader (so later header changes are not
// sent, as with net/http, except trailers), but written only when the
// first body bytes must go out: a body that fits bufSize and is complete
// when the handler returns is sent with a Content-Length, in the same
// write as the head; a longer or flushed body of unknown length is
// chunked (HTTP/1.1) or delimited by closing the connection (HTTP/1.0).
// A Content-Length the handler sets is honoured (writes past it fail with
// http.ErrContentLength; a short body closes the connection).
type response struct {
	c       *conn
	req     *http.Request
	reqBody io.ReadCloser // the body as read: handlers may replace req.Body
	header  http.Header

	status      int
	wroteHeader bool // final status chosen
	headerSent  bool // head written to the connection buffer
	handlerDone bool
	bodyAllowed bool
	isHEAD      bool
	is11        bool
	chunking    bool
	closeAfter  bool
	handlerConn bool // the handler set a Connection header
	hasDate     bool
	hasCT       bool
	hasTE       bool
	declaredCL  int64
	written     int64
	trailers    []string

	hdr  []byte   // serialised status line and header fields
	body []byte   // body bytes not yet written
	keys []string // scratch: header names, sorted
}

var (
	_ http.ResponseWriter = (*response)(nil)
	_ http.Flusher        = (*response)(nil)
	_ http.Hijacker       = (*response)(nil)
	_ PreparedWriter      = (*response)(nil)
)

// PreparedWriter is implemented by the server's http.ResponseWriter: a
// handler that finds it (a type assertion, through any wrappers it put
// around the writer) may write fixed responses with WritePrepared.
type PreparedWriter interface {
	WritePrepared(status int, fields, body []byte) error
}

func (w *response) reset(c *conn, r *http.Request) {
	*w = response{
		c:          c,
		req:        r,
		reqBody:    r.Body,
		declaredCL: -1,
		isHEAD:     r.Method == http.MethodHead,
		is11:       r.ProtoAtLeast(1, 1),
		closeAfter: r.Close,
		hdr:        w.hdr[:0],
		body:       w.body[:0],
		keys:       w.keys[:0],
		trailers:   w.trailers[:0],
	}
}

// Header implements http.ResponseWriter.
func (w *response) Header() http.Header {
	if w.header == nil {
		w.header = make(http.Header)
	}
	return w.header
}

// WriteHeader implements http.ResponseWriter. 1xx codes (but 101) are
// sent at once as interim responses, with the current header fields.
func (w *response) WriteHeader(code int) {
	if w.c.hijacked {
		w.c.srv.logf("h1serve: WriteHeader on a hijacked connection")
		return
	}
	if w.wroteHeader {
		return // superfluous; net/http logs it, the gateway never does it
	}
	if code < 100 || code > 999 {
		panic("invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		w.writeInterim(code)
		return
	}
	w.wroteHeader = true
	w.status = code
	w.bodyAllowed = code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
	w.snapshot()
}

func (w *response) writeInterim(code int) {
	c := w.c
	c.endContinue()
	b := appendStatusLine(w.hdr[:0], w.is11, code)
	for k, vs := range w.header {
		if k == "Content-Length" || k == "Transfer-Encoding" || !isToken(k) {
			continue
		}
		for _, v := range vs {
			b = appendField(b, k, v)
		}
	}
	b = append(b, "\r\n"...)
	w.hdr = b[:0]
	c.armWrite()
	c.bw.Write(b)
	if c.bw.Flush() != nil {
		c.failed()
	}
}

// snapshot serialises the status line and the header fields, sorted by
// name, noting those that decide the framing.
func (w *response) snapshot() {
	h := w.header
	b := appendStatusLine(w.hdr[:0], w.is11, w.status)
	keys := w.keys[:0]
	for k := range h {
		keys = append(keys, k)
	}
	sortStrings(keys)
	w.keys = keys[:0]
	for _, k := range keys {
		vs := h[k]
		switch k {
		case "Content-Length":
			if !w.bodyAllowed && w.status != http.StatusNotModified {
				continue
			}
			if len(vs) == 0 {
				continue
			}
			n, ok := parseContentLength(trimOWS(vs[0]))
			if !ok {
				continue // invalid: dropped, as net/http
			}
			w.declaredCL = n
			b = appendField(b, k, vs[0])
			continue
		case "Transfer-Encoding":
			// The server owns the framing; "chunked" asks for it.
			w.hasTE = w.bodyAllowed && hasToken(vs, "chunked")
			continue
		case "Content-Type":
			w.hasCT = true
			if !w.bodyAllowed {
				continue
			}
		case "Date":
			w.hasDate = true
		case "Connection":
			w.handlerConn = true
			if hasToken(vs, "close") {
				w.closeAfter = true
			}
		case "Trailer":
			for _, v := range vs {
				for _, f := range strings.Split(v, ",") {
					if f = strings.TrimSpace(f); f != "" {
						w.trailers = append(w.trailers, http.CanonicalHeaderKey(f))
					}
				}
			}
		}
		if strings.HasPrefix(k, http.TrailerPrefix) || !isToken(k) {
			continue
		}
		for _, v := range vs {
			b = appendField(b, k, v)
		}
	}
	w.hdr = b
}

// Write implements http.ResponseWriter.
func (w *response) Write(p []byte) (int, error) {
	if w.c.hijacked {
		return 0, http.ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.bodyAllowed {
		return 0, http.ErrBodyNotAllowed
	}
	if w.declaredCL >= 0 && w.written+int64(len(p)) > w.declaredCL {
		return 0, http.ErrContentLength
	}
	w.written += int64(len(p))
	if w.isHEAD {
		return len(p), nil
	}
	if !w.headerSent {
		if len(w.body)+len(p) <= bufSize {
			w.body = append(w.body, p...)
			return len(p), nil
		}
		if err := w.emitHead(false); err != nil {
			return 0, err
		}
	}
	return w.writeBody(p)
}

// WritePrepared sends a whole response in one call: status, the fields
// in Header() (usually none), then fields — header lines already encoded,
// "Name: value\r\n" each — and body, framed by a Content-Length. It is
// for responses whose header is known in advance (a cached response, a
// 429): the handler renders them once and writes them without building a
// header map per request. The caller guarantees that fields are well
// formed (tokens for names, no CR or LF in values) and carry no
// Content-Length, Transfer-Encoding, Connection or Date: the server
// writes those. No Content-Type is sniffed; fields carry it if wanted.
// It fails, writing nothing, after a hijack or once a status was written.
func (w *response) WritePrepared(status int, fields, body []byte) error {
	if w.c.hijacked {
		return http.ErrHijacked
	}
	if w.wroteHeader {
		return errPreparedLate
	}
	if status < 200 {
		return errPreparedStatus
	}
	w.WriteHeader(status)
	w.hasCT = true
	if w.bodyAllowed && w.declaredCL < 0 {
		w.declaredCL = int64(len(body))
		w.hdr = append(w.hdr, "Content-Length: "...)
		w.hdr = strconv.AppendInt(w.hdr, w.declaredCL, 10)
		w.hdr = append(w.hdr, '\r', '\n')
	}
	w.hdr = append(w.hdr, fields...)
	if len(body) == 0 {
		return nil
	}
	_, err := w.Write(body)
	return err
}

// errBodyFault is what writes answer once a body fault replaced the
// response.
var errBodyFault = errors.New("h1serve: request body unreadable; answered with its status")

func faultText(code int) string {
	if code == http.StatusRequestTimeout {
		return "request body not received in time"
	}
	return "malformed or incomplete request body"
}

var (
	errPreparedLate   = errors.New("h1serve: WritePrepared after the status was written")
	errPreparedStatus = errors.New("h1serve: WritePrepared with an informational status")
)

// WriteString lets io.WriteString skip a conversion.
func (w *response) WriteString(s string) (int, error) {
	if !w.headerSent && len(w.body)+len(s) <= bufSize && w.wroteHeader && w.bodyAllowed &&
		!w.isHEAD && !w.c.hijacked && (w.declaredCL < 0 || w.written+int64(len(s)) <= w.declaredCL) {
		w.written += int64(len(s))
		w.body = append(w.body, s...)
		return len(s), nil
	}
	return w.Write([]byte(s))
}

func (w *response) writeBody(p []byte) (int, error) {
	c := w.c
	if c.broken.Load() {
		return 0, errClientGone
	}
	if len(p) == 0 {
		return 0, nil
	}
	c.armWrite()
	bw := c.bw
	if w.chunking {
		// AvailableBuffer: formatting into the writer's own spare
		// space does not allocate (a local array would escape).
		bw.Write(strconv.AppendInt(bw.AvailableBuffer(), int64(len(p)), 16))
		bw.WriteString("\r\n")
	}
	n, err := bw.Write(p)
	if w.chunking && err == nil {
		_, err = bw.WriteString("\r\n")
	}
	if err != nil {
		c.failed()
		return n, err
	}
	return n, nil
}

// emitHead writes the head (and the buffered body) into the connection
// buffer. complete says the handler is done, so a buffered body's length
// is the whole length.
func (w *response) emitHead(complete bool) error {
	c := w.c
	c.endContinue()
	if b, ok := w.reqBody.(*body); ok && !b.settle() {
		w.closeAfter = true
		c.linger = true
	}
	if f := c.fault.Load(); f != 0 {
		// The request body was malformed, cut short or too slow: the
		// handler's answer rests on half a request. The client gets
		// the body's status and the connection closes.
		w.bodyAllowed, w.headerSent, w.closeAfter = false, true, true
		w.body = w.body[:0]
		c.writeErrorResponse(int(f), faultText(int(f)))
		c.linger = true
		c.broken.Store(true)
		return errBodyFault
	}
	if c.srv.inShutdown.Load() {
		w.closeAfter = true
	}
	c.armWrite()
	bw := c.bw
	bw.Write(w.hdr)
	if !w.hasDate {
		bw.Write(c.srv.clock.load().date)
	}
	if !w.hasCT && w.bodyAllowed && len(w.body) > 0 && !w.hasTE {
		bw.WriteString("Content-Type: ")
		bw.WriteString(http.DetectContentType(w.body))
		bw.WriteString("\r\n")
	}
	switch {
	case !w.bodyAllowed || w.declaredCL >= 0:
		// no body, or the handler's Content-Length is in the head
	case complete && len(w.trailers) == 0 && !w.hasTE:
		if !w.isHEAD || w.written > 0 {
			bw.WriteString("Content-Length: ")
			bw.Write(strconv.AppendInt(bw.AvailableBuffer(), w.written, 10))
			bw.WriteString("\r\n")
		}
	case w.isHEAD:
	case w.is11:
		w.chunking = true
		bw.WriteString("Transfer-Encoding: chunked\r\n")
	default:
		w.closeAfter = true // HTTP/1.0: the body ends with the connection
	}
	if w.closeAfter && !w.handlerConn {
		bw.WriteString("Connection: close\r\n")
	} else if !w.is11 && !w.closeAfter && !w.handlerConn {
		bw.WriteString("Connection: keep-alive\r\n")
	}
	_, err := bw.WriteString("\r\n")
	w.headerSent = true
	if err != nil {
		c.failed()
		return err
	}
	if len(w.body) > 0 {
		body := w.body
		w.body = w.body[:0]
		if _, err := w.writeBody(body); err != nil {
			return err
		}
	}
	return nil
}

// finish completes the response after the handler returned.
func (w *response) finish() {
	c := w.c
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.headerSent {
		if w.emitHead(true) != nil {
			return
		}
	}
	if w.chunking {
		w.writeTrailers()
	}
	if w.declaredCL >= 0 && w.written != w.declaredCL && w.bodyAllowed && !w.isHEAD {
		w.closeAfter = true // the client cannot tell where this body ends
	}
	c.armWrite()
	if c.bw.Flush() != nil {
		c.failed()
	}
}

// writeTrailers ends a chunked body with the declared trailers and any
// http.TrailerPrefix fields.
func (w *response) writeTrailers() {
	b := append(w.hdr[:0], "0\r\n"...)
	for _, k := range w.trailers {
		if !isToken(k) {
			continue
		}
		for _, v := range w.header[k] {
			b = appendField(b, k, v)
		}
	}
	for k, vs := range w.header {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok && isToken(name) {
			for _, v := range vs {
				b = appendField(b, name, v)
			}
		}
	}
	b = append(b, "\r\n"...)
	w.hdr = b[:0]
	if _, err := w.c.bw.Write(b); err != nil {
		w.c.failed()
	}
}

// Flush implements http.Flusher: the head and any buffered body go to the
// client now (the body then is chunked unless its length was declared).
func (w *response) Flush() { w.FlushError() }

// FlushError is what http.ResponseController.Flush calls.
func (w *response) FlushError() error {
	if w.c.hijacked {
		return http.ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.headerSent {
		if err := w.emitHead(false); err != nil {
			return err
		}
	}
	w.c.armWrite()
	if err := w.c.bw.Flush(); err != nil {
		w.c.failed()
		return err
	}
	return nil
}

// Hijack implements http.Hijacker (ReverseProxy uses it for protocol
// upgrades). The connection and its buffers become the caller's.
func (w *response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c := w.c
	if w.handlerDone {
		return nil, nil, errors.New("h1serve: Hijack after the handler returned")
	}
	if c.hijacked {
		return nil, nil, http.ErrHijacked
	}
	if w.wroteHeader && !w.headerSent {
		if err := w.emitHead(false); err != nil {
			return nil, nil, err
		}
	}
	c.endContinue()
	if err := c.bw.Flush(); err != nil {
		return nil, nil, err
	}
	c.hijacked = true
	c.nc.SetDeadline(time.Time{})
	return c.nc, bufio.NewReadWriter(c.br, c.bw), nil
}

// appendField appends "k: v\r\n", with v made safe as net/http does:
// surrounding white space trimmed, CR and LF turned into spaces (no
// response splitting).
func appendField(b []byte, k, v string) []byte {
	b = append(b, k...)
	b = append(b, ':', ' ')
	for len(v) > 0 && isSpace(v[0]) {
		v = v[1:]
	}
	for len(v) > 0 && isSpace(v[len(v)-1]) {
		v = v[:len(v)-1]
	}
	start := len(b)
	b = append(b, v...)
	for i := start; i < len(b); i++ {
		if b[i] == '\r' || b[i] == '\n' {
			b[i] = ' '
		}
	}
	return append(b, '\r', '\n')
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// statusLines caches "HTTP/1.1 200 OK\r\n" and friends.
var statusLines11, statusLines10 = func() (a, b [600]string) {
	for code := 100; code < 600; code++ {
		if t := http.StatusText(code); t != "" {
			a[code] = "HTTP/1.1 " + strconv.Itoa(code) + " " + t + "\r\n"
			b[code] = "HTTP/1.0 " + strconv.Itoa(code) + " " + t + "\r\n"
		}
	}
	return
}()

func appendStatusLine(b []byte, is11 bool, code int) []byte {
	if code < 600 {
		if is11 && statusLines11[code] != "" {
			return append(b, statusLines11[code]...)
		}
		if !is11 && statusLines10[code] != "" {
			return append(b, statusLines10[code]...)
		}
	}
	if is11 {
		b = append(b, "HTTP/1.1 "...)
	} else {
		b = append(b, "HTTP/1.0 "...)
	}
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, " status code "...)
	b = strconv.AppendInt(b, int64(code), 10)
	return append(b, "\r\n"...)
}

// sortStrings is an insertion sort: header sets are small, and sort.Strings
// would allocate (the slice escapes through the interface).
func sortStrings(a []string) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
