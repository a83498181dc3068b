package guard

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/stagecoach/stagecoach/internal/awsproto"
	"github.com/stagecoach/stagecoach/internal/sigv4"
	"github.com/stagecoach/stagecoach/internal/telemetry/cwapi"
)

// Protocol is the wire a wrapped handler speaks; refusals are written
// in it.
type Protocol int

const (
	// RestJSON is API Gateway's restJson1: x-amzn-ErrorType header and
	// {"message": ...}.
	RestJSON Protocol = iota
	// AWSJSON10 (Cloud Control) and AWSJSON11 (CloudWatch Logs) write
	// {"__type", "message"} documents.
	AWSJSON10
	AWSJSON11
	// Console is the web console: pages redirect to the login page, its
	// own requests get a short text answer.
	Console
	// Plain is a text endpoint (/metrics).
	Plain
	// CloudWatch is the metrics API, whose protocol (awsQuery, awsJson
	// 1.0, RPC v2 CBOR) differs per request; cwapi writes the refusal.
	CloudWatch
)

func (p Protocol) json() bool { return p == RestJSON || p == AWSJSON10 || p == AWSJSON11 }

// open reports whether r needs no authentication: the console's login
// page and its static assets.
func (p Protocol) open(r *http.Request) bool {
	if p != Console {
		return false
	}
	path := r.URL.Path
	return path == LoginPath || strings.HasPrefix(path, "/console/static/")
}

// refusal is an answer the guard gives instead of the handler's.
type refusal struct {
	Status  int
	Code    string
	Message string
	// coral marks the errors AWS's awsJson services send with the
	// com.amazon.coral.service# namespace (the authentication ones).
	coral bool
}

func sigv4Refusal(e *sigv4.Error) *refusal {
	return &refusal{Status: e.Status, Code: e.Code, Message: e.Message, coral: true}
}

func errHostNotAllowed(host string) *refusal {
	return &refusal{Status: http.StatusForbidden, Code: "ForbiddenException",
		Message: "Host " + strconvQuote(host) + " is not allowed for management requests (add it with --allowed-hosts)"}
}

func errCrossSite(why string) *refusal {
	return &refusal{Status: http.StatusForbidden, Code: "ForbiddenException",
		Message: "Cross-site management request refused (" + why + ")"}
}

func errCSRF() *refusal {
	return &refusal{Status: http.StatusForbidden, Code: "ForbiddenException",
		Message: "Missing or invalid CSRF token for this console session; reload the page"}
}

func (p Protocol) refuse(w http.ResponseWriter, r *http.Request, e *refusal) {
	h := w.Header()
	h.Set("x-amzn-RequestId", awsproto.NewRequestID())
	switch p {
	case RestJSON:
		b, _ := json.Marshal(struct {
			Message string `json:"message"`
		}{e.Message})
		h.Set("Content-Type", "application/json")
		h.Set("x-amzn-ErrorType", e.Code)
		w.WriteHeader(e.Status)
		w.Write(b)
	case AWSJSON10, AWSJSON11:
		ct := "application/x-amz-json-1.0"
		if p == AWSJSON11 {
			ct = "application/x-amz-json-1.1"
		}
		typ := e.Code
		if e.coral {
			typ = "com.amazon.coral.service#" + e.Code
		}
		awsproto.JSON{ContentType: ct}.WriteError(w, awsproto.Error{Status: e.Status, Type: typ, Code: e.Code, Message: e.Message})
	case CloudWatch:
		cwapi.WriteRefusal(w, r, e.Status, e.Code, e.Message)
	default:
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(e.Status)
		w.Write([]byte(e.Code + ": " + e.Message + "\n"))
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
