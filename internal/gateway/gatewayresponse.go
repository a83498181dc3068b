package gateway

import (
	"net/http"
	"strconv"
)

// gatewayResponse is an error answer produced by the gateway itself rather
// than by a backend: AWS's "gateway responses". Bodies are kept as bytes,
// written as AWS writes them (note the space after the colon in the 5xx
// bodies: that is AWS's spelling, captured from real responses).
type gatewayResponse struct {
	status    int
	errorType string // x-amzn-ErrorType
	body      []byte
}

// The gateway responses reachable in this build (data-plane.md §10).
// x-amzn-ErrorType values other than MissingAuthenticationTokenException
// and InternalServerErrorException are unverified against AWS; they follow
// AWS's "{Name}Exception" pattern.
var (
	// MISSING_AUTHENTICATION_TOKEN: no resource or method matches.
	respMissingAuthToken = gatewayResponse{http.StatusForbidden, "MissingAuthenticationTokenException",
		[]byte(`{"message":"Missing Authentication Token"}`)}
	// Unknown API, unknown stage, or disableExecuteApiEndpoint.
	respForbidden = gatewayResponse{http.StatusForbidden, "ForbiddenException",
		[]byte(`{"message":"Forbidden"}`)}
	// INTEGRATION_FAILURE: the backend is unreachable or answered garbage.
	// The spec notes AWS answers 500 at runtime for an unreachable HTTP
	// backend; issue 3 asks for 502, which is also what AWS answers for a
	// malformed Lambda proxy result, so every integration failure is 502.
	respIntegrationFailure = gatewayResponse{http.StatusBadGateway, "InternalServerErrorException",
		[]byte(`{"message": "Internal server error"}`)}
	// INTEGRATION_TIMEOUT: timeoutInMillis elapsed.
	respIntegrationTimeout = gatewayResponse{http.StatusGatewayTimeout, "InternalServerErrorException",
		[]byte(`{"message": "Endpoint request timed out"}`)}
	// API_CONFIGURATION_ERROR: the deployed configuration cannot answer
	// (no integration, no integration response matches and none is the
	// default, an integration response without a method response).
	respConfigurationError = gatewayResponse{http.StatusInternalServerError, "InternalServerErrorException",
		[]byte(`{"message": "Internal server error"}`)}
	// REQUEST_TOO_LARGE: payload over 10 MB.
	respRequestTooLarge = gatewayResponse{http.StatusRequestEntityTooLarge, "RequestTooLargeException",
		[]byte(`{"message":"Request Too Long"}`)}
	// UNSUPPORTED_MEDIA_TYPE: passthroughBehavior refused the body.
	respUnsupportedMediaType = gatewayResponse{http.StatusUnsupportedMediaType, "UnsupportedMediaTypeException",
		[]byte(`{"message":"Unsupported Media Type"}`)}
)

// noDeploymentResponse answers for a stage that points at no deployment (a
// stage created through Cloud Control before any deployment, or whose
// deployment is gone). AWS cannot get into this state, so the text is ours:
// it says what is wrong and how to fix it.
func noDeploymentResponse(stage string) gatewayResponse {
	return gatewayResponse{http.StatusInternalServerError, "InternalServerErrorException",
		[]byte(`{"message":"Stage '` + jsonEscape(stage) +
			`' has no deployment: create a deployment for it or set its deploymentId"}`)}
}

// write sends the gateway response. The request id headers are already set
// by ServeInvoke.
func (gr *gatewayResponse) write(w http.ResponseWriter) {
	noteGatewayResponse(w, gr)
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["X-Amzn-Errortype"] = []string{gr.errorType}
	h["Content-Length"] = []string{strconv.Itoa(len(gr.body))}
	w.WriteHeader(gr.status)
	w.Write(gr.body)
}

// jsonEscape makes s safe inside a JSON string literal.
func jsonEscape(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
