// Package execlog writes API Gateway's execution log for a request: the
// lines CloudWatch shows in API-Gateway-Execution-Logs_{restApiId}/{stage}
// (data-plane.md §7).
//
//   - ERROR: failures only (gateway responses: throttling, integration
//     failures and timeouts, configuration errors, no matching route).
//   - INFO: every request's lifecycle, in AWS's order and wording, each
//     line prefixed "(requestId) ". Parameter and header names only.
//   - dataTrace (with INFO or ERROR): also parameter and header values and
//     request/response bodies, cut at 1000 bytes; credentials are masked
//     even then (Authorization, x-api-key, cookies; see mask.go).
//
// The wording follows AWS's execution and test-invoke logs ("Extended
// Request Id: ", "Method request headers: {A=b, C=d}", "Received
// response. Status: 200, Integration latency: 12 ms", "Gateway response
// type: THROTTLED with status code: 429", "Method completed with status:
// 200"). Lines AWS prints that depend on features Stagecoach lacks
// (authorizers, usage plans beyond "no API key required") are the
// no-feature variants.
package execlog

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/internal/telemetry"
)

// Level is a method's loggingLevel.
type Level uint8

// Levels, in increasing verbosity.
const (
	Off Level = iota
	Error
	Info
)

// ParseLevel maps loggingLevel ("OFF", "ERROR", "INFO"; empty is OFF).
func ParseLevel(s string) Level {
	switch s {
	case "ERROR":
		return Error
	case "INFO":
		return Info
	}
	return Off
}

// String returns the loggingLevel spelling.
func (l Level) String() string {
	switch l {
	case Error:
		return "ERROR"
	case Info:
		return "INFO"
	}
	return "OFF"
}

// Settings are a method's effective logging settings.
type Settings struct {
	Level     Level
	DataTrace bool
}

// Enabled reports whether anything is logged at all.
func (s Settings) Enabled() bool { return s.Level != Off }

// GroupName is the execution log group of a stage.
func GroupName(restAPIID, stage string) string {
	return "API-Gateway-Execution-Logs_" + restAPIID + "/" + stage
}

// CanaryGroupName is the extra group canary requests are also logged to
// (data-plane.md §6: the developer guide spells it with the stage's
// group name plus "/Canary").
func CanaryGroupName(restAPIID, stage string) string {
	return GroupName(restAPIID, stage) + "/Canary"
}

// Line is one execution log event: a Unix-millisecond timestamp and the
// message, already prefixed with "(requestId) ".
type Line struct {
	Time    int64
	Message string
}

// Failed reports whether ev is a failure ERROR-level logging records.
func Failed(ev *telemetry.RequestEvent) bool {
	return ev.ErrorResponseType != "" || ev.IntegrationError != ""
}

// Time is the timestamp of all of ev's lines: when the response was
// sent. AWS stamps each line when it happened; one stamp per request
// keeps a request's lines together, and since lines are written right
// after the response, `aws logs tail --follow` (which resumes from the
// newest timestamp it saw) does not skip the early lines of a slow
// request that finished after a faster one.
func Time(ev *telemetry.RequestEvent) int64 {
	return ev.RequestTime.Add(ev.ResponseLatency).UnixMilli()
}

// writer appends lines to one buffer, separated by sep.
type writer struct {
	buf []byte
	sep byte
	rid string
	n   int
}

// start begins a line: separator and "(requestId) " prefix.
func (w *writer) start() []byte {
	b := w.buf
	if w.n > 0 {
		b = append(b, w.sep)
	}
	b = append(b, '(')
	b = append(b, w.rid...)
	return append(b, ") "...)
}

// emit ends the line started by start.
func (w *writer) emit(b []byte) {
	w.buf = b
	w.n++
}

func (w *writer) text(s string) { w.emit(append(w.start(), s...)) }

// Append appends ev's execution log lines for settings s to dst.
func Append(dst []Line, s Settings, ev *telemetry.RequestEvent) []Line {
	b, n := AppendRecord(nil, 0, s, ev)
	if n == 0 {
		return dst
	}
	all, at := string(b), Time(ev) // one allocation for every line
	for line := range strings.SplitSeq(all, "\x00") {
		dst = append(dst, Line{Time: at, Message: line})
	}
	return dst
}

