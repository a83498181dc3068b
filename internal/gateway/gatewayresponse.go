package gateway

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// gwType is a gateway response type, an index into
// apigw.GatewayResponseTypes (same order; TestGatewayResponseTypeOrder).
type gwType uint8

const (
	gtDefault4XX gwType = iota
	gtDefault5XX
	gtResourceNotFound
	gtUnauthorized
	gtInvalidAPIKey
	gtAccessDenied
	gtAuthorizerFailure
	gtAuthorizerConfigurationError
	gtInvalidSignature
	gtExpiredToken
	gtMissingAuthenticationToken
	gtIntegrationFailure
	gtIntegrationTimeout
	gtAPIConfigurationError
	gtUnsupportedMediaType
	gtBadRequestParameters
	gtBadRequestBody
	gtRequestTooLarge
	gtThrottled
	gtQuotaExceeded
	gtWAFFiltered
	numGWTypes
)

// String is the type's AWS name ($context.error.responseType).
func (t gwType) String() string { return apigw.GatewayResponseTypes[t].Name }

// gatewayResponse is an error answer produced by the gateway itself rather
// than by a backend: one of AWS's "gateway responses", as it is sent when
// the API does not customize its type. Bodies are kept as bytes, written
// as AWS writes them (note the space after the colon in the 5xx bodies:
// that is AWS's spelling, captured from real responses).
//
// Every error the data plane answers goes through write, which applies
// the deployment's customization of the type (customResponse) when there
// is one.
type gatewayResponse struct {
	typ       gwType
	status    int
	errorType string // x-amzn-ErrorType
	body      []byte
	// message is $context.error.message; messageJSON is
	// $context.error.messageString, the message as a JSON value ("null"
	// for the authorizer failures' {"message": null}).
	message     string
	messageJSON string
	// validation is $context.error.validationErrorString (request
	// validation failures, validation.go).
	validation string
}

// newGatewayResponse builds a response, reading its message from the body
// once.
func newGatewayResponse(typ gwType, status int, errorType, body string) gatewayResponse {
	gr := gatewayResponse{typ: typ, status: status, errorType: errorType, body: []byte(body), messageJSON: "null"}
	var b struct {
		Message  *string `json:"message"`
		MessageC *string `json:"Message"` // the IAM policy denials spell it so
	}
	json.Unmarshal(gr.body, &b)
	if b.Message == nil {
		b.Message = b.MessageC
	}
	if b.Message != nil {
		gr.message = *b.Message
		q, _ := json.Marshal(*b.Message)
		gr.messageJSON = string(q)
	}
	return gr
}

// The gateway responses reachable in this build (data-plane.md §10).
// x-amzn-ErrorType values other than MissingAuthenticationTokenException
// and InternalServerErrorException are unverified against AWS; they follow
// AWS's "{Name}Exception" pattern.
var (
	// MISSING_AUTHENTICATION_TOKEN: no resource or method matches.
	respMissingAuthToken = newGatewayResponse(gtMissingAuthenticationToken, http.StatusForbidden,
		"MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`)
	// Unknown API, unknown stage, or disableExecuteApiEndpoint: no
	// specific AWS type, so DEFAULT_4XX.
	respForbidden = newGatewayResponse(gtDefault4XX, http.StatusForbidden, "ForbiddenException", `{"message":"Forbidden"}`)
	// INTEGRATION_FAILURE: the backend is unreachable or answered garbage.
	// The spec notes AWS answers 500 at runtime for an unreachable HTTP
	// backend; issue 3 asks for 502, which is also what AWS answers for a
	// malformed Lambda proxy result, so every integration failure is 502.
	respIntegrationFailure = newGatewayResponse(gtIntegrationFailure, http.StatusBadGateway,
		"InternalServerErrorException", `{"message": "Internal server error"}`)
	// INTEGRATION_TIMEOUT: timeoutInMillis elapsed.
	respIntegrationTimeout = newGatewayResponse(gtIntegrationTimeout, http.StatusGatewayTimeout,
		"InternalServerErrorException", `{"message": "Endpoint request timed out"}`)
	// API_CONFIGURATION_ERROR: the deployed configuration cannot answer
	// (no integration, no integration response matches and none is the
	// default, an integration response without a method response).
	respConfigurationError = newGatewayResponse(gtAPIConfigurationError, http.StatusInternalServerError,
		"InternalServerErrorException", `{"message": "Internal server error"}`)
	// REQUEST_TOO_LARGE: payload over 10 MB.
	respRequestTooLarge = newGatewayResponse(gtRequestTooLarge, http.StatusRequestEntityTooLarge,
		"RequestTooLargeException", `{"message":"Request Too Long"}`)
	// UNSUPPORTED_MEDIA_TYPE: passthroughBehavior refused the body.
	respUnsupportedMediaType = newGatewayResponse(gtUnsupportedMediaType, http.StatusUnsupportedMediaType,
		"UnsupportedMediaTypeException", `{"message":"Unsupported Media Type"}`)
)

// noDeploymentResponse answers for a stage that points at no deployment (a
// stage created through Cloud Control before any deployment, or whose
// deployment is gone). AWS cannot get into this state, so the text is ours:
// it says what is wrong and how to fix it.
func noDeploymentResponse(stage string) gatewayResponse {
	return newGatewayResponse(gtDefault5XX, http.StatusInternalServerError, "InternalServerErrorException",
		`{"message":"Stage '`+jsonEscape(stage)+`' has no deployment: create a deployment for it or set its deploymentId"}`)
}

// write answers the request with the gateway response: the deployment's
// customization of its type when the API has one (customResponse.write),
// else AWS's default. The request id headers are added by the
// invocation's writer.
func (gr *gatewayResponse) write(inv *invocation) {
	if c := inv.variant.customResponse(gr.typ); c != nil {
		c.write(inv, gr)
		return
	}
	w := inv.w
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
