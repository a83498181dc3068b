package backplane

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// methodVerbs are the methods a resource can have, in AWS's order.
var methodVerbs = []string{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"}

var (
	authorizationTypes = []string{"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"}

	methodRequestParamRe  = regexp.MustCompile(`^method\.request\.(querystring|path|header)\.([^\s]+)$`)
	methodResponseParamRe = regexp.MustCompile(`^method\.response\.header\.([^\s]+)$`)
	statusCodeRe          = regexp.MustCompile(`^[1-5][0-9][0-9]$`)
)

// Method messages: recorded AWS texts, except msgAuthorizationType and
// msgStatusCodeInvalid, which are unverified and chosen here.
const (
	msgInvalidVerb        = "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
	msgUniqueParams       = "Parameter names must be unique across querystring, header and path"
	msgAuthorizerRequired = "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."
	msgMethodExists       = "Method already exists for this resource"
	msgInvalidValidator   = "Invalid Request Validator identifier specified"
	msgInvalidModel       = "Invalid model identifier specified: %s"
	msgParamNotFound      = "Invalid parameter name specified"
	msgAuthorizationType  = "Invalid authorization type specified"
	msgStatusCodeInvalid  = "Invalid status code specified: %s"
	mappingPrefix         = "Invalid mapping expression specified: Validation Result: warnings : [], errors : ["
)

// errMapping is AWS's error for a mapping expression it cannot parse.
func errMapping(expr string) error {
	return apigw.BadRequest("%sInvalid mapping expression specified: %s]", mappingPrefix, expr)
}

// errMappingParam is AWS's error for a parameter a mapping may not name
// (an undeclared method request parameter or response header).
func errMappingParam(param string) error {
	return apigw.BadRequest("%sInvalid mapping expression parameter specified: %s]", mappingPrefix, param)
}

// loadMethod returns a resource and one of its methods, or AWS's 404s.
func loadMethod(api *apigw.RestAPI, resourceID, verb string) (*apigw.Resource, *apigw.Method, error) {
	r, err := loadResource(api, resourceID)
	if err != nil {
		return nil, nil, err
	}
	m, ok := r.ResourceMethods[verb]
	if !ok {
		return nil, nil, apigw.NotFound(apigw.MsgInvalidMethod)
	}
	return r, m, nil
}

// editMethod runs fn on a method inside an update transaction and stores
// the API when fn succeeds.
func (s *Service) editMethod(ctx context.Context, apiID, resourceID, verb string, fn func(api *apigw.RestAPI, r *apigw.Resource, m *apigw.Method) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		r, m, err := loadMethod(api, resourceID, verb)
		if err != nil {
			return err
		}
		if err := fn(api, r, m); err != nil {
			return err
		}
		return tx.PutRestAPI(api)
	})
}

// PutMethod adds a method to a resource. A method that already exists is
// a conflict: AWS changes methods only through UpdateMethod.
func (s *Service) PutMethod(ctx context.Context, apiID, resourceID, verb string, in PutMethodInput) (*apigw.Method, error) {
	m := &apigw.Method{
		HTTPMethod:          verb,
		AuthorizationType:   strings.ToUpper(in.AuthorizationType),
		AuthorizerID:        in.AuthorizerID,
		APIKeyRequired:      in.APIKeyRequired,
		OperationName:       in.OperationName,
		RequestParameters:   in.RequestParameters,
		RequestModels:       in.RequestModels,
		RequestValidatorID:  in.RequestValidatorID,
		AuthorizationScopes: in.AuthorizationScopes,
	}
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		r, err := loadResource(api, resourceID)
		if err != nil {
			return err
		}
		if !slices.Contains(methodVerbs, verb) {
			return apigw.BadRequest(msgInvalidVerb)
		}
		if err := validateMethod(api, m); err != nil {
			return err
		}
		if _, exists := r.ResourceMethods[verb]; exists {
			return apigw.Conflict(msgMethodExists)
		}
		if r.ResourceMethods == nil {
			r.ResourceMethods = map[string]*apigw.Method{}
		}
		r.ResourceMethods[verb] = m
		return tx.PutRestAPI(api)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// validateMethod checks a method's fields (after a put or a patch); the
// request validator and models it names must be the API's.
func validateMethod(api *apigw.RestAPI, m *apigw.Method) error {
	if !slices.Contains(authorizationTypes, m.AuthorizationType) {
		return apigw.BadRequest(msgAuthorizationType)
	}
	// CUSTOM and COGNITO_USER_POOLS need an authorizer of their kind.
	if err := checkMethodAuthorizer(api.Authorizers, m); err != nil {
		return err
	}
	if _, ok := api.RequestValidators[m.RequestValidatorID]; m.RequestValidatorID != "" && !ok {
		return apigw.BadRequest(msgInvalidValidator)
	}
	if err := checkModelNames(api, m.RequestModels); err != nil {
		return err
	}
	names := map[string]bool{}
	for _, key := range slices.Sorted(maps.Keys(m.RequestParameters)) {
		match := methodRequestParamRe.FindStringSubmatch(key)
		if match == nil {
			return errMappingParam(key)
		}
		if names[match[2]] {
			return apigw.BadRequest(msgUniqueParams)
		}
		names[match[2]] = true
	}
	return nil
}

// GetMethod returns a method with its responses and integration.
func (s *Service) GetMethod(ctx context.Context, apiID, resourceID, verb string) (*apigw.Method, error) {
	var out *apigw.Method
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		_, out, err = loadMethod(api, resourceID, verb)
		return err
	})
	return out, err
}

