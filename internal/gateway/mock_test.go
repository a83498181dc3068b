package gateway

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

func TestMockIntegration(t *testing.T) {
	e := newTestEnv(t, Options{})
	b := newAPIBuilder("mockapi001")
	responses := map[string]*apigw.IntegrationResponse{
		"200": {StatusCode: "200",
			ResponseTemplates:  map[string]string{"application/json": `{"ok":true}`, "text/html": `<p>ok</p>`},
			ResponseParameters: map[string]string{"method.response.header.Access-Control-Allow-Origin": "'*'"}},
		"404": {StatusCode: "404", SelectionPattern: "404",
			ResponseTemplates: map[string]string{"application/json": `{"message":"not here"}`}},
		"500": {StatusCode: "500", SelectionPattern: "5\\d{2}"},
	}
	mock := func(template string) *apigw.Integration {
		in := &apigw.Integration{Type: apigw.IntegrationMock, IntegrationResponses: responses}
		if template != "" {
			in.RequestTemplates = map[string]string{"application/json": template}
		}
		return in
	}
	b.method("/ok", "GET", mock(`{"statusCode": 200}`))
	b.method("/missing", "GET", mock(`{"statusCode": 404}`))
	b.method("/velocity", "GET", mock("#set($x = 1)\n{\"statusCode\": 404}"))
	b.method("/fromtemplate", "GET", mock(`{"statusCode": 503}`))
	b.method("/passthrough", "POST", mock(""))
	// An integration response whose status has no method response.
	undeclared := mock(`{"statusCode": 200}`)
	b.method("/undeclared", "GET", undeclared)
	delete(b.resource("/undeclared").ResourceMethods["GET"].MethodResponses, "200")
	e.deploy(b, "prod", nil)

	tests := []struct {
		name, verb, path, accept, body string
		status                         int
		want, ctype, cors              string
	}{
		{"statusCode 200 picks the default", "GET", "/ok", "", "", 200, `{"ok":true}`, "application/json", "*"},
		{"accept picks the template", "GET", "/ok", "text/html", "", 200, `<p>ok</p>`, "text/html", "*"},
		{"statusCode 404 picks by pattern", "GET", "/missing", "", "", 404, `{"message":"not here"}`, "application/json", ""},
		{"statusCode read from a velocity template", "GET", "/velocity", "", "", 404, `{"message":"not here"}`, "application/json", ""},
		{"response without template has empty body", "GET", "/fromtemplate", "", "", 500, ``, "application/json", ""},
		{"passthrough body carries statusCode", "POST", "/passthrough", "", `{"statusCode": 404}`, 404, `{"message":"not here"}`, "application/json", ""},
		{"integration response without method response", "GET", "/undeclared", "", "", 500, `{"message": "Internal server error"}`, "application/json", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.accept != "" {
				h.Set("Accept", tc.accept)
			}
			resp := e.invoke(tc.verb, "mockapi001", "prod", tc.path, strings.NewReader(tc.body), h)
			got := readAll(t, resp)
			if resp.StatusCode != tc.status || got != tc.want {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, got, tc.status, tc.want)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.ctype {
				t.Errorf("Content-Type = %q, want %q", ct, tc.ctype)
			}
			if c := resp.Header.Get("Access-Control-Allow-Origin"); c != tc.cors {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", c, tc.cors)
			}
			expectRequestIDs(t, resp)
		})
	}
}

func TestMockStatusCode(t *testing.T) {
	tests := map[string]string{
		`{"statusCode": 200}`:                      "200",
		`{"statusCode":404}`:                       "404",
		`{ "statusCode" : "503" }`:                 "503",
		"{\n  \"statusCode\":\t201\n}":             "201",
		`#set($x = 1) {"statusCode": 302, "a": 1}`: "302",
		`{"statusCode": 2000}`:                     "",
		`{"statusCode": 20}`:                       "",
		`{"statusCode": 099}`:                      "",
		`{"statusCode": 600}`:                      "",
		`{"other": 1}`:                             "",
		`{"statusCodeX": 500, "statusCode": 418}`:  "418",
		`{"statusCode" 500}`:                       "",
		``:                                         "",
	}
	for in, want := range tests {
		if got := mockStatusCode([]byte(in)); got != want {
			t.Errorf("mockStatusCode(%q) = %q, want %q", in, got, want)
		}
	}
}
