package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var (
	signTime = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	testKey  = aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	tempKey  = aws.Credentials{AccessKeyID: "ASIATEMP", SecretAccessKey: "tempsecret", SessionToken: "FwoGZXIvYXdzEJr//////////token"}
)

func testVerifier(t testing.TB, now time.Time) *Verifier {
	t.Helper()
	c, err := NewCredentials(
		Credential{Profile: "default", AccessKeyID: testKey.AccessKeyID, SecretAccessKey: testKey.SecretAccessKey},
		Credential{Profile: "temp", AccessKeyID: tempKey.AccessKeyID, SecretAccessKey: tempKey.SecretAccessKey, SessionToken: tempKey.SessionToken},
	)
	if err != nil {
		t.Fatal(err)
	}
	return &Verifier{Credentials: c, Now: func() time.Time { return now }}
}

// clientRequest builds a request as a client would send it.
type clientRequest struct {
	method, url string
	header      map[string][]string
	body        string
}

func (c clientRequest) build(t testing.TB) *http.Request {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	r, err := http.NewRequest(c.method, c.url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range c.header {
		r.Header[k] = vs
	}
	return r
}

func hashHex(b string) string {
	s := sha256.Sum256([]byte(b))
	return hex.EncodeToString(s[:])
}

// onWire sends r through HTTP/1.1 serialization and parses it back as a
// server sees it (RequestURI, Host, headers as received), returning the
// server-side request and its body.
func onWire(t testing.TB, r *http.Request) (*http.Request, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(sr.Body)
	if err != nil {
		t.Fatal(err)
	}
	return sr, body
}

func sdkSign(t testing.TB, c clientRequest, creds aws.Credentials, payload string, service string, at time.Time, opts ...func(*v4.SignerOptions)) *http.Request {
	t.Helper()
	r := c.build(t)
	if payload == "" {
		payload = hashHex(c.body)
	}
	if err := v4.NewSigner(opts...).SignHTTP(context.Background(), creds, r, payload, service, "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return r
}

func sdkPresign(t testing.TB, c clientRequest, creds aws.Credentials, payload string, at time.Time, opts ...func(*v4.SignerOptions)) *http.Request {
	t.Helper()
	r := c.build(t)
	if payload == "" {
		payload = hashHex(c.body)
	}
	u, hdr, err := v4.NewSigner(opts...).PresignHTTP(context.Background(), creds, r, payload, "apigateway", "eu-west-1", at)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := http.NewRequest(c.method, u, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		if k != "Host" {
			pr.Header[k] = vs
		}
	}
	return pr
}

var roundTrips = []struct {
	name string
	req  clientRequest
	// payload is the hash the client signs with; "" is the body's.
	payload string
}{
	{"get root", clientRequest{method: "GET", url: "http://127.0.0.1:4566/"}, ""},
	{"get with query", clientRequest{method: "GET", url: "http://localhost:4566/restapis?limit=25&position=b%20c&position=a&embed=x+y"}, ""},
	{"post json", clientRequest{method: "POST", url: "http://127.0.0.1:4566/restapis/abc123/deployments",
		header: map[string][]string{"Content-Type": {"application/json"}}, body: `{"stageName":"prod","variables":{"a":"b"}}`}, ""},
	{"patch", clientRequest{method: "PATCH", url: "http://127.0.0.1:4566/restapis/abc123/stages/prod",
		header: map[string][]string{"Content-Type": {"application/json"}}, body: `{"patchOperations":[]}`}, ""},
	{"escaped arn in path", clientRequest{method: "PUT", url: "http://127.0.0.1:4566/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fabc%2Fstages%2Fprod",
		header: map[string][]string{"Content-Type": {"application/json"}}, body: `{"tags":{"k":"v"}}`}, ""},
	{"unicode and spaces in path", clientRequest{method: "GET", url: "http://127.0.0.1:4566/restapis/abc/resources/%E2%9C%93%20x"}, ""},
	{"awsjson target", clientRequest{method: "POST", url: "http://127.0.0.1:4566/",
		header: map[string][]string{"Content-Type": {"application/x-amz-json-1.0"}, "X-Amz-Target": {"CloudApiService.ListResources"}}, body: `{"TypeName":"AWS::ApiGateway::Stage"}`}, ""},
	{"header values with runs of spaces", clientRequest{method: "POST", url: "http://127.0.0.1:4566/",
		header: map[string][]string{"X-Amz-Target": {"Logs_20140328.FilterLogEvents"}, "X-Custom": {"  a   b  c ", "second"}, "Content-Type": {"application/x-amz-json-1.1"}}, body: `{}`}, ""},
	{"unsigned payload", clientRequest{method: "DELETE", url: "http://127.0.0.1:4566/restapis/abc123",
		header: map[string][]string{"X-Amz-Content-Sha256": {UnsignedPayload}}}, UnsignedPayload},
	{"declared payload hash", clientRequest{method: "POST", url: "http://127.0.0.1:4566/restapis",
		header: map[string][]string{"X-Amz-Content-Sha256": {hashHex(`{"name":"x"}`)}}, body: `{"name":"x"}`}, ""},
	{"execute-api host", clientRequest{method: "GET", url: "http://abc123.execute-api.localhost:4566/prod/pets?x=1"}, ""},
}

func TestSDKSignedRequestsVerify(t *testing.T) {
	v := testVerifier(t, signTime.Add(4*time.Minute))
	for _, tc := range roundTrips {
		for _, creds := range []aws.Credentials{testKey, tempKey} {
			t.Run(tc.name+"/"+creds.AccessKeyID, func(t *testing.T) {
				r, body := onWire(t, sdkSign(t, tc.req, creds, tc.payload, "apigateway", signTime))
				id, err := v.Verify(r, body)
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if id.AccessKeyID != creds.AccessKeyID || id.Region != "us-east-1" || id.Service != "apigateway" ||
					id.SessionToken != creds.SessionToken || !id.SignedAt.Equal(signTime) || id.Presigned {
					t.Errorf("identity = %+v", id)
				}
				// The second verification uses the cached signing key.
				if _, err := v.Verify(r, body); err != nil {
					t.Fatalf("second Verify: %v", err)
				}
			})
		}
	}
}

func TestSDKPresignedRequestsVerify(t *testing.T) {
	v := testVerifier(t, signTime.Add(9*time.Minute))
	for _, tc := range roundTrips {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.req
			sep := "?"
			if strings.Contains(c.url, "?") {
				sep = "&"
			}
			c.url += sep + "X-Amz-Expires=600"
			r, body := onWire(t, sdkPresign(t, c, tempKey, tc.payload, signTime))
			if r.Header.Get("Authorization") != "" || !strings.Contains(r.URL.RawQuery, "X-Amz-Signature=") {
				t.Fatalf("not a presigned request: %s", r.URL)
			}
			id, err := v.Verify(r, body)
			if err != nil {
				t.Fatalf("Verify %s: %v", r.URL, err)
			}
			if !id.Presigned || id.Region != "eu-west-1" || id.SessionToken != tempKey.SessionToken {
				t.Errorf("identity = %+v", id)
			}
		})
	}
}

