package h1serve

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// start serves h on a loopback listener until the test ends.
func start(t *testing.T, h http.Handler, opts ...func(*Server)) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
	for _, o := range opts {
		o(s)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return s, ln.Addr().String()
}

// rawConn is a client speaking raw bytes, to see exactly what goes on the
// wire.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	return &rawConn{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (c *rawConn) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatal(err)
	}
}

// response reads one response; req's method matters for HEAD.
func (c *rawConn) response(method string) *http.Response {
	c.t.Helper()
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("reading response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("reading body: %v", err)
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

func bodyOf(t *testing.T, resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// closed reports whether the server closed the connection (EOF soon).
func (c *rawConn) closed() bool {
	c.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err := c.br.ReadByte()
	return err == io.EOF || errors.Is(err, net.ErrClosed) || (err != nil && strings.Contains(err.Error(), "reset"))
}

// echo answers with what it saw of the request.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read: "+err.Error(), 499)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "%s %s %s host=%s len=%d te=%v close=%v body=%q trailer=%v x=%q",
		r.Method, r.URL.Path, r.URL.RawQuery, r.Host, r.ContentLength, r.TransferEncoding, r.Close, b, r.Trailer, r.Header["X-Test"])
})

func TestKeepAliveAndPipelining(t *testing.T) {
	_, addr := start(t, echo)
	c := dial(t, addr)
	// Two requests in one write: answered in order on one connection.
	c.send("GET /a?q=1 HTTP/1.1\r\nHost: h\r\nx-test: one\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")
	r1 := c.response("GET")
	if got, want := bodyOf(t, r1), `GET /a q=1 host=h len=0 te=[] close=false body="" trailer=map[] x=["one"]`; got != want {
		t.Errorf("first: %s, want %s", got, want)
	}
	if r1.ContentLength <= 0 || r1.Header.Get("Date") == "" {
		t.Errorf("first: want Content-Length and Date, got %v", r1.Header)
	}
	r2 := c.response("POST")
	if got, want := bodyOf(t, r2), `POST /b  host=h len=5 te=[] close=false body="hello" trailer=map[] x=[]`; got != want {
		t.Errorf("second: %s, want %s", got, want)
	}
	c.send("GET /c HTTP/1.1\r\nHost: h\r\n\r\n")
	if r3 := c.response("GET"); r3.StatusCode != 200 {
		t.Errorf("third on the same connection: %d", r3.StatusCode)
	}
}

func TestChunkedRequestWithTrailer(t *testing.T) {
	_, addr := start(t, echo)
	c := dial(t, addr)
	c.send("PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n" +
		"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-Sum: 5\r\n\r\n")
	got := bodyOf(t, c.response("PUT"))
	want := `PUT /up  host=h len=-1 te=[chunked] close=false body="abcde" trailer=map[X-Sum:[5]] x=[]`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if r := c.response("GET"); r.StatusCode != 200 {
		t.Errorf("after a chunked body: %d", r.StatusCode)
	}
}

func TestConnectionCloseAndHTTP10(t *testing.T) {
	_, addr := start(t, echo)
	cases := []struct {
		name, req   string
		wantClose   bool
		wantConnHdr string
	}{
		{"1.1 close", "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", true, "close"},
		{"1.0", "GET / HTTP/1.0\r\n\r\n", true, "close"},
		{"1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false, "keep-alive"},
		{"1.1", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, addr)
			c.send(tc.req)
			r := c.response("GET")
			// http.ReadResponse turns "Connection: close" into Close.
			conn := r.Header.Get("Connection")
			if r.Close {
				conn = "close"
			}
			if r.StatusCode != 200 || conn != tc.wantConnHdr {
				t.Errorf("status %d, Connection %q; want 200, %q", r.StatusCode, conn, tc.wantConnHdr)
			}
			if !strings.HasPrefix(r.Proto, "HTTP/1.") {
				t.Errorf("proto %s", r.Proto)
			}
			if got := c.closed(); got != tc.wantClose {
				t.Errorf("closed = %v, want %v", got, tc.wantClose)
			}
		})
	}
}

