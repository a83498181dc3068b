package guard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/stagecoach/stagecoach/internal/sigv4"
)

var now = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// echo is the handler behind the guard: it answers 200 with the body it
// could read, so tests see that the body survived verification.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.WriteHeader(http.StatusOK)
	w.Write(b)
})

func newGuard(t *testing.T, creds bool, allowed ...string) (*Guard, *time.Time) {
	t.Helper()
	clock := now
	o := Options{Listen: "127.0.0.1:4566", AllowedHosts: allowed, Now: func() time.Time { return clock }}
	if creds {
		c, err := sigv4.NewCredentials(sigv4.Credential{Profile: "default", AccessKeyID: "AKID", SecretAccessKey: "SECRET"})
		if err != nil {
			t.Fatal(err)
		}
		o.Credentials = c
	}
	g, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return g, &clock
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHostCheck(t *testing.T) {
	g, _ := newGuard(t, false, "gw.example:8080", ".corp.example", "10.1.2.3")
	h := g.Wrap(echo, RestJSON)
	for host, want := range map[string]int{
		"127.0.0.1:4566":         200,
		"127.9.9.9":              200,
		"localhost:4566":         200,
		"LOCALHOST.":             200,
		"app.localhost:4566":     200,
		"[::1]:4566":             200,
		"gw.example":             200,
		"gw.example:9999":        200,
		"corp.example":           200,
		"a.b.corp.example:4566":  200,
		"10.1.2.3:4566":          200,
		"evil.example:4566":      403,
		"localhost.evil.example": 403,
		"evilcorp.example":       403,
		"192.168.1.10:4566":      403,
		"":                       403,
		"[::2]:4566":             403,
	} {
		r := httptest.NewRequest("GET", "/restapis", nil)
		r.Host = host
		w := serve(h, r)
		if w.Code != want {
			t.Errorf("Host %q: %d, want %d", host, w.Code, want)
		}
		if want == 403 {
			if w.Header().Get("x-amzn-ErrorType") != "ForbiddenException" || !strings.Contains(w.Body.String(), "is not allowed for management requests") {
				t.Errorf("Host %q: refusal %v %s", host, w.Header(), w.Body)
			}
		}
	}
}

func TestCheckExposure(t *testing.T) {
	for _, tc := range []struct {
		addrs           []string
		creds, insecure bool
		ok              bool
	}{
		{[]string{"127.0.0.1:4566"}, false, false, true},
		{[]string{"127.0.0.1:4566", "[::1]:8080"}, false, false, true},
		{[]string{"localhost:4566", ""}, false, false, true},
		{[]string{"0.0.0.0:4566"}, false, false, false},
		{[]string{":4566"}, false, false, false},
		{[]string{"127.0.0.1:4566", "10.0.0.1:80"}, false, false, false},
		{[]string{"myhost:4566"}, false, false, false},
		{[]string{"0.0.0.0:4566"}, true, false, true},
		{[]string{"0.0.0.0:4566"}, false, true, true},
	} {
		var ls [][2]string
		for _, a := range tc.addrs {
			ls = append(ls, [2]string{a, "--listen"})
		}
		err := CheckExposure(ls, tc.creds, tc.insecure)
		if (err == nil) != tc.ok {
			t.Errorf("%v creds=%v insecure=%v: err = %v", tc.addrs, tc.creds, tc.insecure, err)
		}
	}
}

func TestCrossSite(t *testing.T) {
	g, _ := newGuard(t, false, "proxy.example")
	h := g.Wrap(echo, RestJSON)
	for _, tc := range []struct {
		name, method, origin, fetchSite, ctype string
		want                                   int
	}{
		{"cli post", "POST", "", "", "application/json", 200},
		{"cli delete without content type", "DELETE", "", "", "", 200},
		{"same origin", "POST", "http://127.0.0.1:4566", "same-origin", "application/json", 200},
		{"allowed proxy origin", "PATCH", "https://proxy.example", "", "application/json", 200},
		{"other origin", "POST", "http://evil.example", "cross-site", "application/json", 403},
		{"other origin without fetch metadata", "DELETE", "http://evil.example", "", "", 403},
		{"other port is another origin", "POST", "http://127.0.0.1:9999", "", "application/json", 403},
		{"null origin", "POST", "null", "", "application/json", 403},
		{"same-site sibling", "POST", "", "same-site", "application/json", 403},
		{"cross-site without origin", "PUT", "", "cross-site", "application/json", 403},
		{"cross-site read passes", "GET", "http://evil.example", "cross-site", "", 200},
		{"text/plain", "POST", "", "", "text/plain;charset=UTF-8", 415},
		{"form", "POST", "", "", "application/x-www-form-urlencoded", 415},
		{"multipart", "POST", "", "", "multipart/form-data; boundary=x", 415},
		{"awsjson", "POST", "", "", "application/x-amz-json-1.1", 200},
		{"octet-stream import", "PUT", "", "", "application/octet-stream", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/restapis/abc/deployments", strings.NewReader(`{}`))
			r.Host = "127.0.0.1:4566"
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if tc.fetchSite != "" {
				r.Header.Set("Sec-Fetch-Site", tc.fetchSite)
			}
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			w := serve(h, r)
			if w.Code != tc.want {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tc.want)
			}
			if tc.want == 415 && w.Header().Get("x-amzn-ErrorType") != "UnsupportedMediaTypeException" {
				t.Errorf("415 error type %q", w.Header().Get("x-amzn-ErrorType"))
			}
		})
	}
}

