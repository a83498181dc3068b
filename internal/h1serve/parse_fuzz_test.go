package h1serve

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// FuzzParseHead feeds arbitrary bytes to the head parser. It must never
// panic; what it accepts must be well formed; and where net/http's own
// parser accepts the same head, both must agree on what the request is.
// The seeds run as a normal test; explore with
//
//	go test -run '^$' -fuzz FuzzParseHead -fuzztime 60s ./internal/h1serve/
func FuzzParseHead(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /restapis/abc/prod/_user_request_/pets/42?x=1&y=%20 HTTP/1.1\r\nHost: localhost:4566\r\nuser-agent: wrk\r\naccept: */*\r\n\r\n",
		"POST /p%2Fq HTTP/1.1\r\nHost: abc.execute-api.localhost\r\nContent-Length: 3\r\nContent-Type: application/json\r\n\r\n",
		"PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n",
		"PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n",
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"GET / HTTP/1.1\nHost: h\nX-A: b\n\n",
		"\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
		"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
		"GET http://other/abs?q HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n 2\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nPragma: no-cache\r\nExpect: 100-continue\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
		"GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\r\nhOsT: h\r\nx-AMZ-date: 1\r\n\r\n",
		"GET /? HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET //double/slash HTTP/1.1\r\nHost: h\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n := headEnd(data, 0)
		if n < 0 {
			return
		}
		head := slices.Clone(data[:n])
		var p parsed
		if err := parseHead(head, &p); err != nil {
			return
		}
		checkParsed(t, &p)
		compareWithNetHTTP(t, data[:n], &p)
	})
}

func checkParsed(t *testing.T, p *parsed) {
	t.Helper()
	if !isToken(p.method) {
		t.Fatalf("accepted method %q", p.method)
	}
	if p.major != 1 {
		t.Fatalf("accepted version %d.%d", p.major, p.minor)
	}
	if _, ok := p.header["Host"]; ok {
		t.Fatal("Host left in the header map")
	}
	if _, ok := p.header["Transfer-Encoding"]; ok {
		t.Fatal("Transfer-Encoding left in the header map")
	}
	if p.chunked && p.contentLength != -1 || !p.chunked && p.contentLength < 0 {
		t.Fatalf("chunked %v with length %d", p.chunked, p.contentLength)
	}
	for k, vs := range p.header {
		if !isToken(k) || k != http.CanonicalHeaderKey(k) {
			t.Fatalf("header name %q", k)
		}
		for _, v := range vs {
			if !validValue(v) || v != strings.TrimSpace(v) && strings.Trim(v, " \t") != v {
				t.Fatalf("header %s value %q", k, v)
			}
		}
	}
}

// compareWithNetHTTP checks an accepted head against http.ReadRequest
// when that accepts it too (it is more lenient in places, stricter in
// none that matter here: obsolete folding we reject, leading blank lines
// we skip).
func compareWithNetHTTP(t *testing.T, raw []byte, p *parsed) {
	t.Helper()
	raw = bytes.TrimLeft(raw, "\r\n")
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return
	}
	if req.Method != p.method || req.RequestURI != p.target || req.Proto != p.proto {
		t.Fatalf("request line: net/http %q %q %q, ours %q %q %q", req.Method, req.RequestURI, req.Proto, p.method, p.target, p.proto)
	}
	if req.URL.String() != p.url.String() || req.URL.Path != p.url.Path || req.URL.RawPath != p.url.RawPath || req.URL.RawQuery != p.url.RawQuery {
		t.Fatalf("URL: net/http %#v, ours %#v", req.URL, p.url)
	}
	if req.Host != p.host {
		t.Fatalf("Host: net/http %q, ours %q", req.Host, p.host)
	}
	// (Chunked with a Content-Length, which net/http accepts, we refuse.)
	if req.ContentLength != p.contentLength || req.Close != p.close {
		t.Fatalf("framing: net/http length %d close %v, ours %d %v", req.ContentLength, req.Close, p.contentLength, p.close)
	}
	delete(req.Header, "Host")
	for k, vs := range req.Header {
		if !slices.Equal(vs, p.header[k]) {
			t.Fatalf("header %s: net/http %q, ours %q", k, vs, p.header[k])
		}
	}
	if len(req.Header) != len(p.header) {
		t.Fatalf("headers: net/http %v, ours %v", req.Header, p.header)
	}
}

// TestParseHead covers the parser's decisions directly.
func TestParseHead(t *testing.T) {
	cases := []struct {
		name, head string
		check      func(*parsed) bool
	}{
		{"canonical names, one string", "GET /a?b=c HTTP/1.1\r\nHost: h\r\ncontent-type: x\r\nx-amz-DATE: d\r\n\r\n", func(p *parsed) bool {
			return p.header.Get("Content-Type") == "x" && p.header["X-Amz-Date"][0] == "d" && p.url.Path == "/a" && p.url.RawQuery == "b=c"
		}},
		{"escaped path keeps RawPath", "GET /a%2Fb HTTP/1.1\r\nHost: h\r\n\r\n", func(p *parsed) bool {
			return p.url.Path == "/a/b" && p.url.EscapedPath() == "/a%2Fb"
		}},
		{"repeated fields", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-A: 2\r\n\r\n", func(p *parsed) bool {
			return slices.Equal(p.header["X-A"], []string{"1", "2"})
		}},
		{"pragma implies cache-control", "GET / HTTP/1.1\r\nHost: h\r\nPragma: no-cache\r\n\r\n", func(p *parsed) bool {
			return p.header.Get("Cache-Control") == "no-cache"
		}},
		{"1.0 ignores transfer-encoding", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", func(p *parsed) bool {
			return !p.chunked && p.contentLength == 0 && p.close
		}},
		{"absolute form", "GET http://a.example/x HTTP/1.1\r\nHost: other\r\n\r\n", func(p *parsed) bool {
			return p.host == "a.example" && p.url.Path == "/x"
		}},
		{"expect continue", "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nExpect: 100-Continue\r\n\r\n", func(p *parsed) bool {
			return p.expectContinue
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p parsed
			if err := parseHead([]byte(tc.head), &p); err != nil {
				t.Fatal(err)
			}
			if !tc.check(&p) {
				t.Errorf("parsed: %+v", p)
			}
		})
	}
}

// TestParseHeadRefuses covers heads refused with a status: the framing
// ones are request-smuggling shapes (RFC 9112 §6.1, §6.3).
func TestParseHeadRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		code       int
	}{
		{"content-length with chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400},
		{"chunked after content-length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\ntransfer-encoding: CHUNKED\r\n\r\n", 400},
		{"differing content-lengths", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
		{"signed content-length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n", 400},
		{"two transfer-encodings", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
		{"obsolete folding", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n 2\r\n\r\n", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p parsed
			err := parseHead([]byte(tc.head), &p)
			var se *statusError
			if !errors.As(err, &se) || se.code != tc.code {
				t.Fatalf("parseHead = %v, want status %d", err, tc.code)
			}
		})
	}
}

func TestHeadEnd(t *testing.T) {
	for in, want := range map[string]int{
		"GET / HTTP/1.1\r\n\r\n":       18,
		"GET / HTTP/1.1\n\n":           16,
		"GET / HTTP/1.1\r\nA: b\r\n":   -1,
		"GET / HTTP/1.1\r\n\r":         -1,
		"GET / HTTP/1.1\r\n\r\nBODY":   18,
		"GET / HTTP/1.1\r\nA: b\n\r\n": 23,
	} {
		if got := headEnd([]byte(in), 0); got != want {
			t.Errorf("headEnd(%q) = %d, want %d", in, got, want)
		}
	}
}
