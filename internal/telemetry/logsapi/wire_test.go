package logsapi

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/internal/telemetry/logstore"
)

// TestWireBytes pins the exact awsJson1_1 bytes the Logs API answers with
// (status, headers, body) for success and for every kind of error the
// envelope produces, so refactoring the envelope cannot change the wire.
func TestWireBytes(t *testing.T) {
	st, err := logstore.Open(filepath.Join(t.TempDir(), "logs.db"), logstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := New(st, "us-east-1")

	closed, err := logstore.Open(filepath.Join(t.TempDir(), "closed.db"), logstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	broken := New(closed, "us-east-1")

	const ct = "application/x-amz-json-1.1"
	for _, tc := range []struct {
		name, method, target, body string
		handler                    *Handler
		status                     int
		errorType                  string // x-amzn-ErrorType; "" on success
		want                       string
	}{
		{name: "create log group", target: "Logs_20140328.CreateLogGroup", body: `{"logGroupName":"/wire/a"}`,
			status: 200, want: `{}`},
		{name: "describe with nothing matching", target: "Logs_20140328.DescribeLogGroups", body: `{"logGroupNamePrefix":"/none"}`,
			status: 200, want: `{"logGroups":[]}`},
		{name: "empty body is {}", target: "Logs_20140328.DescribeLogGroups", body: ``,
			status: 200, want: `{"logGroups":[{"logGroupName":"/wire/a",`},
		{name: "unknown operation keeps only the operation name", target: "Logs_20140328.StartQuery", body: `{}`,
			status: 400, errorType: "UnknownOperationException",
			want: `{"__type":"UnknownOperationException","message":"Unknown operation StartQuery"}`},
		{name: "foreign target prefix", target: "CloudApiService.GetResource", body: `{}`,
			status: 400, errorType: "UnknownOperationException",
			want: `{"__type":"UnknownOperationException","message":"Unknown operation CloudApiService.GetResource"}`},
		{name: "GET is not an operation", method: http.MethodGet, target: "Logs_20140328.DescribeLogGroups",
			status: 400, errorType: "InvalidAction",
			want: `{"__type":"InvalidAction","message":"Operations must be sent with POST"}`},
		{name: "body over the bound", target: "Logs_20140328.CreateLogGroup", body: `{"logGroupName":"` + strings.Repeat("a", 2<<20) + `"}`,
			status: 400, errorType: "InvalidParameterException",
			want: `{"__type":"InvalidParameterException","message":"Request body is larger than 2097152 bytes"}`},
		{name: "malformed JSON", target: "Logs_20140328.CreateLogGroup", body: `{"logGroupName":`,
			status: 400, errorType: "SerializationException",
			want: `{"__type":"SerializationException","message":"Failed to parse request body: unexpected end of JSON input"}`},
		{name: "member of the wrong type", target: "Logs_20140328.CreateLogGroup", body: `{"logGroupName":5}`,
			status: 400, errorType: "SerializationException",
			want: `{"__type":"SerializationException","message":"Failed to parse request body: json: cannot unmarshal number into Go struct field .logGroupName of type string"}`},
		{name: "validation", target: "Logs_20140328.CreateLogGroup", body: `{}`,
			status: 400, errorType: "InvalidParameterException",
			want: `{"__type":"InvalidParameterException","message":"1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null"}`},
		{name: "store not found", target: "Logs_20140328.DeleteLogGroup", body: `{"logGroupName":"/wire/none"}`,
			status: 400, errorType: "ResourceNotFoundException",
			want: `{"__type":"ResourceNotFoundException","message":"The specified log group does not exist."}`},
		{name: "store exists", target: "Logs_20140328.CreateLogGroup", body: `{"logGroupName":"/wire/a"}`,
			status: 400, errorType: "ResourceAlreadyExistsException",
			want: `{"__type":"ResourceAlreadyExistsException","message":"The specified log group already exists"}`},
		{name: "HTML characters are escaped", target: "Logs_20140328.CreateLogGroup", body: `{"logGroupName":"<&>"}`,
			status: 400, errorType: "InvalidParameterException",
			want: `{"__type":"InvalidParameterException","message":"1 validation error detected: Value '\u003c\u0026\u003e' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"}`},
		{name: "internal failure", handler: broken, target: "Logs_20140328.CreateLogGroup", body: `{"logGroupName":"/wire/b"}`,
			status: 500, errorType: "ServiceUnavailableException",
			want: `{"__type":"ServiceUnavailableException","message":"logstore: create group: sql: database is closed"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			hh := tc.handler
			if hh == nil {
				hh = h
			}
			req := httptest.NewRequest(method, "/", strings.NewReader(tc.body))
			req.Header.Set("X-Amz-Target", tc.target)
			rec := httptest.NewRecorder()
			hh.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			body := rec.Body.String()
			if strings.HasSuffix(tc.want, ",") {
				if !strings.HasPrefix(body, tc.want) {
					t.Errorf("body %s\nwant prefix %s", body, tc.want)
				}
			} else if body != tc.want {
				t.Errorf("body %s\nwant        %s", body, tc.want)
			}
			wantKeys := []string{"Content-Type", "X-Amzn-Requestid"}
			if tc.errorType != "" {
				wantKeys = append(wantKeys, "X-Amzn-Errortype")
			}
			var keys []string
			for k := range rec.Header() {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			slices.Sort(wantKeys)
			if !slices.Equal(keys, wantKeys) {
				t.Errorf("headers %v, want %v", keys, wantKeys)
			}
			if got := rec.Header().Get("Content-Type"); got != ct {
				t.Errorf("Content-Type %q", got)
			}
			if got := rec.Header().Get("x-amzn-ErrorType"); got != tc.errorType {
				t.Errorf("x-amzn-ErrorType %q, want %q", got, tc.errorType)
			}
			if id := rec.Header().Get("x-amzn-RequestId"); !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
				t.Errorf("x-amzn-RequestId %q", id)
			}
		})
	}
}