// UpdateMethod applies patch operations to a method, all or nothing.
func (s *Service) UpdateMethod(ctx context.Context, apiID, resourceID, verb string, ops []apigw.PatchOperation) (*apigw.Method, error) {
	var out *apigw.Method
	err := s.editMethod(ctx, apiID, resourceID, verb, func(api *apigw.RestAPI, _ *apigw.Resource, m *apigw.Method) error {
		for _, op := range ops {
			if err := patchMethod(m, op); err != nil {
				return err
			}
		}
		out = m
		return validateMethod(api, m)
	})
	return out, err
}

// patchMethod applies one UpdateMethod operation. The paths and the
// operations each accepts are AWS's (recorded by LocalStack's parity
// tests).
func patchMethod(m *apigw.Method, op apigw.PatchOperation) error {
	field, key := defSplit(op.Path)
	switch {
	case field == "authorizationType" && key == "":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		m.AuthorizationType = strings.ToUpper(op.Value)
		if m.AuthorizationType != "CUSTOM" && m.AuthorizationType != "COGNITO_USER_POOLS" {
			m.AuthorizerID = ""
		}
	case field == "authorizerId" && key == "":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		// validateMethod checks the id names an authorizer of the
		// method's kind; AWS ignores an id on a method whose
		// authorization type takes none.
		if m.AuthorizationType == "CUSTOM" || m.AuthorizationType == "COGNITO_USER_POOLS" {
			m.AuthorizerID = op.Value
		}
	case field == "apiKeyRequired" && key == "":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		b, err := defBool(op)
		if err != nil {
			return err
		}
		m.APIKeyRequired = b
	case field == "operationName" && key == "":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		m.OperationName = op.Value
	case field == "requestValidatorId" && key == "":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		m.RequestValidatorID = op.Value // an empty value removes it
	case field == "authorizationScopes":
		if err := defCheckOp(op, apigw.OpAdd, apigw.OpRemove); err != nil {
			return err
		}
		scope := key
		if scope == "" {
			scope = op.Value
		}
		m.AuthorizationScopes = slices.DeleteFunc(m.AuthorizationScopes, func(s string) bool { return s == scope })
		if op.Op == apigw.OpAdd {
			m.AuthorizationScopes = append(m.AuthorizationScopes, scope)
		}
		if len(m.AuthorizationScopes) == 0 {
			m.AuthorizationScopes = nil
		}
	case field == "requestParameters" && key != "":
		params, err := defBoolMapPatch(m.RequestParameters, op, key)
		if err != nil {
			return err
		}
		m.RequestParameters = params
	case field == "requestModels" && key != "":
		models, err := defMapPatch(m.RequestModels, op, key)
		if err != nil {
			return err
		}
		m.RequestModels = models
	default:
		return defInvalidPath(op.Path)
	}
	return nil
}

// defBoolMapPatch patches one entry of a parameter-name → required map
// (method requestParameters, method response responseParameters). The
// value is "true"/"false" (empty means false); removing a parameter that
// is not declared is AWS's NotFoundException.
func defBoolMapPatch(m map[string]bool, op apigw.PatchOperation, key string) (map[string]bool, error) {
	if err := defCheckOp(op, apigw.OpAdd, apigw.OpRemove, apigw.OpReplace); err != nil {
		return m, err
	}
	if op.Op == apigw.OpRemove {
		if _, ok := m[key]; !ok {
			return m, apigw.NotFound(msgParamNotFound)
		}
		delete(m, key)
		if len(m) == 0 {
			return nil, nil
		}
		return m, nil
	}
	required := false
	if op.Value != "" {
		b, err := defBool(op)
		if err != nil {
			return m, err
		}
		required = b
	}
	if m == nil {
		m = map[string]bool{}
	}
	m[key] = required
	return m, nil
}