func TestS3StyleURI(t *testing.T) {
	c := clientRequest{method: "GET", url: "http://127.0.0.1:4566/bucket/a%20b//c",
		header: map[string][]string{"X-Amz-Content-Sha256": {UnsignedPayload}}}
	r := sdkSign(t, c, testKey, UnsignedPayload, "s3", signTime, func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	sr, body := onWire(t, r)
	v := testVerifier(t, signTime)
	if _, err := v.Verify(sr, body); err == nil {
		t.Fatal("an S3-style signature verified under the double-encoding rule")
	}
	v.S3 = true
	if _, err := v.Verify(sr, body); err != nil {
		t.Fatalf("S3 Verify: %v", err)
	}
}

// TestTampered changes one thing of a signed request after signing;
// each must fail with the given code.
func TestTampered(t *testing.T) {
	base := clientRequest{method: "POST", url: "http://127.0.0.1:4566/restapis/abc/deployments?mode=merge",
		header: map[string][]string{"Content-Type": {"application/json"}}, body: `{"stageName":"prod"}`}
	v := testVerifier(t, signTime)
	for _, tc := range []struct {
		name   string
		tamper func(r *http.Request, body *[]byte)
		code   string
	}{
		{"method", func(r *http.Request, _ *[]byte) { r.Method = "PUT" }, CodeInvalidSignature},
		{"path", func(r *http.Request, _ *[]byte) { r.RequestURI = strings.Replace(r.RequestURI, "abc", "abd", 1) }, CodeInvalidSignature},
		{"query value", func(r *http.Request, _ *[]byte) { r.URL.RawQuery = "mode=overwrite" }, CodeInvalidSignature},
		{"query added", func(r *http.Request, _ *[]byte) { r.URL.RawQuery += "&x=1" }, CodeInvalidSignature},
		{"signed header", func(r *http.Request, _ *[]byte) { r.Header.Set("Content-Type", "text/plain") }, CodeInvalidSignature},
		{"host", func(r *http.Request, _ *[]byte) { r.Host = "evil.example:4566" }, CodeInvalidSignature},
		{"body", func(_ *http.Request, b *[]byte) { *b = []byte(`{"stageName":"evil"}`) }, CodeInvalidSignature},
		{"date", func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Date", "20261202T120001Z") }, CodeInvalidSignature},
		{"signature", func(r *http.Request, _ *[]byte) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-1]+string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", a[len(a)-1])+1)%16]))
		}, CodeInvalidSignature},
		{"declared hash of another body", func(r *http.Request, b *[]byte) {
			r.Header.Set("X-Amz-Content-Sha256", hashHex(string(*b)))
			*b = []byte("{}")
		}, CodeContentSHA256Mismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, body := onWire(t, sdkSign(t, base, testKey, "", "apigateway", signTime))
			if _, err := v.Verify(r, body); err != nil {
				t.Fatalf("untampered: %v", err)
			}
			tc.tamper(r, &body)
			_, err := v.Verify(r, body)
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
		})
	}
}

