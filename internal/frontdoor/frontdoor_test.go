package frontdoor

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestUserRequestPath(t *testing.T) {
	tests := []struct {
		in              string
		id, stage, rest string
		ok              bool
	}{
		{"/restapis/AbC123/prod/_user_request_/pets/42", "abc123", "prod", "/pets/42", true},
		{"/restapis/abc/prod/_user_request_", "abc", "prod", "/", true},
		{"/restapis/abc/prod/_user_request_/", "abc", "prod", "/", true},
		{"/restapis/abc/stages/prod", "", "", "", false},
		{"/restapis/abc/resources/xyz/methods/GET", "", "", "", false},
		{"/restapis", "", "", "", false},
	}
	for _, tt := range tests {
		id, stage, rest, ok := userRequestPath(tt.in)
		if id != tt.id || stage != tt.stage || rest != tt.rest || ok != tt.ok {
			t.Errorf("userRequestPath(%q) = %q %q %q %v, want %q %q %q %v", tt.in, id, stage, rest, ok, tt.id, tt.stage, tt.rest, tt.ok)
		}
	}
}

func TestExecuteAPIHost(t *testing.T) {
	tests := []struct {
		host string
		id   string
		ok   bool
	}{
		{"AbC.execute-api.localhost:4566", "abc", true},
		{"abc.execute-api.us-east-1.amazonaws.com", "abc", true},
		{"localhost:4566", "", false},
		{".execute-api.localhost", "", false},
	}
	for _, tt := range tests {
		id, ok := executeAPIHost(tt.host)
		if id != tt.id || ok != tt.ok {
			t.Errorf("executeAPIHost(%q) = %q %v", tt.host, id, ok)
		}
	}
}

func TestSplitStage(t *testing.T) {
	for in, want := range map[string][2]string{
		"/prod/pets/42": {"prod", "/pets/42"},
		"/prod":         {"prod", "/"},
		"/prod/":        {"prod", "/"},
		"/":             {"", "/"},
	} {
		s, r := splitStage(in)
		if s != want[0] || r != want[1] {
			t.Errorf("splitStage(%q) = %q %q, want %q", in, s, r, want)
		}
	}
}

type recordInvoker struct{ got []string }

func (ri *recordInvoker) ServeInvoke(w http.ResponseWriter, r *http.Request, id, stage, path string) {
	ri.got = append(ri.got, id+" "+stage+" "+path)
}

// TestDataPlane: the data-plane-only handler invokes both URL forms and
// answers health, but none of the management APIs.
func TestDataPlane(t *testing.T) {
	inv := &recordInvoker{}
	control := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Errorf("control plane reached: %s", r.URL) })
	h := &Handler{Invoke: inv, ControlAPI: control, CloudControl: control, Console: control, Metrics: control, Logs: control}
	h.SetReady(true)
	tests := []struct {
		host, path string
		status     int
		invoked    string
	}{
		{"abc.execute-api.localhost", "/prod/pets/42", 200, "abc prod /pets/42"},
		{"localhost", "/restapis/ABC/prod/_user_request_/pets", 200, "abc prod /pets"},
		{"localhost", "/_stagecoach/health", 200, ""},
		{"localhost", "/restapis", 404, ""},
		{"localhost", "/restapis/abc/stages/prod", 404, ""},
		{"localhost", "/console/", 404, ""},
		{"localhost", "/metrics", 404, ""},
	}
	for _, tt := range tests {
		inv.got = nil
		r := httptest.NewRequest("GET", "http://"+tt.host+tt.path, nil)
		w := httptest.NewRecorder()
		h.DataPlane().ServeHTTP(w, r)
		if w.Code != tt.status {
			t.Errorf("%s%s: status %d, want %d", tt.host, tt.path, w.Code, tt.status)
		}
		if got := strings.Join(inv.got, ","); got != tt.invoked {
			t.Errorf("%s%s: invoked %q, want %q", tt.host, tt.path, got, tt.invoked)
		}
	}
}

// An X-Amz-Target no service here speaks is an awsJson
// UnknownOperationException naming the target exactly as sent.
func TestUnknownTarget(t *testing.T) {
	never := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Errorf("a service was reached: %s", r.URL) })
	h := &Handler{ControlAPI: never, CloudControl: never, Logs: never}
	for target, body := range map[string]string{
		"DynamoDB_20120810.ListTables": `{"__type":"UnknownOperationException","message":"Unknown operation DynamoDB_20120810.ListTables"}`,
		`Odd"Target\x`:                 `{"__type":"UnknownOperationException","message":"Unknown operation Odd\"Target\\x"}`,
	} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
		req.Header.Set("X-Amz-Target", target)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest || rec.Header().Get("Content-Type") != "application/x-amz-json-1.1" ||
			rec.Header().Get("x-amzn-ErrorType") != "UnknownOperationException" || rec.Body.String() != body {
			t.Errorf("%s: %d %v %s, want 400 UnknownOperationException %s", target, rec.Code, rec.Header(), rec.Body, body)
		}
	}
}
