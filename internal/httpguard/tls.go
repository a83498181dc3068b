package httpguard

import (
	"context"
	"crypto/tls"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// TLS. net/http speaks HTTP/2 only to a *tls.Conn it handshakes itself,
// and reads HTTP/1.1 from it without the smuggling check (the check
// needs the plaintext stream, which a *tls.Conn hides). So a TLS
// listener is split after the handshake, by the protocol ALPN chose:
//
//   - "h2" connections go, still *tls.Conn, to a net/http server that
//     serves them HTTP/2 (HTTP/2 frames bodies itself: no Content-Length
//     vs Transfer-Encoding ambiguity, and Go's server refuses a
//     Transfer-Encoding field in it);
//   - everything else (HTTP/1.1 over TLS) goes to the listener's own
//     server exactly as plain connections do: h1serve, or net/http behind
//     the smuggling check. Such a server sees no *tls.Conn, so
//     Request.TLS is nil there; the scheme is the listener's.
//
// The handshake runs on its own goroutine per connection, bounded by the
// header timeout: a client that opens a socket and never says hello is
// closed like one that never sends a head.

// Served is a server and the listener it serves.
type Served struct {
	Server interface {
		Serve(net.Listener) error
		Shutdown(context.Context) error
		Close() error
	}
	Listener net.Listener
}

// Serve returns the servers for ln under l: kind is "nethttp" or
// "h1serve"; with tlsConfig (certificates set) the listener is TLS, with
// HTTP/2 offered by ALPN. ln gets the connection cap first, so a TLS
// handshake never costs a descriptor beyond it.
func (l Limits) Serve(kind string, h http.Handler, ln net.Listener, tlsConfig *tls.Config, errorLog *log.Logger) []Served {
	netHTTP := kind != "h1serve"
	var h1 Served
	if netHTTP {
		h1.Server = l.NetHTTP(h, errorLog)
	} else {
		h1.Server = l.H1(h, errorLog)
	}
	if tlsConfig == nil {
		h1.Listener = l.Listener(ln, netHTTP)
		return []Served{h1}
	}
	h2ln, h1ln := splitTLS(LimitListener(ln, l.MaxConnections), tlsConfig, l.ReadHeaderTimeout)
	h1.Listener = h1ln
	if netHTTP {
		h1.Listener = &smugglingListener{Listener: h1ln, headerTimeout: l.ReadHeaderTimeout}
	}
	// The HTTP/2 server: net/http configures HTTP/2 for the *tls.Conns
	// it is given (TLSNextProto) since its TLSConfig is left nil.
	h2 := Served{Server: l.NetHTTP(h, errorLog), Listener: h2ln}
	return []Served{h1, h2}
}

// TLSConfig returns a server TLS configuration for a certificate and key
// in PEM files, offering HTTP/2 and HTTP/1.1.
func TLSConfig(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"},
		MinVersion: tls.VersionTLS12}, nil
}

// splitTLS accepts from ln, handshakes, and hands each connection to one
// of two listeners by negotiated protocol.
func splitTLS(ln net.Listener, cfg *tls.Config, handshakeTimeout time.Duration) (h2, h1 net.Listener) {
	s := &tlsSplit{ln: ln, done: make(chan struct{})}
	s.h2 = &chanListener{split: s, conns: make(chan net.Conn)}
	s.h1 = &chanListener{split: s, conns: make(chan net.Conn)}
	go s.run(cfg, handshakeTimeout)
	return s.h2, s.h1
}

type tlsSplit struct {
	ln        net.Listener
	h2, h1    *chanListener
	closeOnce sync.Once
	done      chan struct{}
	err       error // why accepting stopped; set before done closes
}

func (s *tlsSplit) run(cfg *tls.Config, timeout time.Duration) {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				time.Sleep(10 * time.Millisecond) // transient: retry as net/http does
				continue
			}
			s.close(err)
			return
		}
		go s.handshake(tls.Server(c, cfg), timeout)
	}
}

func (s *tlsSplit) handshake(tc *tls.Conn, timeout time.Duration) {
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		tc.Close()
		return
	}
	to := s.h1
	if tc.ConnectionState().NegotiatedProtocol == "h2" {
		to = s.h2
	}
	select {
	case to.conns <- tc:
	case <-s.done:
		tc.Close()
	}
}

func (s *tlsSplit) close(err error) {
	s.closeOnce.Do(func() {
		if err == nil {
			err = net.ErrClosed
		}
		s.err = err
		s.ln.Close()
		close(s.done)
	})
}

// chanListener is one side of a split TLS listener. Closing either side
// closes the shared socket (both servers stop together).
type chanListener struct {
	split *tlsSplit
	conns chan net.Conn
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.split.done:
		return nil, l.split.err
	}
}

func (l *chanListener) Close() error   { l.split.close(nil); return nil }
func (l *chanListener) Addr() net.Addr { return l.split.ln.Addr() }
