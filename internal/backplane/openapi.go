package backplane

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// ImportRestApi and PutRestApi: an OpenAPI 3.0 or Swagger 2.0 document
// (JSON or YAML) with API Gateway's extensions becomes a REST API's
// resource tree, methods, method responses, integrations and integration
// responses. Every piece goes through the same validation as the
// corresponding control-plane call, so an import cannot store what
// PutMethod or PutIntegration would refuse; the first error fails the
// whole import and stores nothing.

// putModes are PutRestApi's modes.
var putModes = []string{"merge", "overwrite"}

// importError wraps a problem the way AWS reports import failures.
func importError(format string, args ...any) error {
	return apigw.BadRequest("Errors found during import:\n\t"+format, args...)
}

// errorText returns a domain error's message, or err's text.
func errorText(err error) string {
	var de *apigw.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return err.Error()
}

// ImportRestAPI creates a REST API from an OpenAPI document.
func (s *Service) ImportRestAPI(ctx context.Context, body []byte, p ImportParams) (*apigw.RestAPI, error) {
	doc, err := parseOpenAPI(body)
	if err != nil {
		return nil, err
	}
	endpointType := p.Parameters["endpointConfigurationTypes"]
	if endpointType == "" {
		endpointType = "EDGE"
	}
	api := &apigw.RestAPI{
		APIKeySource:          "HEADER",
		EndpointConfiguration: &apigw.EndpointConfiguration{Types: []string{endpointType}},
	}
	var warnings []string
	err = s.update(ctx, func(tx store.Tx) error {
		id, err := freshAPIID(tx)
		if err != nil {
			return err
		}
		api.ID = id
		api.CreatedDate = s.now()
		root := &apigw.Resource{ID: apigw.NewID(), Path: "/"}
		api.Resources = map[string]*apigw.Resource{root.ID: root}
		api.RootResourceID = root.ID
		if warnings, err = applyOpenAPI(api, doc, p, true); err != nil {
			return err
		}
		if err := validateRestAPI(api, "importRestApiInput"); err != nil {
			return err
		}
		return tx.PutRestAPI(api)
	})
	if err != nil {
		return nil, err
	}
	api.Warnings = warnings
	return api, nil
}

// PutRestAPI updates an API from an OpenAPI document: mode "merge" (the
// default) adds the document's paths and replaces the methods it defines,
// leaving the rest of the API alone; "overwrite" replaces the whole
// resource tree (the root resource keeps its id).
func (s *Service) PutRestAPI(ctx context.Context, id string, body []byte, p ImportParams) (*apigw.RestAPI, error) {
	mode := p.Mode
	if mode == "" {
		mode = "merge"
	}
	if !slices.Contains(putModes, mode) {
		return nil, defEnumError(mode, "putRestApiInput.mode", putModes...)
	}
	var out *apigw.RestAPI
	var warnings []string
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, id)
		if err != nil {
			return err
		}
		doc, err := parseOpenAPI(body)
		if err != nil {
			return err
		}
		if warnings, err = applyOpenAPI(api, doc, p, mode == "overwrite"); err != nil {
			return err
		}
		if err := validateRestAPI(api, "putRestApiInput"); err != nil {
			return err
		}
		out = api
		return tx.PutRestAPI(api)
	})
	if err != nil {
		return nil, err
	}
	out.Warnings = warnings
	return out, nil
}

// applyOpenAPI writes doc into api. overwrite replaces the API's fields
// and resource tree; otherwise the document is merged in. It returns the
// import warnings, or an error when p.FailOnWarnings and there are any.
func applyOpenAPI(api *apigw.RestAPI, doc *oasDoc, p ImportParams, overwrite bool) ([]string, error) {
	prefix, err := importPrefix(doc, p.Parameters["basepath"])
	if err != nil {
		return nil, err
	}
	applyOpenAPIFields(api, doc, overwrite)
	if overwrite {
		root := api.Resources[api.RootResourceID]
		root.ResourceMethods = nil
		api.Resources = map[string]*apigw.Resource{root.ID: root}
	}
	// Models and validators first: methods name them.
	warnings, err := importModels(api, doc)
	if err != nil {
		return nil, err
	}
	importRequestValidators(api, doc)
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		full := prefix + path
		if prefix != "" && path == "/" {
			full = prefix
		}
		r, err := ensureResource(api, full)
		if err != nil {
			return nil, err
		}
		w, err := importPathItem(api, doc, r, doc.Paths[path])
		if err != nil {
			return nil, err
		}
		warnings = append(warnings, w...)
	}
	if p.FailOnWarnings && len(warnings) > 0 {
		return nil, apigw.BadRequest("Warnings found during import:\n\t%s", strings.Join(warnings, "\n\t"))
	}
	return warnings, nil
}