// DeleteMethod removes a method with its responses and integration.
func (s *Service) DeleteMethod(ctx context.Context, apiID, resourceID, verb string) error {
	return s.editMethod(ctx, apiID, resourceID, verb, func(_ *apigw.RestAPI, r *apigw.Resource, _ *apigw.Method) error {
		delete(r.ResourceMethods, verb)
		if len(r.ResourceMethods) == 0 {
			r.ResourceMethods = nil
		}
		return nil
	})
}

// checkStatusCode checks a response status code label: three digits, 1xx
// to 5xx.
func checkStatusCode(code string) error {
	if !statusCodeRe.MatchString(code) {
		return apigw.BadRequest(msgStatusCodeInvalid, code)
	}
	return nil
}

// validateMethodResponse checks the declared headers and models.
func validateMethodResponse(api *apigw.RestAPI, mr *apigw.MethodResponse) error {
	for _, key := range slices.Sorted(maps.Keys(mr.ResponseParameters)) {
		if !methodResponseParamRe.MatchString(key) {
			return errMappingParam(key)
		}
	}
	return checkModelNames(api, mr.ResponseModels)
}

// checkModelNames requires every model a content-type → model map names
// to be one of the API's models.
func checkModelNames(api *apigw.RestAPI, models map[string]string) error {
	for _, ct := range slices.Sorted(maps.Keys(models)) {
		if _, ok := api.Models[models[ct]]; !ok {
			return apigw.BadRequest(msgInvalidModel, models[ct])
		}
	}
	return nil
}

// PutMethodResponse declares (or redeclares, replacing it) a status code
// the method may return.
func (s *Service) PutMethodResponse(ctx context.Context, apiID, resourceID, verb, status string, in PutMethodResponseInput) (*apigw.MethodResponse, error) {
	mr := &apigw.MethodResponse{
		StatusCode:         status,
		ResponseParameters: in.ResponseParameters,
		ResponseModels:     in.ResponseModels,
	}
	err := s.editMethod(ctx, apiID, resourceID, verb, func(api *apigw.RestAPI, _ *apigw.Resource, m *apigw.Method) error {
		if err := checkStatusCode(status); err != nil {
			return err
		}
		if err := validateMethodResponse(api, mr); err != nil {
			return err
		}
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]*apigw.MethodResponse{}
		}
		m.MethodResponses[status] = mr
		return nil
	})
	if err != nil {
		return nil, err
	}
	return mr, nil
}

// loadMethodResponse returns a declared method response or AWS's 404.
func loadMethodResponse(m *apigw.Method, status string) (*apigw.MethodResponse, error) {
	mr, ok := m.MethodResponses[status]
	if !ok {
		return nil, apigw.NotFound(apigw.MsgInvalidStatusCode)
	}
	return mr, nil
}

// GetMethodResponse returns one method response.
func (s *Service) GetMethodResponse(ctx context.Context, apiID, resourceID, verb, status string) (*apigw.MethodResponse, error) {
	m, err := s.GetMethod(ctx, apiID, resourceID, verb)
	if err != nil {
		return nil, err
	}
	return loadMethodResponse(m, status)
}

// UpdateMethodResponse patches /responseParameters/{header} and
// /responseModels/{contentType}, all or nothing.
func (s *Service) UpdateMethodResponse(ctx context.Context, apiID, resourceID, verb, status string, ops []apigw.PatchOperation) (*apigw.MethodResponse, error) {
	var out *apigw.MethodResponse
	err := s.editMethod(ctx, apiID, resourceID, verb, func(api *apigw.RestAPI, _ *apigw.Resource, m *apigw.Method) error {
		mr, err := loadMethodResponse(m, status)
		if err != nil {
			return err
		}
		for _, op := range ops {
			field, key := defSplit(op.Path)
			switch {
			case field == "responseParameters" && key != "":
				mr.ResponseParameters, err = defBoolMapPatch(mr.ResponseParameters, op, key)
			case field == "responseModels" && key != "":
				mr.ResponseModels, err = defMapPatch(mr.ResponseModels, op, key)
			default:
				err = defInvalidPath(op.Path)
			}
			if err != nil {
				return err
			}
		}
		out = mr
		return validateMethodResponse(api, mr)
	})
	return out, err
}

// DeleteMethodResponse removes a method response.
func (s *Service) DeleteMethodResponse(ctx context.Context, apiID, resourceID, verb, status string) error {
	return s.editMethod(ctx, apiID, resourceID, verb, func(_ *apigw.RestAPI, _ *apigw.Resource, m *apigw.Method) error {
		if _, err := loadMethodResponse(m, status); err != nil {
			return err
		}
		delete(m.MethodResponses, status)
		if len(m.MethodResponses) == 0 {
			m.MethodResponses = nil
		}
		return nil
	})
}