// AppendRecord appends ev's execution log lines for settings s to dst,
// separated by sep (which the lines never contain when it is NUL: NUL in
// logged data is replaced), and returns how many lines it wrote. All
// lines have timestamp Time(ev).
func AppendRecord(dst []byte, sep byte, s Settings, ev *telemetry.RequestEvent) ([]byte, int) {
	if s.Level == Off || s.Level == Error && !Failed(ev) {
		return dst, 0
	}
	w := &writer{buf: dst, sep: sep, rid: ev.RequestID}
	if s.Level == Error {
		failure(w, s, ev)
		completed(w, ev)
		return w.buf, w.n
	}

	w.emit(append(append(w.start(), "Extended Request Id: "...), ev.ExtendedRequestID...))
	if ev.Authorizer.ID != "" {
		authorizer(w, ev)
	}
	if ev.ResourcePath != "" && ev.Authorizer.Status < 300 {
		usagePlan(w, ev)
	}
	w.emit(append(append(w.start(), "Starting execution for request: "...), ev.RequestID...))
	b := append(w.start(), "HTTP Method: "...)
	b = append(b, ev.HTTPMethod...)
	b = append(b, ", Resource Path: "...)
	w.emit(appendClean(b, requestPath(ev)))
	if ev.APIKeyRequired && ev.Identity.APIKeyID != "" {
		w.emit(append(append(w.start(), "API Key: "...), maskSecret(ev.Identity.APIKey)...))
		w.emit(append(append(w.start(), "API Key ID: "...), ev.Identity.APIKeyID...))
	}

	if ev.ResourcePath != "" {
		w.emit(appendParams(append(w.start(), "Method request path: "...), ev.PathParams, s.DataTrace))
		w.emit(appendQuery(append(w.start(), "Method request query string: "...), ev.RawQuery, s.DataTrace))
		w.emit(appendHeaders(append(w.start(), "Method request headers: "...), ev.Headers, s.DataTrace))
		if s.DataTrace {
			w.emit(appendBody(append(w.start(), "Method request body before transformations: "...), ev.Body))
		}
	}

	switch {
	case ev.Cache == telemetry.CacheHit:
		w.text("Sending response from the stage cache")
	case ev.EndpointRequestURI != "":
		uri := ev.EndpointRequestURI
		if !s.DataTrace {
			// Without data trace no parameter values are logged, and
			// query strings carry them.
			uri, _, _ = strings.Cut(uri, "?")
		} else {
			uri = maskURIQuery(uri)
		}
		w.emit(appendClean(append(w.start(), "Endpoint request URI: "...), uri))
		if s.DataTrace {
			w.emit(appendHeaders(append(w.start(), "Endpoint request headers: "...), ev.EndpointRequestHeaders, true))
			w.emit(appendBody(append(w.start(), "Endpoint request body after transformations: "...), ev.EndpointRequestBody))
		}
		w.emit(appendClean(append(w.start(), "Sending request to "...), uri))
	}

	if ev.IntegrationStatus != 0 {
		b := append(w.start(), "Received response. Status: "...)
		b = strconv.AppendInt(b, int64(ev.IntegrationStatus), 10)
		b = append(b, ", Integration latency: "...)
		b = strconv.AppendInt(b, ev.IntegrationLatency.Milliseconds(), 10)
		w.emit(append(b, " ms"...))
		if s.DataTrace {
			w.emit(appendHeaders(append(w.start(), "Endpoint response headers: "...), ev.EndpointResponseHeaders, true))
			w.emit(appendBody(append(w.start(), "Endpoint response body before transformations: "...), ev.EndpointResponseBody))
		}
	}
	if Failed(ev) {
		failure(w, s, ev)
	} else {
		if s.DataTrace {
			w.emit(appendBody(append(w.start(), "Method response body after transformations: "...), ev.ResponseBody))
			w.emit(appendHeaders(append(w.start(), "Method response headers: "...), ev.ResponseHeaders, true))
		}
		w.text("Successfully completed execution")
	}
	completed(w, ev)
	return w.buf, w.n
}

// authorizer writes AWS's authorizer lines: its start and its outcome.
func authorizer(w *writer, ev *telemetry.RequestEvent) {
	a := &ev.Authorizer
	b := append(w.start(), "Starting authorizer: "...)
	b = append(b, a.ID...)
	b = append(b, " for request: "...)
	w.emit(append(b, ev.RequestID...))
	if a.Cached {
		w.text("Authorizer result from cache")
	}
	switch {
	case a.Status == http.StatusUnauthorized:
		w.emit(append(append(w.start(), "Unauthorized request: "...), ev.RequestID...))
	case a.Status == http.StatusForbidden:
		w.text("The client is not authorized to perform this operation.")
	case a.Status >= 500:
		w.text("Execution failed due to configuration error: Authorizer error")
	default:
		b = append(w.start(), "Using valid authorizer policy for principal: "...)
		w.emit(appendClean(b, maskSecret(a.PrincipalID)))
		w.text("Successfully completed authorizer execution")
	}
}

