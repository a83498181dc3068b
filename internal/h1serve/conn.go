package h1serve

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Connection states, for Shutdown: only an idle connection (waiting for
// the first byte of a request) may be closed under it.
const (
	stateIdle int32 = iota
	stateActive
	stateClosing
)

const (
	// bufSize is the read and write buffer size. A request head that
	// fits (nearly all) is parsed in place in the read buffer.
	bufSize = 4096
	// maxDrain is how much of a body the handler left unread is read and
	// discarded to keep the connection (net/http's maxPostHandlerReadBytes);
	// beyond it the connection is closed instead.
	maxDrain = 256 << 10
	// lingerTime bounds the reading after a close with request bytes
	// possibly unread, so the client gets the response rather than a
	// reset (net/http's rstAvoidanceDelay).
	lingerTime = 500 * time.Millisecond
)

var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, bufSize) }}
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, bufSize) }}
)

// deadline kinds armed on a connection.
const (
	deadlineNone = iota
	deadlineCoarse
	deadlineHeader
	deadlineBody // Server.BodyTimeout: fixed for the whole body
)

type conn struct {
	srv        *Server
	nc         net.Conn
	br         *bufio.Reader
	bw         *bufio.Writer
	remoteAddr string
	ctx        context.Context
	cancel     context.CancelCauseFunc
	state      atomic.Int32

	// Read and write deadlines are re-armed at most once per clock tick
	// (second): a SetReadDeadline per request measured ~4 % of CPU.
	rdKind, wdKind int
	rdAt, wdAt     int64

	// broken: the connection cannot carry another request (a read or
	// write failed, framing is unknown); closeAfter: the response said
	// or implies Connection: close.
	broken atomic.Bool // set by body readers too, on other goroutines
	// fault is the status owed for a request body that could not be
	// read (400 malformed or cut short, 408 too slow), set by the body
	// reader: whatever the handler then answers, the client gets this
	// status instead (emitHead), never the 200 or 502 a handler derived
	// from half a body.
	fault    atomic.Int32
	hijacked bool
	linger   bool // request bytes may be unread at close: lingerClose

	// continueMu orders the 100 Continue interim response (written by a
	// body reader, possibly on another goroutine) against the final
	// response's first bytes.
	continueMu      sync.Mutex
	continuePending atomic.Bool

	head parsed   // scratch for the request being parsed
	acc  []byte   // head accumulator for heads longer than the buffer
	res  response // reused per request; never referenced after the handler returns
}

func newConn(s *Server, nc net.Conn, base context.Context) *conn {
	c := &conn{srv: s, nc: nc, remoteAddr: nc.RemoteAddr().String()}
	ctx, cancel := context.WithCancelCause(base)
	if la := nc.LocalAddr(); la != nil {
		ctx = context.WithValue(ctx, http.LocalAddrContextKey, la)
	}
	c.ctx, c.cancel = ctx, cancel
	return c
}

var errClientGone = errors.New("h1serve: client connection closed")

// serve runs the connection's request loop.
func (c *conn) serve() {
	br := readerPool.Get().(*bufio.Reader)
	br.Reset(c.nc)
	bw := writerPool.Get().(*bufio.Writer)
	bw.Reset(c.nc)
	c.br, c.bw = br, bw
	// A new connection must bring its first head within the header
	// timeout: an idle socket that never sends a byte is a slowloris too.
	c.nc.SetReadDeadline(time.Now().Add(c.srv.readHeaderTimeout()))
	c.rdKind = deadlineHeader
	defer func() {
		c.cancel(errClientGone)
		c.srv.forget(c)
		if c.hijacked {
			return // the buffers belong to the hijacker now
		}
		c.nc.Close()
		br.Reset(nil)
		bw.Reset(nil)
		readerPool.Put(br)
		writerPool.Put(bw)
	}()
	for {
		r, err := c.readRequest()
		if err != nil {
			c.readFailed(err)
			return
		}
		if !c.serveRequest(r) {
			return
		}
		if c.srv.inShutdown.Load() {
			return
		}
		if !c.state.CompareAndSwap(stateActive, stateIdle) {
			return
		}
	}
}

