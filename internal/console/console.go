// Package console serves Stagecoach's web console under /console/: the
// stage pages of the API Gateway console guide (APIs, an API's resources,
// deployments and stages, the stage editor with its tabs, per-method
// overrides, account settings and a per-stage dashboard).
//
// Pages are server-rendered with html/template from reads made through the
// control API's own HTTP handler. Every change is made by the browser with
// fetch against the same restJson1 routes the AWS CLI uses (PATCH
// /restapis/{id}/stages/{name}, POST .../stages, PUT /tags/{arn}, PATCH
// /account, ...), so there is no second write path and AWS's validation
// messages (the "message" of error bodies) are shown as they come. All
// assets are embedded; nothing is loaded from elsewhere.
package console

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configures the console.
type Options struct {
	// API is the control-plane handler (restJson1) pages read through.
	API http.Handler
	// Region appears in stage ARNs (tags); defaults to us-east-1.
	Region string
	// Metrics, when set, gives the dashboard each stage's last hour of
	// request metrics (telemetry/cwmetrics.Collector). Without it the
	// dashboard shows the log tails only and says why there are no charts.
	Metrics StageMetrics
	// Auth, when set, gives the console a login page, logout and CSRF
	// tokens (serve --credentials); nil is developer mode.
	Auth Auth
}

// Console is the /console handler.
type Console struct {
	api     *apiClient
	region  string
	metrics StageMetrics
	auth    Auth
	mux     *http.ServeMux
	pages   map[string]*template.Template
}

var _ http.Handler = (*Console)(nil)

// New returns the console handler. It panics if the embedded templates do
// not parse, which a test catches at build time.
func New(o Options) *Console {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	c := &Console{api: &apiClient{h: o.API}, region: o.Region, metrics: o.Metrics, auth: o.Auth, mux: http.NewServeMux()}
	c.pages = parsePages()
	c.routes()
	return c
}

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// The console loads only its own assets and talks only to its own
	// origin; say so, so a stray injected tag cannot reach elsewhere.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	c.mux.ServeHTTP(w, r)
}

func (c *Console) routes() {
	static, _ := fs.Sub(staticFS, "static")
	c.mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	c.mux.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/", http.StatusFound)
	})
	c.mux.HandleFunc("GET /console/login", c.loginPage)
	c.mux.HandleFunc("POST /console/login", c.login)
	c.mux.HandleFunc("POST /console/logout", c.logout)
	c.mux.HandleFunc("GET /console/{$}", c.apisPage)
	c.mux.HandleFunc("GET /console/settings", c.settingsPage)
	c.mux.HandleFunc("GET /console/apis/{api}/{$}", c.resourcesPage)
	c.mux.HandleFunc("GET /console/apis/{api}/resources", c.resourcesPage)
	c.mux.HandleFunc("GET /console/apis/{api}/deployments", c.deploymentsPage)
	c.mux.HandleFunc("GET /console/apis/{api}/stages", c.stagesPage)
	c.mux.HandleFunc("GET /console/apis/{api}/create-stage", c.createStagePage)
	c.mux.HandleFunc("GET /console/apis/{api}/stages/{stage}/{$}", c.stageTab("settings"))
	for _, tab := range []string{"variables", "logs", "canary", "tags", "dashboard"} {
		c.mux.HandleFunc("GET /console/apis/{api}/stages/{stage}/"+tab, c.stageTab(tab))
	}
	c.mux.HandleFunc("GET /console/apis/{api}/stages/{stage}/method", c.methodPage)
	c.mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.render(w, r, http.StatusNotFound, "error.html", &pageData{Title: "Not found", PageErr: "There is no console page at " + r.URL.Path + "."})
	})
}

// parsePages parses each page template together with the shared layout.
func parsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := n[len("templates/"):]
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		t := template.New(base).Funcs(funcs)
		pages[base] = template.Must(t.ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n))
	}
	return pages
}

// render writes a page. Template errors after the header is sent can only
// be logged.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, d *pageData) {
	t, ok := c.pages[page]
	if !ok {
		http.Error(w, "no page "+page, http.StatusInternalServerError)
		return
	}
	if c.auth != nil {
		d.CSRF, d.User = c.auth.CSRFToken(r), c.auth.SessionUser(r)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, "layout", d); err != nil {
		slog.Error("console: render", "page", page, "err", err)
	}
}