// importPrefix is the path prefix the basepath parameter asks for:
// "ignore" (the default) none, "prepend" the whole base path, "split" the
// base path without its first segment (which names the stage).
func importPrefix(doc *oasDoc, mode string) (string, error) {
	base := strings.TrimSuffix(doc.basePath(), "/")
	switch mode {
	case "", "ignore":
		return "", nil
	case "prepend":
		return base, nil
	case "split":
		segs := strings.SplitN(strings.TrimPrefix(base, "/"), "/", 2)
		if len(segs) < 2 {
			return "", nil
		}
		return "/" + segs[1], nil
	}
	return "", apigw.BadRequest("Invalid basepath parameter: %s", mode) // U
}

// applyOpenAPIFields copies the API-level fields of the document. A merge
// changes only what the document sets; binary media types are added.
func applyOpenAPIFields(api *apigw.RestAPI, doc *oasDoc, overwrite bool) {
	if doc.Info.Title != "" || overwrite {
		api.Name = doc.Info.Title
	}
	if doc.Info.Description != "" || overwrite {
		api.Description = doc.Info.Description
	}
	if doc.Info.Version != "" || overwrite {
		api.Version = doc.Info.Version
	}
	if overwrite {
		api.BinaryMediaTypes = nil
	}
	for _, t := range doc.BinaryMediaTypes {
		if !slices.Contains(api.BinaryMediaTypes, t) {
			api.BinaryMediaTypes = append(api.BinaryMediaTypes, t)
		}
	}
	if doc.APIKeySource != "" {
		api.APIKeySource = strings.ToUpper(doc.APIKeySource)
	}
	if doc.MinimumCompressionSize != nil {
		api.MinimumCompressionSize = doc.MinimumCompressionSize
	}
	if len(doc.Policy) > 0 {
		var s string
		if json.Unmarshal(doc.Policy, &s) == nil {
			api.Policy = s
		} else {
			api.Policy = string(doc.Policy)
		}
	}
	if ec := doc.EndpointConfiguration; ec != nil {
		api.DisableExecuteAPIEndpoint = ec.DisableExecuteAPIEndpoint
		if len(ec.VPCEndpointIDs) > 0 && api.EndpointConfiguration != nil {
			api.EndpointConfiguration.VPCEndpointIDs = ec.VPCEndpointIDs
		}
	}
}

// ensureResource returns the resource at path, creating the missing part
// of the chain with CreateResource's rules.
func ensureResource(api *apigw.RestAPI, path string) (*apigw.Resource, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, importError("Invalid resource path: %s", path) // U
	}
	cur := api.Resources[api.RootResourceID]
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if seg == "" {
			continue
		}
		var next *apigw.Resource
		for _, r := range api.Resources {
			if r.ParentID == cur.ID && r.PathPart == seg {
				next = r
				break
			}
		}
		if next == nil {
			if err := checkPlacement(api, cur, seg, ""); err != nil {
				return nil, importError("Unable to create resource at path '%s': %s", path, errorText(err))
			}
			next = &apigw.Resource{ID: freshResourceID(api), ParentID: cur.ID, PathPart: seg, Path: childPath(cur.Path, seg)}
			api.Resources[next.ID] = next
		}
		cur = next
	}
	return cur, nil
}

// importPathItem imports the operations of one path.
func importPathItem(api *apigw.RestAPI, doc *oasDoc, r *apigw.Resource, item map[string]json.RawMessage) ([]string, error) {
	var shared []oasParameter
	if raw, ok := item["parameters"]; ok {
		if err := json.Unmarshal(raw, &shared); err != nil {
			return nil, apigw.BadRequest(msgInvalidOpenAPI)
		}
	}
	var warnings []string
	for _, key := range slices.Sorted(maps.Keys(item)) {
		verb, ok := operationVerbs[strings.ToLower(key)]
		if !ok {
			continue
		}
		var op oasOperation
		if err := json.Unmarshal(item[key], &op); err != nil {
			return nil, apigw.BadRequest(msgInvalidOpenAPI)
		}
		m, w, err := importOperation(api, doc, r, verb, shared, op)
		if err != nil {
			return nil, err
		}
		warnings = append(warnings, w...)
		if r.ResourceMethods == nil {
			r.ResourceMethods = map[string]*apigw.Method{}
		}
		r.ResourceMethods[verb] = m
	}
	return warnings, nil
}

// parameterLocations maps OpenAPI's "in" to API Gateway's locations.
var parameterLocations = map[string]string{"path": "path", "query": "querystring", "header": "header"}

