package console

import (
	"net/http"
	"strings"
)

// Auth is what the console needs of the management plane's
// authentication (internal/guard implements it). With LoginRequired
// false (developer mode) the console has no login page and its requests
// carry no CSRF token.
type Auth interface {
	// LoginRequired reports whether pages need a logged-in session.
	LoginRequired() bool
	// Login checks an access key and its secret and, when they match a
	// configured credential, starts a session (sets its cookie).
	Login(w http.ResponseWriter, r *http.Request, accessKeyID, secret string) bool
	// Logout ends the request's session.
	Logout(w http.ResponseWriter, r *http.Request)
	// CSRFToken is the session's token pages embed for their mutations.
	CSRFToken(r *http.Request) string
	// SessionUser is the session's access key, shown in the top bar.
	SessionUser(r *http.Request) string
}

func (c *Console) loginRequired() bool { return c.auth != nil && c.auth.LoginRequired() }

// loginPage shows the access key + secret form.
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if !c.loginRequired() {
		http.Redirect(w, r, "/console/", http.StatusFound)
		return
	}
	c.render(w, r, http.StatusOK, "login.html", &pageData{Title: "Sign in", Next: safeNext(r.URL.Query().Get("next"))})
}

// login checks the form's access key and secret. The guard in front of
// the console has already refused a cross-site post.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	if !c.loginRequired() {
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	next := safeNext(r.PostFormValue("next"))
	if !c.auth.Login(w, r, r.PostFormValue("accessKeyId"), r.PostFormValue("secretAccessKey")) {
		c.render(w, r, http.StatusUnauthorized, "login.html", &pageData{Title: "Sign in", Next: next,
			LoginErr: "The access key ID or secret access key is not one of the gateway's credentials."})
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session (the guard checked its CSRF token).
func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if c.auth != nil {
		c.auth.Logout(w, r)
	}
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// safeNext keeps a post-login redirect on the console: a path under
// /console/, never another host ("//evil", "/\evil").
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/console/") || strings.ContainsAny(next, "\\\r\n") || strings.HasPrefix(next, "//") {
		return "/console/"
	}
	return next
}
