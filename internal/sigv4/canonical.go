package sigv4

import (
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// param is one query parameter: decoded, and encoded AWS's way.
type param struct {
	key, value       string // decoded
	encKey, encValue string // AWS-encoded
}

// query is a request's query string as a list (order and repeats kept).
type query []param

// parseQuery splits a raw query string. Keys and values are decoded as
// application/x-www-form-urlencoded ("+" is a space, as the Go SDK reads
// it); a component that does not decode is kept as sent.
func parseQuery(raw string) query {
	if raw == "" {
		return nil
	}
	q := make(query, 0, strings.Count(raw, "&")+1)
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		q = append(q, param{key: k, value: v})
	}
	return q
}

func (q query) get(name string) (string, bool) {
	for _, p := range q {
		if p.key == name {
			return p.value, true
		}
	}
	return "", false
}

func (q query) has(name string) bool {
	_, ok := q.get(name)
	return ok
}

// canonicalRequest appends AWS's canonical request for r to b:
//
//	METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n PAYLOAD-HASH
func (v *Verifier) canonicalRequest(b []byte, r *http.Request, q query, s *signature, payload string) []byte {
	b = append(b, r.Method...)
	b = append(b, '\n')
	p := requestPath(r)
	if v.S3 {
		if p == "" {
			p = "/"
		}
		b = append(b, p...)
	} else {
		b = appendEscaped(b, normalizePath(p), false)
	}
	b = append(b, '\n')
	b = appendQuery(b, q, s.presigned)
	b = append(b, '\n')
	for name := range strings.SplitSeq(s.signedHeaders, ";") {
		b = append(b, name...)
		b = append(b, ':')
		b = appendHeaderValue(b, r, name)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, s.signedHeaders...)
	b = append(b, '\n')
	return append(b, payload...)
}

// requestPath is the path of the request line as the client sent it,
// still escaped.
func requestPath(r *http.Request) string {
	if u := r.RequestURI; u != "" && u[0] == '/' {
		p, _, _ := strings.Cut(u, "?")
		return p
	}
	return r.URL.EscapedPath()
}

// normalizePath removes "." and ".." segments and empty segments (runs of
// "/"), keeping a leading and a trailing "/", as AWS (and botocore)
// normalize paths for every service but S3.
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p // the common case: nothing to remove
	}
	var out []string
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	n := "/" + strings.Join(out, "/")
	if len(out) > 0 && p[len(p)-1] == '/' {
		n += "/"
	}
	return n
}

// appendQuery appends the canonical query string: every parameter but a
// presigned request's X-Amz-Signature, encoded, sorted by key then value.
func appendQuery(b []byte, q query, presigned bool) []byte {
	if len(q) == 0 {
		return b
	}
	ps := make([]param, 0, len(q))
	for _, p := range q {
		if presigned && p.key == "X-Amz-Signature" {
			continue
		}
		p.encKey = string(appendEscaped(nil, p.key, true))
		p.encValue = string(appendEscaped(nil, p.value, true))
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, c param) int {
		if k := strings.Compare(a.encKey, c.encKey); k != 0 {
			return k
		}
		return strings.Compare(a.encValue, c.encValue)
	})
	for i, p := range ps {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.encKey...)
		b = append(b, '=')
		b = append(b, p.encValue...)
	}
	return b
}

// appendHeaderValue appends a signed header's canonical value: each
// value trimmed with its inner runs of spaces collapsed, repeats joined
// by ",". Host, Content-Length and Transfer-Encoding are read where
// net/http keeps them.
func appendHeaderValue(b []byte, r *http.Request, name string) []byte {
	var vals []string
	switch name {
	case "host":
		return appendTrimmed(b, r.Host)
	case "content-length":
		if vs := r.Header["Content-Length"]; len(vs) > 0 {
			vals = vs
		} else if r.ContentLength > 0 {
			return strconv.AppendInt(b, r.ContentLength, 10)
		}
	case "transfer-encoding":
		vals = r.TransferEncoding
	default:
		vals = r.Header[textproto.CanonicalMIMEHeaderKey(name)]
	}
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTrimmed(b, v)
	}
	return b
}

// appendTrimmed appends v without leading and trailing spaces and tabs,
// its inner runs of spaces collapsed to one.
func appendTrimmed(b []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b = append(b, c)
	}
	return b
}

// appendEscaped percent-encodes every byte but AWS's unreserved set
// (A-Z a-z 0-9 - . _ ~) and, unless encodeSlash, "/".
func appendEscaped(b []byte, s string, encodeSlash bool) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] || (c == '/' && !encodeSlash) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}

var unreserved = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['.'], t['_'], t['~'] = true, true, true, true
	return t
}()
