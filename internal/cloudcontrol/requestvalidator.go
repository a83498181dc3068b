package cloudcontrol

import (
	"context"
	"strconv"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// requestValidatorModel is AWS::ApiGateway::RequestValidator's property
// document.
type requestValidatorModel struct {
	RestApiId                 string `json:"RestApiId,omitempty"`
	RequestValidatorId        string `json:"RequestValidatorId,omitempty"`
	Name                      string `json:"Name,omitempty"`
	ValidateRequestBody       bool   `json:"ValidateRequestBody"`
	ValidateRequestParameters bool   `json:"ValidateRequestParameters"`
}

var requestValidatorMeta = &typeMeta{
	TypeName:     "AWS::ApiGateway::RequestValidator",
	Primary:      []string{"RestApiId", "RequestValidatorId"},
	Required:     []string{"RestApiId"},
	CreateOnly:   []string{"RestApiId", "Name"},
	ReadOnly:     []string{"RequestValidatorId"},
	ListRequires: []string{"RestApiId"},
}

type requestValidatorType struct{ svc *backplane.Service }

func (t *requestValidatorType) meta() *typeMeta           { return requestValidatorMeta }
func (t *requestValidatorType) newModel() any             { return &requestValidatorModel{} }
func (t *requestValidatorType) identifierOf(any) []string { return nil }

func (t *requestValidatorType) create(ctx context.Context, model any) ([]string, error) {
	m := model.(*requestValidatorModel)
	v, err := t.svc.CreateRequestValidator(ctx, m.RestApiId, backplane.CreateRequestValidatorInput{Name: m.Name,
		ValidateRequestBody: m.ValidateRequestBody, ValidateRequestParameters: m.ValidateRequestParameters})
	if err != nil {
		return nil, err
	}
	return []string{m.RestApiId, v.ID}, nil
}

func validatorToModel(apiID string, v *apigw.RequestValidator) *requestValidatorModel {
	return &requestValidatorModel{RestApiId: apiID, RequestValidatorId: v.ID, Name: v.Name,
		ValidateRequestBody: v.ValidateRequestBody, ValidateRequestParameters: v.ValidateRequestParameters}
}

func (t *requestValidatorType) read(ctx context.Context, ids []string) (any, error) {
	v, err := t.svc.GetRequestValidator(ctx, ids[0], ids[1])
	if err != nil {
		return nil, err
	}
	return validatorToModel(ids[0], v), nil
}

func (t *requestValidatorType) update(ctx context.Context, ids []string, prev, next any) error {
	p, n := prev.(*requestValidatorModel), next.(*requestValidatorModel)
	var ops []apigw.PatchOperation
	if n.ValidateRequestBody != p.ValidateRequestBody {
		ops = append(ops, apigw.PatchOperation{Op: apigw.OpReplace, Path: "/validateRequestBody", Value: strconv.FormatBool(n.ValidateRequestBody)})
	}
	if n.ValidateRequestParameters != p.ValidateRequestParameters {
		ops = append(ops, apigw.PatchOperation{Op: apigw.OpReplace, Path: "/validateRequestParameters", Value: strconv.FormatBool(n.ValidateRequestParameters)})
	}
	if len(ops) == 0 {
		return nil
	}
	_, err := t.svc.UpdateRequestValidator(ctx, ids[0], ids[1], ops)
	return err
}

func (t *requestValidatorType) delete(ctx context.Context, ids []string) error {
	return t.svc.DeleteRequestValidator(ctx, ids[0], ids[1])
}

func (t *requestValidatorType) list(ctx context.Context, model map[string]any) ([]listed, error) {
	apiID := model["RestApiId"].(string)
	vs, err := t.svc.GetRequestValidators(ctx, apiID)
	if err != nil {
		return nil, err
	}
	out := make([]listed, 0, len(vs))
	for _, v := range vs {
		out = append(out, listed{IDs: []string{apiID, v.ID}, Model: validatorToModel(apiID, v)})
	}
	return out, nil
}
