package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// Algorithm is the only signing algorithm verified (SigV4a's
	// AWS4-ECDSA-P256-SHA256 is not).
	Algorithm = "AWS4-HMAC-SHA256"
	// TimeFormat is X-Amz-Date's ISO-8601 basic format.
	TimeFormat = "20060102T150405Z"
	// MaxSkew is AWS's allowed difference between a request's signing
	// time and the server's clock.
	MaxSkew = 5 * time.Minute
	// MaxPresignExpires is the largest X-Amz-Expires, one week.
	MaxPresignExpires = 604800
	// UnsignedPayload is the X-Amz-Content-Sha256 value that leaves the
	// body out of the signature.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	scopeTerminator = "aws4_request"
)

// Verifier checks SigV4 signatures against a set of credentials. Its
// zero value (plus Credentials) is ready; it is safe for concurrent use.
type Verifier struct {
	Credentials *Credentials
	// Now is the clock the skew and expiry rules use; nil is time.Now.
	Now func() time.Time
	// S3 selects S3's canonical URI rule: the path exactly as sent,
	// neither normalized nor encoded a second time. Every other service
	// normalizes and double-encodes.
	S3 bool

	// keys caches derived signing keys per access key and scope (a
	// scope changes daily), filled only by requests that verified.
	keys     sync.Map // string -> []byte
	keyCount atomic.Int32
}

// maxCachedKeys bounds the signing-key cache; it is emptied when full.
const maxCachedKeys = 1024

// Identity is who signed a verified request.
type Identity struct {
	AccessKeyID string
	// Profile is the credentials-file section of the key.
	Profile string
	// Region and Service are the credential scope's.
	Region, Service string
	// SessionToken is the X-Amz-Security-Token presented, if any.
	SessionToken string
	// SignedAt is the request's X-Amz-Date (or Date).
	SignedAt time.Time
	// Presigned is true for query-string signatures.
	Presigned bool
}

// HasSignature reports whether r carries a signature in either form,
// without checking it: an Authorization header, or a presigned query
// (X-Amz-Signature, X-Amz-Credential or X-Amz-Algorithm).
func HasSignature(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return true
	}
	q := r.URL.RawQuery
	return strings.Contains(q, "X-Amz-Signature=") || strings.Contains(q, "X-Amz-Credential=") || strings.Contains(q, "X-Amz-Algorithm=")
}

// signature is what a request says about its own signature, from the
// Authorization header or the presigned query.
type signature struct {
	presigned     bool
	accessKey     string
	scope         string // date/region/service/aws4_request
	date          string // the scope's date
	region        string
	service       string
	terminator    string
	signedHeaders string
	signature     string
	amzDate       string // ISO-8601 basic, as signed
	t             time.Time
	expires       int64 // presigned only; 0 = not given
	token         string
	declaredHash  string // X-Amz-Content-Sha256, if any
}

