package cloudcontrol_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/internal/cloudcontrol"
	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// TestWireBytes pins the exact awsJson1_0 bytes Cloud Control answers with
// (status, headers, body) for a success and for each error the envelope
// itself produces, so refactoring the envelope cannot change the wire.
func TestWireBytes(t *testing.T) {
	env := servertest.Start(t, nil)
	s := cloudcontrol.New(env.App.Service)

	const ct = "application/x-amz-json-1.0"
	for _, tc := range []struct {
		name, method, target, body string
		status                     int
		errorType                  string // x-amzn-ErrorType; "" on success
		want                       string
	}{
		{name: "list with nothing to list", target: "CloudApiService.ListResources", body: `{"TypeName":"AWS::ApiGateway::RestApi"}`,
			status: 200, want: `{"ResourceDescriptions":[],"TypeName":"AWS::ApiGateway::RestApi"}`},
		{name: "unknown operation names the whole target", target: "CloudApiService.Nope", body: `{}`,
			status: 400, errorType: "UnknownOperationException",
			want: `{"__type":"com.amazon.coral.service#UnknownOperationException","message":"Unknown operation CloudApiService.Nope","Message":"Unknown operation CloudApiService.Nope"}`},
		{name: "foreign target prefix", target: "Logs_20140328.GetLogEvents", body: `{}`,
			status: 400, errorType: "UnknownOperationException",
			want: `{"__type":"com.amazon.coral.service#UnknownOperationException","message":"Unknown operation Logs_20140328.GetLogEvents","Message":"Unknown operation Logs_20140328.GetLogEvents"}`},
		{name: "GET is not an operation", method: http.MethodGet, target: "CloudApiService.ListResources",
			status: 400, errorType: "UnknownOperationException",
			want: `{"__type":"com.amazon.coral.service#UnknownOperationException","message":"Cloud Control operations must be sent with POST","Message":"Cloud Control operations must be sent with POST"}`},
		{name: "body over the bound", target: "CloudApiService.GetResource", body: `{"TypeName":"` + strings.Repeat("a", 1<<20) + `"}`,
			status: 400, errorType: "ValidationException",
			want: `{"__type":"com.amazon.coral.validate#ValidationException","message":"request body exceeds 1048576 bytes","Message":"request body exceeds 1048576 bytes"}`},
		{name: "malformed JSON", target: "CloudApiService.GetResource", body: `{"TypeName":`,
			status: 400, errorType: "SerializationException",
			want: `{"__type":"com.amazon.coral.service#SerializationException","message":"Could not parse request body: unexpected end of JSON input","Message":"Could not parse request body: unexpected end of JSON input"}`},
		{name: "member of the wrong type", target: "CloudApiService.GetResource", body: `{"TypeName":5}`,
			status: 400, errorType: "ValidationException",
			want: `{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected: Value at 'typeName' failed to satisfy constraint: Member must be of type string","Message":"1 validation error detected: Value at 'typeName' failed to satisfy constraint: Member must be of type string"}`},
		{name: "empty body is no members", target: "CloudApiService.GetResource", body: ` `,
			status: 400, errorType: "ValidationException",
			want: `{"__type":"com.amazon.coral.validate#ValidationException","message":"2 validation errors detected: Value null at 'identifier' failed to satisfy constraint: Member must not be null; Value null at 'typeName' failed to satisfy constraint: Member must not be null","Message":"2 validation errors detected: Value null at 'identifier' failed to satisfy constraint: Member must not be null; Value null at 'typeName' failed to satisfy constraint: Member must not be null"}`},
		{name: "type not found", target: "CloudApiService.GetResource", body: `{"TypeName":"AWS::S3::Bucket","Identifier":"b"}`,
			status: 404, errorType: "TypeNotFoundException",
			want: `{"__type":"com.amazon.cloudapiservice#TypeNotFoundException","message":"The type 'AWS::S3::Bucket' cannot be found.","Message":"The type 'AWS::S3::Bucket' cannot be found."}`},
		{name: "resource not found", target: "CloudApiService.GetResource", body: `{"TypeName":"AWS::ApiGateway::RestApi","Identifier":"<none>"}`,
			status: 404, errorType: "ResourceNotFoundException",
			want: `{"__type":"com.amazon.cloudapiservice#ResourceNotFoundException","message":"Resource of type 'AWS::ApiGateway::RestApi' with identifier '\u003cnone\u003e' was not found.","Message":"Resource of type 'AWS::ApiGateway::RestApi' with identifier '\u003cnone\u003e' was not found."}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			req := httptest.NewRequest(method, "/", strings.NewReader(tc.body))
			req.Header.Set("X-Amz-Target", tc.target)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if body := rec.Body.String(); body != tc.want {
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