// usagePlan writes the usage plan check AWS logs before execution. For a
// method without apiKeyRequired the lines are AWS's recorded ones ("does
// not require API Key"). For a key-protected method AWS logs the
// verification and, when it passes, "Usage Plan check succeeded for API
// Key {masked} and API Stage {api}/{stage}" (recorded); the texts for a
// refused key and an exhausted quota are U, written in the same style.
func usagePlan(w *writer, ev *telemetry.RequestEvent) {
	key := maskSecret(ev.Identity.APIKey)
	stage := ev.APIID + "/" + ev.Stage
	b := append(w.start(), "Verifying Usage Plan for request: "...)
	b = append(b, ev.RequestID...)
	b = append(b, ". API Key: "...)
	b = append(b, key...)
	b = append(b, " API Stage: "...)
	w.emit(append(b, stage...))
	if ev.APIKeyRequired {
		switch ev.ErrorResponseType {
		case "INVALID_API_KEY":
			b = append(w.start(), "API Key "...)
			b = append(b, key...)
			b = append(b, " not authorized because method '"...)
			b = append(b, ev.HTTPMethod...)
			b = append(b, ' ')
			b = append(b, ev.ResourcePath...)
			b = append(b, "' requires API Key and API Key is not valid or not associated with a Usage Plan for API Stage "...)
			w.emit(append(b, stage...))
			return
		case "QUOTA_EXCEEDED":
			b = append(w.start(), "Usage Plan check failed for API Key "...)
			b = append(b, key...)
			b = append(b, " and API Stage "...)
			b = append(b, stage...)
			w.emit(append(b, ": quota limit exceeded"...))
			return
		}
		b = append(w.start(), "Usage Plan check succeeded for API Key "...)
		b = append(b, key...)
		b = append(b, " and API Stage "...)
		w.emit(append(b, stage...))
		return
	}
	b = append(w.start(), "API Key "...)
	b = append(b, key...)
	b = append(b, " authorized because method '"...)
	b = append(b, ev.HTTPMethod...)
	b = append(b, ' ')
	b = append(b, ev.ResourcePath...)
	w.emit(append(b, "' does not require API Key. Request will not contribute to throttle or quota limits"...))
	b = append(w.start(), "Usage Plan check succeeded for API Key "...)
	b = append(b, key...)
	b = append(b, " and API Stage "...)
	w.emit(append(b, stage...))
}

// failure writes why the gateway answered itself.
func failure(w *writer, s Settings, ev *telemetry.RequestEvent) {
	b := w.start()
	switch ev.ErrorResponseType {
	case telemetry.ResponseIntegrationTimeout:
		b = append(b, "Execution failed due to a timeout error"...)
	case telemetry.ResponseIntegrationFailure, "API_CONFIGURATION_ERROR":
		b = append(b, "Execution failed due to configuration error: "...)
		msg := ev.IntegrationError
		if msg == "" {
			msg = ev.ErrorMessage
		}
		b = appendClean(b, msg)
	case telemetry.ResponseThrottled:
		b = append(b, "Request throttled: the method's throttling limits were exceeded"...)
	case "BAD_REQUEST_BODY":
		// AWS's wording (its console test logs); the errors are
		// $context.error.validationErrorString.
		b = append(b, "Request body does not match model schema for content type "...)
		b = appendClean(b, requestMediaType(ev.Headers))
		b = append(b, ": "...)
		b = appendClean(b, ev.ValidationErrorString)
	case "BAD_REQUEST_PARAMETERS":
		b = append(b, "Request validation failed: "...)
		b = appendClean(b, ev.ValidationErrorString)
	case "MISSING_AUTHENTICATION_TOKEN":
		b = append(b, "No resource or method matches "...)
		b = append(b, ev.HTTPMethod...)
		b = append(b, ' ')
		b = appendClean(b, requestPath(ev))
	case "":
		b = append(b, "Execution failed: "...)
		b = appendClean(b, ev.IntegrationError)
	default:
		b = append(b, "Execution failed: "...)
		b = appendClean(b, ev.ErrorMessage)
	}
	w.emit(b)
	if ev.ErrorResponseType == "" {
		return
	}
	b = append(w.start(), "Gateway response type: "...)
	b = append(b, ev.ErrorResponseType...)
	b = append(b, " with status code: "...)
	w.emit(strconv.AppendInt(b, int64(ev.Status), 10))
	if s.DataTrace {
		w.emit(appendBody(append(w.start(), "Gateway response body: "...), ev.ResponseBody))
		w.emit(appendHeaders(append(w.start(), "Gateway response headers: "...), ev.ResponseHeaders, true))
	}
}

