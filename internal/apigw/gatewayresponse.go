package apigw

import (
	"slices"
	"strconv"
)

// GatewayResponse customizes an error answer the gateway itself produces
// (a gateway response type): its status, header parameters
// (gatewayresponse.header.X) and body templates by content type. A REST
// API stores only the customized types; the others are AWS's defaults,
// reported with DefaultResponse set.
type GatewayResponse struct {
	ResponseType       string            `json:"responseType"`
	StatusCode         string            `json:"statusCode,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
	DefaultResponse    bool              `json:"defaultResponse"`
}

// GatewayResponseType is one of AWS's gateway response types with its
// default status (supported-gateway-response-types; 0 for DEFAULT_4XX and
// DEFAULT_5XX, which have none of their own).
type GatewayResponseType struct {
	Name          string
	DefaultStatus int
}

// GatewayResponseTypes lists every type in the API reference's enum order,
// which is also the order GetGatewayResponses lists them in.
var GatewayResponseTypes = []GatewayResponseType{
	{"DEFAULT_4XX", 0},
	{"DEFAULT_5XX", 0},
	{"RESOURCE_NOT_FOUND", 404},
	{"UNAUTHORIZED", 401},
	{"INVALID_API_KEY", 403},
	{"ACCESS_DENIED", 403},
	{"AUTHORIZER_FAILURE", 500},
	{"AUTHORIZER_CONFIGURATION_ERROR", 500},
	{"INVALID_SIGNATURE", 403},
	{"EXPIRED_TOKEN", 403},
	{"MISSING_AUTHENTICATION_TOKEN", 403},
	{"INTEGRATION_FAILURE", 504},
	{"INTEGRATION_TIMEOUT", 504},
	{"API_CONFIGURATION_ERROR", 500},
	{"UNSUPPORTED_MEDIA_TYPE", 415},
	{"BAD_REQUEST_PARAMETERS", 400},
	{"BAD_REQUEST_BODY", 400},
	{"REQUEST_TOO_LARGE", 413},
	{"THROTTLED", 429},
	{"QUOTA_EXCEEDED", 429},
	{"WAF_FILTERED", 403},
}

// DefaultGatewayResponseTemplate is the body template of every
// uncustomized type: the error message as a JSON value.
const DefaultGatewayResponseTemplate = `{"message":$context.error.messageString}`

// LookupGatewayResponseType returns the type named name.
func LookupGatewayResponseType(name string) (GatewayResponseType, bool) {
	i := slices.IndexFunc(GatewayResponseTypes, func(t GatewayResponseType) bool { return t.Name == name })
	if i < 0 {
		return GatewayResponseType{}, false
	}
	return GatewayResponseTypes[i], true
}

// DefaultGatewayResponse is what GetGatewayResponse answers for a type
// nobody customized: the default status (none for DEFAULT_4XX/5XX), no
// parameters and the default template.
func DefaultGatewayResponse(t GatewayResponseType) *GatewayResponse {
	gr := &GatewayResponse{
		ResponseType:       t.Name,
		ResponseParameters: map[string]string{},
		ResponseTemplates:  map[string]string{"application/json": DefaultGatewayResponseTemplate},
		DefaultResponse:    true,
	}
	if t.DefaultStatus != 0 {
		gr.StatusCode = strconv.Itoa(t.DefaultStatus)
	}
	return gr
}
