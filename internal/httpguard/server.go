// Package httpguard holds Stagecoach's HTTP listeners to the same
// hardening rules whichever server runs them (net/http for the main
// listener, h1serve or net/http for --gateway-listen): request smuggling
// shapes refused with 400 and the connection closed, unreadable bodies
// answered 400/408 instead of whatever the handler made of half a body,
// header and body timeouts, and a cap on concurrent connections per
// listener so that one listener's flood cannot take the file descriptors
// the others need.
package httpguard

import (
	"log"
	"net"
	"net/http"
	"time"

	"github.com/stagecoach/stagecoach/internal/h1serve"
)

// Defaults of the serve command's flags.
const (
	// DefaultReadHeaderTimeout: a connection that sends no complete head
	// within it (from the accept, or from a kept-alive connection's
	// first byte) is closed.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultBodyTimeout: AWS's default integration timeout is 29 s; a
	// body still trickling in after that is cut off.
	DefaultBodyTimeout = 29 * time.Second
	// DefaultIdleTimeout: how long a kept-alive connection may wait for
	// its next request.
	DefaultIdleTimeout = 120 * time.Second
)

// Limits are one listener's timeouts and connection cap.
type Limits struct {
	ReadHeaderTimeout time.Duration
	BodyTimeout       time.Duration
	IdleTimeout       time.Duration
	// MaxConnections caps concurrently open connections (LimitListener);
	// zero or less means no cap.
	MaxConnections int
}

// NetHTTP returns a net/http server for h under l: smuggling shapes are
// refused by the listener Listener(ln, true) returns, bodies by Bodies.
func (l Limits) NetHTTP(h http.Handler, errorLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           Bodies(h, l.BodyTimeout),
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		IdleTimeout:       l.IdleTimeout,
		ErrorLog:          errorLog,
	}
}

// H1 returns an h1serve server for h under l; h1serve refuses smuggling
// shapes and unreadable bodies itself.
func (l Limits) H1(h http.Handler, errorLog *log.Logger) *h1serve.Server {
	return &h1serve.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		BodyTimeout:       l.BodyTimeout,
		IdleTimeout:       l.IdleTimeout,
		ErrorLog:          errorLog,
	}
}

// Listener wraps ln with the connection cap and, for a net/http server
// (forNetHTTP), the smuggling check net/http lacks.
func (l Limits) Listener(ln net.Listener, forNetHTTP bool) net.Listener {
	ln = LimitListener(ln, l.MaxConnections)
	if forNetHTTP {
		ln = &smugglingListener{Listener: ln, headerTimeout: l.ReadHeaderTimeout}
	}
	return ln
}

type smugglingListener struct {
	net.Listener
	headerTimeout time.Duration
}

func (l *smugglingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newSmugglingConn(c, l.headerTimeout), nil
}
