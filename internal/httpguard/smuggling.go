package httpguard

import (
	"bytes"
	"net"
	"slices"
	"sync"
	"time"
)

// net/http accepts a request carrying both Content-Length and
// Transfer-Encoding: chunked — it drops the Content-Length and frames by
// the chunks (RFC 9112 §6.3) — and keeps the connection open. RFC 9112
// §6.1 says such a message "ought to be handled as an error": it is the
// request-smuggling shape, where a front proxy framing by one field and
// the server by the other disagree on where the next request starts. The
// handler cannot tell (the field is gone from Request.Header by then), so
// the check sits below net/http, on the connection: a conn that follows
// the HTTP/1.1 request stream (heads, Content-Length bodies, chunked
// bodies) and, in a head with both fields, replaces the Content-Length
// value with one net/http refuses. net/http then answers its own
// "400 Bad Request" with "Connection: close" and closes the connection —
// exactly the required answer, with nothing after that request read.
//
// Each head is held back until it is complete, so a Content-Length that
// comes before the Transfer-Encoding in the head can still be replaced.
// Body bytes pass straight through. Where the stream stops being
// something this follows with certainty (an Upgrade or CONNECT, HTTP/2's
// preface, a head too long, a framing error net/http will refuse anyway),
// the conn stops looking and passes everything through: it never guesses.

// refusedLength replaces the Content-Length of a smuggling-shaped head:
// not a number, so net/http's parser rejects the request with 400.
const refusedLength = "refused-sent-with-transfer-encoding"

// maxHeadBytes is net/http's DefaultMaxHeaderBytes plus its 4 KiB slop:
// past it net/http answers 431 on its own.
const maxHeadBytes = 1<<20 + 4096

// maxChunkLine bounds a chunk-size or trailer line (net/http: 4 KiB).
const maxChunkLine = 4096

type streamState int

const (
	inHead streamState = iota
	inLengthBody
	inChunkLine
	inChunkData
	inChunkEnd
	inTrailer
	passThrough
)

// smugglingConn is a server-side connection for net/http that makes it
// refuse Content-Length + Transfer-Encoding requests.
type smugglingConn struct {
	net.Conn

	mu        sync.Mutex // net/http's background read may race a handler's body read
	state     streamState
	remaining uint64 // inLengthBody, inChunkData
	pending   []byte // head or line bytes not yet complete
	out       []byte // bytes ready for the reader
	buf       []byte

	// A held-back head is invisible to net/http, which therefore cannot
	// start its header timeout on its first byte; the conn does: from
	// the first byte of a head, reads wait at most headerTimeout for the
	// rest. (net/http sets a fresh deadline of its own once it has the
	// head, so nothing is left behind.)
	headerTimeout time.Duration
	headDeadline  bool
}

func newSmugglingConn(c net.Conn, headerTimeout time.Duration) *smugglingConn {
	return &smugglingConn{Conn: c, buf: make([]byte, 4096), headerTimeout: headerTimeout}
}

// CloseWrite keeps net/http's half-close before closing working.
func (c *smugglingConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Read implements net.Conn: it returns only bytes whose framing role is
// known, holding back an incomplete head.
func (c *smugglingConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.out) == 0 {
		if c.state == inHead && len(c.pending) > 0 && c.headerTimeout > 0 && !c.headDeadline {
			c.Conn.SetReadDeadline(time.Now().Add(c.headerTimeout))
			c.headDeadline = true
		}
		n, err := c.Conn.Read(c.buf)
		if n > 0 {
			c.feed(c.buf[:n])
		}
		if err != nil && len(c.out) == 0 {
			// Timeouts are not sticky: net/http aborts its background
			// read with a past deadline and then reads on. What is
			// pending stays pending.
			return 0, err
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	if len(c.out) == 0 {
		c.out = c.out[:0:0] // do not pin a large released head
	}
	return n, nil
}

// feed runs newly read bytes through the request-stream state machine.
func (c *smugglingConn) feed(b []byte) {
	for len(b) > 0 {
		switch c.state {
		case passThrough:
			c.out = append(c.out, b...)
			return
		case inHead:
			from := max(0, len(c.pending)-3)
			c.pending = append(c.pending, b...)
			n := headEnd(c.pending, from)
			if n < 0 {
				if len(c.pending) > maxHeadBytes {
					c.release(passThrough)
				}
				return
			}
			c.headDeadline = false
			rest := slices.Clone(c.pending[n:])
			head := c.pending[:n]
			c.pending = c.pending[:0]
			c.out = append(c.out, c.inspectHead(head)...)
			b = rest
		case inLengthBody, inChunkData:
			k := uint64(len(b))
			if k > c.remaining {
				k = c.remaining
			}
			c.out = append(c.out, b[:k]...)
			b = b[k:]
			c.remaining -= k
			if c.remaining == 0 {
				if c.state == inLengthBody {
					c.state = inHead
				} else {
					c.state = inChunkEnd
				}
			}
		case inChunkLine, inChunkEnd, inTrailer:
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				c.pending = append(c.pending, b...)
				if len(c.pending) > maxChunkLine {
					c.release(passThrough)
				}
				return
			}
			c.pending = append(c.pending, b[:i+1]...)
			b = b[i+1:]
			line := c.pending
			c.out = append(c.out, line...)
			c.pending = c.pending[:0]
			c.state = c.afterLine(line)
		}
	}
}

// release hands what is pending to the reader and switches state.
func (c *smugglingConn) release(s streamState) {
	c.out = append(c.out, c.pending...)
	c.pending = c.pending[:0]
	c.state = s
}

// afterLine is the state after a complete chunk-size, chunk-end or
// trailer line (with its line ending). A line net/http would refuse
// stops the tracking: net/http closes the connection after it anyway.
func (c *smugglingConn) afterLine(line []byte) streamState {
	switch c.state {
	case inChunkEnd:
		if string(line) != "\r\n" {
			return passThrough
		}
		return inChunkLine
	case inTrailer:
		if string(line) == "\r\n" || string(line) == "\n" {
			return inHead
		}
		return inTrailer
	}
	// inChunkLine: net/http wants CRLF (no bare LF), hex digits, an
	// optional ";extension".
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return passThrough
	}
	line = line[:len(line)-2]
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, " \t")
	size, ok := parseHex(line)
	if !ok {
		return passThrough
	}
	if size == 0 {
		return inTrailer
	}
	c.remaining = size
	return inChunkData
}

