package gateway

import (
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"time"
)

// newTransport returns the backend transport shared by every integration.
// http.DefaultTransport keeps 2 idle connections per host, so under
// concurrent load a proxy built on it opens and closes backend connections
// constantly; this one keeps up to 1024 per host alive.
func newTransport(insecureSkipVerify bool) *http.Transport {
	t := &http.Transport{
		Proxy: nil, // never route backend calls through an environment proxy
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4096,
		MaxIdleConnsPerHost:   1024,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
		// A proxy forwards Accept-Encoding as the client sent it and
		// returns the body untouched; the transport must not add gzip and
		// decompress behind our back.
		DisableCompression: true,
	}
	if insecureSkipVerify {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return t
}

// bufferPool lends 32 KiB copy buffers to httputil.ReverseProxy so that
// streaming a response body does not allocate one per request.
type bufferPool struct{ p sync.Pool }

func newBufferPool() *bufferPool {
	return &bufferPool{p: sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}}
}

func (bp *bufferPool) Get() []byte  { return *(bp.p.Get().(*[]byte)) }
func (bp *bufferPool) Put(b []byte) { bp.p.Put(&b) }

// get and put lend a buffer without the slice-header allocation the
// []byte interface above costs (httputil.BufferPool's shape).
func (bp *bufferPool) get() *[]byte  { return bp.p.Get().(*[]byte) }
func (bp *bufferPool) put(b *[]byte) { bp.p.Put(b) }