func completed(w *writer, ev *telemetry.RequestEvent) {
	w.emit(strconv.AppendInt(append(w.start(), "Method completed with status: "...), int64(ev.Status), 10))
}

// requestMediaType is the media type that selected the request's model:
// its Content-Type without parameters, application/json when it has none.
func requestMediaType(h http.Header) string {
	ct, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	if ct = strings.ToLower(strings.TrimSpace(ct)); ct != "" {
		return ct
	}
	return "application/json"
}

// requestPath is the request path without the stage segment.
func requestPath(ev *telemetry.RequestEvent) string {
	p := ev.Path
	if rest, ok := strings.CutPrefix(p, "/"+ev.Stage); ok && ev.Stage != "" && (rest == "" || rest[0] == '/') {
		p = rest
	}
	if p == "" {
		p = "/"
	}
	return p
}

// appendParams writes {a=1, b=2} (names only without data trace).
func appendParams(b []byte, ps []telemetry.Param, values bool) []byte {
	b = append(b, '{')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, p.Name...)
		if values {
			b = append(b, '=')
			b = appendClean(b, p.Value)
		}
	}
	return append(b, '}')
}

// appendQuery writes the query string as {name=value, ...} in request
// order, multiple values joined with ",".
func appendQuery(b []byte, raw string, values bool) []byte {
	b = append(b, '{')
	if raw == "" {
		return append(b, '}')
	}
	q, _ := url.ParseQuery(raw)
	names := make([]string, 0, len(q))
	for _, kv := range strings.Split(raw, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if k, err := url.QueryUnescape(k); err == nil && k != "" && !slices.Contains(names, k) {
			names = append(names, k)
		}
	}
	for i, name := range names {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendClean(b, name)
		if values {
			b = append(b, '=')
			v := strings.Join(q[name], ",")
			if sensitiveParam(name) {
				v = maskSecret(v)
			}
			b = appendClean(b, v)
		}
	}
	return append(b, '}')
}

// appendHeaders writes {Name=value, ...} sorted by name, credentials
// masked; names only without data trace. It runs for up to five header
// maps per request in the log writer, so it avoids allocating: names are
// sorted in a stack array and values appended in place.
func appendHeaders(b []byte, h http.Header, values bool) []byte {
	b = append(b, '{')
	var arr [24]string
	names := arr[:0]
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	for i, k := range names {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendClean(b, k)
		if !values {
			continue
		}
		b = append(b, '=')
		vs := h[k]
		if sensitiveHeader(k) {
			b = appendClean(b, maskSecret(strings.Join(vs, ",")))
			continue
		}
		for j, v := range vs {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendClean(b, v)
		}
	}
	return append(b, '}')
}

const truncated = " [TRUNCATED]"

// appendBody writes a body, cut at MaxTracedBody bytes (on a rune
// boundary), invalid UTF-8 replaced.
func appendBody(b []byte, body []byte) []byte {
	cut := len(body) > telemetry.MaxTracedBody
	if cut {
		body = body[:telemetry.MaxTracedBody]
		// Do not leave half a character at the cut.
		i := len(body) - 1
		for i > 0 && i > len(body)-utf8.UTFMax && !utf8.RuneStart(body[i]) {
			i--
		}
		if !utf8.FullRune(body[i:]) {
			body = body[:i]
		}
	}
	if utf8.Valid(body) && bytes.IndexByte(body, 0) < 0 {
		b = append(b, body...)
	} else {
		b = append(b, strings.ReplaceAll(strings.ToValidUTF8(string(body), "\uFFFD"), "\x00", "\uFFFD")...)
	}
	if cut {
		b = append(b, truncated...)
	}
	return b
}

// appendClean appends a header or parameter value with line breaks
// escaped, so one line stays one line, and NUL (the record separator)
// replaced.
func appendClean(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case 0:
			b = append(b, "\uFFFD"...)
		default:
			b = append(b, c)
		}
	}
	return b
}