// Verify checks r's signature; body is r's body, already read by the
// caller (Verify never reads r.Body). It returns the signer or an
// *Error.
func (v *Verifier) Verify(r *http.Request, body []byte) (Identity, error) {
	q := parseQuery(r.URL.RawQuery)
	auth := r.Header.Get("Authorization")
	presign := q.has("X-Amz-Signature") || q.has("X-Amz-Credential") || q.has("X-Amz-Algorithm")
	var sig signature
	var err *Error
	switch {
	case auth != "" && presign:
		return Identity{}, errIncomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
	case auth != "":
		sig, err = parseAuthorization(r, auth)
	case presign:
		sig, err = parsePresigned(r, q)
	default:
		return Identity{}, errMissing()
	}
	if err != nil {
		return Identity{}, err
	}
	if v.Credentials == nil {
		return Identity{}, errUnrecognized()
	}
	cred, ok := v.Credentials.Lookup(sig.accessKey)
	if !ok {
		return Identity{}, errUnrecognized()
	}
	if cred.SessionToken != "" && subtle.ConstantTimeCompare([]byte(cred.SessionToken), []byte(sig.token)) != 1 {
		return Identity{}, errUnrecognized()
	}
	if err := sig.checkScope(); err != nil {
		return Identity{}, err
	}
	if err := sig.checkTime(v.now()); err != nil {
		return Identity{}, err
	}
	payload, err := payloadHash(&sig, body, v.S3)
	if err != nil {
		return Identity{}, err
	}

	buf := bufPool.Get().(*[]byte)
	defer bufPool.Put(buf)
	cr := v.canonicalRequest((*buf)[:0], r, q, &sig, payload)
	*buf = cr
	crHash := sha256.Sum256(cr)

	cacheKey := sig.accessKey + "/" + sig.scope
	key, cached := v.keys.Load(cacheKey)
	var signingKey []byte
	if cached {
		signingKey = key.([]byte)
	} else {
		signingKey = deriveKey(cred.SecretAccessKey, sig.date, sig.region, sig.service)
	}
	mac := hmac.New(sha256.New, signingKey)
	mac.Write([]byte(Algorithm + "\n"))
	mac.Write([]byte(sig.amzDate))
	mac.Write([]byte{'\n'})
	mac.Write([]byte(sig.scope))
	mac.Write([]byte{'\n'})
	var hexHash [64]byte
	hex.Encode(hexHash[:], crHash[:])
	mac.Write(hexHash[:])
	var want [64]byte
	hex.Encode(want[:], mac.Sum(nil))
	if subtle.ConstantTimeCompare(want[:], []byte(sig.signature)) != 1 {
		return Identity{}, errMismatch()
	}
	if !cached {
		if v.keyCount.Add(1) > maxCachedKeys {
			v.keys.Clear()
			v.keyCount.Store(1)
		}
		v.keys.Store(cacheKey, signingKey)
	}
	return Identity{
		AccessKeyID:  cred.AccessKeyID,
		Profile:      cred.Profile,
		Region:       sig.region,
		Service:      sig.service,
		SessionToken: sig.token,
		SignedAt:     sig.t,
		Presigned:    sig.presigned,
	}, nil
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func deriveKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, scopeTerminator)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// parseAuthorization reads "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
// and the request's date and token headers.
func parseAuthorization(r *http.Request, auth string) (signature, *Error) {
	var s signature
	alg, rest, _ := strings.Cut(strings.TrimSpace(auth), " ")
	var cred string
	var haveCred, haveSigned, haveSig bool
	if alg == Algorithm {
		for part := range strings.SplitSeq(rest, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			k, val, ok := strings.Cut(part, "=")
			if !ok {
				return s, errIncomplete("'" + part + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + auth + "'.")
			}
			switch k {
			case "Credential":
				cred, haveCred = val, true
			case "SignedHeaders":
				s.signedHeaders, haveSigned = val, true
			case "Signature":
				s.signature, haveSig = val, true
			}
		}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	date := r.Header.Get("Date")
	var missing strings.Builder
	if !haveCred {
		missing.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if !haveSig {
		missing.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if !haveSigned {
		missing.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	if amzDate == "" && date == "" {
		missing.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if missing.Len() > 0 {
		return s, errIncomplete(missing.String() + "Authorization=" + auth)
	}
	if err := s.parseCredential(cred); err != nil {
		return s, err
	}
	if amzDate != "" {
		t, err := time.Parse(TimeFormat, amzDate)
		if err != nil {
			return s, errIncomplete("Date must be in ISO-8601 'basic format'. Got '" + amzDate + "'. See http://en.wikipedia.org/wiki/ISO_8601")
		}
		s.t, s.amzDate = t, amzDate
	} else {
		t, err := http.ParseTime(date)
		if err != nil {
			return s, errIncomplete("Date must be in RFC 1123 format. Got '" + date + "'.")
		}
		s.t = t.UTC()
		s.amzDate = s.t.Format(TimeFormat)
	}
	s.token = r.Header.Get("X-Amz-Security-Token")
	s.declaredHash = r.Header.Get("X-Amz-Content-Sha256")
	return s, nil
}

// parsePresigned reads the X-Amz-* query parameters of a presigned URL.
func parsePresigned(r *http.Request, q query) (signature, *Error) {
	s := signature{presigned: true}
	var missing strings.Builder
	get := func(name string) string {
		v, ok := q.get(name)
		if !ok {
			missing.WriteString("AWS query-string parameters must include '" + name + "'. ")
		}
		return v
	}
	alg := get("X-Amz-Algorithm")
	cred := get("X-Amz-Credential")
	s.signature = get("X-Amz-Signature")
	s.signedHeaders = get("X-Amz-SignedHeaders")
	s.amzDate = get("X-Amz-Date")
	if missing.Len() > 0 {
		return s, errIncomplete(missing.String() + "Re-examine the query-string parameters.")
	}
	if alg != Algorithm {
		return s, errIncomplete("X-Amz-Algorithm only supports \"" + Algorithm + "\"")
	}
	if err := s.parseCredential(cred); err != nil {
		return s, err
	}
	t, err := time.Parse(TimeFormat, s.amzDate)
	if err != nil {
		return s, errIncomplete("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	s.t = t
	if e, ok := q.get("X-Amz-Expires"); ok {
		n, err := strconv.ParseInt(e, 10, 64)
		switch {
		case err != nil || n < 0:
			return s, errIncomplete("X-Amz-Expires should be a number")
		case n > MaxPresignExpires:
			return s, errIncomplete("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")
		}
		s.expires = n
		if n == 0 {
			s.expires = -1 // given as 0: already expired
		}
	}
	s.token, _ = q.get("X-Amz-Security-Token")
	var ok bool
	if s.declaredHash, ok = q.get("X-Amz-Content-Sha256"); !ok {
		// Kept as a (signed) header rather than hoisted into the query.
		s.declaredHash = r.Header.Get("X-Amz-Content-Sha256")
	}
	return s, nil
}

// parseCredential splits keyid/date/region/service/aws4_request.
func (s *signature) parseCredential(cred string) *Error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return errIncomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + cred + "'")
	}
	s.accessKey, s.date, s.region, s.service, s.terminator = parts[0], parts[1], parts[2], parts[3], parts[4]
	s.scope = cred[len(parts[0])+1:]
	return nil
}

// checkScope applies AWS's credential-scope rules.
func (s *signature) checkScope() *Error {
	if s.terminator != scopeTerminator {
		return errInvalid("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", s.terminator)
	}
	if d := s.amzDate[:min(8, len(s.amzDate))]; s.date != d {
		return errInvalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", s.date, d, s.amzDate)
	}
	if s.region == "" {
		return errInvalid("Credential should be scoped to a valid region. ")
	}
	if s.service == "" {
		return errInvalid("Credential should be scoped to correct service. ")
	}
	return nil
}

// checkTime applies the skew rule (header) or the presigned window.
func (s *signature) checkTime(now time.Time) *Error {
	now = now.UTC()
	if late := now.Add(MaxSkew); s.t.After(late) {
		return errInvalid("Signature not yet current: %s is still later than %s (%s + 5 min.)",
			s.amzDate, late.Format(TimeFormat), now.Format(TimeFormat))
	}
	if s.presigned && s.expires != 0 {
		exp := max(s.expires, 0)
		if earliest := now.Add(-time.Duration(exp) * time.Second); s.t.Before(earliest) || s.expires < 0 {
			return errInvalid("Signature expired: %s is now earlier than %s (%s - %d sec.)",
				s.amzDate, earliest.Format(TimeFormat), now.Format(TimeFormat), exp)
		}
		return nil
	}
	if early := now.Add(-MaxSkew); s.t.Before(early) {
		return errInvalid("Signature expired: %s is now earlier than %s (%s - 5 min.)",
			s.amzDate, early.Format(TimeFormat), now.Format(TimeFormat))
	}
	return nil
}

// payloadHash is the canonical request's last line: the declared
// X-Amz-Content-Sha256 (checked against the body unless it is
// UNSIGNED-PAYLOAD), else the body's hash; presigned S3 requests without
// a declaration are UNSIGNED-PAYLOAD, as S3 signs them.
func payloadHash(s *signature, body []byte, s3 bool) (string, *Error) {
	switch d := s.declaredHash; {
	case d == UnsignedPayload:
		return d, nil
	case strings.HasPrefix(d, "STREAMING-"):
		return "", errIncomplete("Streaming (aws-chunked) payload signing is not supported here; sign the whole body.")
	case d != "":
		sum := sha256.Sum256(body)
		if len(d) != 64 || !strings.EqualFold(d, hex.EncodeToString(sum[:])) {
			return "", errSHA256()
		}
		return d, nil
	case s.presigned && s3:
		return UnsignedPayload, nil
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:]), nil
}
