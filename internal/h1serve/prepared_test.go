package h1serve

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestWritePrepared: a response written from a pre-encoded header block
// reaches the client framed by a Content-Length, with the Header() fields,
// the block's fields and the server's Date, and without a sniffed
// Content-Type; large bodies too (no chunking), HEAD without the body, and
// a second call after the status fails without writing.
func TestWritePrepared(t *testing.T) {
	big := strings.Repeat("x", 3*bufSize)
	var lateErr error
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pw := w.(PreparedWriter)
		switch r.URL.Path {
		case "/throttled":
			pw.WritePrepared(http.StatusTooManyRequests, []byte("Content-Type: application/json\r\nX-Amzn-Errortype: ThrottlingException\r\n"), []byte(`{"message":"Too Many Requests"}`))
		case "/big":
			w.Header().Set("X-From-Map", "yes")
			pw.WritePrepared(http.StatusOK, []byte("X-Block: 1\r\n"), []byte(big))
		case "/nocontent":
			pw.WritePrepared(http.StatusNoContent, []byte("X-Block: 1\r\n"), nil)
		case "/late":
			w.WriteHeader(http.StatusAccepted)
			lateErr = pw.WritePrepared(http.StatusOK, []byte("X-Block: 1\r\n"), []byte("late"))
		}
	}))
	c := dial(t, addr)
	tests := []struct {
		method, path string
		status       int
		header       map[string]string
		body         string
	}{
		{"GET", "/throttled", 429, map[string]string{"Content-Type": "application/json", "X-Amzn-Errortype": "ThrottlingException", "Content-Length": "31"}, `{"message":"Too Many Requests"}`},
		{"GET", "/big", 200, map[string]string{"X-From-Map": "yes", "X-Block": "1", "Content-Length": "12288", "Content-Type": ""}, big},
		{"HEAD", "/big", 200, map[string]string{"Content-Length": "12288"}, ""},
		{"GET", "/nocontent", 204, map[string]string{"X-Block": "1", "Content-Length": ""}, ""},
		{"GET", "/late", 202, map[string]string{"X-Block": ""}, ""},
	}
	for _, tt := range tests {
		c.send(tt.method + " " + tt.path + " HTTP/1.1\r\nHost: x\r\n\r\n")
		resp := c.response(tt.method)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tt.status || string(body) != tt.body {
			t.Errorf("%s %s: status %d, body %d bytes; want %d, %d bytes", tt.method, tt.path, resp.StatusCode, len(body), tt.status, len(tt.body))
		}
		if resp.Header.Get("Date") == "" {
			t.Errorf("%s %s: no Date", tt.method, tt.path)
		}
		if len(resp.TransferEncoding) > 0 {
			t.Errorf("%s %s: Transfer-Encoding %v, want a Content-Length", tt.method, tt.path, resp.TransferEncoding)
		}
		for k, want := range tt.header {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s %s: %s = %q, want %q", tt.method, tt.path, k, got, want)
			}
		}
	}
	if lateErr == nil {
		t.Error("WritePrepared after WriteHeader succeeded")
	}
}
