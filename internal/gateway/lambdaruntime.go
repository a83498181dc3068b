package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/stagecoach/stagecoach/internal/telemetry/tracing"
)

// Calls to a function's local runtime (--lambda-endpoints), shared by the
// three callers of Lambda: AWS_PROXY integrations (lambda.go), Lambda
// through a type AWS integration (lambdaintegration.go) and Lambda
// authorizers (authorizer.go). Each keeps its own event and its own
// reading of the answer; the exchange itself is written once here.

// newFunctionRequest builds the invoke POST of payload to a runtime's
// invocation endpoint, carrying the request's trace header when it has
// one (tracing.go).
func newFunctionRequest(ctx context.Context, endpoint string, payload []byte, traceHeader string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if traceHeader != "" {
		req.Header[tracing.HeaderName] = []string{traceHeader}
	}
	return req, nil
}

// functionAnswer is what a runtime answered to one invoke.
type functionAnswer struct {
	status int
	header http.Header
	body   []byte
}

// invokeFunction sends req and reads the runtime's answer, at most
// maxPayload bytes of it.
func (g *Gateway) invokeFunction(req *http.Request) (functionAnswer, error) {
	resp, err := g.transport.RoundTrip(req)
	if err != nil {
		return functionAnswer{}, err
	}
	out, err := io.ReadAll(io.LimitReader(resp.Body, maxPayload))
	resp.Body.Close()
	if err != nil {
		return functionAnswer{}, err
	}
	return functionAnswer{status: resp.StatusCode, header: resp.Header, body: out}, nil
}

// failed reports a function error: the runtime says so with
// X-Amz-Function-Error, or did not answer 200.
func (a functionAnswer) failed() bool {
	return a.status != http.StatusOK || a.header.Get("X-Amz-Function-Error") != ""
}

// errorMessage is a failed invoke's errorMessage, "" when its payload
// is not a Lambda error document.
func (a functionAnswer) errorMessage() string {
	var fe struct {
		ErrorMessage string `json:"errorMessage"`
	}
	json.Unmarshal(a.body, &fe)
	return fe.ErrorMessage
}
