package execlog

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/telemetry"
)

const rid = "11111111-2222-3333-4444-555555555555"

var t0 = time.Date(2024, 3, 9, 14, 5, 7, 0, time.UTC)

// proxied is a successful GET through an HTTP integration, with
// credentials in its headers and query string.
func proxied() *telemetry.RequestEvent {
	return &telemetry.RequestEvent{
		APIID: "a1b2c3d4e5", Stage: "prod",
		RequestID: rid, ExtendedRequestID: "XyZ12AbCdEFg=",
		RequestTime: t0, HTTPMethod: "GET", Path: "/prod/pets/42",
		ResourceID: "r1", ResourcePath: "/pets/{petId}",
		PathParams: []telemetry.Param{{Name: "petId", Value: "42"}},
		RawQuery:   "type=dog&api_key=supersecretapikey123&type=cat",
		Headers: http.Header{
			"Accept":        {"*/*"},
			"Authorization": {"Bearer abcdefghijklmnopqrstuvwxyz"},
			"X-Api-Key":     {"k3y"},
			"Cookie":        {"session=0123456789abcdef"},
		},
		Body:                    []byte(`{"q":1}`),
		IntegrationType:         "HTTP",
		EndpointRequestURI:      "http://backend.local/pets/42?type=dog&token=abcdefghijklmnop",
		EndpointRequestHeaders:  http.Header{"Authorization": {"Bearer abcdefghijklmnopqrstuvwxyz"}, "X-Trace": {"t"}},
		EndpointRequestBody:     []byte(`{"q":1}`),
		IntegrationStatus:       200,
		IntegrationLatency:      12 * time.Millisecond,
		EndpointResponseHeaders: http.Header{"Content-Type": {"application/json"}, "Set-Cookie": {"id=abcdefghijklmnopqrst"}},
		EndpointResponseBody:    []byte(`{"id":42}`),
		Status:                  200,
		ResponseLatency:         20 * time.Millisecond,
		ResponseHeaders:         http.Header{"Content-Type": {"application/json"}},
		ResponseBody:            []byte(`{"id":42}`),
	}
}

func timedOut() *telemetry.RequestEvent {
	ev := proxied()
	ev.IntegrationStatus = 0
	ev.IntegrationError = "context deadline exceeded"
	ev.ErrorResponseType = telemetry.ResponseIntegrationTimeout
	ev.ErrorMessage = "Endpoint request timed out"
	ev.Status = 504
	ev.ResponseBody = []byte(`{"message": "Endpoint request timed out"}`)
	ev.ResponseHeaders = http.Header{"X-Amzn-Errortype": {"InternalServerErrorException"}}
	return ev
}

func throttled() *telemetry.RequestEvent {
	ev := proxied()
	ev.IntegrationType, ev.EndpointRequestURI, ev.IntegrationStatus, ev.IntegrationLatency = "", "", 0, 0
	ev.ErrorResponseType, ev.ErrorMessage, ev.Status = telemetry.ResponseThrottled, "Too Many Requests", 429
	ev.RawQuery, ev.Headers, ev.PathParams = "", nil, nil
	return ev
}

func mock() *telemetry.RequestEvent {
	ev := proxied()
	ev.IntegrationType, ev.EndpointRequestURI, ev.IntegrationStatus, ev.IntegrationLatency = "MOCK", "", 0, 0
	ev.RawQuery, ev.Headers = "", http.Header{"Accept": {"*/*"}}
	return ev
}

func stars(n int) string { return strings.Repeat("*", n) }

func prefixed(lines ...string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "(" + rid + ") " + l
	}
	return out
}

