package gateway

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

func TestHTTPIntegrationRequestMapping(t *testing.T) {
	backend := newEchoBackend(t)
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("httpmap001")
	b.method("/pets/{petId}", "POST", &apigw.Integration{
		Type: apigw.IntegrationHTTP, HTTPMethod: "PUT", URI: backend.URL + "/v1/{id}",
		RequestParameters: map[string]string{
			"integration.request.path.id":            "method.request.path.petId",
			"integration.request.querystring.filter": "method.request.querystring.f",
			"integration.request.header.X-Tenant":    "method.request.header.x-tenant-id",
			"integration.request.header.X-Static":    "'fixed value'",
			"integration.request.header.X-Env":       "stageVariables.env",
			"integration.request.header.X-Req":       "context.requestId",
		},
		IntegrationResponses: map[string]*apigw.IntegrationResponse{"200": {StatusCode: "200"}},
	})
	e.deploy(b, "prod", map[string]string{"env": "prod-env"})

	resp := e.invoke("POST", "httpmap001", "prod", "/pets/7?f=cute&unmapped=1", strings.NewReader(`{"a":1}`),
		http.Header{"X-Tenant-Id": {"acme"}, "X-Unmapped": {"dropped"}, "Content-Type": {"application/json"}})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want the integration response's 200 (backend said 201)", resp.StatusCode)
	}
	reqID := resp.Header.Get("x-amzn-RequestId")
	got := decodeEcho(t, resp)
	checks := []struct{ what, got, want string }{
		{"method", got.Method, "PUT"},
		{"path", got.Path, "/v1/7"},
		{"query: only mapped parameters", got.Query, "filter=cute"},
		{"mapped header", got.Header.Get("X-Tenant"), "acme"},
		{"unmapped header", got.Header.Get("X-Unmapped"), ""},
		{"static header", got.Header.Get("X-Static"), "fixed value"},
		{"stage variable header", got.Header.Get("X-Env"), "prod-env"},
		{"context header", got.Header.Get("X-Req"), reqID},
		{"user agent", got.Header.Get("User-Agent"), "AmazonAPIGateway_httpmap001"},
		{"body passes through", got.Body, `{"a":1}`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
}

func TestHTTPIntegrationPassthroughBehavior(t *testing.T) {
	backend := newEchoBackend(t)
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("httppass01")
	ok := map[string]*apigw.IntegrationResponse{"200": {StatusCode: "200"}}
	withTemplate := func(behavior string) *apigw.Integration {
		return &apigw.Integration{Type: apigw.IntegrationHTTP, HTTPMethod: "POST", URI: backend.URL + "/t",
			PassthroughBehavior: behavior, IntegrationResponses: ok,
			RequestTemplates: map[string]string{"application/json": `{"fixed":"template"}`,
				"application/xml": `#set($x = 1)<dynamic/>`}}
	}
	b.method("/match", "POST", withTemplate("WHEN_NO_MATCH"))
	b.method("/templates", "POST", withTemplate("WHEN_NO_TEMPLATES"))
	b.method("/never", "POST", withTemplate("NEVER"))
	b.method("/notemplates", "POST", &apigw.Integration{Type: apigw.IntegrationHTTP, HTTPMethod: "POST",
		URI: backend.URL + "/t", PassthroughBehavior: "WHEN_NO_TEMPLATES", IntegrationResponses: ok})
	e.deploy(b, "prod", nil)

	tests := []struct {
		name, path, ctype, body string
		status                  int
		backendBody             string
	}{
		{"static template replaces body", "/match", "application/json", `{"client":1}`, 200, `{"fixed":"template"}`},
		{"no content type means application/json", "/match", "", `{"client":1}`, 200, `{"fixed":"template"}`},
		{"velocity template is evaluated", "/match", "application/xml", `<client/>`, 200, `<dynamic/>`},
		{"WHEN_NO_MATCH passes unmatched type", "/match", "text/plain", `hello`, 200, `hello`},
		{"WHEN_NO_TEMPLATES refuses unmatched type", "/templates", "text/plain", `hello`, 415, ""},
		{"WHEN_NO_TEMPLATES uses template", "/templates", "application/json", `{}`, 200, `{"fixed":"template"}`},
		{"NEVER refuses unmatched type", "/never", "text/plain", `hello`, 415, ""},
		{"WHEN_NO_TEMPLATES without templates passes", "/notemplates", "text/plain", `hello`, 200, `hello`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.ctype != "" {
				h.Set("Content-Type", tc.ctype)
			}
			resp := e.invoke("POST", "httppass01", "prod", tc.path, strings.NewReader(tc.body), h)
			if tc.status == 415 {
				expectGatewayError(t, resp, 415, "UnsupportedMediaTypeException", `{"message":"Unsupported Media Type"}`)
				return
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if got := decodeEcho(t, resp); got.Body != tc.backendBody {
				t.Errorf("backend got body %q, want %q", got.Body, tc.backendBody)
			}
		})
	}
}

func TestHTTPIntegrationResponses(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("status"))
		w.Header().Set("X-Backend-Trace", "trace-"+r.URL.Query().Get("status"))
		w.Header().Set("X-Not-Mapped", "secret")
		w.WriteHeader(code)
		w.Write([]byte(`{"backend":` + r.URL.Query().Get("status") + `}`))
	}))
	t.Cleanup(backend.Close)
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("httpresp01")
	in := &apigw.Integration{
		Type: apigw.IntegrationHTTP, HTTPMethod: "GET", URI: backend.URL + "/",
		RequestParameters: map[string]string{"integration.request.querystring.status": "method.request.querystring.status"},
		IntegrationResponses: map[string]*apigw.IntegrationResponse{
			"200": {StatusCode: "200", ResponseParameters: map[string]string{
				"method.response.header.X-Trace":  "integration.response.header.X-Backend-Trace",
				"method.response.header.X-Static": "'static-value'",
				"method.response.header.X-Env":    "stageVariables.env",
			}},
			"404": {StatusCode: "404", SelectionPattern: "404",
				ResponseTemplates: map[string]string{"application/json": `{"message":"no such pet"}`}},
			"500": {StatusCode: "500", SelectionPattern: `5\d{2}`},
			"400": {StatusCode: "400", SelectionPattern: `4\d{2}`,
				ResponseTemplates: map[string]string{"application/json": `{"echo": $input.body}`}},
		},
	}
	b.method("/pets", "GET", in)
	noDefault := *in
	noDefault.IntegrationResponses = map[string]*apigw.IntegrationResponse{"200": {StatusCode: "200", SelectionPattern: "2\\d{2}"}}
	b.method("/strict", "GET", &noDefault)
	e.deploy(b, "prod", map[string]string{"env": "prod"})

	tests := []struct {
		name, path  string
		status      int
		body, ctype string
		headers     map[string]string
	}{
		{"default response with mapped headers", "/pets?status=200", 200, `{"backend":200}`, "application/json",
			map[string]string{"X-Trace": "trace-200", "X-Static": "static-value", "X-Env": "prod", "X-Not-Mapped": ""}},
		{"201 falls to the default", "/pets?status=201", 200, `{"backend":201}`, "application/json", nil},
		{"exact pattern with static template", "/pets?status=404", 404, `{"message":"no such pet"}`, "application/json", nil},
		{"class pattern, velocity template renders the body", "/pets?status=418", 400, `{"echo": {"backend":418}}`, "application/json", nil},
		{"pattern matches the whole status", "/pets?status=503", 500, `{"backend":503}`, "application/json", nil},
		{"no match and no default", "/strict?status=404", 500, `{"message": "Internal server error"}`, "application/json", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := e.invoke("GET", "httpresp01", "prod", tc.path, nil, nil)
			body := readAll(t, resp)
			if resp.StatusCode != tc.status || body != tc.body {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tc.status, tc.body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.ctype {
				t.Errorf("Content-Type %q, want %q", ct, tc.ctype)
			}
			for k, v := range tc.headers {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestSelectionPatternIsAnchored(t *testing.T) {
	rs, errs := compileResponses(&apigw.Integration{IntegrationResponses: map[string]*apigw.IntegrationResponse{
		"400": {StatusCode: "400", SelectionPattern: `4\d{2}`},
		"200": {StatusCode: "200"},
	}}, &apigw.Method{}, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for status, want := range map[string]int{"404": 400, "4040": 200, "1404": 200, "200": 200} {
		if got := rs.pick(status).status; got != want {
			t.Errorf("pick(%s) = %d, want %d", status, got, want)
		}
	}
}