// readFailed answers a request that could not be read, if it deserves an
// answer: malformed heads get their status, network errors and timeouts
// get nothing (as net/http).
func (c *conn) readFailed(err error) {
	c.cancel(errClientGone)
	var se *statusError
	switch {
	case errors.Is(err, errTooLarge):
		c.writeError(http.StatusRequestHeaderFieldsTooLarge, "Request Header Fields Too Large")
	case errors.As(err, &se):
		c.writeError(se.code, se.text)
	}
}

// writeError writes a plain-text error response and leaves the
// connection to be closed, as net/http does for malformed requests.
func (c *conn) writeError(code int, text string) {
	c.writeErrorResponse(code, text)
	c.lingerClose()
}

func (c *conn) writeErrorResponse(code int, text string) {
	c.armWrite()
	bw := c.bw
	bw.WriteString("HTTP/1.1 ")
	bw.WriteString(strconv.Itoa(code))
	bw.WriteByte(' ')
	bw.WriteString(http.StatusText(code))
	bw.WriteString("\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n")
	bw.WriteString(strconv.Itoa(code))
	bw.WriteByte(' ')
	bw.WriteString(http.StatusText(code))
	if text != http.StatusText(code) {
		bw.WriteString(": ")
		bw.WriteString(text)
	}
	if bw.Flush() != nil {
		c.failed()
	}
}

// armRead makes sure a read deadline of about IdleTimeout from now is
// set: re-armed only when the clock ticked since the last arming. A body
// deadline stays until the next head.
func (c *conn) armRead() {
	if c.rdKind == deadlineBody {
		return
	}
	t := c.srv.clock.load()
	if c.rdKind == deadlineCoarse && c.rdAt == t.sec {
		return
	}
	c.nc.SetReadDeadline(t.now.Add(c.srv.idleTimeout()))
	c.rdKind, c.rdAt = deadlineCoarse, t.sec
}

// armWrite does the same for writes when a WriteTimeout is set.
func (c *conn) armWrite() {
	if c.srv.WriteTimeout <= 0 {
		return
	}
	t := c.srv.clock.load()
	if c.wdKind == deadlineCoarse && c.wdAt == t.sec {
		return
	}
	c.nc.SetWriteDeadline(t.now.Add(c.srv.WriteTimeout))
	c.wdKind, c.wdAt = deadlineCoarse, t.sec
}

// readRequest waits for and parses the next request head.
func (c *conn) readRequest() (*http.Request, error) {
	head, consumed, err := c.readHead()
	if err != nil {
		return nil, err
	}
	p := &c.head
	*p = parsed{}
	err = parseHead(head, p)
	if consumed > 0 {
		c.br.Discard(consumed)
	}
	if err != nil {
		return nil, err
	}
	if c.rdKind == deadlineHeader {
		c.rdKind = deadlineNone // body reads re-arm the coarse deadline
	}
	if p.contentLength != 0 && c.srv.BodyTimeout > 0 {
		c.nc.SetReadDeadline(time.Now().Add(c.srv.BodyTimeout))
		c.rdKind = deadlineBody
	}
	rq := http.Request{
		Method:        p.method,
		URL:           p.url,
		Proto:         p.proto,
		ProtoMajor:    p.major,
		ProtoMinor:    p.minor,
		Header:        p.header,
		ContentLength: p.contentLength,
		Close:         p.close,
		Host:          p.host,
		Trailer:       p.trailer,
		RemoteAddr:    c.remoteAddr,
		RequestURI:    p.target,
	}
	if p.chunked {
		rq.TransferEncoding = []string{"chunked"}
	}
	var b *body
	if p.contentLength == 0 {
		rq.Body = http.NoBody
	} else {
		b = newBody(c, p)
		rq.Body = b
	}
	r := rq.WithContext(c.ctx)
	if b != nil {
		b.trailer = &r.Trailer
	}
	return r, nil
}

