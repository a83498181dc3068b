package cloudcontrol

import (
	"context"
	"maps"
	"strconv"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// apiKeyModel is AWS::ApiGateway::ApiKey's property document (the
// resource provider schema: APIKeyId primary and read-only; Name, Value
// and GenerateDistinctId create-only; GenerateDistinctId write-only).
type apiKeyModel struct {
	APIKeyId           string          `json:"APIKeyId,omitempty"`
	CustomerId         string          `json:"CustomerId,omitempty"`
	Description        string          `json:"Description,omitempty"`
	Enabled            bool            `json:"Enabled"`
	GenerateDistinctId *bool           `json:"GenerateDistinctId,omitempty"`
	Name               string          `json:"Name,omitempty"`
	StageKeys          []stageKeyModel `json:"StageKeys,omitempty"`
	Tags               []tagModel      `json:"Tags,omitempty"`
	Value              string          `json:"Value,omitempty"`
}

type stageKeyModel struct {
	RestApiId string `json:"RestApiId,omitempty"`
	StageName string `json:"StageName,omitempty"`
}

var apiKeyMeta = &typeMeta{
	TypeName:   "AWS::ApiGateway::ApiKey",
	Primary:    []string{"APIKeyId"},
	CreateOnly: []string{"GenerateDistinctId", "Name", "Value"},
	ReadOnly:   []string{"APIKeyId"},
	WriteOnly:  []string{"GenerateDistinctId"},
}

type apiKeyType struct{ svc *backplane.Service }

func (t *apiKeyType) meta() *typeMeta             { return apiKeyMeta }
func (t *apiKeyType) newModel() any               { return &apiKeyModel{} }
func (t *apiKeyType) identifierOf(any) []string   { return nil }
func (t *apiKeyType) checkSchema(model any) error { return checkTags(model.(*apiKeyModel).Tags) }

func (t *apiKeyType) create(ctx context.Context, model any) ([]string, error) {
	m := model.(*apiKeyModel)
	in := backplane.CreateAPIKeyInput{Name: m.Name, Description: m.Description, Enabled: m.Enabled,
		Value: m.Value, CustomerID: m.CustomerId, Tags: tagsToMap(m.Tags)}
	for _, sk := range m.StageKeys {
		in.StageKeys = append(in.StageKeys, backplane.StageKey{RestAPIID: sk.RestApiId, StageName: sk.StageName})
	}
	k, err := t.svc.CreateAPIKey(ctx, in)
	if err != nil {
		return nil, err
	}
	return []string{k.ID}, nil
}

func apiKeyToModel(k *apigw.APIKey) *apiKeyModel {
	return &apiKeyModel{APIKeyId: k.ID, CustomerId: k.CustomerID, Description: k.Description, Enabled: k.Enabled,
		Name: k.Name, Tags: tagsFromMap(k.Tags), Value: k.Value}
}

func (t *apiKeyType) read(ctx context.Context, ids []string) (any, error) {
	k, err := t.svc.GetAPIKey(ctx, ids[0])
	if err != nil {
		return nil, err
	}
	return apiKeyToModel(k), nil
}

// update patches what changed and replaces the tag set, in one
// transaction (backplane.UpdateAPIKeyAndTags).
func (t *apiKeyType) update(ctx context.Context, ids []string, prev, next any) error {
	p, n := prev.(*apiKeyModel), next.(*apiKeyModel)
	var ops []apigw.PatchOperation
	set := func(path, from, to string) {
		if from != to {
			ops = append(ops, apigw.PatchOperation{Op: apigw.OpReplace, Path: path, Value: to})
		}
	}
	set("/description", p.Description, n.Description)
	set("/customerId", p.CustomerId, n.CustomerId)
	set("/enabled", strconv.FormatBool(p.Enabled), strconv.FormatBool(n.Enabled))
	tags := tagsToMap(n.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	if len(ops) == 0 && maps.Equal(tags, tagsToMap(p.Tags)) {
		return nil
	}
	_, err := t.svc.UpdateAPIKeyAndTags(ctx, ids[0], ops, tags)
	return err
}

func (t *apiKeyType) delete(ctx context.Context, ids []string) error {
	return t.svc.DeleteAPIKey(ctx, ids[0])
}

func (t *apiKeyType) list(ctx context.Context, _ map[string]any) ([]listed, error) {
	keys, err := t.svc.GetAPIKeys(ctx, backplane.APIKeyFilter{})
	if err != nil {
		return nil, err
	}
	out := make([]listed, 0, len(keys))
	for _, k := range keys {
		out = append(out, listed{IDs: []string{k.ID}, Model: apiKeyToModel(k)})
	}
	return out, nil
}