func TestMalformedRequests(t *testing.T) {
	_, addr := start(t, echo, func(s *Server) { s.MaxHeaderBytes = 2048 })
	cases := []struct {
		name, req string
		status    int
	}{
		{"no version", "GET /\r\n\r\n", 400},
		{"bad version", "GET / HTTP/x\r\nHost: h\r\n\r\n", 400},
		{"http2 version", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
		{"bad method", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"missing host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"bad host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
		{"space before colon", "GET / HTTP/1.1\r\nHost: h\r\nX-A : 1\r\n\r\n", 400},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  2\r\n\r\n", 400},
		{"no colon", "GET / HTTP/1.1\r\nHost: h\r\nnonsense\r\n\r\n", 400},
		{"bare CR in value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r2\r\n\r\n", 400},
		{"bad content-length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
		{"differing content-lengths", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
		{"gzip transfer-encoding", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"control char in target", "GET /a\x01b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"expect other", "POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\na", 417},
		{"header too large", "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + strings.Repeat("a", 8000) + "\r\n\r\n", 431},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, addr)
			c.send(tc.req)
			r := c.response("GET")
			if r.StatusCode != tc.status {
				t.Errorf("status %d, want %d (%s)", r.StatusCode, tc.status, bodyOf(t, r))
			}
			if !c.closed() {
				t.Error("connection left open after a malformed request")
			}
		})
	}
}

func TestLongHeadOverSeveralReads(t *testing.T) {
	_, addr := start(t, echo)
	c := dial(t, addr)
	// A head longer than the read buffer, sent in pieces.
	big := strings.Repeat("v", 6000)
	req := "GET /long HTTP/1.1\r\nHost: h\r\nX-Test: " + big + "\r\n\r\n"
	for i := 0; i < len(req); i += 1000 {
		c.send(req[i:min(i+1000, len(req))])
		time.Sleep(time.Millisecond)
	}
	got := bodyOf(t, c.response("GET"))
	if !strings.Contains(got, big) {
		t.Errorf("long header value lost: %.80s", got)
	}
}

func TestSlowHeaderTimesOut(t *testing.T) {
	_, addr := start(t, echo, func(s *Server) { s.ReadHeaderTimeout = 300 * time.Millisecond })
	c := dial(t, addr)
	c.send("GET / HTTP/1.1\r\nHo")
	if !c.closed() {
		t.Fatal("connection with a stalled head still open")
	}
	// No upper bound on when: a loaded machine may close it late, and
	// c.closed's own wait bounds the test.
}

func TestIdleTimeout(t *testing.T) {
	_, addr := start(t, echo, func(s *Server) { s.IdleTimeout = 1500 * time.Millisecond })
	c := dial(t, addr)
	c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	c.response("GET")
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	begin := time.Now()
	_, err := c.br.ReadByte()
	if err == nil {
		t.Fatal("unexpected byte")
	}
	// Coarse deadlines: within a second below the configured timeout, but
	// never early. No upper bound: a loaded machine may close it late.
	if d := time.Since(begin); d < 400*time.Millisecond {
		t.Errorf("idle connection closed after %v, want about 1.5s", d)
	}
}

func TestResponseFraming(t *testing.T) {
	big := strings.Repeat("x", 10000)
	mux := http.NewServeMux()
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>hi</html>") })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, big) })
	mux.HandleFunc("/declared", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10000")
		io.WriteString(w, big)
	})
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "abc")
	})
	mux.HandleFunc("/over", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2")
		if _, err := io.WriteString(w, "abc"); err != http.ErrContentLength {
			panic("want ErrContentLength")
		}
		io.WriteString(w, "ab")
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "one")
		w.(http.Flusher).Flush()
		io.WriteString(w, "two")
	})
	mux.HandleFunc("/trailers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Checksum")
		io.WriteString(w, "data")
		w.Header().Set("X-Checksum", "42")
		w.Header().Set(http.TrailerPrefix+"X-Late", "yes")
	})
	mux.HandleFunc("/nocontent", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(204)
		if _, err := w.Write([]byte("x")); err != http.ErrBodyNotAllowed {
			panic("want ErrBodyNotAllowed")
		}
	})
	mux.HandleFunc("/after", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Before", "1")
		w.WriteHeader(201)
		w.Header().Set("X-After", "1") // not sent: the head is fixed at WriteHeader
	})
	mux.HandleFunc("/split", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Split"] = []string{"a\r\nInjected: yes"}
	})
	mux.HandleFunc("/early-hints", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</x>; rel=preload")
		w.WriteHeader(103)
		io.WriteString(w, "final")
	})
	_, addr := start(t, mux)
	c := dial(t, addr)
	check := func(method, path string, status int, body string, hdr map[string]string) *http.Response {
		t.Helper()
		c.send(method + " " + path + " HTTP/1.1\r\nHost: h\r\n\r\n")
		r := c.response(method)
		if r.StatusCode != status {
			t.Errorf("%s: status %d, want %d", path, r.StatusCode, status)
		}
		if got := bodyOf(t, r); got != body {
			t.Errorf("%s: body %.40q, want %.40q", path, got, body)
		}
		for k, v := range hdr {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got, v)
			}
		}
		return r
	}
	r := check("GET", "/small", 200, "<html>hi</html>", map[string]string{"Content-Length": "15", "Content-Type": "text/html; charset=utf-8"})
	if len(r.TransferEncoding) != 0 {
		t.Errorf("small body chunked")
	}
	if r := check("GET", "/big", 200, big, nil); len(r.TransferEncoding) == 0 {
		t.Errorf("big body of unknown length not chunked")
	}
	check("GET", "/declared", 200, big, map[string]string{"Content-Length": "10000"})
	check("GET", "/over", 200, "ab", map[string]string{"Content-Length": "2"})
	if r := check("GET", "/stream", 200, "onetwo", nil); len(r.TransferEncoding) == 0 {
		t.Errorf("flushed body not chunked")
	}
	if r := check("GET", "/trailers", 200, "data", nil); r.Trailer.Get("X-Checksum") != "42" || r.Trailer.Get("X-Late") != "yes" {
		t.Errorf("trailers: %v", r.Trailer)
	}
	check("GET", "/nocontent", 204, "", nil)
	if r := check("GET", "/after", 201, "", map[string]string{"X-Before": "1", "Content-Length": "0"}); r.Header.Get("X-After") != "" {
		t.Errorf("header set after WriteHeader was sent")
	}
	if r := check("GET", "/split", 200, "", map[string]string{"X-Split": "a  Injected: yes"}); r.Header.Get("Injected") != "" {
		t.Errorf("response splitting")
	}
	check("HEAD", "/small", 200, "", map[string]string{"Content-Length": "15"})
	// 103 is an interim response; http.ReadResponse returns it first.
	c.send("GET /early-hints HTTP/1.1\r\nHost: h\r\n\r\n")
	if r := c.response("GET"); r.StatusCode != 103 || r.Header.Get("Link") == "" {
		t.Errorf("interim: %d %v", r.StatusCode, r.Header)
	}
	if r := c.response("GET"); r.StatusCode != 200 || bodyOf(t, r) != "final" {
		t.Errorf("final after interim: %d", r.StatusCode)
	}
	// A short body (declared 10, wrote 3) cannot be delimited: closed.
	c.send("GET /short HTTP/1.1\r\nHost: h\r\n\r\n")
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Errorf("short body read without error")
	}
}

