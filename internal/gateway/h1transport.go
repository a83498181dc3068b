package gateway

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// h1Transport is the HTTP_PROXY backend transport. Profiles of the proxy
// path under load (bench/proxy.sh + pprof) showed http.Transport's
// per-connection readLoop/writeLoop goroutines costing more than the
// proxying itself: every request is handed to the writer goroutine, the
// response back from the reader goroutine, each hop a channel operation
// and a scheduler switch, plus their allocations. h1Transport does the
// common case on the caller's goroutine instead: it writes the request
// with Request.Write and parses the response with http.ReadResponse (the
// standard library's own wire code) on a pooled keep-alive connection.
//
// Only requests that are safe to replay take this path: plain http,
// GET/HEAD/OPTIONS/TRACE without a body and without an Upgrade. Those can
// be retried when a reused connection turns out to have been closed by the
// backend, which is what http.Transport's background reader otherwise
// detects. Everything else (bodies, other verbs, TLS, HTTP/2, websockets)
// goes to the fallback http.Transport unchanged.
type h1Transport struct {
	fallback *http.Transport
	dialer   net.Dialer

	maxIdlePerHost int
	idleTimeout    time.Duration

	mu    sync.Mutex
	hosts map[string]*idlePool
}

func newH1Transport(fallback *http.Transport) *h1Transport {
	return &h1Transport{
		fallback:       fallback,
		dialer:         net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second},
		maxIdlePerHost: fallback.MaxIdleConnsPerHost,
		idleTimeout:    fallback.IdleConnTimeout,
		hosts:          map[string]*idlePool{},
	}
}

var _ http.RoundTripper = (*h1Transport)(nil)

// idlePool holds one backend address's idle connections, most recently
// used last (LIFO keeps the warm ones busy and lets the rest time out).
type idlePool struct {
	mu    sync.Mutex
	conns []*h1Conn
}

type h1Conn struct {
	net.Conn
	br       *bufio.Reader
	bw       *bufio.Writer
	addr     string
	idleFrom time.Time
}

func fastPathEligible(req *http.Request) bool {
	if req.URL.Scheme != "http" || (req.Body != nil && req.Body != http.NoBody) || req.ContentLength > 0 {
		return false
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
	default:
		return false
	}
	_, upgrade := req.Header["Upgrade"]
	return !upgrade && len(req.TransferEncoding) == 0 && len(req.Trailer) == 0
}

// RoundTrip implements http.RoundTripper.
func (t *h1Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !fastPathEligible(req) {
		return t.fallback.RoundTrip(req)
	}
	addr := req.URL.Host
	if req.URL.Port() == "" {
		addr = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	pool := t.pool(addr)
	for attempt := 0; ; attempt++ {
		c, reused := pool.get(t.idleTimeout), true
		if c == nil || attempt > 0 {
			if c != nil {
				pool.put(c, t.maxIdlePerHost) // a retry dials fresh; keep the other one
			}
			var err error
			if c, err = t.dial(req.Context(), addr); err != nil {
				return nil, err
			}
			reused = false
		}
		resp, err := t.roundTrip(c, req)
		if err == nil {
			return resp, nil
		}
		c.Close()
		// A reused connection the backend closed while idle fails before
		// any response byte arrives; the request is replayable, so try
		// once more on a new connection.
		if reused && attempt == 0 && errors.Is(err, errStaleConn) && req.Context().Err() == nil {
			continue
		}
		return nil, err
	}
}

var errStaleConn = errors.New("backend closed the idle connection")

func (t *h1Transport) roundTrip(c *h1Conn, req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	// Cancellation (client gone) interrupts blocked I/O through the
	// deadline; stop is called once the body is done.
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(aLongTimeAgo) })
	fail := func(err error) (*http.Response, error) {
		stop()
		return nil, mapConnError(ctx, err)
	}
	if err := req.Write(c.bw); err != nil {
		return fail(err)
	}
	if err := c.bw.Flush(); err != nil {
		return fail(err)
	}
	if _, err := c.br.Peek(1); err != nil {
		if ctx.Err() == nil && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isConnReset(err)) {
			return fail(errStaleConn)
		}
		return fail(err)
	}
	var resp *http.Response
	for {
		var err error
		if resp, err = http.ReadResponse(c.br, req); err != nil {
			return fail(err)
		}
		// Skip informational responses (100 Continue, 103 Early Hints);
		// 101 is excluded because upgrades never take this path.
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
		resp.Body.Close()
	}
	resp.Body = &h1Body{rc: resp.Body, c: c, t: t, stop: stop, reusable: !resp.Close && !req.Close}
	return resp, nil
}

// h1Body returns the connection to its pool once the response body has
// been read to the end, or closes it if the reader gives up early.
type h1Body struct {
	rc       io.ReadCloser
	c        *h1Conn
	t        *h1Transport
	stop     func() bool
	reusable bool
	done     bool
}

func (b *h1Body) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.finish(true)
	} else if err != nil {
		// Returned as is: ReverseProxy only logs a body copy error and
		// aborts the client response, whatever its kind.
		b.finish(false)
	}
	return n, err
}

func (b *h1Body) Close() error {
	if !b.done {
		b.finish(false)
	}
	return nil
}

func (b *h1Body) finish(atEOF bool) {
	b.done = true
	b.stop()
	if atEOF && b.reusable && b.c.br.Buffered() == 0 {
		b.c.SetDeadline(time.Time{})
		b.t.pool(b.c.addr).put(b.c, b.t.maxIdlePerHost)
		return
	}
	b.c.Close()
}

func (t *h1Transport) pool(addr string) *idlePool {
	t.mu.Lock()
	p := t.hosts[addr]
	if p == nil {
		p = &idlePool{}
		t.hosts[addr] = p
	}
	t.mu.Unlock()
	return p
}

func (p *idlePool) get(idleTimeout time.Duration) *h1Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	for n := len(p.conns); n > 0; n = len(p.conns) {
		c := p.conns[n-1]
		p.conns[n-1] = nil
		p.conns = p.conns[:n-1]
		if idleTimeout <= 0 || time.Since(c.idleFrom) < idleTimeout {
			return c
		}
		c.Close()
	}
	return nil
}

func (p *idlePool) put(c *h1Conn, max int) {
	c.idleFrom = time.Now()
	p.mu.Lock()
	if len(p.conns) < max {
		p.conns = append(p.conns, c)
		c = nil
	}
	p.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

func (t *h1Transport) dial(ctx context.Context, addr string) (*h1Conn, error) {
	nc, err := t.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &h1Conn{Conn: nc, br: bufio.NewReaderSize(nc, 4096), bw: bufio.NewWriterSize(nc, 4096), addr: addr}, nil
}

// CloseIdleConnections closes every idle connection of both paths.
func (t *h1Transport) CloseIdleConnections() {
	t.mu.Lock()
	pools := make([]*idlePool, 0, len(t.hosts))
	for _, p := range t.hosts {
		pools = append(pools, p)
	}
	t.mu.Unlock()
	for _, p := range pools {
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
		p.mu.Unlock()
	}
	t.fallback.CloseIdleConnections()
}

var aLongTimeAgo = time.Unix(1, 0)

// mapConnError turns a deadline hit into the context's error, so the
// error handler can tell an integration timeout (504) from a failure.
func mapConnError(ctx context.Context, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
			return context.DeadlineExceeded
		}
	}
	return err
}

func isConnReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}
