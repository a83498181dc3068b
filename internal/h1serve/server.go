// Package h1serve is a lean HTTP/1.1 server for Stagecoach's data plane:
// a drop-in for http.Server.Serve that runs ordinary http.Handlers.
//
// Why: under load (bench/cache.sh, bench/proxy.sh) profiles of the data
// plane on net/http put the gateway's own handler at ~12-15 % of CPU; the
// rest was the server around it. Per request net/http starts a
// background-read goroutine (an extra read syscall and two goroutine
// switches, to notice a client hang-up while the handler runs), creates
// a cancelable context, parses headers through textproto (a string per
// field), clones the response header map at WriteHeader, formats the Date,
// and re-arms two read deadlines. This server keeps net/http's request
// semantics (the *http.Request a handler sees is the same) and drops that
// machinery:
//
//   - one goroutine per connection, serving its requests in order
//     (pipelined requests are simply read after the previous response);
//   - a pooled bufio.Reader/Writer pair per connection; the request head
//     is parsed from the read buffer into one string (parse.go);
//   - one context per connection, not per request (see below);
//   - the response head is written once, with a cached Date; a body that
//     fits a 4 KiB buffer gets a Content-Length and goes out with the head
//     in one write, a longer or flushed one is chunked (response.go);
//   - deadlines re-armed at most once per second per connection
//     (conn.go), so the effective idle timeout is within a second of the
//     configured one.
//
// What it does not do: HTTP/2, TLS (the data-plane listener is plain
// http, as the main one), Request.Form parsing shortcuts, ServerContextKey
// in the request context, or the ResponseController deadline setters.
//
// Disconnect detection: a request's context is the connection's context.
// It is cancelled when the connection ends, when a read from the client
// fails (the handler reading the body, or the server reading the next
// request) and when a write to the client fails. Unlike net/http there is
// no read in the background while a handler runs, so a client that hangs
// up while the handler waits on a backend without reading or writing is
// noticed only at the handler's next write; backend calls are bounded by
// their integration timeout. The context is not cancelled when a handler
// returns (net/http does that); a handler must release what it derives
// from it (every context.WithTimeout with its cancel), as it must anyway.
package h1serve

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Defaults: net/http's limits and the serve command's timeouts.
const (
	DefaultMaxHeaderBytes    = http.DefaultMaxHeaderBytes // 1 MiB
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
)

// Server serves HTTP/1.x requests with Handler. The zero value plus a
// Handler is usable; fields must not change once Serve is called.
type Server struct {
	Handler http.Handler

	// ReadHeaderTimeout bounds reading a request head: on a new
	// connection from the accept (one that sends nothing is closed after
	// it, not after IdleTimeout), on a kept-alive one from the head's
	// first byte (slowloris). Zero means DefaultReadHeaderTimeout.
	ReadHeaderTimeout time.Duration
	// IdleTimeout bounds waiting for the next request on a keep-alive
	// connection, and any single read of a request body that makes no
	// progress. Zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// BodyTimeout bounds reading a request body, from the end of its
	// head to its last byte, however steadily it trickles in: a client
	// sending a byte every few seconds cannot hold the connection (and
	// the backend call waiting on it) for longer. Over it the request is
	// answered 408 and the connection closed. Zero means no bound beyond
	// IdleTimeout per read.
	BodyTimeout time.Duration
	// WriteTimeout bounds any write to the client that makes no
	// progress (a client that stops reading); zero means none, as
	// net/http's WriteTimeout left unset.
	WriteTimeout time.Duration
	// MaxHeaderBytes bounds the request line plus header fields; over it
	// the request is answered 431. Zero means DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// ErrorLog receives handler panics and accept errors; nil means the
	// log package's standard logger.
	ErrorLog *log.Logger

	mu         sync.Mutex
	listeners  map[*net.Listener]struct{}
	conns      map[*conn]struct{}
	clockOnce  sync.Once
	clock      clock
	inShutdown atomic.Bool
}

// ErrServerClosed is returned by Serve after Shutdown or Close; it is
// net/http's value so callers can treat both servers alike.
var ErrServerClosed = http.ErrServerClosed

func (s *Server) readHeaderTimeout() time.Duration {
	if s.ReadHeaderTimeout > 0 {
		return s.ReadHeaderTimeout
	}
	return DefaultReadHeaderTimeout
}

func (s *Server) idleTimeout() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return DefaultIdleTimeout
}

func (s *Server) maxHeaderBytes() int {
	if s.MaxHeaderBytes > 0 {
		return s.MaxHeaderBytes
	}
	return DefaultMaxHeaderBytes
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
	} else {
		log.Printf(format, args...)
	}
}

func (s *Server) init() {
	s.clockOnce.Do(func() {
		s.clock.start()
	})
}

// Serve accepts connections on ln and serves each on its own goroutine.
// It always returns a non-nil error; after Shutdown or Close,
// ErrServerClosed. ln is closed when Serve returns.
func (s *Server) Serve(ln net.Listener) error {
	s.init()
	s.mu.Lock()
	if s.inShutdown.Load() {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	if s.listeners == nil {
		s.listeners = map[*net.Listener]struct{}{}
		s.conns = map[*conn]struct{}{}
	}
	s.listeners[&ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, &ln)
		s.mu.Unlock()
		ln.Close()
	}()

	base := context.WithValue(context.Background(), http.LocalAddrContextKey, ln.Addr())
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.inShutdown.Load() {
				return ErrServerClosed
			}
			// Temporary errors (out of file descriptors): back off as
			// net/http does instead of spinning.
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.logf("h1serve: accept error: %v; retrying in %v", err, backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		c := newConn(s, nc, base)
		s.mu.Lock()
		if s.inShutdown.Load() {
			s.mu.Unlock()
			nc.Close()
			continue
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		go c.serve()
	}
}

func (s *Server) forget(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// Shutdown stops accepting, closes idle connections, lets active requests
// finish (their connections close after the response) and waits until
// every connection is gone or ctx ends, as http.Server.Shutdown does.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.beginShutdown()
	wait := time.Millisecond
	for {
		if s.closeIdle() {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	s.init()
	s.beginShutdown()
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.nc.Close()
	}
	return nil
}

func (s *Server) beginShutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShutdown.Swap(true) {
		return
	}
	close(s.clock.stop)
	for ln := range s.listeners {
		(*ln).Close()
	}
}

// closeIdle closes connections waiting for a request and reports whether
// none are left.
func (s *Server) closeIdle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.CompareAndSwap(stateIdle, stateClosing) {
			c.nc.Close()
		}
	}
	return len(s.conns) == 0
}