// readHead returns the next request head. consumed > 0 means head lies in
// the read buffer and that many bytes are to be discarded once parsed;
// otherwise head was accumulated outside it.
func (c *conn) readHead() (head []byte, consumed int, err error) {
	br := c.br
	max := c.srv.maxHeaderBytes() + bufSize // net/http's slop for the request line
	if c.rdKind == deadlineBody {
		c.rdKind = deadlineNone // the body is over: back to IdleTimeout
	}
	if br.Buffered() == 0 {
		if c.rdKind != deadlineHeader { // a new connection's runs from the accept
			c.armRead()
		}
		if _, err := br.Peek(1); err != nil {
			return nil, 0, err
		}
	}
	if !c.state.CompareAndSwap(stateIdle, stateActive) {
		return nil, 0, ErrServerClosed
	}
	scanned := 0
	for {
		buf, _ := br.Peek(br.Buffered())
		if n := headEnd(buf, scanned); n >= 0 {
			if n > max {
				return nil, 0, errTooLarge
			}
			return buf[:n], n, nil
		}
		if len(buf) >= max {
			return nil, 0, errTooLarge
		}
		scanned = headResumeFrom(len(buf))
		// The head is not all here: from now on it must complete within
		// ReadHeaderTimeout.
		if c.rdKind != deadlineHeader {
			c.nc.SetReadDeadline(time.Now().Add(c.srv.readHeaderTimeout()))
			c.rdKind = deadlineHeader
		}
		if len(buf) == br.Size() {
			return c.readLongHead(max)
		}
		if _, err := br.Peek(len(buf) + 1); err != nil {
			return nil, 0, unexpectedEOF(err)
		}
	}
}

// readLongHead accumulates a head longer than the read buffer.
func (c *conn) readLongHead(max int) ([]byte, int, error) {
	br := c.br
	acc := c.acc[:0]
	scanned := 0
	for {
		chunk, _ := br.Peek(br.Buffered()) // what is buffered: never fails
		if len(chunk) == 0 {
			if _, err := br.Peek(1); err != nil {
				return nil, 0, unexpectedEOF(err)
			}
			continue
		}
		before := len(acc)
		acc = append(acc, chunk...)
		if n := headEnd(acc, scanned); n >= 0 {
			br.Discard(n - before)
			if n > max {
				return nil, 0, errTooLarge
			}
			c.acc = acc[:0]
			if cap(acc) > 64<<10 {
				c.acc = nil // do not keep a huge buffer per connection
			}
			return acc[:n], 0, nil
		}
		br.Discard(len(chunk))
		if len(acc) >= max {
			return nil, 0, errTooLarge
		}
		scanned = headResumeFrom(len(acc))
	}
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// serveRequest runs the handler for r and finishes the response. It
// reports whether the connection may carry another request.
func (c *conn) serveRequest(r *http.Request) (keepAlive bool) {
	w := &c.res
	w.reset(c, r)
	if !c.runHandler(w, r) {
		return false
	}
	if c.hijacked {
		return false
	}
	w.finish()
	if b, ok := w.reqBody.(*body); ok && !b.closeAfterHandler() {
		w.closeAfter = true
		c.linger = true
	}
	if c.broken.Load() {
		if c.linger {
			c.lingerClose()
		}
		return false
	}
	if w.closeAfter {
		if c.linger {
			c.lingerClose()
		}
		return false
	}
	return true
}

// runHandler calls the handler, recovering a panic: the connection is
// then closed (the response may be half written), and the panic logged
// unless it is http.ErrAbortHandler, a handler's way to abort a response.
func (c *conn) runHandler(w *response, r *http.Request) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			c.broken.Store(true)
			ok = false
			if v != http.ErrAbortHandler {
				buf := make([]byte, 64<<10)
				buf = buf[:runtime.Stack(buf, false)]
				c.srv.logf("h1serve: panic serving %v: %v\n%s", c.remoteAddr, v, buf)
			}
		}
	}()
	c.srv.Handler.ServeHTTP(w, r)
	w.handlerDone = true
	return true
}

// lingerClose half-closes the connection and reads (and drops) what the
// client still sends for a short while, so a client still writing its
// request receives our response instead of a reset.
func (c *conn) lingerClose() {
	c.bw.Flush()
	if tc, ok := c.nc.(interface{ CloseWrite() error }); ok {
		tc.CloseWrite()
		c.nc.SetReadDeadline(time.Now().Add(lingerTime))
		c.rdKind = deadlineNone
		// Bounded by time only: stopping early at a byte count would
		// reset a client that is still sending a large body before it
		// reads the response (413s).
		io.Copy(io.Discard, c.nc)
	}
}

// failed marks the connection unusable after a read or write error and
// cancels the request context: the client is gone.
func (c *conn) failed() {
	c.broken.Store(true)
	c.cancel(errClientGone)
}
