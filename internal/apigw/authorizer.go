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

// TestInvokeAuthorizerInput is TestInvokeAuthorizer's body: the request
// the authorizer is run against.
type TestInvokeAuthorizerInput struct {
	Headers             map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders   map[string][]string `json:"multiValueHeaders,omitempty"`
	PathWithQueryString string              `json:"pathWithQueryString,omitempty"`
	Body                string              `json:"body,omitempty"`
	StageVariables      map[string]string   `json:"stageVariables,omitempty"`
	AdditionalContext   map[string]string   `json:"additionalContext,omitempty"`
}

// TestInvokeAuthorizerResult is what TestInvokeAuthorizer answers.
// ClientStatus is the status the caller would get, 0 when the authorizer
// succeeded; Policy is the returned policy document as JSON text.
type TestInvokeAuthorizerResult struct {
	ClientStatus  int                 `json:"clientStatus"`
	Log           string              `json:"log"`
	Latency       int64               `json:"latency"`
	PrincipalID   string              `json:"principalId,omitempty"`
	Policy        string              `json:"policy,omitempty"`
	Authorization map[string][]string `json:"authorization,omitempty"`
	Claims        map[string]string   `json:"claims,omitempty"`
}
