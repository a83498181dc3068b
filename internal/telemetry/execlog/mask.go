package execlog

import (
	"net/http"
	"net/url"
	"strings"
)

// Credentials are masked even with data trace on: the developer guide
// says API Gateway "redacts authorization headers, API key values, and
// similar sensitive request parameters from the logged data".

// sensitiveHeaders are canonical header names whose values are masked.
var sensitiveHeaders = map[string]bool{
	"Authorization":        true,
	"Proxy-Authorization":  true,
	"X-Api-Key":            true,
	"Cookie":               true,
	"Set-Cookie":           true,
	"X-Amz-Security-Token": true,
}

func sensitiveHeader(name string) bool {
	// Names that did not go through canonicalisation are canonicalised;
	// CanonicalHeaderKey does not allocate for names that already are.
	return sensitiveHeaders[name] || sensitiveHeaders[http.CanonicalHeaderKey(name)]
}

// sensitiveParams are query parameter names (lower case) that carry
// credentials by convention.
var sensitiveParams = map[string]bool{
	"x-api-key":            true,
	"api_key":              true,
	"apikey":               true,
	"access_token":         true,
	"id_token":             true,
	"token":                true,
	"password":             true,
	"x-amz-security-token": true,
	"x-amz-signature":      true,
}

func sensitiveParam(name string) bool { return sensitiveParams[strings.ToLower(name)] }

// maskSecret hides a credential the way AWS's logs do: asterisks, with
// only the last 6 characters of a long value kept so two keys can be
// told apart (AWS prints "API Key: ****...ReKPrb"). Values of 12 bytes or
// fewer are masked entirely.
func maskSecret(v string) string {
	if v == "" {
		return ""
	}
	if len(v) <= 12 {
		return strings.Repeat("*", len(v))
	}
	return strings.Repeat("*", len(v)-6) + v[len(v)-6:]
}

// maskURIQuery masks sensitive query parameters of a URI.
func maskURIQuery(uri string) string {
	base, raw, ok := strings.Cut(uri, "?")
	if !ok || raw == "" {
		return uri
	}
	parts := strings.Split(raw, "&")
	changed := false
	for i, kv := range parts {
		k, v, hasV := strings.Cut(kv, "=")
		name, err := url.QueryUnescape(k)
		if err != nil || !hasV || !sensitiveParam(name) {
			continue
		}
		parts[i] = k + "=" + maskSecret(v)
		changed = true
	}
	if !changed {
		return uri
	}
	return base + "?" + strings.Join(parts, "&")
}