// TestErrors checks the code, status and exact message of each failure.
func TestErrors(t *testing.T) {
	get := clientRequest{method: "GET", url: "http://127.0.0.1:4566/restapis"}
	signed := func(creds aws.Credentials, at time.Time) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request { return sdkSign(t, get, creds, "", "apigateway", at) }
	}
	presigned := func(expires string, at time.Time) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			c := get
			if expires != "" {
				c.url += "?X-Amz-Expires=" + expires
			}
			return sdkPresign(t, c, testKey, "", at)
		}
	}
	withAuth := func(auth string, hdr ...string) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := get.build(t)
			r.Header.Set("Authorization", auth)
			for i := 0; i+1 < len(hdr); i += 2 {
				r.Header.Set(hdr[i], hdr[i+1])
			}
			return r
		}
	}
	const cred = "AKIDEXAMPLE/20261202/us-east-1/apigateway/aws4_request"
	for _, tc := range []struct {
		name    string
		req     func(t *testing.T) *http.Request
		code    string
		status  int
		message string
	}{
		{"unsigned", func(t *testing.T) *http.Request { return get.build(t) }, CodeMissingToken, 403, "Missing Authentication Token"},
		{"unknown key", signed(aws.Credentials{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "x"}, signTime), CodeUnrecognizedClient, 403,
			"The security token included in the request is invalid."},
		{"wrong secret", signed(aws.Credentials{AccessKeyID: testKey.AccessKeyID, SecretAccessKey: "wrong"}, signTime), CodeInvalidSignature, 403,
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		{"session token missing", signed(aws.Credentials{AccessKeyID: tempKey.AccessKeyID, SecretAccessKey: tempKey.SecretAccessKey}, signTime), CodeUnrecognizedClient, 403,
			"The security token included in the request is invalid."},
		{"session token wrong", signed(aws.Credentials{AccessKeyID: tempKey.AccessKeyID, SecretAccessKey: tempKey.SecretAccessKey, SessionToken: "other"}, signTime), CodeUnrecognizedClient, 403,
			"The security token included in the request is invalid."},
		{"expired", signed(testKey, signTime.Add(-15*time.Minute)), CodeInvalidSignature, 403,
			"Signature expired: 20261202T114500Z is now earlier than 20261202T115500Z (20261202T120000Z - 5 min.)"},
		{"just within skew", signed(testKey, signTime.Add(-5*time.Minute)), "", 0, ""},
		{"not yet current", signed(testKey, signTime.Add(6*time.Minute)), CodeInvalidSignature, 403,
			"Signature not yet current: 20261202T120600Z is still later than 20261202T120500Z (20261202T120000Z + 5 min.)"},
		{"presigned within expiry", presigned("3600", signTime.Add(-59*time.Minute)), "", 0, ""},
		{"presigned expired", presigned("60", signTime.Add(-2*time.Minute)), CodeInvalidSignature, 403,
			"Signature expired: 20261202T115800Z is now earlier than 20261202T115900Z (20261202T120000Z - 60 sec.)"},
		{"presigned without expires uses the skew", presigned("", signTime.Add(-6*time.Minute)), CodeInvalidSignature, 403,
			"Signature expired: 20261202T115400Z is now earlier than 20261202T115500Z (20261202T120000Z - 5 min.)"},
		{"presigned expires over a week", presigned("604801", signTime), CodeIncomplete, 400,
			"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"},
		{"presigned expires not a number", presigned("soon", signTime), CodeIncomplete, 400, "X-Amz-Expires should be a number"},
		{"presigned missing parts", func(t *testing.T) *http.Request {
			return clientRequest{method: "GET", url: "http://127.0.0.1:4566/restapis?X-Amz-Signature=abc"}.build(t)
		}, CodeIncomplete, 400,
			"AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{"not sigv4", withAuth("Bearer eyJhbGciOi"), CodeIncomplete, 400,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer eyJhbGciOi"},
		{"no signature part", withAuth("AWS4-HMAC-SHA256 Credential="+cred+", SignedHeaders=host;x-amz-date", "X-Amz-Date", "20261202T120000Z"), CodeIncomplete, 400,
			"Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host;x-amz-date"},
		{"missing equal sign", withAuth("AWS4-HMAC-SHA256 Credential="+cred+", SignedHeaders, Signature=ab", "X-Amz-Date", "20261202T120000Z"), CodeIncomplete, 400,
			"'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders, Signature=ab'."},
		{"short credential", withAuth("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1, SignedHeaders=host, Signature=ab", "X-Amz-Date", "20261202T120000Z"), CodeIncomplete, 400,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20261202/us-east-1'"},
		{"bad terminator", withAuth("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1/apigateway/aws5_request, SignedHeaders=host, Signature=ab", "X-Amz-Date", "20261202T120000Z"), CodeInvalidSignature, 403,
			"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."},
		{"scope date mismatch", withAuth("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=ab", "X-Amz-Date", "20261202T120000Z"), CodeInvalidSignature, 403,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261201' != '20261202', from '20261202T120000Z'."},
		{"bad date", withAuth("AWS4-HMAC-SHA256 Credential="+cred+", SignedHeaders=host, Signature=ab", "X-Amz-Date", "yesterday"), CodeIncomplete, 400,
			"Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"header and query", func(t *testing.T) *http.Request {
			r := sdkSign(t, get, testKey, "", "apigateway", signTime)
			r.URL.RawQuery = "X-Amz-Signature=abc"
			return r
		}, CodeIncomplete, 400,
			"Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"},
		{"streaming payload", func(t *testing.T) *http.Request {
			return sdkSign(t, clientRequest{method: "PUT", url: "http://127.0.0.1:4566/x",
				header: map[string][]string{"X-Amz-Content-Sha256": {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}}}, testKey, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "s3", signTime)
		}, CodeIncomplete, 400, "Streaming (aws-chunked) payload signing is not supported here; sign the whole body."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, body := onWire(t, tc.req(t))
			_, err := testVerifier(t, signTime).Verify(r, body)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error %s", err, tc.code)
			}
			if e.Code != tc.code || e.Status != tc.status || e.Message != tc.message {
				t.Fatalf("got %s %d %q\nwant %s %d %q", e.Code, e.Status, e.Message, tc.code, tc.status, tc.message)
			}
		})
	}
}