func TestExpectContinue(t *testing.T) {
	_, addr := start(t, echo)
	c := dial(t, addr)
	c.send("POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
	if r := c.response("POST"); r.StatusCode != 100 {
		t.Fatalf("want 100 Continue first, got %d", r.StatusCode)
	}
	c.send("abc")
	if got := bodyOf(t, c.response("POST")); !strings.Contains(got, `body="abc"`) {
		t.Errorf("body after 100 Continue: %s", got)
	}

	// A handler that answers without reading: no 100, connection closed.
	_, addr2 := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(413) }))
	c2 := dial(t, addr2)
	c2.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000000\r\nExpect: 100-continue\r\n\r\n")
	if r := c2.response("POST"); r.StatusCode != 413 || !r.Close {
		t.Errorf("unread expect-continue body: %d %v", r.StatusCode, r.Header)
	}
}

func TestUnreadBody(t *testing.T) {
	ignore := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	_, addr := start(t, ignore)
	// Small unread bodies are drained and the connection kept.
	c := dial(t, addr)
	c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: h\r\n\r\n")
	c.response("POST")
	if r := c.response("GET"); r.StatusCode != 200 {
		t.Errorf("after a drained body: %d", r.StatusCode)
	}
	// A large unread body closes the connection, with the response first.
	c2 := dial(t, addr)
	go io.WriteString(c2.nc, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 20000000\r\n\r\n"+strings.Repeat("z", 1<<20))
	r := c2.response("POST")
	if r.StatusCode != 200 || !r.Close {
		t.Errorf("large unread body: %d %v", r.StatusCode, r.Header)
	}
}

func TestBodyReadAfterEOFAndClose(t *testing.T) {
	var errs []error
	var mu sync.Mutex
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		_, e1 := r.Body.Read(make([]byte, 1))
		r.Body.Close()
		_, e2 := r.Body.Read(make([]byte, 1))
		mu.Lock()
		errs = []error{e1, e2}
		mu.Unlock()
	}))
	c := dial(t, addr)
	c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab")
	c.response("POST")
	mu.Lock()
	defer mu.Unlock()
	if errs[0] != io.EOF || errs[1] != http.ErrBodyReadAfterClose {
		t.Errorf("reads after the end: %v", errs)
	}
}

