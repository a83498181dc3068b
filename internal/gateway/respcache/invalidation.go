package respcache

import (
	"net/http"
	"strings"
)

// Strategies for unauthorizedCacheControlHeaderStrategy.
const (
	FailWith403                  = "FAIL_WITH_403"
	SucceedWithResponseHeader    = "SUCCEED_WITH_RESPONSE_HEADER"
	SucceedWithoutResponseHeader = "SUCCEED_WITHOUT_RESPONSE_HEADER"
)

// The warning an unauthorised invalidation attempt gets under
// SUCCEED_WITH_RESPONSE_HEADER. AWS documents only "add a warning header";
// the text is ours (data-plane spec §5).
const (
	WarningHeader = "Warning"
	WarningValue  = `199 - "Unauthorized cache invalidation"`
)

// Action is what the data plane does with a cacheable request.
type Action uint8

const (
	// Serve: the normal path: serve a live entry, else call the
	// integration and store its response.
	Serve Action = iota
	// Refresh: an authorised Cache-Control: max-age=0: skip the lookup,
	// call the integration and replace the entry with its response.
	Refresh
	// Forbid: an unauthorised invalidation under FAIL_WITH_403: answer
	// 403 without calling the integration.
	Forbid
	// ServeWithWarning: an unauthorised invalidation under
	// SUCCEED_WITH_RESPONSE_HEADER: ignore the header, Serve, and add
	// WarningHeader: WarningValue to the response.
	ServeWithWarning
)

func (a Action) String() string {
	switch a {
	case Serve:
		return "Serve"
	case Refresh:
		return "Refresh"
	case Forbid:
		return "Forbid"
	case ServeWithWarning:
		return "ServeWithWarning"
	}
	return "Action(?)"
}

// InvalidationPolicy is a method's per-key invalidation settings:
// requireAuthorizationForCacheControl and
// unauthorizedCacheControlHeaderStrategy.
type InvalidationPolicy struct {
	RequireAuthorization bool
	// Strategy is one of the strategy constants; empty or unknown means
	// AWS's default, SUCCEED_WITH_RESPONSE_HEADER.
	Strategy string
}

// Decide applies the policy to one request: invalidate tells whether it asked
// for invalidation (RequestsInvalidation), authorized whether the caller may
// invalidate (HasSigV4Authorization in our build).
//
// Without invalidation the request is served normally. With it, a caller
// passes if authorisation is not required (then any client may invalidate,
// as AWS documents) or the caller is authorised; otherwise the strategy
// decides.
func (p InvalidationPolicy) Decide(invalidate, authorized bool) Action {
	if !invalidate {
		return Serve
	}
	if !p.RequireAuthorization || authorized {
		return Refresh
	}
	switch p.Strategy {
	case FailWith403:
		return Forbid
	case SucceedWithoutResponseHeader:
		return Serve
	default:
		return ServeWithWarning
	}
}

// DecideRequest is Decide for an HTTP request.
func (p InvalidationPolicy) DecideRequest(h http.Header) Action {
	inv := RequestsInvalidation(h)
	return p.Decide(inv, inv && p.RequireAuthorization && HasSigV4Authorization(h))
}

// RequestsInvalidation reports whether the request header asks to
// invalidate the cache entry: a Cache-Control max-age=0 directive, in any
// of the header's lines. Other directives (no-cache, no-store) do not
// invalidate; AWS documents max-age=0 only.
func RequestsInvalidation(h http.Header) bool {
	for _, line := range h["Cache-Control"] {
		for d := range strings.SplitSeq(line, ",") {
			name, val, ok := strings.Cut(strings.TrimSpace(d), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(name), "max-age") {
				continue
			}
			val = strings.Trim(strings.TrimSpace(val), `"`)
			if val != "" && strings.Trim(val, "0") == "" {
				return true
			}
		}
	}
	return false
}

// HasSigV4Authorization reports whether the request carries an
// Authorization header that is a well-formed AWS Signature Version 4:
//
//	AWS4-HMAC-SHA256 Credential=AKID/YYYYMMDD/REGION/SERVICE/aws4_request,
//	SignedHeaders=host;x-amz-date, Signature=<64 hex digits>
//
// This is what "authorised to invalidate" means in Stagecoach. AWS requires
// a SigV4-signed request whose IAM principal is allowed
// execute-api:InvalidateCache; a self-hosted gateway has no IAM, so the
// form of the signature stands for the permission and the signature itself
// is not verified. Clients that can sign (the AWS SDKs, awscurl, the CLI)
// can invalidate; browsers and plain curl cannot.
func HasSigV4Authorization(h http.Header) bool {
	return IsSigV4(h.Get("Authorization"))
}

// IsSigV4 reports whether an Authorization header value is well-formed
// SigV4 (see HasSigV4Authorization).
func IsSigV4(auth string) bool {
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return false
	}
	var cred, signed, sig bool
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return false
		}
		switch k {
		case "Credential":
			cred = validCredential(v)
		case "SignedHeaders":
			signed = v != "" && strings.ToLower(v) == v && !strings.ContainsAny(v, " ,")
		case "Signature":
			sig = len(v) == 64 && isLowerHex(v)
		}
	}
	return cred && signed && sig
}

// validCredential checks AKID/YYYYMMDD/region/service/aws4_request.
func validCredential(v string) bool {
	parts := strings.Split(v, "/")
	if len(parts) != 5 || parts[0] == "" || parts[2] == "" || parts[3] == "" || parts[4] != "aws4_request" {
		return false
	}
	date := parts[1]
	if len(date) != 8 {
		return false
	}
	for i := range len(date) {
		if date[i] < '0' || date[i] > '9' {
			return false
		}
	}
	return true
}

func isLowerHex(s string) bool {
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
