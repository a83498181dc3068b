package h1serve

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
)

// body is a request body: Content-Length or chunked, read straight from
// the connection's buffer. A new one per request, never reused: handlers
// and what they hand the body to (an http.Transport's writer goroutine)
// may hold it after the handler returns, and must then get an error, not
// the next request's bytes. The mutex is for exactly that: the transport
// may read it on another goroutine while the server drains or closes it.
type body struct {
	mu        sync.Mutex
	c         *conn
	remaining int64     // Content-Length bodies
	chunks    io.Reader // chunked bodies: net/http's own chunked decoder
	trailer   *http.Header
	sawEOF    bool
	closed    bool
	err       error // sticky read error
	expect    bool  // 100 Continue still owed on the first read
}

func newBody(c *conn, p *parsed) *body {
	b := &body{c: c, remaining: p.contentLength, expect: p.expectContinue}
	if p.chunked {
		b.chunks = httputil.NewChunkedReader(c.br)
	}
	if p.expectContinue {
		c.continuePending.Store(true)
	}
	return b
}

// Read implements io.Reader: io.EOF at the end of the body, then forever.
func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	return b.readLocked(p)
}

func (b *body) readLocked(p []byte) (int, error) {
	if b.sawEOF {
		return 0, io.EOF
	}
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if b.expect {
		b.expect = false
		b.c.sendContinue()
	}
	c := b.c
	if c.br.Buffered() == 0 {
		c.armRead()
	}
	if b.chunks != nil {
		n, err := b.chunks.Read(p)
		if err == io.EOF {
			if err = b.readTrailer(); err == nil {
				b.sawEOF = true
				return n, io.EOF
			}
		}
		if err != nil {
			b.fail(err)
			if n > 0 {
				return n, nil
			}
			return 0, b.err
		}
		return n, nil
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := c.br.Read(p)
	b.remaining -= int64(n)
	if b.remaining == 0 {
		b.sawEOF = true
		return n, io.EOF
	}
	if err != nil {
		b.fail(err)
		if n > 0 {
			return n, nil
		}
		return 0, b.err
	}
	return n, nil
}

// fail records a read error: the body is cut short, the connection
// cannot be reused, and the request context ends (the client is gone or
// sent garbage).
func (b *body) fail(err error) {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	b.err = err
	code := int32(http.StatusBadRequest) // malformed chunks, short body
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		code = http.StatusRequestTimeout // Server.BodyTimeout or IdleTimeout
	}
	b.c.fault.CompareAndSwap(0, code)
	b.c.failed()
}

// readTrailer reads the trailer section after the last chunk into
// Request.Trailer, as net/http does (fields whether declared or not).
func (b *body) readTrailer() error {
	br := b.c.br
	size := 0
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		size += len(line)
		if size > b.c.srv.maxHeaderBytes() {
			return errors.New("h1serve: trailer too large")
		}
		if line == "" {
			return nil
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || !isToken(k) {
			return errors.New("h1serve: malformed trailer line")
		}
		v = trimOWS(v)
		if !validValue(v) {
			return errors.New("h1serve: malformed trailer value")
		}
		k = http.CanonicalHeaderKey(k)
		switch k {
		case "Transfer-Encoding", "Trailer", "Content-Length":
			continue // never honoured as trailers
		}
		if *b.trailer == nil {
			*b.trailer = http.Header{}
		}
		(*b.trailer)[k] = append((*b.trailer)[k], v)
	}
}

// readLine reads one CRLF- or LF-terminated line, without its ending.
func readLine(br *bufio.Reader) (string, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return "", errors.New("h1serve: line too long")
	}
	if err != nil {
		return "", unexpectedEOF(err)
	}
	line = line[:len(line)-1]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return string(line), nil
}

// Close implements io.Closer: later reads fail. The unread rest is dealt
// with when the handler returns (closeAfterHandler).
func (b *body) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return nil
}

// settle is called before the response head goes out: like net/http, it
// takes the head as the sign that the handler is done with the body, and
// reads what is left (up to maxDrain) so that a client sending its whole
// request before reading the response does not deadlock. It reports
// whether the connection can carry another request.
func (b *body) settle() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sawEOF {
		return true
	}
	if b.err != nil {
		return false
	}
	if b.expect {
		// The client was never told to send the body; whether it will
		// is unknown, so the connection cannot be reused.
		return false
	}
	if b.chunks == nil && b.remaining > maxDrain {
		return false
	}
	return b.drainLocked()
}

func (b *body) drainLocked() bool {
	var scratch [4096]byte
	total := 0
	for total <= maxDrain {
		n, err := b.readLocked(scratch[:])
		total += n
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
	return false
}

// closeAfterHandler runs after the handler returned and the response is
// finished: it closes the body (a reader still holding it gets an error)
// and reports whether the connection can carry another request.
func (b *body) closeAfterHandler() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.sawEOF {
		return true
	}
	if b.err != nil || b.expect {
		return false
	}
	if b.chunks == nil && b.remaining > maxDrain {
		return false
	}
	return b.drainLocked()
}

// sendContinue writes the 100 Continue interim response unless the final
// response has begun.
func (c *conn) sendContinue() {
	c.continueMu.Lock()
	defer c.continueMu.Unlock()
	if !c.continuePending.Load() {
		return
	}
	c.armWrite()
	c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
	if c.bw.Flush() != nil {
		c.failed()
	}
	// Stored last: a response that loads false afterwards is ordered
	// after the writes above.
	c.continuePending.Store(false)
}

// endContinue is called before the final response's first byte: no 100
// Continue may follow it.
func (c *conn) endContinue() {
	if c.continuePending.Load() {
		c.continueMu.Lock()
		c.continuePending.Store(false)
		c.continueMu.Unlock()
	}
}