func TestPanics(t *testing.T) {
	var logged strings.Builder
	var mu sync.Mutex
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/abort" {
			panic(http.ErrAbortHandler)
		}
		panic("boom")
	}), func(s *Server) {
		s.ErrorLog = log.New(writerFunc(func(p []byte) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			return logged.Write(p)
		}), "", 0)
	})
	for _, path := range []string{"/abort", "/boom"} {
		c := dial(t, addr)
		c.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n")
		if !c.closed() {
			t.Errorf("%s: connection open after a panic", path)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logged.String(), "boom") || strings.Contains(logged.String(), "abort") {
		t.Errorf("log: %s", logged.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestContextCancelledWhenClientGoes(t *testing.T) {
	got := make(chan error, 1)
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // fails: the client hangs up mid-body
		select {
		case <-r.Context().Done():
			got <- context.Cause(r.Context())
		case <-time.After(5 * time.Second):
			got <- errors.New("context not cancelled")
		}
	}))
	c := dial(t, addr)
	c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc")
	c.nc.Close()
	if err := <-got; !errors.Is(err, errClientGone) {
		t.Errorf("cause: %v", err)
	}
}

func TestHijack(t *testing.T) {
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nc, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer nc.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		brw.Flush()
		line, _ := brw.ReadString('\n')
		brw.WriteString("echo " + line)
		brw.Flush()
	}))
	c := dial(t, addr)
	c.send("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
	if r, err := http.ReadResponse(c.br, nil); err != nil || r.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", r, err)
	}
	c.send("ping\n")
	if line, _ := c.br.ReadString('\n'); line != "echo ping\n" {
		t.Errorf("after hijack: %q", line)
	}
}

func TestShutdownWaitsForActiveRequests(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	s, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(entered)
			<-release
		}
		io.WriteString(w, "done")
	}))
	idle := dial(t, addr)
	idle.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	idle.response("GET")
	busy := dial(t, addr)
	busy.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
	<-entered
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	if !idle.closed() {
		t.Error("idle connection not closed by Shutdown")
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a request in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	r := busy.response("GET")
	if bodyOf(t, r) != "done" || !r.Close {
		t.Errorf("in-flight response: %v", r.Header)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// TestWithNetHTTPClient runs the standard client against the server:
// keep-alive reuse, bodies both ways, and concurrency (run with -race).
func TestWithNetHTTPClient(t *testing.T) {
	_, addr := start(t, echo)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				body := strings.Repeat(fmt.Sprint(g), i*100)
				resp, err := client.Post("http://"+addr+"/p", "text/plain", strings.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !strings.Contains(string(b), fmt.Sprintf("len=%d", len(body))) {
					t.Errorf("g%d i%d: %s", g, i, b)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}