func sign(t *testing.T, r *http.Request, key, secret string, at time.Time) {
	t.Helper()
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		r, hex.EncodeToString(sum[:]), "apigateway", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
}

// TestAuthentication: with credentials, signatures are checked and
// refusals are written in each protocol's shape; the handler still
// reads the body.
func TestAuthentication(t *testing.T) {
	g, _ := newGuard(t, true)
	for _, tc := range []struct {
		name     string
		proto    Protocol
		key      string
		secret   string
		unsigned bool
		status   int
		errType  string // x-amzn-ErrorType
		bodyType string // awsJson __type
		message  string
	}{
		{"restjson ok", RestJSON, "AKID", "SECRET", false, 200, "", "", ""},
		{"restjson unsigned", RestJSON, "", "", true, 403, "MissingAuthenticationTokenException", "", "Missing Authentication Token"},
		{"restjson unknown key", RestJSON, "NOPE", "SECRET", false, 403, "UnrecognizedClientException", "", "The security token included in the request is invalid."},
		{"restjson wrong secret", RestJSON, "AKID", "WRONG", false, 403, "InvalidSignatureException", "",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		{"awsjson ok", AWSJSON10, "AKID", "SECRET", false, 200, "", "", ""},
		{"awsjson unknown key", AWSJSON10, "NOPE", "SECRET", false, 403, "UnrecognizedClientException", "com.amazon.coral.service#UnrecognizedClientException", "The security token included in the request is invalid."},
		{"awsjson1.1 unsigned", AWSJSON11, "", "", true, 403, "MissingAuthenticationTokenException", "com.amazon.coral.service#MissingAuthenticationTokenException", "Missing Authentication Token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "http://127.0.0.1:4566/restapis", strings.NewReader(`{"name":"x"}`))
			r.Header.Set("Content-Type", "application/json")
			if !tc.unsigned {
				sign(t, r, tc.key, tc.secret, now)
			}
			w := serve(g.Wrap(echo, tc.proto), r)
			if w.Code != tc.status {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tc.status)
			}
			if tc.status == 200 {
				if w.Body.String() != `{"name":"x"}` {
					t.Fatalf("handler read %q", w.Body)
				}
				return
			}
			if got := w.Header().Get("x-amzn-ErrorType"); got != tc.errType {
				t.Errorf("x-amzn-ErrorType %q, want %q", got, tc.errType)
			}
			var doc map[string]string
			json.Unmarshal(w.Body.Bytes(), &doc)
			if doc["message"] != tc.message || doc["__type"] != tc.bodyType {
				t.Errorf("body %s", w.Body)
			}
		})
	}
}

func TestDeveloperModeAcceptsAnySignature(t *testing.T) {
	g, _ := newGuard(t, false)
	r := httptest.NewRequest("POST", "http://127.0.0.1:4566/restapis", strings.NewReader(`{}`))
	sign(t, r, "whoever", "whatever", now.Add(-time.Hour))
	if w := serve(g.Wrap(echo, RestJSON), r); w.Code != 200 {
		t.Fatalf("developer mode refused: %d %s", w.Code, w.Body)
	}
	r = httptest.NewRequest("DELETE", "http://127.0.0.1:4566/restapis/x", nil)
	if w := serve(g.Wrap(echo, RestJSON), r); w.Code != 200 {
		t.Fatalf("developer mode refused an unsigned request: %d %s", w.Code, w.Body)
	}
}

func TestBodyTooLargeToVerify(t *testing.T) {
	g, _ := newGuard(t, true)
	g.maxBody = 8
	r := httptest.NewRequest("POST", "http://127.0.0.1:4566/restapis", strings.NewReader(`{"name":"too long"}`))
	sign(t, r, "AKID", "SECRET", now)
	if w := serve(g.Wrap(echo, RestJSON), r); w.Code != 413 {
		t.Fatalf("status %d %s, want 413", w.Code, w.Body)
	}
}

