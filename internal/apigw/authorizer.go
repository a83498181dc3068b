package apigw

// Authorizer types.
const (
	AuthorizerToken   = "TOKEN"
	AuthorizerRequest = "REQUEST"
	AuthorizerCognito = "COGNITO_USER_POOLS"
)

// Authorizer is a REST API's Lambda (TOKEN, REQUEST) or Cognito user pool
// authorizer. Methods name it by id (authorizationType CUSTOM or
// COGNITO_USER_POOLS); like the rest of the API it reaches callers only
// through a deployment.
type Authorizer struct {
	ID                           string   `json:"id"`
	Name                         string   `json:"name"`
	Type                         string   `json:"type"`
	ProviderARNs                 []string `json:"providerARNs,omitempty"`
	AuthType                     string   `json:"authType,omitempty"`
	AuthorizerURI                string   `json:"authorizerUri,omitempty"`
	AuthorizerCredentials        string   `json:"authorizerCredentials,omitempty"`
	IdentitySource               string   `json:"identitySource,omitempty"`
	IdentityValidationExpression string   `json:"identityValidationExpression,omitempty"`
	// AuthorizerResultTTLInSeconds is nil when never set: AWS then caches
	// for 300 seconds (Lambda authorizers).
	AuthorizerResultTTLInSeconds *int `json:"authorizerResultTtlInSeconds,omitempty"`
}

// DefaultAuthorizerTTL is the result cache TTL of an authorizer that does
// not set one.
const DefaultAuthorizerTTL = 300

// TTL is the authorizer's effective result cache TTL in seconds.
func (a *Authorizer) TTL() int {
	if a.AuthorizerResultTTLInSeconds == nil {
		return DefaultAuthorizerTTL
	}
	return *a.AuthorizerResultTTLInSeconds
}
