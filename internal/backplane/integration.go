package backplane

import (
	"context"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// Integration enums, in the order AWS lists them in its messages.
var (
	integrationTypes     = []string{"HTTP", "MOCK", "AWS_PROXY", "HTTP_PROXY", "AWS"}
	passthroughBehaviors = []string{"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"}
	connectionTypes      = []string{"INTERNET", "VPC_LINK"}
	contentHandlings     = []string{"CONVERT_TO_BINARY", "CONVERT_TO_TEXT"}
)

// Integration timeout bounds and default (AWS limits: 50 ms to 29 s).
const (
	minIntegrationTimeout     = 50
	maxIntegrationTimeout     = 29000
	defaultIntegrationTimeout = 29000
)

var (
	// stageVariableRef is ${stageVariables.name} in an integration URI.
	stageVariableRef = regexp.MustCompile(`\$\{stageVariables\.[A-Za-z0-9_]+\}`)

	integrationRequestParamRe = regexp.MustCompile(`^integration\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.[^\s]+$`)
	// methodRequestSourceRe is a method request parameter used as the
	// source of a mapping; the multivalue forms read the same declared
	// parameter.
	methodRequestSourceRe       = regexp.MustCompile(`^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.([^\s]+)$`)
	integrationResponseSourceRe = regexp.MustCompile(`^integration\.response\.(header\.[^\s]+|multivalueheader\.[^\s]+|body(\..+)?)$`)
	// commonSourceRe are the sources valid in request and response
	// mappings alike: a 'static' value, the request body, context and
	// stage variables.
	commonSourceRe = regexp.MustCompile(`^('.*'|method\.request\.body(\..+)?|context\.[^\s]+|stageVariables\.[A-Za-z0-9_]+)$`)
)

// Integration messages: recorded AWS texts except those marked U
// (unverified, chosen here).
const (
	msgNoHTTPMethod          = "Enumeration value for HttpMethod must be non-empty"
	msgInvalidHTTPEndpoint   = "Invalid HTTP endpoint specified for URI"
	msgInvalidIntegrationARN = "Invalid ARN specified in the request"
	msgARNPathOrAction       = "AWS ARN for integration must contain path or action"
	msgAWSProxyLambdaOnly    = "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations."
	msgRoleRequired          = "Role ARN must be specified for AWS integrations"
	msgTimeoutRange          = "Timeout should be between 50 ms and 29000 ms"                // recorded from a CloudFormation event
	msgPassthrough           = "Invalid passthrough behavior specified"                      // U
	msgCacheKeyParameter     = "Invalid cache key parameter specified: %s"                   // U
	msgConnectionIDRequired  = "ConnectionId must be specified for connection type VPC_LINK" // U
	msgSelectionPattern      = "Invalid selection pattern specified"                         // U
	msgNoMethodResponse      = "No method response exists for method."
)

// loadIntegration returns a method's integration or AWS's 404.
func loadIntegration(m *apigw.Method) (*apigw.Integration, error) {
	if m.MethodIntegration == nil {
		return nil, apigw.NotFound(apigw.MsgNoIntegration)
	}
	return m.MethodIntegration, nil
}

// PutIntegration sets up (or replaces) a method's integration. Every field
// is stored as given, with AWS's defaults filled in; integration responses
// of a replaced integration are kept.
func (s *Service) PutIntegration(ctx context.Context, apiID, resourceID, verb string, in PutIntegrationInput) (*apigw.Integration, error) {
	ig := &apigw.Integration{
		Type:                in.Type,
		HTTPMethod:          in.HTTPMethod,
		URI:                 in.URI,
		ConnectionType:      in.ConnectionType,
		ConnectionID:        in.ConnectionID,
		Credentials:         in.Credentials,
		RequestParameters:   in.RequestParameters,
		RequestTemplates:    in.RequestTemplates,
		PassthroughBehavior: in.PassthroughBehavior,
		CacheNamespace:      in.CacheNamespace,
		CacheKeyParameters:  in.CacheKeyParameters,
		ContentHandling:     in.ContentHandling,
		TimeoutInMillis:     defaultIntegrationTimeout,
		TLSConfig:           in.TLSConfig,
	}
	timeoutSet := in.TimeoutInMillis != nil
	if timeoutSet {
		ig.TimeoutInMillis = *in.TimeoutInMillis
	}
	err := s.editMethod(ctx, apiID, resourceID, verb, func(_ *apigw.RestAPI, r *apigw.Resource, m *apigw.Method) error {
		if err := validateIntegration(m, ig, "putIntegrationInput"); err != nil {
			return err
		}
		completeIntegration(r, ig)
		if old := m.MethodIntegration; old != nil {
			ig.IntegrationResponses = old.IntegrationResponses
		}
		m.MethodIntegration = ig
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ig, nil
}

// completeIntegration fills in what AWS fills in when a field is absent.
func completeIntegration(r *apigw.Resource, ig *apigw.Integration) {
	if ig.ConnectionType == "" {
		ig.ConnectionType = "INTERNET"
	}
	if ig.PassthroughBehavior == "" {
		ig.PassthroughBehavior = "WHEN_NO_MATCH"
	}
	if ig.CacheNamespace == "" {
		ig.CacheNamespace = r.ID
	}
	if ig.Type == apigw.IntegrationMock {
		ig.URI = "" // AWS keeps no URI on a MOCK integration
	}
}

// validateIntegration checks an integration of method m, in AWS's order.
// input names the request in enum errors.
func validateIntegration(m *apigw.Method, ig *apigw.Integration, input string) error {
	if !slices.Contains(integrationTypes, ig.Type) {
		return defEnumError(ig.Type, input+".type", integrationTypes...)
	}
	if ig.Type != apigw.IntegrationMock {
		if ig.HTTPMethod == "" {
			return apigw.BadRequest(msgNoHTTPMethod)
		}
		if !slices.Contains(methodVerbs, ig.HTTPMethod) {
			return apigw.BadRequest(msgInvalidVerb)
		}
	}
	switch ig.Type {
	case apigw.IntegrationHTTP, apigw.IntegrationHTTPProxy:
		if !validHTTPURI(ig.URI) {
			return apigw.BadRequest(msgInvalidHTTPEndpoint)
		}
	case apigw.IntegrationAWS, apigw.IntegrationAWSProxy:
		if err := checkAWSIntegrationURI(ig); err != nil {
			return err
		}
	}
	if ig.TimeoutInMillis < minIntegrationTimeout || ig.TimeoutInMillis > maxIntegrationTimeout {
		return apigw.BadRequest(msgTimeoutRange)
	}
	if ig.ConnectionType != "" && !slices.Contains(connectionTypes, ig.ConnectionType) {
		return defEnumError(ig.ConnectionType, input+".connectionType", connectionTypes...)
	}
	if ig.ConnectionType == "VPC_LINK" && ig.ConnectionID == "" {
		return apigw.BadRequest(msgConnectionIDRequired)
	}
	if ig.PassthroughBehavior != "" && !slices.Contains(passthroughBehaviors, ig.PassthroughBehavior) {
		return apigw.BadRequest(msgPassthrough)
	}
	if ig.ContentHandling != "" && !slices.Contains(contentHandlings, ig.ContentHandling) {
		return defEnumError(ig.ContentHandling, input+".contentHandling", contentHandlings...)
	}
	for _, key := range slices.Sorted(maps.Keys(ig.RequestParameters)) {
		if !integrationRequestParamRe.MatchString(key) {
			return errMappingParam(key)
		}
		if err := checkRequestMappingSource(m, ig.RequestParameters[key]); err != nil {
			return err
		}
	}
	for _, p := range ig.CacheKeyParameters {
		if _, declared := m.RequestParameters[p]; !declared {
			return apigw.BadRequest(msgCacheKeyParameter, p)
		}
	}
	return nil
}

// checkRequestMappingSource checks the source of an integration request
// parameter mapping: method request parameters must be declared on the
// method.
func checkRequestMappingSource(m *apigw.Method, src string) error {
	if commonSourceRe.MatchString(src) {
		return nil
	}
	match := methodRequestSourceRe.FindStringSubmatch(src)
	if match == nil {
		return errMapping(src)
	}
	loc := strings.TrimPrefix(match[1], "multivalue")
	if _, declared := m.RequestParameters["method.request."+loc+"."+match[2]]; !declared {
		return errMappingParam(src)
	}
	return nil
}

// validHTTPURI reports whether uri is an absolute http(s) URL once its
// ${stageVariables.x} references are substituted, which may stand for any
// part of it, host included.
func validHTTPURI(uri string) bool {
	u, err := url.Parse(stageVariableRef.ReplaceAllString(uri, "stagevariable"))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkAWSIntegrationURI checks arn:aws:apigateway:{region}:{service}:
// {path|action}/... for AWS and AWS_PROXY integrations.
func checkAWSIntegrationURI(ig *apigw.Integration) error {
	parts := strings.SplitN(ig.URI, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[4] == "" {
		return apigw.BadRequest(msgInvalidIntegrationARN)
	}
	service, resource := parts[4], parts[5]
	if !strings.HasPrefix(resource, "path") && !strings.HasPrefix(resource, "action") {
		return apigw.BadRequest(msgARNPathOrAction)
	}
	if ig.Type == apigw.IntegrationAWSProxy && (service != "lambda" || !strings.HasPrefix(resource, "path/2015-03-31/functions/")) {
		return apigw.BadRequest(msgAWSProxyLambdaOnly)
	}
	if ig.Type == apigw.IntegrationAWS && service == "s3" && ig.Credentials == "" {
		return apigw.BadRequest(msgRoleRequired)
	}
	return nil
}

// GetIntegration returns a method's integration.
func (s *Service) GetIntegration(ctx context.Context, apiID, resourceID, verb string) (*apigw.Integration, error) {
	m, err := s.GetMethod(ctx, apiID, resourceID, verb)
	if err != nil {
		return nil, err
	}
	return loadIntegration(m)
}

// UpdateIntegration applies patch operations to an integration; the
// result must pass PutIntegration's validation. All or nothing.
func (s *Service) UpdateIntegration(ctx context.Context, apiID, resourceID, verb string, ops []apigw.PatchOperation) (*apigw.Integration, error) {
	var out *apigw.Integration
	err := s.editMethod(ctx, apiID, resourceID, verb, func(_ *apigw.RestAPI, r *apigw.Resource, m *apigw.Method) error {
		ig, err := loadIntegration(m)
		if err != nil {
			return err
		}
		for _, op := range ops {
			if err := patchIntegration(ig, op); err != nil {
				return err
			}
		}
		if err := validateIntegration(m, ig, "updateIntegrationInput"); err != nil {
			return err
		}
		completeIntegration(r, ig)
		out = ig
		return nil
	})
	return out, err
}

// patchIntegration applies one UpdateIntegration operation.
func patchIntegration(ig *apigw.Integration, op apigw.PatchOperation) error {
	field, key := defSplit(op.Path)
	scalars := map[string]*string{
		"type":                &ig.Type,
		"httpMethod":          &ig.HTTPMethod,
		"uri":                 &ig.URI,
		"connectionType":      &ig.ConnectionType,
		"connectionId":        &ig.ConnectionID,
		"credentials":         &ig.Credentials,
		"passthroughBehavior": &ig.PassthroughBehavior,
		"contentHandling":     &ig.ContentHandling,
		"cacheNamespace":      &ig.CacheNamespace,
	}
	if p, ok := scalars[field]; ok && key == "" {
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		*p = op.Value
		return nil
	}
	switch {
	case field == "timeoutInMillis" && key == "":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		n, err := strconv.Atoi(op.Value)
		if err != nil {
			return apigw.BadRequest(msgTimeoutRange)
		}
		ig.TimeoutInMillis = n
	case field == "tlsConfig" && key == "insecureSkipVerification":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		b, err := defBool(op)
		if err != nil {
			return err
		}
		ig.TLSConfig = &apigw.TLSConfig{InsecureSkipVerification: b}
	case field == "requestParameters" && key != "":
		params, err := defMapPatch(ig.RequestParameters, op, key)
		if err != nil {
			return err
		}
		ig.RequestParameters = params
	case field == "requestTemplates" && key != "":
		templates, err := defMapPatch(ig.RequestTemplates, op, key)
		if err != nil {
			return err
		}
		ig.RequestTemplates = templates
	case field == "cacheKeyParameters" && key != "":
		if err := defCheckOp(op, apigw.OpAdd, apigw.OpRemove); err != nil {
			return err
		}
		ig.CacheKeyParameters = slices.DeleteFunc(ig.CacheKeyParameters, func(p string) bool { return p == key })
		if op.Op == apigw.OpAdd {
			ig.CacheKeyParameters = append(ig.CacheKeyParameters, key)
		}
		if len(ig.CacheKeyParameters) == 0 {
			ig.CacheKeyParameters = nil
		}
	default:
		return defInvalidPath(op.Path)
	}
	return nil
}

// DeleteIntegration removes a method's integration with its responses.
func (s *Service) DeleteIntegration(ctx context.Context, apiID, resourceID, verb string) error {
	return s.editMethod(ctx, apiID, resourceID, verb, func(_ *apigw.RestAPI, _ *apigw.Resource, m *apigw.Method) error {
		if _, err := loadIntegration(m); err != nil {
			return err
		}
		m.MethodIntegration = nil
		return nil
	})
}

// validateIntegrationResponse checks an integration response against the
// method: headers it sets must be declared by the method response of the
// same status code.
func validateIntegrationResponse(m *apigw.Method, ir *apigw.IntegrationResponse, input string) error {
	if err := checkSelectionPattern(ir.SelectionPattern); err != nil {
		return err
	}
	if ir.ContentHandling != "" && !slices.Contains(contentHandlings, ir.ContentHandling) {
		return defEnumError(ir.ContentHandling, input+".contentHandling", contentHandlings...)
	}
	if len(ir.ResponseParameters) == 0 {
		return nil
	}
	mr := m.MethodResponses[ir.StatusCode]
	if mr == nil {
		return apigw.BadRequest("%s%s]", mappingPrefix, msgNoMethodResponse)
	}
	for _, key := range slices.Sorted(maps.Keys(ir.ResponseParameters)) {
		if _, declared := mr.ResponseParameters[key]; !declared || !methodResponseParamRe.MatchString(key) {
			return errMappingParam(key)
		}
		src := ir.ResponseParameters[key]
		if !commonSourceRe.MatchString(src) && !integrationResponseSourceRe.MatchString(src) {
			return errMapping(src)
		}
	}
	return nil
}

// checkSelectionPattern compiles a selection pattern. AWS's patterns are
// Java regular expressions; RE2 accepts all but a few constructs
// (lookaround, backreferences), which Stagecoach cannot evaluate and so
// refuses up front.
func checkSelectionPattern(p string) error {
	if _, err := regexp.Compile(p); err != nil {
		return apigw.BadRequest(msgSelectionPattern)
	}
	return nil
}

// PutIntegrationResponse sets (or replaces) the integration response for
// a status code.
func (s *Service) PutIntegrationResponse(ctx context.Context, apiID, resourceID, verb, status string, in PutIntegrationResponseInput) (*apigw.IntegrationResponse, error) {
	ir := &apigw.IntegrationResponse{
		StatusCode:         status,
		SelectionPattern:   in.SelectionPattern,
		ResponseParameters: in.ResponseParameters,
		ResponseTemplates:  in.ResponseTemplates,
		ContentHandling:    in.ContentHandling,
	}
	err := s.editMethod(ctx, apiID, resourceID, verb, func(_ *apigw.RestAPI, _ *apigw.Resource, m *apigw.Method) error {
		ig, err := loadIntegration(m)
		if err != nil {
			return err
		}
		if err := checkStatusCode(status); err != nil {
			return err
		}
		if err := validateIntegrationResponse(m, ir, "putIntegrationResponseInput"); err != nil {
			return err
		}
		if ig.IntegrationResponses == nil {
			ig.IntegrationResponses = map[string]*apigw.IntegrationResponse{}
		}
		ig.IntegrationResponses[status] = ir
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ir, nil
}

// loadIntegrationResponse returns an integration response or AWS's 404s.
func loadIntegrationResponse(m *apigw.Method, status string) (*apigw.IntegrationResponse, error) {
	ig, err := loadIntegration(m)
	if err != nil {
		return nil, err
	}
	ir, ok := ig.IntegrationResponses[status]
	if !ok {
		return nil, apigw.NotFound(apigw.MsgInvalidStatusCode)
	}
	return ir, nil
}

// GetIntegrationResponse returns one integration response.
func (s *Service) GetIntegrationResponse(ctx context.Context, apiID, resourceID, verb, status string) (*apigw.IntegrationResponse, error) {
	m, err := s.GetMethod(ctx, apiID, resourceID, verb)
	if err != nil {
		return nil, err
	}
	return loadIntegrationResponse(m, status)
}

// UpdateIntegrationResponse patches /selectionPattern, /contentHandling,
// /responseParameters/{header} and /responseTemplates/{contentType}, all
// or nothing.
func (s *Service) UpdateIntegrationResponse(ctx context.Context, apiID, resourceID, verb, status string, ops []apigw.PatchOperation) (*apigw.IntegrationResponse, error) {
	var out *apigw.IntegrationResponse
	err := s.editMethod(ctx, apiID, resourceID, verb, func(_ *apigw.RestAPI, _ *apigw.Resource, m *apigw.Method) error {
		ir, err := loadIntegrationResponse(m, status)
		if err != nil {
			return err
		}
		for _, op := range ops {
			field, key := defSplit(op.Path)
			switch {
			case field == "selectionPattern" && key == "":
				if err = defCheckOp(op, apigw.OpReplace); err == nil {
					ir.SelectionPattern = op.Value
				}
			case field == "contentHandling" && key == "":
				if err = defCheckOp(op, apigw.OpReplace); err == nil {
					ir.ContentHandling = op.Value
				}
			case field == "responseParameters" && key != "":
				ir.ResponseParameters, err = defMapPatch(ir.ResponseParameters, op, key)
			case field == "responseTemplates" && key != "":
				ir.ResponseTemplates, err = defMapPatch(ir.ResponseTemplates, op, key)
			default:
				err = defInvalidPath(op.Path)
			}
			if err != nil {
				return err
			}
		}
		out = ir
		return validateIntegrationResponse(m, ir, "updateIntegrationResponseInput")
	})
	return out, err
}

// DeleteIntegrationResponse removes an integration response.
func (s *Service) DeleteIntegrationResponse(ctx context.Context, apiID, resourceID, verb, status string) error {
	return s.editMethod(ctx, apiID, resourceID, verb, func(_ *apigw.RestAPI, _ *apigw.Resource, m *apigw.Method) error {
		if _, err := loadIntegrationResponse(m, status); err != nil {
			return err
		}
		delete(m.MethodIntegration.IntegrationResponses, status)
		if len(m.MethodIntegration.IntegrationResponses) == 0 {
			m.MethodIntegration.IntegrationResponses = nil
		}
		return nil
	})
}
