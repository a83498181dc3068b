package h1serve

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// waitClosed reads until the server closes the connection, and reports
// whether it did before the client's own 10 s safety deadline: the
// test waits on the state (EOF), not on a duration.
func (c *rawConn) waitClosed() bool {
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.Copy(io.Discard, c.br)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return true // EOF or reset: the server closed it
}

// backendLike reads the whole body like an integration does and answers
// 502 when that fails, 200 otherwise: what the gateway's proxy would say
// about half a body. The server must answer the body's own status.
var backendLike = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, err := io.ReadAll(r.Body); err != nil {
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "backend failed")
		return
	}
	io.WriteString(w, "ok")
})

// TestFramingAttacks: smuggling shapes and broken bodies answer 400 and
// close the connection, whatever the handler would have answered.
func TestFramingAttacks(t *testing.T) {
	_, addr := start(t, backendLike)
	for _, tc := range []struct {
		name, req string
		halfClose bool
		status    int
	}{
		{"content-length and chunked", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n", false, 400},
		{"chunk size not hex", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", false, 400},
		{"chunk size overflow", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\nabc\r\n0\r\n\r\n", false, 400},
		{"chunk data longer than its size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcdef\r\n0\r\n\r\n", false, 400},
		{"chunk line with bare LF", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", false, 400},
		{"body shorter than content-length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc", true, 400},
		{"chunked body cut off", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, addr)
			c.send(tc.req)
			if tc.halfClose {
				c.nc.(*net.TCPConn).CloseWrite()
			}
			r := c.response("POST")
			if r.StatusCode != tc.status {
				t.Errorf("status %d (%s), want %d", r.StatusCode, bodyOf(t, r), tc.status)
			}
			if !r.Close {
				t.Error("response does not say Connection: close")
			}
			if !c.waitClosed() {
				t.Error("connection left open")
			}
		})
	}
}

// TestUnreadBrokenBodyStillRefused: a handler that answers without
// reading the body (a MOCK, a 403) must not turn a short body into a
// 200: the server reads the rest before the head goes out.
func TestUnreadBrokenBodyStillRefused(t *testing.T) {
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "did not look at the body")
	}))
	c := dial(t, addr)
	c.send("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nshort")
	c.nc.(*net.TCPConn).CloseWrite()
	if r := c.response("PUT"); r.StatusCode != 400 {
		t.Errorf("status %d, want 400", r.StatusCode)
	}
}

// TestSilentConnectionClosedAfterHeaderTimeout: a connection that never
// sends a byte is closed after ReadHeaderTimeout, not IdleTimeout (an
// hour here, so only the header timeout can close it in time).
func TestSilentConnectionClosedAfterHeaderTimeout(t *testing.T) {
	_, addr := start(t, echo, func(s *Server) {
		s.ReadHeaderTimeout = 50 * time.Millisecond
		s.IdleTimeout = time.Hour
	})
	c := dial(t, addr)
	if !c.waitClosed() {
		t.Fatal("silent connection still open")
	}
}

// TestKeptAliveConnectionWaitsIdleTimeout: after a response, the wait for
// the next request is the idle timeout, not the header timeout.
func TestKeptAliveConnectionWaitsIdleTimeout(t *testing.T) {
	_, addr := start(t, echo, func(s *Server) {
		s.ReadHeaderTimeout = 50 * time.Millisecond
		s.IdleTimeout = time.Hour
	})
	c := dial(t, addr)
	c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	c.response("GET")
	// Well past the header timeout, as the server sees it: a second
	// request on the same connection still gets its answer. (The
	// header deadline, if wrongly armed, expires while this sleeps.)
	time.Sleep(200 * time.Millisecond)
	c.send("GET /again HTTP/1.1\r\nHost: h\r\n\r\n")
	if r := c.response("GET"); r.StatusCode != 200 {
		t.Fatalf("second request: %d", r.StatusCode)
	}
}

// TestSlowBodyCutOff: a body trickling in is cut off at BodyTimeout with
// 408 and the connection closed, although each byte arrives well within
// the idle timeout.
func TestSlowBodyCutOff(t *testing.T) {
	read := make(chan error, 1)
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		read <- err
		w.WriteHeader(http.StatusBadGateway)
	}), func(s *Server) {
		s.BodyTimeout = 100 * time.Millisecond
		s.IdleTimeout = time.Hour
	})
	c := dial(t, addr)
	c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n")
	// One byte at a time until the server gives up on the body.
	var err error
	for err == nil {
		select {
		case err = <-read:
		case <-time.After(20 * time.Millisecond):
			if _, werr := c.nc.Write([]byte("x")); werr != nil {
				t.Fatalf("server stopped reading but the handler did not see an error: %v", werr)
			}
		}
	}
	r := c.response("POST")
	if r.StatusCode != http.StatusRequestTimeout || !r.Close {
		t.Errorf("status %d close %v, want 408 and close", r.StatusCode, r.Close)
	}
	if !c.waitClosed() {
		t.Error("connection left open")
	}
}

// TestBodyTimeoutEndsWithTheBody: the body deadline does not outlive the
// body: a handler that takes its time after reading it, and the next
// request on the connection, are unaffected.
func TestBodyTimeoutEndsWithTheBody(t *testing.T) {
	_, addr := start(t, echo, func(s *Server) { s.BodyTimeout = 50 * time.Millisecond })
	c := dial(t, addr)
	c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi")
	if r := c.response("POST"); r.StatusCode != 200 {
		t.Fatalf("first: %d", r.StatusCode)
	}
	time.Sleep(150 * time.Millisecond) // past the first body's deadline
	c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if r := c.response("GET"); r.StatusCode != 200 || !strings.HasPrefix(bodyOf(t, r), "GET") {
		t.Fatalf("second: %d", r.StatusCode)
	}
}
