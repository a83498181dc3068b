package cloudcontrol

import (
	"context"
	"encoding/json"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// apiModelModel is AWS::ApiGateway::Model's property document. Schema is
// a JSON object in templates (a string is accepted too) and is read back
// as an object; Name, when omitted, is generated as CloudFormation does.
type apiModelModel struct {
	RestApiId   string `json:"RestApiId,omitempty"`
	Name        string `json:"Name,omitempty"`
	ContentType string `json:"ContentType,omitempty"`
	Description string `json:"Description,omitempty"`
	Schema      any    `json:"Schema,omitempty"`
}

var apiModelMeta = &typeMeta{
	TypeName:     "AWS::ApiGateway::Model",
	Primary:      []string{"RestApiId", "Name"},
	Required:     []string{"RestApiId"},
	CreateOnly:   []string{"RestApiId", "Name", "ContentType"},
	ListRequires: []string{"RestApiId"},
}

type apiModelType struct{ svc *backplane.Service }

func (t *apiModelType) meta() *typeMeta           { return apiModelMeta }
func (t *apiModelType) newModel() any             { return &apiModelModel{} }
func (t *apiModelType) identifierOf(any) []string { return nil }

// schemaText is the Schema property as the string API Gateway stores.
func schemaText(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (t *apiModelType) create(ctx context.Context, model any) ([]string, error) {
	m := model.(*apiModelModel)
	name := m.Name
	if name == "" {
		name = "Model" + apigw.NewModelID() // generated names stay alphanumeric
	}
	ct := m.ContentType
	if ct == "" {
		ct = "application/json"
	}
	out, err := t.svc.CreateModel(ctx, m.RestApiId, backplane.CreateModelInput{Name: name, ContentType: ct, Description: m.Description, Schema: schemaText(m.Schema)})
	if err != nil {
		return nil, err
	}
	return []string{m.RestApiId, out.Name}, nil
}

func apiModelToModel(apiID string, m *apigw.Model) *apiModelModel {
	out := &apiModelModel{RestApiId: apiID, Name: m.Name, ContentType: m.ContentType, Description: m.Description}
	var doc any
	if json.Unmarshal([]byte(m.Schema), &doc) == nil {
		out.Schema = doc
	} else if m.Schema != "" {
		out.Schema = m.Schema
	}
	return out
}

func (t *apiModelType) read(ctx context.Context, ids []string) (any, error) {
	m, err := t.svc.GetModel(ctx, ids[0], ids[1])
	if err != nil {
		return nil, err
	}
	return apiModelToModel(ids[0], m), nil
}

func (t *apiModelType) update(ctx context.Context, ids []string, prev, next any) error {
	p, n := prev.(*apiModelModel), next.(*apiModelModel)
	var ops []apigw.PatchOperation
	if n.Description != p.Description {
		ops = append(ops, apigw.PatchOperation{Op: apigw.OpReplace, Path: "/description", Value: n.Description})
	}
	if schemaText(n.Schema) != schemaText(p.Schema) {
		ops = append(ops, apigw.PatchOperation{Op: apigw.OpReplace, Path: "/schema", Value: schemaText(n.Schema)})
	}
	if len(ops) == 0 {
		return nil
	}
	_, err := t.svc.UpdateModel(ctx, ids[0], ids[1], ops)
	return err
}

func (t *apiModelType) delete(ctx context.Context, ids []string) error {
	return t.svc.DeleteModel(ctx, ids[0], ids[1])
}

func (t *apiModelType) list(ctx context.Context, model map[string]any) ([]listed, error) {
	apiID := model["RestApiId"].(string)
	ms, err := t.svc.GetModels(ctx, apiID)
	if err != nil {
		return nil, err
	}
	out := make([]listed, 0, len(ms))
	for _, m := range ms {
		out = append(out, listed{IDs: []string{apiID, m.Name}, Model: apiModelToModel(apiID, m)})
	}
	return out, nil
}
