package gateway

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stagecoach/stagecoach/internal/h1serve"
)

// httpServerEnv is servertest.HTTPServerEnv (not imported: servertest
// imports this package).
const httpServerEnv = "STAGECOACH_TEST_HTTP_SERVER"

// startTestServer serves h on a loopback listener for a test. By default
// that is net/http's httptest server; with STAGECOACH_TEST_HTTP_SERVER=h1serve
// (httpServerEnv, as servertest) it is the data plane's lean server, so this
// package's whole suite can run against either:
//
//	STAGECOACH_TEST_HTTP_SERVER=h1serve go test ./internal/gateway/
//
// The result is an *httptest.Server either way; only its URL and Close
// are meaningful in the h1serve case.
func startTestServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	if os.Getenv(httpServerEnv) != "h1serve" {
		return httptest.NewServer(h)
	}
	srv := httptest.NewUnstartedServer(h)
	hs := &h1serve.Server{Handler: h}
	go hs.Serve(srv.Listener)
	srv.URL = "http://" + srv.Listener.Addr().String()
	t.Cleanup(func() { hs.Close() })
	return srv
}
