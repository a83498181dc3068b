package guard

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/stagecoach/stagecoach/internal/sigv4"
)

// The console's session: after the login page checked an access key and
// its secret, the browser holds a random session id in an HttpOnly,
// SameSite=Strict cookie; the server keeps the session in memory (a
// restart logs everyone out). Mutations made with the session (the
// console's fetch calls to the REST API and the Logs API, and logout)
// must also carry the session's CSRF token, which the console's pages
// embed, in the X-Stagecoach-Csrf header or a "csrf" form field.
const (
	LoginPath         = "/console/login"
	LogoutPath        = "/console/logout"
	SessionCookie     = "stagecoach_session"
	CSRFHeader        = "X-Stagecoach-Csrf"
	CSRFField         = "csrf"
	DefaultSessionTTL = 12 * time.Hour
	// maxSessions bounds memory: at the cap, expired sessions are
	// dropped, then the one closest to expiry.
	maxSessions = 4096
)

type session struct {
	id        string
	accessKey string
	csrf      string
	expires   time.Time
}

type sessions struct {
	creds *sigv4.Credentials
	now   func() time.Time
	ttl   time.Duration

	mu   sync.Mutex
	byID map[string]*session
}

func newSessions(c *sigv4.Credentials, now func() time.Time, ttl time.Duration) *sessions {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	return &sessions{creds: c, now: now, ttl: ttl, byID: map[string]*session{}}
}

func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// fromRequest returns the live session the request's cookie names.
func (s *sessions) fromRequest(r *http.Request) (*session, bool) {
	if s == nil {
		return nil, false
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.byID[c.Value]
	if !ok {
		return nil, false
	}
	if !s.now().Before(se.expires) {
		delete(s.byID, se.id)
		return nil, false
	}
	return se, true
}

// csrfOK checks the request's CSRF token against the session's, from the
// header or, for a form post, the form field.
func (se *session) csrfOK(r *http.Request) bool {
	tok := r.Header.Get(CSRFHeader)
	if tok == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
		tok = r.PostFormValue(CSRFField)
	}
	return tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(se.csrf)) == 1
}

// login checks an access key and secret and starts a session.
func (s *sessions) login(w http.ResponseWriter, r *http.Request, accessKey, secret string) bool {
	cred, ok := s.creds.Check(strings.TrimSpace(accessKey), strings.TrimSpace(secret))
	if !ok {
		return false
	}
	now := s.now()
	se := &session{id: randomToken(), accessKey: cred.AccessKeyID, csrf: randomToken(), expires: now.Add(s.ttl)}
	s.mu.Lock()
	if len(s.byID) >= maxSessions {
		s.evictLocked(now)
	}
	s.byID[se.id] = se
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: se.id, Path: "/",
		Expires: se.expires, MaxAge: int(s.ttl / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	return true
}

func (s *sessions) evictLocked(now time.Time) {
	var oldest *session
	for id, se := range s.byID {
		if !now.Before(se.expires) {
			delete(s.byID, id)
		} else if oldest == nil || se.expires.Before(oldest.expires) {
			oldest = se
		}
	}
	if len(s.byID) >= maxSessions && oldest != nil {
		delete(s.byID, oldest.id)
	}
}

// logout ends the request's session and clears the cookie.
func (s *sessions) logout(w http.ResponseWriter, r *http.Request) {
	if se, ok := s.fromRequest(r); ok {
		s.mu.Lock()
		delete(s.byID, se.id)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}

// The console's view of authentication (console.Auth).

// LoginRequired reports whether the console asks for a login.
func (g *Guard) LoginRequired() bool { return g.sessions != nil }

// Login checks an access key and its secret against the credentials and
// starts a session (sets the cookie).
func (g *Guard) Login(w http.ResponseWriter, r *http.Request, accessKeyID, secret string) bool {
	return g.sessions != nil && g.sessions.login(w, r, accessKeyID, secret)
}

// Logout ends the request's session.
func (g *Guard) Logout(w http.ResponseWriter, r *http.Request) {
	if g.sessions != nil {
		g.sessions.logout(w, r)
	}
}

// CSRFToken is the CSRF token of the request's session, "" without one.
func (g *Guard) CSRFToken(r *http.Request) string {
	if se, ok := g.sessions.fromRequest(r); ok {
		return se.csrf
	}
	return ""
}

// SessionUser is the access key of the request's session, "" without one.
func (g *Guard) SessionUser(r *http.Request) string {
	if se, ok := g.sessions.fromRequest(r); ok {
		return se.accessKey
	}
	return ""
}