// TestDateHeader: a request may carry its time in Date instead of
// X-Amz-Date; the string to sign then holds its ISO-8601 form.
func TestDateHeader(t *testing.T) {
	r := clientRequest{method: "GET", url: "http://127.0.0.1:4566/restapis"}.build(t)
	r.Header.Set("Date", signTime.Format(http.TimeFormat))
	sr, body := onWire(t, r)
	sig := signature{signedHeaders: "date;host", amzDate: signTime.Format(TimeFormat)}
	cr := testVerifier(t, signTime).canonicalRequest(nil, sr, parseQuery(sr.URL.RawQuery), &sig, hashHex(""))
	crh := sha256.Sum256(cr)
	scope := "20261202/us-east-1/apigateway/aws4_request"
	sts := Algorithm + "\n" + sig.amzDate + "\n" + scope + "\n" + hex.EncodeToString(crh[:])
	mac := hmacSHA256(deriveKey(testKey.SecretAccessKey, "20261202", "us-east-1", "apigateway"), sts)
	sr.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testKey.AccessKeyID+"/"+scope+", SignedHeaders=date;host, Signature="+hex.EncodeToString(mac))
	if _, err := testVerifier(t, signTime).Verify(sr, body); err != nil {
		t.Fatal(err)
	}
}

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"":            "/",
		"/":           "/",
		"/a/b":        "/a/b",
		"/a//b/":      "/a/b/",
		"/a/./b/../c": "/a/c",
		"/../a":       "/a",
		"//":          "/",
		"/.well/x":    "/.well/x",
	} {
		if got := normalizePath(in); got != want {
			t.Errorf("normalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	c := clientRequest{method: "PATCH", url: "http://127.0.0.1:4566/restapis/abc123/stages/prod",
		header: map[string][]string{"Content-Type": {"application/json"}}, body: `{"patchOperations":[{"op":"replace","path":"/*/*/throttling/rateLimit","value":"50"}]}`}
	r, body := onWire(b, sdkSign(b, c, testKey, "", "apigateway", signTime))
	v := testVerifier(b, signTime)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, body); err != nil {
			b.Fatal(err)
		}
	}
}
