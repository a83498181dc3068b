package backplane

import (
	"context"
	"maps"
	"regexp"
	"slices"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// PutGatewayResponseInput is PutGatewayResponse's body.
type PutGatewayResponseInput struct {
	StatusCode         string            `json:"statusCode,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
}

var (
	// gatewayResponseParamRe is a responseParameters key: a header, query
	// string or path parameter of the gateway response.
	gatewayResponseParamRe = regexp.MustCompile(`^gatewayresponse\.(header|querystring|path)\.([^\s]+)$`)
	// gatewayResponseSourceRe is a responseParameters value that is not a
	// 'static' one: a method request parameter, a stage variable or a
	// $context variable.
	gatewayResponseSourceRe = regexp.MustCompile(`^(method\.request\.(header|querystring|path|multivalueheader|multivaluequerystring)|stageVariables|context)\.[^\s]+$`)
)

// msgGatewayResponseNotDefined is AWS's answer to deleting a type that was
// never customized (as LocalStack's AWS-recorded parity tests have it).
const msgGatewayResponseNotDefined = "Gateway response type not defined on api"

// gatewayResponseType checks a response type path label.
func gatewayResponseType(name string) (apigw.GatewayResponseType, error) {
	t, ok := apigw.LookupGatewayResponseType(name)
	if !ok {
		names := make([]string, len(apigw.GatewayResponseTypes))
		for i, t := range apigw.GatewayResponseTypes {
			names[i] = t.Name
		}
		return t, defEnumError(name, "responseType", names...)
	}
	return t, nil
}

// validateGatewayResponse checks a customization after a put or a patch.
func validateGatewayResponse(gr *apigw.GatewayResponse) error {
	if gr.StatusCode != "" && !statusCodeRe.MatchString(gr.StatusCode) {
		return &apigw.Error{Kind: apigw.KindValidation, Message: "1 validation error detected: Value '" + gr.StatusCode +
			`' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\d\d`}
	}
	for _, k := range slices.Sorted(maps.Keys(gr.ResponseParameters)) {
		if !gatewayResponseParamRe.MatchString(k) {
			return errMappingParam(k)
		}
		v := gr.ResponseParameters[k]
		static := len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\''
		if !static && !gatewayResponseSourceRe.MatchString(v) {
			return errMapping(v)
		}
	}
	return nil
}

// PutGatewayResponse replaces the customization of one response type.
func (s *Service) PutGatewayResponse(ctx context.Context, apiID, responseType string, in PutGatewayResponseInput) (*apigw.GatewayResponse, error) {
	gr := &apigw.GatewayResponse{
		ResponseType:       responseType,
		StatusCode:         in.StatusCode,
		ResponseParameters: in.ResponseParameters,
		ResponseTemplates:  in.ResponseTemplates,
	}
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		if _, err := gatewayResponseType(responseType); err != nil {
			return err
		}
		if err := validateGatewayResponse(gr); err != nil {
			return err
		}
		if api.GatewayResponses == nil {
			api.GatewayResponses = map[string]*apigw.GatewayResponse{}
		}
		api.GatewayResponses[responseType] = gr
		return tx.PutRestAPI(api)
	})
	if err != nil {
		return nil, err
	}
	return gr, nil
}

// gatewayResponseOf returns the API's customization of t, else AWS's
// default for it.
func gatewayResponseOf(api *apigw.RestAPI, t apigw.GatewayResponseType) *apigw.GatewayResponse {
	if gr := api.GatewayResponses[t.Name]; gr != nil {
		return gr
	}
	return apigw.DefaultGatewayResponse(t)
}

// GetGatewayResponse returns a type's customization or its default.
func (s *Service) GetGatewayResponse(ctx context.Context, apiID, responseType string) (*apigw.GatewayResponse, error) {
	var out *apigw.GatewayResponse
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		t, err := gatewayResponseType(responseType)
		if err != nil {
			return err
		}
		out = gatewayResponseOf(api, t)
		return nil
	})
	return out, err
}

// GetGatewayResponses returns every type, customized or default, in the
// API reference's order. AWS does not page this collection.
func (s *Service) GetGatewayResponses(ctx context.Context, apiID string) ([]*apigw.GatewayResponse, error) {
	var out []*apigw.GatewayResponse
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		for _, t := range apigw.GatewayResponseTypes {
			out = append(out, gatewayResponseOf(api, t))
		}
		return nil
	})
	return out, err
}

// UpdateGatewayResponse patches /statusCode, /responseParameters/{name}
// and /responseTemplates/{contentType}. Patching a type that was not
// customized customizes it, starting from its default.
func (s *Service) UpdateGatewayResponse(ctx context.Context, apiID, responseType string, ops []apigw.PatchOperation) (*apigw.GatewayResponse, error) {
	var out *apigw.GatewayResponse
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		t, err := gatewayResponseType(responseType)
		if err != nil {
			return err
		}
		gr := cloneGatewayResponse(gatewayResponseOf(api, t))
		gr.DefaultResponse = false
		for _, op := range ops {
			if err := patchGatewayResponse(gr, op); err != nil {
				return err
			}
		}
		if err := validateGatewayResponse(gr); err != nil {
			return err
		}
		if api.GatewayResponses == nil {
			api.GatewayResponses = map[string]*apigw.GatewayResponse{}
		}
		api.GatewayResponses[t.Name] = gr
		out = gr
		return tx.PutRestAPI(api)
	})
	return out, err
}

func patchGatewayResponse(gr *apigw.GatewayResponse, op apigw.PatchOperation) error {
	field, key := defSplit(op.Path)
	var err error
	switch {
	case field == "statusCode" && key == "":
		if err := defCheckOp(op, apigw.OpReplace); err != nil {
			return err
		}
		gr.StatusCode = op.Value
	case field == "responseParameters" && key != "":
		gr.ResponseParameters, err = defMapPatch(gr.ResponseParameters, op, key)
	case field == "responseTemplates" && key != "":
		gr.ResponseTemplates, err = defMapPatch(gr.ResponseTemplates, op, key)
	default:
		err = defInvalidPath(op.Path)
	}
	return err
}

// DeleteGatewayResponse drops a type's customization: the default applies
// again (after the next deployment).
func (s *Service) DeleteGatewayResponse(ctx context.Context, apiID, responseType string) error {
	return s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		if _, err := gatewayResponseType(responseType); err != nil {
			return err
		}
		if api.GatewayResponses[responseType] == nil {
			return apigw.NotFound(msgGatewayResponseNotDefined)
		}
		delete(api.GatewayResponses, responseType)
		if len(api.GatewayResponses) == 0 {
			api.GatewayResponses = nil
		}
		return tx.PutRestAPI(api)
	})
}
