package awsproto

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

var cloudControl = JSON{TargetPrefix: "CloudApiService.", ContentType: "application/x-amz-json-1.0", MaxBody: 16}

func TestOperation(t *testing.T) {
	for _, tc := range []struct {
		target, op string
		ok         bool
	}{
		{"CloudApiService.GetResource", "GetResource", true},
		{"CloudApiService.", "", true},
		{"Logs_20140328.GetLogEvents", "Logs_20140328.GetLogEvents", false},
		{"", "", false},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("X-Amz-Target", tc.target)
		op, ok := cloudControl.Operation(r)
		if op != tc.op || ok != tc.ok {
			t.Errorf("%q: %q %v, want %q %v", tc.target, op, ok, tc.op, tc.ok)
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestReadBody(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    io.Reader
		want    string
		wantErr string
	}{
		{name: "empty", body: strings.NewReader(""), want: ""},
		{name: "at the bound", body: strings.NewReader(strings.Repeat("x", 16)), want: strings.Repeat("x", 16)},
		{name: "one byte over", body: strings.NewReader(strings.Repeat("x", 17)), wantErr: ErrBodyTooLarge.Error()},
		{name: "far over", body: strings.NewReader(strings.Repeat("x", 1<<20)), wantErr: ErrBodyTooLarge.Error()},
		{name: "read fails", body: failingReader{}, wantErr: "connection reset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", tc.body)
			got, err := cloudControl.ReadBody(r)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("%q %v", got, err)
			}
		})
	}
}

func TestUnmarshal(t *testing.T) {
	type filter struct{ Operations []string }
	type input struct {
		TypeName   *string
		MaxResults *int
		Filter     *filter
	}
	for _, tc := range []struct {
		name       string
		body       string
		wantMember string
		wantKind   reflect.Kind
		wantErr    string
	}{
		{name: "unknown members are ignored", body: `{"TypeName":"AWS::ApiGateway::Stage","Bogus":1}`},
		{name: "string where a number goes", body: `{"MaxResults":"10"}`, wantMember: "maxResults", wantKind: reflect.Int,
			wantErr: "json: cannot unmarshal string into Go struct field input.MaxResults of type int"},
		{name: "nested member", body: `{"Filter":{"Operations":"CREATE"}}`, wantMember: "filter.Operations", wantKind: reflect.Slice,
			wantErr: "json: cannot unmarshal string into Go struct field filter.Filter.Operations of type []string"},
		{name: "malformed", body: `{"TypeName":`, wantErr: "unexpected end of JSON input"},
		{name: "empty body is the caller's", body: ``, wantErr: "unexpected end of JSON input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in input
			err := Unmarshal([]byte(tc.body), &in)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("err %v, want %s", err, tc.wantErr)
			}
			var te *MemberTypeError
			if errors.As(err, &te) != (tc.wantMember != "") {
				t.Fatalf("MemberTypeError %v, want member %q", err, tc.wantMember)
			}
			if te != nil && (te.Member != tc.wantMember || te.Kind != tc.wantKind) {
				t.Errorf("member %q kind %v, want %q %v", te.Member, te.Kind, tc.wantMember, tc.wantKind)
			}
		})
	}
}

func TestWriteResult(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := cloudControl.WriteResult(rec, map[string]any{"TypeName": "AWS::ApiGateway::Stage", "ResourceDescriptions": []string{}}); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/x-amz-json-1.0" ||
		rec.Body.String() != `{"ResourceDescriptions":[],"TypeName":"AWS::ApiGateway::Stage"}` {
		t.Errorf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}

	rec = httptest.NewRecorder()
	if err := cloudControl.WriteResult(rec, func() {}); err == nil {
		t.Fatal("a value that does not marshal must be an error")
	}
	if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Errorf("nothing may be written when marshalling fails: %v %s", rec.Header(), rec.Body)
	}
}

func TestWriteError(t *testing.T) {
	logs := JSON{ContentType: "application/x-amz-json-1.1"}
	for _, tc := range []struct {
		name       string
		proto      JSON
		err        Error
		wantHeader http.Header
		wantBody   string
	}{
		{name: "logs: bare shape name, message only", proto: logs,
			err:        Error{Status: 400, Type: "ResourceNotFoundException", Message: "The specified log group does not exist."},
			wantHeader: http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Errortype": {"ResourceNotFoundException"}},
			wantBody:   `{"__type":"ResourceNotFoundException","message":"The specified log group does not exist."}`},
		{name: "cloud control: namespaced type, both messages", proto: cloudControl,
			err: Error{Status: 404, Type: "com.amazon.cloudapiservice#TypeNotFoundException", Code: "TypeNotFoundException",
				Message: "The type 'AWS::S3::Bucket' cannot be found.", BothMessages: true},
			wantHeader: http.Header{"Content-Type": {"application/x-amz-json-1.0"}, "X-Amzn-Errortype": {"TypeNotFoundException"}},
			wantBody:   `{"__type":"com.amazon.cloudapiservice#TypeNotFoundException","message":"The type 'AWS::S3::Bucket' cannot be found.","Message":"The type 'AWS::S3::Bucket' cannot be found."}`},
		{name: "throttling asks the client to wait", proto: cloudControl,
			err:        Error{Status: 429, Type: "com.amazon.coral.availability#ThrottlingException", Code: "ThrottlingException", Message: "Too Many Requests", BothMessages: true},
			wantHeader: http.Header{"Content-Type": {"application/x-amz-json-1.0"}, "X-Amzn-Errortype": {"ThrottlingException"}, "Retry-After": {"1"}},
			wantBody:   `{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Too Many Requests","Message":"Too Many Requests"}`},
		{name: "HTML characters are escaped as encoding/json does", proto: logs,
			err:        Error{Status: 500, Type: "ServiceUnavailableException", Message: "<&>"},
			wantHeader: http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Errortype": {"ServiceUnavailableException"}},
			wantBody:   `{"__type":"ServiceUnavailableException","message":"\u003c\u0026\u003e"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.proto.WriteError(rec, tc.err)
			if rec.Code != tc.err.Status {
				t.Errorf("status %d, want %d", rec.Code, tc.err.Status)
			}
			if !reflect.DeepEqual(rec.Header(), tc.wantHeader) {
				t.Errorf("headers %v, want %v", rec.Header(), tc.wantHeader)
			}
			if rec.Body.String() != tc.wantBody {
				t.Errorf("body %s\nwant %s", rec.Body, tc.wantBody)
			}
		})
	}
}
