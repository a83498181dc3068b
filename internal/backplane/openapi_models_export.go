package backplane

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// exportModels adds the snapshot's models (definitions or
// components.schemas, canonical model URLs turned back into local
// references), the methods' request models (a body parameter or
// requestBody) and, with extensions, the request validators to an
// exported document — the inverse of importModels, so an export imports
// back into the same API.
func exportModels(doc map[string]any, apiID string, snap *apigw.Snapshot, oas3, withExt bool) {
	refPrefix := "#/definitions/"
	if oas3 {
		refPrefix = "#/components/schemas/"
	}
	if len(snap.Models) > 0 {
		schemas := map[string]any{}
		for name, m := range snap.Models {
			var schema any
			if json.Unmarshal([]byte(m.Schema), &schema) != nil {
				continue
			}
			schemas[name] = localRefs(apiID, schema, refPrefix)
		}
		if oas3 {
			comps, _ := doc["components"].(map[string]any)
			if comps == nil {
				comps = map[string]any{}
				doc["components"] = comps
			}
			comps["schemas"] = schemas
		} else {
			doc["definitions"] = schemas
		}
	}
	validatorName := func(id string) string {
		if v := snap.RequestValidators[id]; v != nil && v.Name != "" {
			return v.Name
		}
		return id
	}
	if withExt && len(snap.RequestValidators) > 0 {
		vs := map[string]any{}
		for id, v := range snap.RequestValidators {
			vs[validatorName(id)] = map[string]any{"validateRequestBody": v.ValidateRequestBody, "validateRequestParameters": v.ValidateRequestParameters}
		}
		doc["x-amazon-apigateway-request-validators"] = vs
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, r := range snap.Resources {
		item, _ := paths[r.Path].(map[string]any)
		for verb, m := range r.ResourceMethods {
			key := strings.ToLower(verb)
			if verb == "ANY" {
				key = "x-amazon-apigateway-any-method"
			}
			op, _ := item[key].(map[string]any)
			if op == nil {
				continue
			}
			if withExt && m.RequestValidatorID != "" {
				op["x-amazon-apigateway-request-validator"] = validatorName(m.RequestValidatorID)
			}
			if len(m.RequestModels) == 0 {
				continue
			}
			if oas3 {
				content := map[string]any{}
				for ct, model := range m.RequestModels {
					content[ct] = map[string]any{"schema": map[string]any{"$ref": refPrefix + model}}
				}
				op["requestBody"] = map[string]any{"content": content, "required": true}
				continue
			}
			// Swagger 2 has one body schema per operation: the first
			// content type's, with every type in consumes.
			cts := slices.Sorted(maps.Keys(m.RequestModels))
			model := m.RequestModels[cts[0]]
			params, _ := op["parameters"].([]any)
			op["parameters"] = append(params, map[string]any{"in": "body", "name": model, "required": true,
				"schema": map[string]any{"$ref": refPrefix + model}})
			op["consumes"] = cts
		}
	}
}

// localRefs turns canonical model URLs of the API into local references.
func localRefs(apiID string, v any, prefix string) any {
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			if s, ok := c.(string); ok && k == "$ref" {
				if id, name, frag, ok := apigw.ParseModelURL(s); ok && id == apiID && frag == "" {
					t[k] = prefix + name
				}
				continue
			}
			t[k] = localRefs(apiID, c, prefix)
		}
	case []any:
		for i, c := range t {
			t[i] = localRefs(apiID, c, prefix)
		}
	}
	return v
}