func parseHex(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var n uint64
	for _, ch := range b {
		switch {
		case '0' <= ch && ch <= '9':
			ch -= '0'
		case 'a' <= ch && ch <= 'f':
			ch -= 'a' - 10
		case 'A' <= ch && ch <= 'F':
			ch -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | uint64(ch)
	}
	return n, true
}

// inspectHead decides how the request's body is framed (setting the
// state) and returns the head to hand to net/http: the same bytes, or
// with the Content-Length replaced when Transfer-Encoding is present.
func (c *smugglingConn) inspectHead(head []byte) []byte {
	lines := bytes.SplitAfter(head, []byte("\n"))
	// RFC 9112 §2.2: empty lines before the request line.
	for len(lines) > 0 && (string(lines[0]) == "\r\n" || string(lines[0]) == "\n") {
		lines = lines[1:]
	}
	if len(lines) == 0 {
		c.state = inHead
		return head
	}
	reqLine := bytes.TrimRight(lines[0], "\r\n")
	http10 := bytes.HasSuffix(reqLine, []byte(" HTTP/1.0"))
	if !bytes.HasSuffix(reqLine, []byte(" HTTP/1.1")) && !http10 || bytes.HasPrefix(reqLine, []byte("CONNECT ")) {
		c.state = passThrough // HTTP/2 preface, CONNECT, garbage
		return head
	}
	var clLines []int
	var te [][]byte
	var cl []byte
	clMismatch := false
	for i, l := range lines[1:] {
		name, value, ok := bytes.Cut(l, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.Trim(value, " \t\r\n")
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			clLines = append(clLines, i+1)
			if cl != nil && !bytes.Equal(cl, value) {
				clMismatch = true
			}
			cl = value
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			te = append(te, value)
		case bytes.EqualFold(name, []byte("Upgrade")):
			c.state = passThrough // the connection may be hijacked
			return head
		}
	}
	if len(te) > 0 && len(clLines) > 0 && !http10 {
		// The smuggling shape: make net/http refuse it.
		var out []byte
		for i, l := range lines {
			if slices.Contains(clLines, i) {
				out = append(out, "Content-Length: "+refusedLength+"\r\n"...)
				continue
			}
			out = append(out, l...)
		}
		c.state = passThrough // net/http closes after its 400
		return out
	}
	switch {
	case len(te) > 0 && !http10:
		if len(te) == 1 && bytes.EqualFold(te[0], []byte("chunked")) {
			c.state = inChunkLine
		} else {
			c.state = passThrough // net/http answers 501 and closes
		}
	case clMismatch:
		c.state = passThrough // net/http answers 400 and closes
	case cl != nil:
		n, ok := parseDecimal(cl)
		switch {
		case !ok:
			c.state = passThrough
		case n == 0:
			c.state = inHead
		default:
			c.state, c.remaining = inLengthBody, n
		}
	default:
		c.state = inHead
	}
	return head
}

func parseDecimal(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n uint64
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + uint64(ch-'0')
	}
	return n, true
}

// headEnd returns the length of the head at the start of b (through the
// blank line ending it, CRLF or bare LF as net/http accepts), or -1.
func headEnd(b []byte, from int) int {
	for i := from; i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		if i < len(b) && b[i] == '\n' {
			return i + 1
		}
		if i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n' {
			return i + 2
		}
		if i+1 >= len(b) {
			return -1
		}
	}
	return -1
}
