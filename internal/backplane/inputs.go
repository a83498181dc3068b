package backplane

import "github.com/stagecoach/stagecoach/internal/apigw"

// The input types below carry the JSON member names of the API Gateway
// request bodies, so the control API decodes request bodies straight into
// them. Pointer fields distinguish "absent" from the zero value where AWS
// does.

// CreateRestAPIInput is the body of CreateRestApi.
type CreateRestAPIInput struct {
	Name                      string                       `json:"name"`
	Description               *string                      `json:"description,omitempty"`
	Version                   string                       `json:"version,omitempty"`
	CloneFrom                 string                       `json:"cloneFrom,omitempty"`
	BinaryMediaTypes          []string                     `json:"binaryMediaTypes,omitempty"`
	MinimumCompressionSize    *int                         `json:"minimumCompressionSize,omitempty"`
	APIKeySource              string                       `json:"apiKeySource,omitempty"`
	EndpointConfiguration     *apigw.EndpointConfiguration `json:"endpointConfiguration,omitempty"`
	Policy                    string                       `json:"policy,omitempty"`
	Tags                      map[string]string            `json:"tags,omitempty"`
	DisableExecuteAPIEndpoint bool                         `json:"disableExecuteApiEndpoint,omitempty"`
}

// ImportParams are the query parameters of ImportRestApi / PutRestApi.
type ImportParams struct {
	// Mode is "merge" or "overwrite" (PutRestApi only).
	Mode           string
	FailOnWarnings bool
	// Parameters holds the other query parameters (basepath, ignore,
	// endpointConfigurationTypes).
	Parameters map[string]string
}

// PutMethodInput is the body of PutMethod.
type PutMethodInput struct {
	AuthorizationType   string            `json:"authorizationType"`
	AuthorizerID        string            `json:"authorizerId,omitempty"`
	APIKeyRequired      bool              `json:"apiKeyRequired,omitempty"`
	OperationName       string            `json:"operationName,omitempty"`
	RequestParameters   map[string]bool   `json:"requestParameters,omitempty"`
	RequestModels       map[string]string `json:"requestModels,omitempty"`
	RequestValidatorID  string            `json:"requestValidatorId,omitempty"`
	AuthorizationScopes []string          `json:"authorizationScopes,omitempty"`
}

// PutMethodResponseInput is the body of PutMethodResponse.
type PutMethodResponseInput struct {
	ResponseParameters map[string]bool   `json:"responseParameters,omitempty"`
	ResponseModels     map[string]string `json:"responseModels,omitempty"`
}

// PutIntegrationInput is the body of PutIntegration. Note the backend verb
// travels as "httpMethod".
type PutIntegrationInput struct {
	Type                string            `json:"type"`
	HTTPMethod          string            `json:"httpMethod,omitempty"`
	URI                 string            `json:"uri,omitempty"`
	ConnectionType      string            `json:"connectionType,omitempty"`
	ConnectionID        string            `json:"connectionId,omitempty"`
	Credentials         string            `json:"credentials,omitempty"`
	RequestParameters   map[string]string `json:"requestParameters,omitempty"`
	RequestTemplates    map[string]string `json:"requestTemplates,omitempty"`
	PassthroughBehavior string            `json:"passthroughBehavior,omitempty"`
	CacheNamespace      string            `json:"cacheNamespace,omitempty"`
	CacheKeyParameters  []string          `json:"cacheKeyParameters,omitempty"`
	ContentHandling     string            `json:"contentHandling,omitempty"`
	TimeoutInMillis     *int              `json:"timeoutInMillis,omitempty"`
	TLSConfig           *apigw.TLSConfig  `json:"tlsConfig,omitempty"`
}

// PutIntegrationResponseInput is the body of PutIntegrationResponse.
type PutIntegrationResponseInput struct {
	SelectionPattern   string            `json:"selectionPattern,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
	ContentHandling    string            `json:"contentHandling,omitempty"`
}

// DeploymentCanarySettings is CreateDeployment's canarySettings member.
type DeploymentCanarySettings struct {
	PercentTraffic         float64           `json:"percentTraffic,omitempty"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides,omitempty"`
	UseStageCache          bool              `json:"useStageCache,omitempty"`
}

// CreateDeploymentInput is the body of CreateDeployment.
type CreateDeploymentInput struct {
	StageName           string                    `json:"stageName,omitempty"`
	StageDescription    string                    `json:"stageDescription,omitempty"`
	Description         string                    `json:"description,omitempty"`
	CacheClusterEnabled *bool                     `json:"cacheClusterEnabled,omitempty"`
	CacheClusterSize    string                    `json:"cacheClusterSize,omitempty"`
	Variables           map[string]string         `json:"variables,omitempty"`
	CanarySettings      *DeploymentCanarySettings `json:"canarySettings,omitempty"`
	TracingEnabled      *bool                     `json:"tracingEnabled,omitempty"`

	// StageNameGiven reports whether the body had a stageName member,
	// even an empty one. Not on the wire.
	StageNameGiven bool `json:"-"`

	// StagePatch, when set, is applied to the named stage in the same
	// transaction (Cloud Control's StageDescription uses it). Not on the
	// wire.
	StagePatch []apigw.PatchOperation `json:"-"`
}

// CreateStageInput is the body of CreateStage.
type CreateStageInput struct {
	StageName            string                `json:"stageName"`
	DeploymentID         string                `json:"deploymentId"`
	Description          string                `json:"description,omitempty"`
	CacheClusterEnabled  bool                  `json:"cacheClusterEnabled,omitempty"`
	CacheClusterSize     string                `json:"cacheClusterSize,omitempty"`
	Variables            map[string]string     `json:"variables,omitempty"`
	DocumentationVersion string                `json:"documentationVersion,omitempty"`
	CanarySettings       *apigw.CanarySettings `json:"canarySettings,omitempty"`
	TracingEnabled       bool                  `json:"tracingEnabled,omitempty"`
	Tags                 map[string]string     `json:"tags,omitempty"`

	// The fields below are not on the wire; Cloud Control sets them.

	// AttachLatestDeployment, when DeploymentID is empty, attaches the API's
	// most recent deployment, or none if it has no deployment (the
	// product decision for Cloud Control stages; the REST API keeps
	// requiring deploymentId).
	AttachLatestDeployment bool `json:"-"`
	// Patch is applied to the new stage in the same transaction, with
	// UpdateStage's rules (method settings, access log settings, ...).
	Patch []apigw.PatchOperation `json:"-"`
}
