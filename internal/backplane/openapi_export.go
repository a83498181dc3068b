package backplane

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// ExportParams says how GetExport renders the API.
type ExportParams struct {
	// Type is "oas30" or "swagger".
	Type string
	// YAML selects YAML instead of JSON.
	YAML bool
	// Extensions is the "extensions" query parameter: "integrations" or
	// "apigateway" add the x-amazon-apigateway-* extensions, so that the
	// export imports back into the same API; anything else leaves them out.
	Extensions string
	// ServerURL is the stage's invoke URL (scheme, host and stage path);
	// the control API derives it from the request so that the document
	// points at this gateway rather than at AWS.
	ServerURL string
}

// Export messages (U: AWS's texts are not recorded).
const (
	msgExportType   = "Invalid export type specified: %s"
	msgNoDeployment = "The stage has no deployment to export"
)

// ExportRestAPI renders what a stage serves — the snapshot of the
// deployment it points to — as OpenAPI 3.0.1 (oas30) or Swagger 2.0
// (swagger), in JSON or YAML.
func (s *Service) ExportRestAPI(ctx context.Context, id, stage string, p ExportParams) ([]byte, error) {
	if p.Type != "oas30" && p.Type != "swagger" {
		return nil, apigw.BadRequest(msgExportType, p.Type)
	}
	var api *apigw.RestAPI
	var snap *apigw.Snapshot
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		if api, err = loadAPI(tx, id); err != nil {
			return err
		}
		st, err := tx.Stage(id, stage)
		if errors.Is(err, store.ErrNotFound) {
			return apigw.NotFound(apigw.MsgInvalidStage)
		}
		if err != nil {
			return err
		}
		if st.DeploymentID == "" {
			return apigw.BadRequest(msgNoDeployment)
		}
		d, err := tx.Deployment(id, st.DeploymentID)
		if errors.Is(err, store.ErrNotFound) {
			return apigw.NotFound(apigw.MsgInvalidDeployment)
		}
		if err != nil {
			return err
		}
		snap = d.Snapshot
		return nil
	})
	if err != nil {
		return nil, err
	}
	doc := exportDocument(api, snap, p)
	if p.YAML {
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
			return nil, err
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	return json.MarshalIndent(doc, "", "  ")
}

// exportDocument builds the document as generic maps; both encoders then
// write keys in sorted order, so exports are stable.
func exportDocument(api *apigw.RestAPI, snap *apigw.Snapshot, p ExportParams) map[string]any {
	oas3 := p.Type == "oas30"
	withExt := p.Extensions == "integrations" || p.Extensions == "apigateway"
	info := map[string]any{"title": snap.APIName, "version": api.Version}
	if api.Version == "" {
		info["version"] = api.CreatedDate.UTC().Format("2006-01-02T15:04:05Z")
	}
	if api.Description != "" {
		info["description"] = api.Description
	}
	doc := map[string]any{"info": info}
	scheme, hostAndPath, _ := strings.Cut(p.ServerURL, "://")
	host, basePath, _ := strings.Cut(hostAndPath, "/")
	if oas3 {
		doc["openapi"] = "3.0.1"
		if p.ServerURL != "" {
			doc["servers"] = []any{map[string]any{
				"url":       scheme + "://" + host + "/{basePath}",
				"variables": map[string]any{"basePath": map[string]any{"default": basePath}},
			}}
		}
	} else {
		doc["swagger"] = "2.0"
		if p.ServerURL != "" {
			doc["host"] = host
			doc["basePath"] = "/" + basePath
			doc["schemes"] = []string{scheme}
		}
	}
	if withExt && len(snap.BinaryMediaTypes) > 0 {
		doc["x-amazon-apigateway-binary-media-types"] = snap.BinaryMediaTypes
	}
	// Where key-protected methods read the key; deployments made before
	// the snapshot kept it export nothing (HEADER, the default).
	if withExt && snap.APIKeySource != "" {
		doc["x-amazon-apigateway-api-key-source"] = snap.APIKeySource
	}

	paths := map[string]any{}
	schemes := map[string]any{}
	resources := slices.SortedFunc(maps.Values(snap.Resources), func(a, b *apigw.Resource) int {
		return strings.Compare(a.Path, b.Path)
	})
	for _, r := range resources {
		if len(r.ResourceMethods) == 0 {
			continue
		}
		item := map[string]any{}
		for verb, m := range r.ResourceMethods {
			key := strings.ToLower(verb)
			if verb == "ANY" {
				key = "x-amazon-apigateway-any-method"
			}
			item[key] = exportOperation(m, oas3, withExt, schemes)
		}
		paths[r.Path] = item
	}
	doc["paths"] = paths
	if len(schemes) > 0 {
		if oas3 {
			doc["components"] = map[string]any{"securitySchemes": schemes}
		} else {
			doc["securityDefinitions"] = schemes
		}
	}
	exportModels(doc, api.ID, snap, oas3, withExt) // openapi_models_export.go
	return doc
}

