package apigw

// Deployment is an immutable snapshot of a REST API. Stages point at
// deployments; the data plane serves the snapshot, so later edits to the
// API are invisible to callers until a new deployment is attached.
type Deployment struct {
	ID          string                               `json:"id"`
	Description string                               `json:"description,omitempty"`
	CreatedDate Time                                 `json:"createdDate"`
	APISummary  map[string]map[string]MethodSnapshot `json:"apiSummary,omitempty"`

	// Snapshot is the API as it was when the deployment was created. It is
	// stored with the deployment but never sent on the wire.
	Snapshot *Snapshot `json:"-"`
}

// MethodSnapshot is the per-method summary GetDeployment returns with
// embed=apisummary.
type MethodSnapshot struct {
	AuthorizationType string `json:"authorizationType"`
	APIKeyRequired    bool   `json:"apiKeyRequired"`
}

// Snapshot is the frozen content of a deployment: what the data plane
// needs to route and integrate requests.
type Snapshot struct {
	APIName                   string   `json:"apiName"`
	BinaryMediaTypes          []string `json:"binaryMediaTypes,omitempty"`
	DisableExecuteAPIEndpoint bool     `json:"disableExecuteApiEndpoint,omitempty"`
	// APIKeySource is where methods with apiKeyRequired read the key:
	// HEADER (x-api-key) or AUTHORIZER (a Lambda authorizer's
	// usageIdentifierKey). Empty in snapshots made before it was kept:
	// HEADER.
	APIKeySource string               `json:"apiKeySource,omitempty"`
	Resources    map[string]*Resource `json:"resources"`
	// Authorizers and customized gateway responses are deployed with the
	// API: changing them takes effect at the next deployment, as on AWS.
	Authorizers      map[string]*Authorizer      `json:"authorizers,omitempty"`
	GatewayResponses map[string]*GatewayResponse `json:"gatewayResponses,omitempty"`
	// Models and RequestValidators are frozen with the resources: request
	// validation serves the deployed ones.
	Models            map[string]*Model            `json:"models,omitempty"`
	RequestValidators map[string]*RequestValidator `json:"requestValidators,omitempty"`
}

// Summary returns the deployment's apiSummary: path -> verb -> summary.
func (s *Snapshot) Summary() map[string]map[string]MethodSnapshot {
	out := map[string]map[string]MethodSnapshot{}
	for _, r := range s.Resources {
		if len(r.ResourceMethods) == 0 {
			continue
		}
		m := map[string]MethodSnapshot{}
		for verb, meth := range r.ResourceMethods {
			m[verb] = MethodSnapshot{AuthorizationType: meth.AuthorizationType, APIKeyRequired: meth.APIKeyRequired}
		}
		out[r.Path] = m
	}
	return out
}
