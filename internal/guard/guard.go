// Package guard protects Stagecoach's management plane — the API Gateway
// REST API, Cloud Control, the CloudWatch Logs API, /metrics and the
// console — at one place: server wiring wraps each management handler
// with Guard.Wrap, naming the protocol its refusals are written in.
// Data-plane requests (invoke URLs) never pass through it.
//
// Every wrapped request goes through, in order:
//
//  1. Host check (hosts.go): the Host must be a loopback name or address,
//     an address of the listen address, or an --allowed-hosts entry;
//     anything else is 403. A DNS-rebinding page (evil.example resolving to
//     127.0.0.1) sends Host: evil.example and stops here.
//  2. Cross-site check (crosssite.go), for mutating methods: a browser's
//     Origin other than the request's own, or Sec-Fetch-Site cross-site /
//     same-site, is 403; JSON endpoints refuse the three content types a
//     page can send without a CORS preflight (text/plain, form, multipart)
//     with 415.
//  3. Authentication (only with credentials; without them, developer
//     mode, nothing more is checked): a SigV4 signature (header or
//     presigned, internal/sigv4) from one of the configured keys, or the
//     console's session cookie — whose mutations also carry the session's
//     CSRF token (sessions.go).
//
// Refusals are rendered per protocol (render.go), so the AWS CLI prints
// the same line it prints against AWS.
package guard

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/internal/sigv4"
)

// Options configure a Guard.
type Options struct {
	// Credentials, when set, turns authentication on; nil is developer
	// mode.
	Credentials *sigv4.Credentials
	// Listen is the management listener's address (host:port); its host,
	// or every local address when it is unspecified, is an allowed Host.
	Listen string
	// AllowedHosts are further Host names the management plane answers
	// for: "name" matches that name, ".example.com" that domain and its
	// subdomains. A ":port" suffix is ignored.
	AllowedHosts []string
	// MaxBody bounds the body read to verify a signature; zero is
	// DefaultMaxBody.
	MaxBody int64
	// Now is the clock of signatures and sessions; nil is time.Now.
	Now func() time.Time
	// SessionTTL is a console session's lifetime; zero is
	// DefaultSessionTTL.
	SessionTTL time.Duration
}

// DefaultMaxBody is larger than every management handler's own limit
// (6 MB for OpenAPI imports), so those keep answering their own errors.
const DefaultMaxBody = 10 << 20

// Guard is the management plane's gatekeeper.
type Guard struct {
	verifier *sigv4.Verifier // nil: developer mode
	hosts    hostPolicy
	maxBody  int64
	sessions *sessions
}

// New builds a Guard.
func New(o Options) (*Guard, error) {
	hosts, err := newHostPolicy(o.Listen, o.AllowedHosts)
	if err != nil {
		return nil, err
	}
	g := &Guard{hosts: hosts, maxBody: o.MaxBody}
	if g.maxBody <= 0 {
		g.maxBody = DefaultMaxBody
	}
	if o.Credentials != nil {
		now := o.Now
		if now == nil {
			now = time.Now
		}
		g.verifier = &sigv4.Verifier{Credentials: o.Credentials, Now: now}
		g.sessions = newSessions(o.Credentials, now, o.SessionTTL)
	}
	return g, nil
}

// Authenticating reports whether credentials are configured.
func (g *Guard) Authenticating() bool { return g.verifier != nil }

// Wrap returns h behind the guard; p is the protocol refusals are
// written in.
func (g *Guard) Wrap(h http.Handler, p Protocol) http.Handler {
	return &guarded{g: g, next: h, proto: p}
}

type guarded struct {
	g     *Guard
	next  http.Handler
	proto Protocol
}

func (gh *guarded) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g := gh.g
	if !g.hosts.allowed(r.Host) {
		gh.proto.refuse(w, r, errHostNotAllowed(r.Host))
		return
	}
	mutating := !safeMethod(r.Method)
	if mutating {
		if err := g.crossSite(r); err != nil {
			gh.proto.refuse(w, r, err)
			return
		}
	}
	if gh.proto.json() {
		if err := refusedContentType(r); err != nil {
			gh.proto.refuse(w, r, err)
			return
		}
	}
	if g.verifier == nil || gh.proto.open(r) {
		gh.next.ServeHTTP(w, r)
		return
	}
	if sigv4.HasSignature(r) {
		if !g.verifySignature(w, r, gh.proto) {
			return
		}
		gh.next.ServeHTTP(w, r)
		return
	}
	if s, ok := g.sessions.fromRequest(r); ok {
		if mutating && !s.csrfOK(r) {
			gh.proto.refuse(w, r, errCSRF())
			return
		}
		gh.next.ServeHTTP(w, r)
		return
	}
	if gh.proto == Console && !mutating {
		redirectToLogin(w, r)
		return
	}
	gh.proto.refuse(w, r, sigv4Refusal(&sigv4.Error{Code: sigv4.CodeMissingToken, Status: http.StatusForbidden, Message: "Missing Authentication Token"}))
}

// verifySignature reads the body once (bounded), verifies, and puts the
// body back for the handler. It writes the refusal and reports false on
// failure.
func (g *Guard) verifySignature(w http.ResponseWriter, r *http.Request, p Protocol) bool {
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(io.LimitReader(r.Body, g.maxBody+1))
		r.Body.Close()
		if err != nil {
			p.refuse(w, r, &refusal{Status: http.StatusBadRequest, Code: "BadRequestException", Message: "Could not read request body"})
			return false
		}
		if int64(len(b)) > g.maxBody {
			p.refuse(w, r, &refusal{Status: http.StatusRequestEntityTooLarge, Code: "RequestEntityTooLargeException", Message: "Request Entity Too Large"})
			return false
		}
		body = b
	}
	if _, err := g.verifier.Verify(r, body); err != nil {
		var se *sigv4.Error
		if !errors.As(err, &se) {
			se = &sigv4.Error{Code: sigv4.CodeInvalidSignature, Status: http.StatusForbidden, Message: err.Error()}
		}
		slog.Debug("management request refused", "code", se.Code, "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		p.refuse(w, r, sigv4Refusal(se))
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return true
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// redirectToLogin sends a console page request without a session to the
// login page, remembering where it was going.
func redirectToLogin(w http.ResponseWriter, r *http.Request) {
	target := LoginPath
	if p := r.URL.RequestURI(); p != "/console/" && strings.HasPrefix(p, "/console") {
		target += "?next=" + urlQueryEscape(p)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