// exportOperation renders one method; security schemes it uses are added
// to schemes.
func exportOperation(m *apigw.Method, oas3, withExt bool, schemes map[string]any) map[string]any {
	op := map[string]any{}
	if m.OperationName != "" {
		op["operationId"] = m.OperationName
	}
	var params []any
	for _, key := range slices.Sorted(maps.Keys(m.RequestParameters)) {
		match := methodRequestParamRe.FindStringSubmatch(key)
		if match == nil {
			continue
		}
		in := map[string]string{"querystring": "query", "path": "path", "header": "header"}[match[1]]
		p := map[string]any{"name": match[2], "in": in, "required": m.RequestParameters[key]}
		if oas3 {
			p["schema"] = map[string]any{"type": "string"}
		} else {
			p["type"] = "string"
		}
		params = append(params, p)
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	responses := map[string]any{}
	for code, mr := range m.MethodResponses {
		resp := map[string]any{"description": code + " response"}
		headers := map[string]any{}
		for key := range mr.ResponseParameters {
			name := strings.TrimPrefix(key, "method.response.header.")
			if oas3 {
				headers[name] = map[string]any{"schema": map[string]any{"type": "string"}}
			} else {
				headers[name] = map[string]any{"type": "string"}
			}
		}
		if len(headers) > 0 {
			resp["headers"] = headers
		}
		responses[code] = resp
	}
	op["responses"] = responses
	var security []any
	if m.APIKeyRequired {
		schemes["api_key"] = map[string]any{"type": "apiKey", "name": "x-api-key", "in": "header"}
		security = append(security, map[string]any{"api_key": []string{}})
	}
	if m.AuthorizationType == "AWS_IAM" {
		schemes["sigv4"] = map[string]any{"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}
		security = append(security, map[string]any{"sigv4": []string{}})
	}
	if len(security) > 0 {
		op["security"] = security
	}
	if withExt && m.MethodIntegration != nil {
		op["x-amazon-apigateway-integration"] = exportIntegration(m.MethodIntegration)
	}
	return op
}

// exportIntegration renders x-amazon-apigateway-integration with the
// lower-case enum values AWS exports.
func exportIntegration(ig *apigw.Integration) map[string]any {
	x := map[string]any{"type": strings.ToLower(ig.Type)}
	set := func(k, v string) {
		if v != "" {
			x[k] = v
		}
	}
	set("httpMethod", ig.HTTPMethod)
	set("uri", ig.URI)
	set("connectionType", ig.ConnectionType)
	set("connectionId", ig.ConnectionID)
	set("credentials", ig.Credentials)
	set("passthroughBehavior", strings.ToLower(ig.PassthroughBehavior))
	set("cacheNamespace", ig.CacheNamespace)
	set("contentHandling", ig.ContentHandling)
	if ig.TimeoutInMillis != 0 {
		x["timeoutInMillis"] = ig.TimeoutInMillis
	}
	if len(ig.RequestParameters) > 0 {
		x["requestParameters"] = ig.RequestParameters
	}
	if len(ig.RequestTemplates) > 0 {
		x["requestTemplates"] = ig.RequestTemplates
	}
	if len(ig.CacheKeyParameters) > 0 {
		x["cacheKeyParameters"] = ig.CacheKeyParameters
	}
	if ig.TLSConfig != nil {
		x["tlsConfig"] = map[string]any{"insecureSkipVerification": ig.TLSConfig.InsecureSkipVerification}
	}
	if len(ig.IntegrationResponses) > 0 {
		responses := map[string]any{}
		for _, ir := range ig.IntegrationResponses {
			key := ir.SelectionPattern
			if key == "" {
				key = "default"
			}
			resp := map[string]any{"statusCode": ir.StatusCode}
			if len(ir.ResponseParameters) > 0 {
				resp["responseParameters"] = ir.ResponseParameters
			}
			if len(ir.ResponseTemplates) > 0 {
				resp["responseTemplates"] = ir.ResponseTemplates
			}
			if ir.ContentHandling != "" {
				resp["contentHandling"] = ir.ContentHandling
			}
			responses[key] = resp
		}
		x["responses"] = responses
	}
	return x
}