// importOperation builds the method (with its responses, integration and
// integration responses) for one operation.
func importOperation(api *apigw.RestAPI, doc *oasDoc, r *apigw.Resource, verb string, shared []oasParameter, op oasOperation) (*apigw.Method, []string, error) {
	where := verb + " " + r.Path
	var warnings []string
	m := &apigw.Method{HTTPMethod: verb, AuthorizationType: "NONE", OperationName: op.OperationID}

	security := doc.Security
	if op.Security != nil {
		security = *op.Security
	}
	for _, req := range security {
		for _, name := range slices.Sorted(maps.Keys(req)) {
			scheme, ok := doc.securityScheme(name)
			switch {
			case !ok:
				warnings = append(warnings, "Unable to find security scheme '"+name+"' used by "+where)
			case strings.EqualFold(scheme.AuthType, "awsSigv4"):
				m.AuthorizationType = "AWS_IAM"
			case len(scheme.Authorizer) > 0:
				// Stagecoach has no authorizers; the method is imported
				// without one and the import says so.
				warnings = append(warnings, "Authorizer '"+name+"' of "+where+" is not supported and was not applied")
			case scheme.Type == "apiKey" && strings.EqualFold(scheme.Name, "x-api-key") && scheme.In == "header":
				m.APIKeyRequired = true
			}
		}
	}

	params := map[string]bool{}
	for _, p := range append(slices.Clone(shared), op.Parameters...) {
		p, ok := doc.resolveParameter(p)
		if !ok {
			warnings = append(warnings, "Unable to resolve parameter reference '"+p.Ref+"' of "+where)
			continue
		}
		loc, ok := parameterLocations[p.In]
		if !ok {
			continue // body, formData and cookie parameters have no method request parameter
		}
		params["method.request."+loc+"."+p.Name] = p.Required || p.In == "path"
	}
	if len(params) > 0 {
		m.RequestParameters = params
	}
	warnings = append(warnings, importMethodModels(api, doc, op, m, where)...)
	if err := validateMethod(api, m); err != nil {
		return nil, nil, importError("Unable to put method '%s' on resource at path '%s': %s", verb, r.Path, errorText(err))
	}

	for _, code := range slices.Sorted(maps.Keys(op.Responses)) {
		if !statusCodeRe.MatchString(code) {
			continue // "default" and ranges such as "2XX" declare no method response
		}
		mr := &apigw.MethodResponse{StatusCode: code}
		for _, h := range slices.Sorted(maps.Keys(op.Responses[code].Headers)) {
			if mr.ResponseParameters == nil {
				mr.ResponseParameters = map[string]bool{}
			}
			mr.ResponseParameters["method.response.header."+h] = false
		}
		if err := validateMethodResponse(api, mr); err != nil {
			return nil, nil, importError("Unable to put method response '%s' on '%s' for resource at path '%s': %s", code, verb, r.Path, errorText(err))
		}
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]*apigw.MethodResponse{}
		}
		m.MethodResponses[code] = mr
	}

	if op.Integration != nil {
		ig, err := importIntegration(m, r, op.Integration)
		if err != nil {
			return nil, nil, importError("Unable to put integration on '%s' for resource at path '%s': %s", verb, r.Path, errorText(err))
		}
		m.MethodIntegration = ig
	}
	return m, warnings, nil
}

// importIntegration builds an integration from x-amazon-apigateway-
// integration, whose enum values are written in lower case.
func importIntegration(m *apigw.Method, r *apigw.Resource, x *oasIntegration) (*apigw.Integration, error) {
	ig := &apigw.Integration{
		Type:                strings.ToUpper(x.Type),
		HTTPMethod:          strings.ToUpper(x.HTTPMethod),
		URI:                 x.URI,
		ConnectionType:      strings.ToUpper(x.ConnectionType),
		ConnectionID:        x.ConnectionID,
		Credentials:         x.Credentials,
		RequestParameters:   x.RequestParameters,
		RequestTemplates:    x.RequestTemplates,
		PassthroughBehavior: strings.ToUpper(x.PassthroughBehavior),
		CacheNamespace:      x.CacheNamespace,
		CacheKeyParameters:  x.CacheKeyParameters,
		ContentHandling:     strings.ToUpper(x.ContentHandling),
		TimeoutInMillis:     defaultIntegrationTimeout,
		TLSConfig:           x.TLSConfig,
	}
	if x.TimeoutInMillis != nil {
		ig.TimeoutInMillis = *x.TimeoutInMillis
	}
	if err := validateIntegration(m, ig, "putIntegrationInput"); err != nil {
		return nil, err
	}
	completeIntegration(r, ig)
	for _, pattern := range slices.Sorted(maps.Keys(x.Responses)) {
		xr := x.Responses[pattern]
		ir := &apigw.IntegrationResponse{
			StatusCode:         string(xr.StatusCode),
			ResponseParameters: xr.ResponseParameters,
			ResponseTemplates:  xr.ResponseTemplates,
			ContentHandling:    strings.ToUpper(xr.ContentHandling),
		}
		if pattern != "default" {
			ir.SelectionPattern = pattern
		}
		if err := checkStatusCode(ir.StatusCode); err != nil {
			return nil, err
		}
		if err := validateIntegrationResponse(m, ir, "putIntegrationResponseInput"); err != nil {
			return nil, err
		}
		if ig.IntegrationResponses == nil {
			ig.IntegrationResponses = map[string]*apigw.IntegrationResponse{}
		}
		ig.IntegrationResponses[ir.StatusCode] = ir
	}
	return ig, nil
}