var usagePlanLines = []string{
	"Extended Request Id: XyZ12AbCdEFg=",
	"Verifying Usage Plan for request: " + rid + ". API Key:  API Stage: a1b2c3d4e5/prod",
	"API Key  authorized because method 'GET /pets/{petId}' does not require API Key. Request will not contribute to throttle or quota limits",
	"Usage Plan check succeeded for API Key  and API Stage a1b2c3d4e5/prod",
	"Starting execution for request: " + rid,
	"HTTP Method: GET, Resource Path: /pets/42",
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestLevelsAndDataTrace(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
		ev   *telemetry.RequestEvent
		want []string
	}{
		{"OFF logs nothing", Settings{Off, true}, timedOut(), nil},
		{"ERROR ignores a success", Settings{Error, false}, proxied(), nil},
		{"ERROR ignores a success even with data trace", Settings{Error, true}, proxied(), nil},
		{"ERROR logs a timeout", Settings{Error, false}, timedOut(), prefixed(
			"Execution failed due to a timeout error",
			"Gateway response type: INTEGRATION_TIMEOUT with status code: 504",
			"Method completed with status: 504",
		)},
		{"ERROR with data trace adds the gateway response", Settings{Error, true}, timedOut(), prefixed(
			"Execution failed due to a timeout error",
			"Gateway response type: INTEGRATION_TIMEOUT with status code: 504",
			`Gateway response body: {"message": "Endpoint request timed out"}`,
			"Gateway response headers: {X-Amzn-Errortype=InternalServerErrorException}",
			"Method completed with status: 504",
		)},
		{"INFO shows the lifecycle with names only", Settings{Info, false}, proxied(), prefixed(concat(usagePlanLines, []string{
			"Method request path: {petId}",
			"Method request query string: {type, api_key}",
			"Method request headers: {Accept, Authorization, Cookie, X-Api-Key}",
			"Endpoint request URI: http://backend.local/pets/42",
			"Sending request to http://backend.local/pets/42",
			"Received response. Status: 200, Integration latency: 12 ms",
			"Successfully completed execution",
			"Method completed with status: 200",
		})...)},
		{"INFO with data trace shows values, bodies and masked credentials", Settings{Info, true}, proxied(), prefixed(concat(usagePlanLines, []string{
			"Method request path: {petId=42}",
			"Method request query string: {type=dog,cat, api_key=" + stars(14) + "key123}",
			"Method request headers: {Accept=*/*, Authorization=" + stars(27) + "uvwxyz, Cookie=" + stars(18) + "abcdef, X-Api-Key=***}",
			`Method request body before transformations: {"q":1}`,
			"Endpoint request URI: http://backend.local/pets/42?type=dog&token=**********klmnop",
			"Endpoint request headers: {Authorization=" + stars(27) + "uvwxyz, X-Trace=t}",
			`Endpoint request body after transformations: {"q":1}`,
			"Sending request to http://backend.local/pets/42?type=dog&token=**********klmnop",
			"Received response. Status: 200, Integration latency: 12 ms",
			"Endpoint response headers: {Content-Type=application/json, Set-Cookie=" + stars(17) + "opqrst}",
			`Endpoint response body before transformations: {"id":42}`,
			`Method response body after transformations: {"id":42}`,
			"Method response headers: {Content-Type=application/json}",
			"Successfully completed execution",
			"Method completed with status: 200",
		})...)},
		{"INFO logs a timeout in place of the response", Settings{Info, false}, timedOut(), prefixed(concat(usagePlanLines, []string{
			"Method request path: {petId}",
			"Method request query string: {type, api_key}",
			"Method request headers: {Accept, Authorization, Cookie, X-Api-Key}",
			"Endpoint request URI: http://backend.local/pets/42",
			"Sending request to http://backend.local/pets/42",
			"Execution failed due to a timeout error",
			"Gateway response type: INTEGRATION_TIMEOUT with status code: 504",
			"Method completed with status: 504",
		})...)},
		{"INFO logs a throttled request without an integration", Settings{Info, false}, throttled(), prefixed(concat(usagePlanLines, []string{
			"Method request path: {}",
			"Method request query string: {}",
			"Method request headers: {}",
			"Request throttled: the method's throttling limits were exceeded",
			"Gateway response type: THROTTLED with status code: 429",
			"Method completed with status: 429",
		})...)},
		{"INFO for a MOCK integration has no endpoint lines", Settings{Info, false}, mock(), prefixed(concat(usagePlanLines, []string{
			"Method request path: {petId}",
			"Method request query string: {}",
			"Method request headers: {Accept}",
			"Successfully completed execution",
			"Method completed with status: 200",
		})...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := Append(nil, tt.s, tt.ev)
			got := make([]string, len(lines))
			for i, l := range lines {
				got[i] = l.Message
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestNoRouteAndConfigurationErrors(t *testing.T) {
	tests := []struct {
		name string
		ev   telemetry.RequestEvent
		want string
	}{
		{"missing authentication token", telemetry.RequestEvent{HTTPMethod: "POST", Stage: "prod", Path: "/prod/nope",
			ErrorResponseType: "MISSING_AUTHENTICATION_TOKEN", Status: 403}, "No resource or method matches POST /nope"},
		{"integration failure", telemetry.RequestEvent{ErrorResponseType: telemetry.ResponseIntegrationFailure,
			IntegrationError: "Invalid endpoint address", Status: 502}, "Execution failed due to configuration error: Invalid endpoint address"},
		{"configuration error", telemetry.RequestEvent{ErrorResponseType: "API_CONFIGURATION_ERROR",
			ErrorMessage: "Internal server error", Status: 500}, "Execution failed due to configuration error: Internal server error"},
		{"invalid body", telemetry.RequestEvent{ErrorResponseType: "BAD_REQUEST_BODY", ErrorMessage: "Invalid request body",
			Headers: http.Header{"Content-Type": {"Application/JSON; charset=utf-8"}}, Status: 400,
			ValidationErrorString: `[object has missing required properties (["name"])]`},
			`Request body does not match model schema for content type application/json: [object has missing required properties (["name"])]`},
		{"missing parameters", telemetry.RequestEvent{ErrorResponseType: "BAD_REQUEST_PARAMETERS", Status: 400,
			ErrorMessage: "Missing required request parameters: [q]", ValidationErrorString: "Missing required request parameters: [q]"},
			"Request validation failed: Missing required request parameters: [q]"},
		{"other gateway response", telemetry.RequestEvent{ErrorResponseType: "REQUEST_TOO_LARGE",
			ErrorMessage: "Request Too Long", Status: 413}, "Execution failed: Request Too Long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := tt.ev
			ev.RequestID = rid
			lines := Append(nil, Settings{Level: Error}, &ev)
			if len(lines) != 3 || lines[0].Message != "("+rid+") "+tt.want {
				t.Fatalf("lines %+v, want first %q", lines, tt.want)
			}
		})
	}
}

func TestTimestamps(t *testing.T) {
	// Every line of a request carries the time its response was sent.
	for _, l := range Append(nil, Settings{Level: Info}, proxied()) {
		if l.Time != t0.Add(20*time.Millisecond).UnixMilli() {
			t.Errorf("line %q at %d, want %d", l.Message, l.Time, t0.UnixMilli()+20)
		}
	}
}

func TestAppendRecordSeparatesLinesWithNUL(t *testing.T) {
	ev := proxied()
	ev.Body = []byte("a\x00b\nc")
	ev.PathParams = []telemetry.Param{{Name: "petId", Value: "4\x002"}}
	b, n := AppendRecord([]byte("keep:"), 0, Settings{Info, true}, ev)
	lines := strings.Split(string(b[len("keep:"):]), "\x00")
	if !strings.HasPrefix(string(b), "keep:") || n != len(lines) || n != len(Append(nil, Settings{Info, true}, ev)) {
		t.Fatalf("%d lines reported, %d found", n, len(lines))
	}
	joined := strings.Join(lines, "|")
	for _, want := range []string{"Method request body before transformations: a\uFFFDb\nc", "Method request path: {petId=4\uFFFD2}"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %q in %q", want, joined)
		}
	}
	if _, n := AppendRecord(nil, 0, Settings{Level: Error}, ev); n != 0 {
		t.Errorf("ERROR wrote %d lines for a success", n)
	}
}

func TestBodyTruncation(t *testing.T) {
	long := strings.Repeat("a", telemetry.MaxTracedBody-1) + "é" + "tail" // é straddles the cut
	ev := proxied()
	ev.Body = []byte(long)
	var got string
	for _, l := range Append(nil, Settings{Info, true}, ev) {
		if body, ok := strings.CutPrefix(l.Message, "("+rid+") Method request body before transformations: "); ok {
			got = body
		}
	}
	want := strings.Repeat("a", telemetry.MaxTracedBody-1) + " [TRUNCATED]"
	if got != want {
		t.Errorf("body %q..., want %q...", got[len(got)-20:], want[len(want)-20:])
	}
}

func TestMaskSecret(t *testing.T) {
	tests := map[string]string{
		"":                          "",
		"abc":                       "***",
		"twelve-chars":              "************",
		"thirteen-char":             "*******n-char",
		"Bearer eyJhbGciOiJIUzI1Ni": "*******************UzI1Ni",
	}
	for in, want := range tests {
		if got := maskSecret(in); got != want {
			t.Errorf("maskSecret(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]Level{"": Off, "OFF": Off, "ERROR": Error, "INFO": Info, "info": Off} {
		if got := ParseLevel(in); got != want {
			t.Errorf("ParseLevel(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestGroupNames(t *testing.T) {
	if g := GroupName("abc", "prod"); g != "API-Gateway-Execution-Logs_abc/prod" {
		t.Error(g)
	}
	if g := CanaryGroupName("abc", "prod"); g != "API-Gateway-Execution-Logs_abc/prod/Canary" {
		t.Error(g)
	}
}
