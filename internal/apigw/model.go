package apigw

import (
	"regexp"
	"strings"
)

// Model is a named JSON Schema (draft 4) of a REST API, used to validate
// request bodies (requestModels), to document responses (responseModels)
// and to generate mapping template skeletons (GetModelTemplate).
type Model struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Schema is the JSON Schema as a string, as AWS keeps and returns it.
	Schema      string `json:"schema,omitempty"`
	ContentType string `json:"contentType,omitempty"`
}

// RequestValidator says which parts of a request a method validates
// before calling its integration.
type RequestValidator struct {
	ID                        string `json:"id"`
	Name                      string `json:"name,omitempty"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

// The models API Gateway creates with every new API (CreateRestApi; an
// imported API gets only the models its document defines). Texts as AWS
// returns them (recorded by LocalStack's parity tests).
const (
	EmptyModelName = "Empty"
	ErrorModelName = "Error"
)

// DefaultModels returns fresh copies of the Empty and Error models, with
// new ids.
func DefaultModels() map[string]*Model {
	return map[string]*Model{
		EmptyModelName: {
			ID: NewModelID(), Name: EmptyModelName, ContentType: "application/json",
			Description: "This is a default empty schema model",
			Schema:      `{"$schema": "http://json-schema.org/draft-04/schema#", "title": "Empty Schema", "type": "object"}`,
		},
		ErrorModelName: {
			ID: NewModelID(), Name: ErrorModelName, ContentType: "application/json",
			Description: "This is a default error schema model",
			Schema:      `{"$schema": "http://json-schema.org/draft-04/schema#", "title": "Error Schema", "type": "object", "properties": {"message": {"type": "string"}}}`,
		},
	}
}

// NewModelID returns a model or request validator id: AWS's are 6
// lowercase alphanumerics.
func NewModelID() string { return randomString(6) }

var modelNameRe = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// ValidModelName reports whether name is a model name AWS accepts:
// alphanumerics only.
func ValidModelName(name string) bool { return modelNameRe.MatchString(name) }

// ModelRefPrefix starts the canonical URL one model's schema uses to
// reference another model of the same API in "$ref":
// https://apigateway.amazonaws.com/restapis/{restApiId}/models/{modelName}.
const ModelRefPrefix = "https://apigateway.amazonaws.com/restapis/"

// ModelURL is the canonical reference URL of a model.
func ModelURL(restAPIID, name string) string {
	return ModelRefPrefix + restAPIID + "/models/" + name
}

// ParseModelURL returns the API id and model name of a canonical model
// reference, or ok=false when ref is not one. A fragment ("#/definitions/x")
// after the name is allowed and returned.
func ParseModelURL(ref string) (restAPIID, name, fragment string, ok bool) {
	rest, found := strings.CutPrefix(ref, ModelRefPrefix)
	if !found {
		return "", "", "", false
	}
	rest, fragment, _ = strings.Cut(rest, "#")
	restAPIID, name, found = strings.Cut(rest, "/models/")
	if !found || restAPIID == "" || strings.Contains(restAPIID, "/") || !ValidModelName(name) {
		return "", "", "", false
	}
	return restAPIID, name, fragment, true
}
