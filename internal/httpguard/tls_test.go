package httpguard

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// testCert makes a self-signed certificate for 127.0.0.1 and returns the
// server config and a client pool trusting it.
func testCert(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "stagecoach test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		NextProtos: []string{"h2", "http/1.1"}}, pool
}

// serveTLS serves h under l on a TLS listener with the given kind.
func serveTLS(t *testing.T, kind string, h http.Handler, l Limits, cfg *tls.Config) string {
	ln := listen(t)
	for _, s := range l.Serve(kind, h, ln, cfg, quiet()) {
		go s.Server.Serve(s.Listener)
		t.Cleanup(func() { s.Server.Close() })
	}
	return ln.Addr().String()
}

// TestTLSBothProtocols: over TLS both servers answer HTTP/2 (ALPN h2)
// and HTTP/1.1, bodies included.
func TestTLSBothProtocols(t *testing.T) {
	cfg, pool := testCert(t)
	for _, kind := range []string{"nethttp", "h1serve"} {
		addr := serveTLS(t, kind, backendLike, defaults, cfg)
		for _, proto := range []int{2, 1} {
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: proto == 2}
			if proto == 1 {
				tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
			}
			resp, err := (&http.Client{Transport: tr}).Post("https://"+addr+"/p", "text/plain", strings.NewReader("hi"))
			if err != nil {
				t.Fatalf("%s HTTP/%d: %v", kind, proto, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			tr.CloseIdleConnections()
			if resp.StatusCode != 200 || resp.ProtoMajor != proto || string(body) != "POST /p hi" {
				t.Errorf("%s: got %s %d %q, want HTTP/%d 200", kind, resp.Proto, resp.StatusCode, body, proto)
			}
		}
	}
}

// TestTLSHTTP1SmugglingRefused: HTTP/1.1 over TLS gets the same
// smuggling check as plain connections, on both servers.
func TestTLSHTTP1SmugglingRefused(t *testing.T) {
	cfg, pool := testCert(t)
	for _, kind := range []string{"nethttp", "h1serve"} {
		addr := serveTLS(t, kind, backendLike, defaults, cfg)
		nc, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}})
		if err != nil {
			t.Fatal(err)
		}
		nc.SetDeadline(time.Now().Add(20 * time.Second))
		c := &rawConn{t: t, nc: nc, br: bufio.NewReader(nc)}
		c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
		if resp, _ := c.response(); resp.StatusCode != 400 || !resp.Close {
			t.Errorf("%s: status %d close %v, want 400 and close", kind, resp.StatusCode, resp.Close)
		}
		nc.Close()
	}
}

// TestTLSSilentHandshakeClosed: a client that connects and never sends
// its hello is closed after the header timeout.
func TestTLSSilentHandshakeClosed(t *testing.T) {
	cfg, _ := testCert(t)
	l := Limits{ReadHeaderTimeout: 100 * time.Millisecond, BodyTimeout: time.Hour, IdleTimeout: time.Hour}
	addr := serveTLS(t, "h1serve", backendLike, l, cfg)
	if c := dial(t, addr); !c.closedByServer() {
		t.Error("silent TLS connection left open")
	}
}
