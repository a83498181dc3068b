package backplane

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// The subset of an OpenAPI 3.0 / Swagger 2.0 document that API Gateway
// reads when importing, with its x-amazon-apigateway-* extensions. Both
// versions share these shapes; where they differ (basePath and servers,
// components and definitions) both are read.

type oasDoc struct {
	Swagger  string `json:"swagger"`
	OpenAPI  string `json:"openapi"`
	Info     oasInfo
	BasePath string `json:"basePath"`
	Servers  []struct {
		URL       string `json:"url"`
		Variables map[string]struct {
			Default string `json:"default"`
		} `json:"variables"`
	} `json:"servers"`
	Paths map[string]map[string]json.RawMessage `json:"paths"`
	// Swagger 2 keeps reusable parameters and security schemes at the top
	// level, OpenAPI 3 under components.
	Parameters          map[string]oasParameter      `json:"parameters"`
	SecurityDefinitions map[string]oasSecurityScheme `json:"securityDefinitions"`
	Components          struct {
		Parameters      map[string]oasParameter      `json:"parameters"`
		SecuritySchemes map[string]oasSecurityScheme `json:"securitySchemes"`
		Schemas         map[string]json.RawMessage   `json:"schemas"` // models (openapi_models.go)
	} `json:"components"`
	oasModels                       // definitions, request validators (openapi_models.go)
	Security  []map[string][]string `json:"security"`

	BinaryMediaTypes       []string        `json:"x-amazon-apigateway-binary-media-types"`
	APIKeySource           string          `json:"x-amazon-apigateway-api-key-source"`
	MinimumCompressionSize *int            `json:"x-amazon-apigateway-minimum-compression-size"`
	Policy                 json.RawMessage `json:"x-amazon-apigateway-policy"`
	EndpointConfiguration  *struct {
		VPCEndpointIDs            []string `json:"vpcEndpointIds"`
		DisableExecuteAPIEndpoint bool     `json:"disableExecuteApiEndpoint"`
	} `json:"x-amazon-apigateway-endpoint-configuration"`
}

type oasInfo struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Version     string `json:"version"`
}

type oasOperation struct {
	OperationID        string                 `json:"operationId"`
	Parameters         []oasParameter         `json:"parameters"`
	Responses          map[string]oasResponse `json:"responses"`
	Security           *[]map[string][]string `json:"security"`
	Integration        *oasIntegration        `json:"x-amazon-apigateway-integration"`
	oasOperationModels                        // request body models, validator (openapi_models.go)
}

type oasParameter struct {
	Ref      string        `json:"$ref"`
	Name     string        `json:"name"`
	In       string        `json:"in"`
	Required bool          `json:"required"`
	Schema   *oasSchemaRef `json:"schema"` // Swagger 2 body parameters
}

type oasResponse struct {
	Ref         string                     `json:"$ref"`
	Description string                     `json:"description"`
	Headers     map[string]json.RawMessage `json:"headers"`
}

type oasSecurityScheme struct {
	Type       string          `json:"type"`
	Name       string          `json:"name"`
	In         string          `json:"in"`
	AuthType   string          `json:"x-amazon-apigateway-authtype"`
	Authorizer json.RawMessage `json:"x-amazon-apigateway-authorizer"`
}

type oasIntegration struct {
	Type                string                            `json:"type"`
	HTTPMethod          string                            `json:"httpMethod"`
	URI                 string                            `json:"uri"`
	ConnectionType      string                            `json:"connectionType"`
	ConnectionID        string                            `json:"connectionId"`
	Credentials         string                            `json:"credentials"`
	RequestParameters   map[string]string                 `json:"requestParameters"`
	RequestTemplates    map[string]string                 `json:"requestTemplates"`
	PassthroughBehavior string                            `json:"passthroughBehavior"`
	CacheNamespace      string                            `json:"cacheNamespace"`
	CacheKeyParameters  []string                          `json:"cacheKeyParameters"`
	ContentHandling     string                            `json:"contentHandling"`
	TimeoutInMillis     *int                              `json:"timeoutInMillis"`
	TLSConfig           *apigw.TLSConfig                  `json:"tlsConfig"`
	Responses           map[string]oasIntegrationResponse `json:"responses"`
}

type oasIntegrationResponse struct {
	StatusCode         flexString        `json:"statusCode"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
	ContentHandling    string            `json:"contentHandling"`
}

// flexString accepts a JSON string or number: YAML documents commonly
// write statusCode: 200 unquoted.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// msgInvalidOpenAPI is AWS's answer to a body that is not an OpenAPI
// document (recorded from a Terraform report).
const msgInvalidOpenAPI = "Invalid OpenAPI input."

// parseOpenAPI reads a JSON or YAML document. YAML is decoded generically
// and re-encoded as JSON so that one set of struct tags serves both.
func parseOpenAPI(body []byte) (*oasDoc, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, apigw.BadRequest(msgInvalidOpenAPI)
	}
	if trimmed[0] != '{' {
		var v any
		if err := yaml.Unmarshal(trimmed, &v); err != nil {
			return nil, apigw.BadRequest(msgInvalidOpenAPI)
		}
		b, err := json.Marshal(jsonCompatible(v))
		if err != nil {
			return nil, apigw.BadRequest(msgInvalidOpenAPI)
		}
		trimmed = b
	}
	var doc oasDoc
	if err := json.Unmarshal(trimmed, &doc); err != nil {
		return nil, apigw.BadRequest(msgInvalidOpenAPI)
	}
	if doc.Swagger == "" && doc.OpenAPI == "" {
		return nil, apigw.BadRequest(msgInvalidOpenAPI)
	}
	return &doc, nil
}

// jsonCompatible turns YAML's map[any]any (from non-string keys such as
// response codes written 200:) into map[string]any, recursively.
func jsonCompatible(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = jsonCompatible(e)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = jsonCompatible(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = jsonCompatible(e)
		}
		return t
	}
	return v
}

// operationVerbs maps path-item keys to API Gateway methods.
var operationVerbs = map[string]string{
	"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE",
	"patch": "PATCH", "options": "OPTIONS", "head": "HEAD",
	"x-amazon-apigateway-any-method": "ANY",
}

// resolveParameter follows a "#/components/parameters/x" or
// "#/parameters/x" reference.
func (d *oasDoc) resolveParameter(p oasParameter) (oasParameter, bool) {
	if p.Ref == "" {
		return p, true
	}
	name := p.Ref[strings.LastIndex(p.Ref, "/")+1:]
	if q, ok := d.Components.Parameters[name]; ok && strings.HasPrefix(p.Ref, "#/components/") {
		return q, true
	}
	if q, ok := d.Parameters[name]; ok && strings.HasPrefix(p.Ref, "#/parameters/") {
		return q, true
	}
	return p, false
}

// securityScheme returns a named scheme from either version's place.
func (d *oasDoc) securityScheme(name string) (oasSecurityScheme, bool) {
	if s, ok := d.Components.SecuritySchemes[name]; ok {
		return s, true
	}
	s, ok := d.SecurityDefinitions[name]
	return s, ok
}

// basePath is the document's base path: Swagger's basePath, or the path
// of OpenAPI 3's first server URL with its variables at their defaults.
func (d *oasDoc) basePath() string {
	if d.BasePath != "" {
		return d.BasePath
	}
	if len(d.Servers) == 0 {
		return ""
	}
	u := d.Servers[0].URL
	for name, v := range d.Servers[0].Variables {
		u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
	}
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if j := strings.Index(u, "/"); j >= 0 {
			return u[j:]
		}
		return ""
	}
	return u
}