// TestConsoleSession walks login → page → mutation with and without the
// CSRF token → logout → expiry.
func TestConsoleSession(t *testing.T) {
	g, clock := newGuard(t, true)
	page := g.Wrap(echo, Console)
	api := g.Wrap(echo, RestJSON)
	req := func(method, target string, body string, cookie *http.Cookie, hdr ...string) *http.Request {
		r := httptest.NewRequest(method, "http://127.0.0.1:4566"+target, strings.NewReader(body))
		if cookie != nil {
			r.AddCookie(cookie)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		return r
	}

	// Without a session, pages go to the login page and the API refuses.
	w := serve(page, req("GET", "/console/apis/x/stages", "", nil))
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/login?next="+url.QueryEscape("/console/apis/x/stages") {
		t.Fatalf("page without session: %d %v", w.Code, w.Header())
	}
	if w := serve(page, req("GET", LoginPath, "", nil)); w.Code != 200 {
		t.Fatalf("login page: %d", w.Code)
	}
	if w := serve(page, req("GET", "/console/static/console.js", "", nil)); w.Code != 200 {
		t.Fatalf("static asset: %d", w.Code)
	}

	// Wrong secret: no session.
	w = httptest.NewRecorder()
	if g.Login(w, req("POST", LoginPath, "", nil), "AKID", "nope") || len(w.Result().Cookies()) != 0 {
		t.Fatal("login with a wrong secret succeeded")
	}
	w = httptest.NewRecorder()
	if !g.Login(w, req("POST", LoginPath, "", nil), "AKID", "SECRET") {
		t.Fatal("login failed")
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies %v", cookies)
	}
	c := cookies[0]
	if c.Name != SessionCookie || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.MaxAge <= 0 || len(c.Value) < 40 {
		t.Fatalf("cookie %+v", c)
	}
	r := req("GET", "/console/", "", c)
	tok := g.CSRFToken(r)
	if tok == "" || g.SessionUser(r) != "AKID" {
		t.Fatalf("session: token %q user %q", tok, g.SessionUser(r))
	}

	if w := serve(page, req("GET", "/console/apis/x/stages", "", c)); w.Code != 200 {
		t.Fatalf("page with session: %d", w.Code)
	}
	if w := serve(api, req("GET", "/restapis", "", c)); w.Code != 200 {
		t.Fatalf("API read with session: %d", w.Code)
	}
	if w := serve(api, req("PATCH", "/restapis/x/stages/prod", "{}", c, "Content-Type", "application/json")); w.Code != 403 ||
		!strings.Contains(w.Body.String(), "CSRF") {
		t.Fatalf("mutation without CSRF token: %d %s", w.Code, w.Body)
	}
	if w := serve(api, req("PATCH", "/restapis/x/stages/prod", "{}", c, "Content-Type", "application/json", CSRFHeader, "wrong")); w.Code != 403 {
		t.Fatalf("mutation with a wrong CSRF token: %d", w.Code)
	}
	if w := serve(api, req("PATCH", "/restapis/x/stages/prod", "{}", c, "Content-Type", "application/json", CSRFHeader, tok)); w.Code != 200 {
		t.Fatalf("mutation with the CSRF token: %d %s", w.Code, w.Body)
	}
	// Logout is a form post carrying the token as a field.
	lr := req("POST", LogoutPath, CSRFField+"="+url.QueryEscape(tok), c, "Content-Type", "application/x-www-form-urlencoded")
	if w := serve(page, lr); w.Code != 200 {
		t.Fatalf("logout with token: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	g.Logout(w, req("POST", LogoutPath, "", c))
	if w := serve(api, req("GET", "/restapis", "", c)); w.Code != 403 {
		t.Fatalf("after logout: %d", w.Code)
	}

	// Sessions expire.
	w = httptest.NewRecorder()
	g.Login(w, req("POST", LoginPath, "", nil), "AKID", "SECRET")
	c = w.Result().Cookies()[0]
	*clock = clock.Add(DefaultSessionTTL)
	if w := serve(api, req("GET", "/restapis", "", c)); w.Code != 403 {
		t.Fatalf("expired session: %d", w.Code)
	}
}

// TestLoginIsGuardedAgainstCrossSite: the login form needs no session
// but is still a mutation, so another site cannot post it (login CSRF);
// logout without the token is refused.
func TestLoginIsGuardedAgainstCrossSite(t *testing.T) {
	g, _ := newGuard(t, true)
	page := g.Wrap(echo, Console)
	form := "accessKeyId=AKID&secretAccessKey=SECRET"
	r := httptest.NewRequest("POST", "http://127.0.0.1:4566"+LoginPath, strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if w := serve(page, r); w.Code != 200 {
		t.Fatalf("same-origin login post: %d %s", w.Code, w.Body)
	}
	r = httptest.NewRequest("POST", "http://127.0.0.1:4566"+LoginPath, strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://evil.example")
	if w := serve(page, r); w.Code != 403 {
		t.Fatalf("cross-site login post: %d %s", w.Code, w.Body)
	}
	r = httptest.NewRequest("POST", "http://127.0.0.1:4566"+LogoutPath, nil)
	if w := serve(page, r); w.Code != 403 {
		t.Fatalf("logout without a session: %d", w.Code)
	}
}
