package sigv4

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzVerify changes a signed request — method, path, query, a signed
// header, the body, the Authorization header — and checks that Verify
// never panics and never accepts a request that differs from the signed
// one. "Differs" is judged by an oracle independent of the canonical
// request code: decoded path segments, the decoded query as a sorted
// multiset, the header value with whitespace runs folded, the body bytes.
// Verify may reject more than the oracle distinguishes (e.g. "%41" for
// "A" in a path); it must never accept less.
func FuzzVerify(f *testing.F) {
	orig := clientRequest{method: "POST", url: "http://127.0.0.1:4566/restapis/abc/stages?limit=5&mode=a+b",
		header: map[string][]string{"Content-Type": {"application/json"}}, body: `{"stageName":"prod"}`}
	signed := sdkSign(f, orig, testKey, "", "apigateway", signTime)
	auth := signed.Header.Get("Authorization")
	amzDate := signed.Header.Get("X-Amz-Date")
	const path, rawQuery, ctype = "/restapis/abc/stages", "limit=5&mode=a+b", "application/json"
	body := []byte(orig.body)

	f.Add("POST", path, rawQuery, ctype, body, "")
	f.Add("POST", "/restapis/abc/./stages", rawQuery, ctype, body, "")
	f.Add("POST", "/restapis//abc/stages", "mode=a%20b&limit=5", "  application/json ", body, "")
	f.Add("POST", "/restapis/ab%63/stages", rawQuery, ctype, body, "")
	f.Add("PUT", path, rawQuery, ctype, body, "")
	f.Add("POST", path, "limit=5&mode=a+b&x", ctype, body, "")
	f.Add("POST", path, rawQuery, "text/plain", body, "")
	f.Add("POST", path, rawQuery, ctype, []byte(`{"stageName":"evil"}`), "")
	f.Add("POST", path, rawQuery, ctype, body, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1/apigateway/aws4_request,SignedHeaders=host,Signature=00")
	f.Add("POST", path, rawQuery, ctype, body, "AWS4-HMAC-SHA256 Credential=/,,=,Signature")

	v := testVerifier(f, signTime)
	f.Fuzz(func(t *testing.T, method, p, q, ct string, b []byte, a string) {
		uri := p
		if q != "" {
			uri += "?" + q
		}
		u, err := url.ParseRequestURI(uri)
		if err != nil || method == "" || strings.ContainsAny(method, " \t\r\n") {
			return // net/http would not hand such a request to a handler
		}
		r := &http.Request{Method: method, URL: u, RequestURI: uri, Host: "127.0.0.1:4566", Header: http.Header{}}
		r.Header.Set("Content-Type", ct)
		r.Header.Set("X-Amz-Date", amzDate)
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		r.ContentLength = int64(len(b))
		authz := auth
		if a != "" {
			authz = a
		}
		r.Header.Set("Authorization", authz)
		if _, err := v.Verify(r, b); err != nil {
			return
		}
		if method != "POST" || !samePath(p, path) || !sameQuery(q, rawQuery) ||
			strings.Join(strings.Fields(ct), " ") != ctype || !bytes.Equal(b, body) {
			t.Fatalf("accepted a changed request: %s %q ? %q content-type %q body %q", method, p, q, ct, b)
		}
	})
}

// samePath compares decoded, dot- and empty-segment-free paths.
func samePath(a, b string) bool {
	segs := func(p string) []string {
		var out []string
		for s := range strings.SplitSeq(p, "/") {
			d, err := url.PathUnescape(s)
			if err != nil {
				d = "\x00invalid:" + s
			}
			switch s {
			case "", ".":
			case "..":
				if len(out) > 0 {
					out = out[:len(out)-1]
				}
			default:
				out = append(out, d)
			}
		}
		return out
	}
	return slices.Equal(segs(a), segs(b))
}

// sameQuery compares decoded queries as sorted multisets of pairs.
func sameQuery(a, b string) bool {
	pairs := func(q string) []string {
		var out []string
		for part := range strings.SplitSeq(q, "&") {
			if part == "" {
				continue
			}
			k, v, _ := strings.Cut(part, "=")
			dk, err1 := url.QueryUnescape(k)
			dv, err2 := url.QueryUnescape(v)
			if err1 != nil || err2 != nil {
				dk, dv = "\x00invalid:"+k, v
			}
			out = append(out, dk+"\x00"+dv)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(pairs(a), pairs(b))
}
