package backplane

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/modelschema"
)

// OpenAPI import of models and request validators:
//
//	definitions (Swagger 2) / components.schemas (OpenAPI 3)   → models
//	  ("#/definitions/X" and "#/components/schemas/X" references become
//	  the canonical model URLs API Gateway uses between models)
//	a body parameter's schema / requestBody.content[type].schema → requestModels
//	x-amazon-apigateway-request-validators {name: {...}}         → request validators
//	x-amazon-apigateway-request-validator (document or operation) → requestValidatorId

type oasModels struct {
	Definitions       map[string]json.RawMessage `json:"definitions"`
	Consumes          []string                   `json:"consumes"`
	RequestValidators map[string]struct {
		ValidateRequestBody       bool `json:"validateRequestBody"`
		ValidateRequestParameters bool `json:"validateRequestParameters"`
	} `json:"x-amazon-apigateway-request-validators"`
	RequestValidator string `json:"x-amazon-apigateway-request-validator"`
}

type oasOperationModels struct {
	Consumes         []string `json:"consumes"`
	RequestValidator string   `json:"x-amazon-apigateway-request-validator"`
	RequestBody      *struct {
		Content map[string]struct {
			Schema *oasSchemaRef `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
}

type oasSchemaRef struct {
	Ref string `json:"$ref"`
}

// schemaRefName returns the model a local schema reference names.
func schemaRefName(ref string) (string, bool) {
	for _, prefix := range []string{"#/definitions/", "#/components/schemas/"} {
		if name, ok := strings.CutPrefix(ref, prefix); ok && name != "" {
			return name, true
		}
	}
	return "", false
}

// importModels adds (or replaces the schemas of) the document's models,
// then checks each as CreateModel would.
func importModels(api *apigw.RestAPI, doc *oasDoc) ([]string, error) {
	defs := maps.Clone(doc.Definitions)
	if defs == nil {
		defs = map[string]json.RawMessage{}
	}
	maps.Copy(defs, doc.Components.Schemas)
	if len(defs) == 0 {
		return nil, nil
	}
	var warnings []string
	var added []string
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		if !apigw.ValidModelName(name) {
			warnings = append(warnings, "Model name '"+name+"' is not alphanumeric. Ignoring.")
			continue
		}
		var schema any
		if err := json.Unmarshal(defs[name], &schema); err != nil {
			return nil, importError("Unable to create model for '%s': %s", name, "Invalid model schema specified")
		}
		text, _ := json.Marshal(canonicalRefs(api.ID, schema))
		if api.Models == nil {
			api.Models = map[string]*apigw.Model{}
		}
		if m, ok := api.Models[name]; ok {
			m.Schema = string(text)
		} else {
			api.Models[name] = &apigw.Model{ID: freshModelID(api), Name: name, ContentType: "application/json", Schema: string(text)}
		}
		added = append(added, name)
	}
	for _, name := range added {
		others := maps.Clone(api.Models)
		delete(others, name)
		if err := modelschema.Check(api.ID, others, name, api.Models[name].Schema); err != nil {
			return nil, importError("Unable to create model for '%s': %s", name, errorText(err))
		}
	}
	return warnings, nil
}

// canonicalRefs rewrites a schema's local model references to the
// canonical URLs.
func canonicalRefs(apiID string, v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			if s, ok := c.(string); ok && k == "$ref" {
				if name, ok := schemaRefName(s); ok {
					t[k] = apigw.ModelURL(apiID, name)
				}
				continue
			}
			t[k] = canonicalRefs(apiID, c)
		}
	case []any:
		for i, c := range t {
			t[i] = canonicalRefs(apiID, c)
		}
	}
	return v
}

// importRequestValidators adds the document's validators; one with the
// name of an existing validator updates it.
func importRequestValidators(api *apigw.RestAPI, doc *oasDoc) {
	for _, name := range slices.Sorted(maps.Keys(doc.RequestValidators)) {
		spec := doc.RequestValidators[name]
		v := validatorByName(api, name)
		if v == nil {
			v = &apigw.RequestValidator{Name: name}
			for {
				v.ID = apigw.NewModelID()
				if _, taken := api.RequestValidators[v.ID]; !taken {
					break
				}
			}
			if api.RequestValidators == nil {
				api.RequestValidators = map[string]*apigw.RequestValidator{}
			}
			api.RequestValidators[v.ID] = v
		}
		v.ValidateRequestBody, v.ValidateRequestParameters = spec.ValidateRequestBody, spec.ValidateRequestParameters
	}
}

func validatorByName(api *apigw.RestAPI, name string) *apigw.RequestValidator {
	for _, id := range slices.Sorted(maps.Keys(api.RequestValidators)) {
		if api.RequestValidators[id].Name == name {
			return api.RequestValidators[id]
		}
	}
	return nil
}

// importMethodModels sets an imported method's requestModels and request
// validator; references to unknown models or validators are warnings.
func importMethodModels(api *apigw.RestAPI, doc *oasDoc, op oasOperation, m *apigw.Method, where string) []string {
	var warnings []string
	name := op.RequestValidator
	if name == "" {
		name = doc.RequestValidator
	}
	if name != "" {
		if v := validatorByName(api, name); v != nil {
			m.RequestValidatorID = v.ID
		} else {
			warnings = append(warnings, "Request validator '"+name+"' of "+where+" not found. Ignoring.")
		}
	}
	models := map[string]string{}
	add := func(ct string, ref *oasSchemaRef) {
		if ref == nil || ref.Ref == "" {
			return
		}
		model, ok := schemaRefName(ref.Ref)
		if _, exists := api.Models[model]; !ok || !exists {
			warnings = append(warnings, "Reference to model '"+ref.Ref+"' not found. Ignoring.")
			return
		}
		models[ct] = model
	}
	for _, p := range op.Parameters {
		if p.In == "body" {
			types := op.Consumes
			if len(types) == 0 {
				types = doc.Consumes
			}
			if len(types) == 0 {
				types = []string{"application/json"}
			}
			for _, ct := range types {
				add(ct, p.Schema)
			}
		}
	}
	if op.RequestBody != nil {
		for ct, c := range op.RequestBody.Content {
			add(ct, c.Schema)
		}
	}
	if len(models) > 0 {
		m.RequestModels = models
	}
	return warnings
}
