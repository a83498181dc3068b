package cloudcontrol

import (
	"context"
	"slices"
	"strconv"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// authorizerModel is AWS::ApiGateway::Authorizer's property document.
type authorizerModel struct {
	RestApiId                    string   `json:"RestApiId,omitempty"`
	AuthorizerId                 string   `json:"AuthorizerId,omitempty"`
	Name                         string   `json:"Name,omitempty"`
	Type                         string   `json:"Type,omitempty"`
	AuthType                     string   `json:"AuthType,omitempty"`
	AuthorizerCredentials        string   `json:"AuthorizerCredentials,omitempty"`
	AuthorizerResultTtlInSeconds *int     `json:"AuthorizerResultTtlInSeconds,omitempty"`
	AuthorizerUri                string   `json:"AuthorizerUri,omitempty"`
	IdentitySource               string   `json:"IdentitySource,omitempty"`
	IdentityValidationExpression string   `json:"IdentityValidationExpression,omitempty"`
	ProviderARNs                 []string `json:"ProviderARNs,omitempty"`
}

var authorizerMeta = &typeMeta{
	TypeName:     "AWS::ApiGateway::Authorizer",
	Primary:      []string{"RestApiId", "AuthorizerId"},
	Required:     []string{"RestApiId", "Type", "Name"},
	CreateOnly:   []string{"RestApiId"},
	ReadOnly:     []string{"AuthorizerId"},
	ListRequires: []string{"RestApiId"},
}

type authorizerType struct{ svc *backplane.Service }

func (t *authorizerType) meta() *typeMeta           { return authorizerMeta }
func (t *authorizerType) newModel() any             { return &authorizerModel{} }
func (t *authorizerType) identifierOf(any) []string { return nil }

func (t *authorizerType) create(ctx context.Context, model any) ([]string, error) {
	m := model.(*authorizerModel)
	a, err := t.svc.CreateAuthorizer(ctx, m.RestApiId, backplane.CreateAuthorizerInput{
		Name: m.Name, Type: m.Type, ProviderARNs: m.ProviderARNs, AuthType: m.AuthType, AuthorizerURI: m.AuthorizerUri,
		AuthorizerCredentials: m.AuthorizerCredentials, IdentitySource: m.IdentitySource,
		IdentityValidationExpression: m.IdentityValidationExpression, AuthorizerResultTTLInSeconds: m.AuthorizerResultTtlInSeconds})
	if err != nil {
		return nil, err
	}
	return []string{m.RestApiId, a.ID}, nil
}

func authorizerToModel(apiID string, a *apigw.Authorizer) *authorizerModel {
	return &authorizerModel{RestApiId: apiID, AuthorizerId: a.ID, Name: a.Name, Type: a.Type, AuthType: a.AuthType,
		AuthorizerCredentials: a.AuthorizerCredentials, AuthorizerResultTtlInSeconds: a.AuthorizerResultTTLInSeconds,
		AuthorizerUri: a.AuthorizerURI, IdentitySource: a.IdentitySource,
		IdentityValidationExpression: a.IdentityValidationExpression, ProviderARNs: a.ProviderARNs}
}

func (t *authorizerType) read(ctx context.Context, ids []string) (any, error) {
	a, err := t.svc.GetAuthorizer(ctx, ids[0], ids[1])
	if err != nil {
		return nil, err
	}
	return authorizerToModel(ids[0], a), nil
}

// update turns the property changes into UpdateAuthorizer's patch
// operations, applied in one transaction.
func (t *authorizerType) update(ctx context.Context, ids []string, prev, next any) error {
	p, n := prev.(*authorizerModel), next.(*authorizerModel)
	var ops []apigw.PatchOperation
	set := func(path, old, cur string) {
		if old != cur {
			ops = append(ops, apigw.PatchOperation{Op: apigw.OpReplace, Path: path, Value: cur})
		}
	}
	set("/name", p.Name, n.Name)
	set("/type", p.Type, n.Type)
	set("/authType", p.AuthType, n.AuthType)
	set("/authorizerCredentials", p.AuthorizerCredentials, n.AuthorizerCredentials)
	set("/authorizerUri", p.AuthorizerUri, n.AuthorizerUri)
	set("/identitySource", p.IdentitySource, n.IdentitySource)
	set("/identityValidationExpression", p.IdentityValidationExpression, n.IdentityValidationExpression)
	ttl := func(v *int) string {
		if v == nil {
			return strconv.Itoa(apigw.DefaultAuthorizerTTL)
		}
		return strconv.Itoa(*v)
	}
	set("/authorizerResultTtlInSeconds", ttl(p.AuthorizerResultTtlInSeconds), ttl(n.AuthorizerResultTtlInSeconds))
	for _, arn := range p.ProviderARNs {
		if !slices.Contains(n.ProviderARNs, arn) {
			ops = append(ops, apigw.PatchOperation{Op: apigw.OpRemove, Path: "/providerARNs/" + arn})
		}
	}
	for _, arn := range n.ProviderARNs {
		if !slices.Contains(p.ProviderARNs, arn) {
			ops = append(ops, apigw.PatchOperation{Op: apigw.OpAdd, Path: "/providerARNs", Value: arn})
		}
	}
	if len(ops) == 0 {
		return nil
	}
	_, err := t.svc.UpdateAuthorizer(ctx, ids[0], ids[1], ops)
	return err
}

func (t *authorizerType) delete(ctx context.Context, ids []string) error {
	return t.svc.DeleteAuthorizer(ctx, ids[0], ids[1])
}

func (t *authorizerType) list(ctx context.Context, model map[string]any) ([]listed, error) {
	apiID := model["RestApiId"].(string)
	as, err := t.svc.GetAuthorizers(ctx, apiID)
	if err != nil {
		return nil, err
	}
	out := make([]listed, 0, len(as))
	for _, a := range as {
		out = append(out, listed{IDs: []string{apiID, a.ID}, Model: authorizerToModel(apiID, a)})
	}
	return out, nil
}
