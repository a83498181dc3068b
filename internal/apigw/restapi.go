package apigw

// RestAPI is an API Gateway REST API. Its resource tree lives in Resources,
// which is not part of the RestApi wire shape (AWS returns resources from
// their own routes).
type RestAPI struct {
	ID                        string                 `json:"id"`
	Name                      string                 `json:"name"`
	Description               string                 `json:"description,omitempty"`
	CreatedDate               Time                   `json:"createdDate"`
	Version                   string                 `json:"version,omitempty"`
	Warnings                  []string               `json:"warnings,omitempty"`
	BinaryMediaTypes          []string               `json:"binaryMediaTypes,omitempty"`
	MinimumCompressionSize    *int                   `json:"minimumCompressionSize,omitempty"`
	APIKeySource              string                 `json:"apiKeySource,omitempty"`
	EndpointConfiguration     *EndpointConfiguration `json:"endpointConfiguration,omitempty"`
	Policy                    string                 `json:"policy,omitempty"`
	Tags                      map[string]string      `json:"tags,omitempty"`
	DisableExecuteAPIEndpoint bool                   `json:"disableExecuteApiEndpoint"`
	RootResourceID            string                 `json:"rootResourceId"`

	// Resources is the API's resource tree keyed by resource id. The root
	// resource (path "/") is always present.
	Resources map[string]*Resource `json:"-"`
	// Authorizers (by id) and the customized GatewayResponses (by type)
	// are API sub-resources with routes of their own, stored with the API.
	Authorizers      map[string]*Authorizer      `json:"-"`
	GatewayResponses map[string]*GatewayResponse `json:"-"`
	// Models (by name) and RequestValidators (by id) belong to the API
	// but, like resources, are served from their own routes.
	Models            map[string]*Model            `json:"-"`
	RequestValidators map[string]*RequestValidator `json:"-"`
}

// EndpointConfiguration says how the API is exposed.
type EndpointConfiguration struct {
	Types          []string `json:"types,omitempty"`
	IPAddressType  string   `json:"ipAddressType,omitempty"`
	VPCEndpointIDs []string `json:"vpcEndpointIds,omitempty"`
}

// HasMethods reports whether any resource of the API has a method; AWS
// refuses to deploy an API without one.
func (a *RestAPI) HasMethods() bool {
	for _, r := range a.Resources {
		if len(r.ResourceMethods) > 0 {
			return true
		}
	}
	return false
}

// ResourceByPath returns the resource whose full path is p, or nil.
func (a *RestAPI) ResourceByPath(p string) *Resource {
	for _, r := range a.Resources {
		if r.Path == p {
			return r
		}
	}
	return nil
}
