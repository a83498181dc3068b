package httpguard

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Bodies wraps a handler served by net/http so that request bodies are
// held to the same rules as on h1serve (which applies them itself):
//
//   - a body must arrive within timeout (zero: no bound), counted from
//     the handler's start, however steadily it trickles: one byte every
//     few seconds must not hold a connection, and the backend call
//     waiting on it, past the integration timeout;
//   - a body that cannot be read — malformed chunk sizes, fewer bytes
//     than its Content-Length, or too slow — is answered 400 (408 for
//     too slow) with the connection closed, whatever the handler would
//     have answered from half a request (a 502 from a proxy that lost
//     its upload, a 200 from a handler that did not read it).
//
// Requests without a body pass through untouched (no wrapper, no cost).
func Bodies(h http.Handler, timeout time.Duration) http.Handler {
	return &bodies{h: h, timeout: timeout}
}

type bodies struct {
	h       http.Handler
	timeout time.Duration
}

// maxDrain is how much of a body the handler left unread is read before
// the response goes out, to learn whether it was whole (net/http's own
// post-handler drain limit).
const maxDrain = 256 << 10

func (b *bodies) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		b.h.ServeHTTP(w, r)
		return
	}
	rc := http.NewResponseController(w)
	body := &guardedBody{ReadCloser: r.Body}
	if b.timeout > 0 && rc.SetReadDeadline(time.Now().Add(b.timeout)) == nil {
		body.rc = rc
	}
	r.Body = body
	gw := &guardedWriter{ResponseWriter: w, body: body, http1: r.ProtoMajor == 1,
		expect: strings.EqualFold(r.Header.Get("Expect"), "100-continue")}
	b.h.ServeHTTP(gw, r)
	if !gw.wroteHeader {
		gw.WriteHeader(http.StatusOK)
	}
}

// guardedBody records why the body could not be read.
type guardedBody struct {
	io.ReadCloser
	rc    *http.ResponseController // set while a body deadline is armed
	eof   atomic.Bool
	fault atomic.Int32 // 400 or 408
}

func (b *guardedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == nil:
	case err == io.EOF:
		if b.eof.CompareAndSwap(false, true) && b.rc != nil {
			// The body is in: its deadline must not outlive it (net/http
			// reads the next request, and watches for a hang-up, on the
			// same connection).
			b.rc.SetReadDeadline(time.Time{})
		}
	case errors.Is(err, http.ErrBodyReadAfterClose):
		// The handler's own mistake, not the client's.
	case isTimeout(err):
		b.fault.CompareAndSwap(0, http.StatusRequestTimeout)
	default:
		b.fault.CompareAndSwap(0, http.StatusBadRequest)
	}
	return n, err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// guardedWriter replaces the handler's response with the body's status
// when the body turned out to be unreadable.
type guardedWriter struct {
	http.ResponseWriter
	body        *guardedBody
	http1       bool
	expect      bool // Expect: 100-continue: reading would ask for the body
	wroteHeader bool
	faulted     bool
}

var errBodyFault = errors.New("httpguard: request body unreadable; answered with its status")

func (w *guardedWriter) WriteHeader(code int) {
	if w.wroteHeader || code < 200 {
		if !w.faulted {
			w.ResponseWriter.WriteHeader(code)
		}
		return
	}
	w.wroteHeader = true
	if w.body.fault.Load() == 0 && !w.body.eof.Load() && !w.expect {
		// Learn whether the rest of the body is whole before answering
		// on the strength of it.
		io.CopyN(io.Discard, w.body, maxDrain)
	}
	if f := w.body.fault.Load(); f != 0 {
		w.faulted = true
		h := w.ResponseWriter.Header()
		for k := range h {
			delete(h, k)
		}
		h.Set("Content-Type", "text/plain; charset=utf-8")
		if w.http1 {
			h.Set("Connection", "close")
		}
		text := "400 Bad Request: malformed or incomplete request body"
		if f == http.StatusRequestTimeout {
			text = "408 Request Timeout: request body not received in time"
		}
		h.Set("Content-Length", strconv.Itoa(len(text)))
		w.ResponseWriter.WriteHeader(int(f))
		io.WriteString(w.ResponseWriter, text)
		if w.http1 {
			lingerClose(w.ResponseWriter)
		}
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *guardedWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.faulted {
		return 0, errBodyFault
	}
	return w.ResponseWriter.Write(p)
}

// Flush and FlushError keep streaming handlers streaming (a type
// assertion to http.Flusher as well as http.ResponseController).
func (w *guardedWriter) Flush() { w.FlushError() }

func (w *guardedWriter) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.faulted {
		return errBodyFault
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack passes through (protocol upgrades).
func (w *guardedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *guardedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// lingerTime bounds how long lingerClose reads what the client still
// sends after the refusal.
const lingerTime = 2 * time.Second

// lingerClose ends an HTTP/1 connection whose request body was refused
// so that the client can read the refusal (RFC 9112 §9.6). The client is
// typically still sending that body; closing a socket with unread bytes
// makes the kernel answer them with a reset, and a reset makes the
// client's kernel drop the refusal it had not read yet (e2e/security-
// http.sh saw an empty answer instead of the 408 now and then).
// net/http lingers only for bodies it gave up on itself, not for one
// whose read deadline expired, so the connection is taken over here:
// the response is flushed, the write side half-closed, and what the
// client still sends read and discarded for at most lingerTime, then the
// connection closes.
func lingerClose(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	if rc.Flush() != nil {
		return
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		return // net/http closes it, as before
	}
	go func() {
		defer conn.Close()
		if cw, ok := conn.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		conn.SetReadDeadline(time.Now().Add(lingerTime))
		io.Copy(io.Discard, io.LimitReader(conn, maxDrain))
	}()
}
