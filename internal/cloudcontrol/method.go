package cloudcontrol

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strconv"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// methodModel is AWS::ApiGateway::Method's property document, including
// the method's responses and its integration.
type methodModel struct {
	RestApiId           string                  `json:"RestApiId,omitempty"`
	ResourceId          string                  `json:"ResourceId,omitempty"`
	HttpMethod          string                  `json:"HttpMethod,omitempty"`
	ApiKeyRequired      *bool                   `json:"ApiKeyRequired,omitempty"`
	AuthorizationScopes []string                `json:"AuthorizationScopes,omitempty"`
	AuthorizationType   string                  `json:"AuthorizationType,omitempty"`
	AuthorizerId        string                  `json:"AuthorizerId,omitempty"`
	OperationName       string                  `json:"OperationName,omitempty"`
	RequestModels       map[string]string       `json:"RequestModels,omitempty"`
	RequestParameters   map[string]boolOrString `json:"RequestParameters,omitempty"`
	RequestValidatorId  string                  `json:"RequestValidatorId,omitempty"`
	MethodResponses     []methodResponseModel   `json:"MethodResponses,omitempty"`
	Integration         *integrationModel       `json:"Integration,omitempty"`
}

type methodResponseModel struct {
	StatusCode         string                  `json:"StatusCode"`
	ResponseModels     map[string]string       `json:"ResponseModels,omitempty"`
	ResponseParameters map[string]boolOrString `json:"ResponseParameters,omitempty"`
}

type integrationModel struct {
	Type                  string                     `json:"Type,omitempty"`
	Uri                   string                     `json:"Uri,omitempty"`
	IntegrationHttpMethod string                     `json:"IntegrationHttpMethod,omitempty"`
	ConnectionType        string                     `json:"ConnectionType,omitempty"`
	ConnectionId          string                     `json:"ConnectionId,omitempty"`
	Credentials           string                     `json:"Credentials,omitempty"`
	CacheKeyParameters    []string                   `json:"CacheKeyParameters,omitempty"`
	CacheNamespace        string                     `json:"CacheNamespace,omitempty"`
	ContentHandling       string                     `json:"ContentHandling,omitempty"`
	PassthroughBehavior   string                     `json:"PassthroughBehavior,omitempty"`
	RequestParameters     map[string]string          `json:"RequestParameters,omitempty"`
	RequestTemplates      map[string]string          `json:"RequestTemplates,omitempty"`
	TimeoutInMillis       *int                       `json:"TimeoutInMillis,omitempty"`
	IntegrationResponses  []integrationResponseModel `json:"IntegrationResponses,omitempty"`
}

type integrationResponseModel struct {
	StatusCode         string            `json:"StatusCode"`
	SelectionPattern   string            `json:"SelectionPattern,omitempty"`
	ResponseParameters map[string]string `json:"ResponseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"ResponseTemplates,omitempty"`
	ContentHandling    string            `json:"ContentHandling,omitempty"`
}

// boolOrString is a request/response parameter flag: the schema allows a
// boolean or its string form ("true").
var typeOfBool = reflect.TypeOf(true)

type boolOrString bool

func (b *boolOrString) UnmarshalJSON(data []byte) error {
	var v bool
	if err := json.Unmarshal(data, &v); err == nil {
		*b = boolOrString(v)
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return &json.UnmarshalTypeError{Value: "value", Type: typeOfBool}
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string", Type: typeOfBool}
	}
	*b = boolOrString(v)
	return nil
}

func toBoolMap(m map[string]boolOrString) map[string]bool {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = bool(v)
	}
	return out
}

func fromBoolMap(m map[string]bool) map[string]boolOrString {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]boolOrString, len(m))
	for k, v := range m {
		out[k] = boolOrString(v)
	}
	return out
}

var methodMeta = &typeMeta{
	TypeName:     "AWS::ApiGateway::Method",
	Primary:      []string{"RestApiId", "ResourceId", "HttpMethod"},
	Required:     []string{"RestApiId", "ResourceId", "HttpMethod"},
	CreateOnly:   []string{"RestApiId", "ResourceId", "HttpMethod"},
	ListRequires: []string{"RestApiId"},
}

type methodType struct{ svc *backplane.Service }

func (t *methodType) meta() *typeMeta { return methodMeta }
func (t *methodType) newModel() any   { return &methodModel{} }
func (t *methodType) identifierOf(model any) []string {
	m := model.(*methodModel)
	return []string{m.RestApiId, m.ResourceId, m.HttpMethod}
}

func (t *methodType) create(ctx context.Context, model any) ([]string, error) {
	m := model.(*methodModel)
	ids := t.identifierOf(m)
	if err := t.put(ctx, m); err != nil {
		return ids, err
	}
	return ids, nil
}

// put creates the method, its responses and its integration. A failure
// part-way removes the method again, so a failed create leaves nothing.
func (t *methodType) put(ctx context.Context, m *methodModel) error {
	authType := m.AuthorizationType
	if authType == "" {
		authType = "NONE" // CloudFormation's default
	}
	_, err := t.svc.PutMethod(ctx, m.RestApiId, m.ResourceId, m.HttpMethod, backplane.PutMethodInput{
		AuthorizationType:   authType,
		AuthorizerID:        m.AuthorizerId,
		APIKeyRequired:      deref(m.ApiKeyRequired),
		OperationName:       m.OperationName,
		RequestParameters:   toBoolMap(m.RequestParameters),
		RequestModels:       m.RequestModels,
		RequestValidatorID:  m.RequestValidatorId,
		AuthorizationScopes: m.AuthorizationScopes,
	})
	if err != nil {
		return err
	}
	if err := t.putParts(ctx, m); err != nil {
		t.svc.DeleteMethod(ctx, m.RestApiId, m.ResourceId, m.HttpMethod)
		return err
	}
	return nil
}

func (t *methodType) putParts(ctx context.Context, m *methodModel) error {
	api, res, verb := m.RestApiId, m.ResourceId, m.HttpMethod
	for _, r := range m.MethodResponses {
		if _, err := t.svc.PutMethodResponse(ctx, api, res, verb, r.StatusCode, backplane.PutMethodResponseInput{
			ResponseParameters: toBoolMap(r.ResponseParameters),
			ResponseModels:     r.ResponseModels,
		}); err != nil {
			return err
		}
	}
	in := m.Integration
	if in == nil {
		return nil
	}
	if _, err := t.svc.PutIntegration(ctx, api, res, verb, backplane.PutIntegrationInput{
		Type:                in.Type,
		HTTPMethod:          in.IntegrationHttpMethod,
		URI:                 in.Uri,
		ConnectionType:      in.ConnectionType,
		ConnectionID:        in.ConnectionId,
		Credentials:         in.Credentials,
		RequestParameters:   in.RequestParameters,
		RequestTemplates:    in.RequestTemplates,
		PassthroughBehavior: in.PassthroughBehavior,
		CacheNamespace:      in.CacheNamespace,
		CacheKeyParameters:  in.CacheKeyParameters,
		ContentHandling:     in.ContentHandling,
		TimeoutInMillis:     in.TimeoutInMillis,
	}); err != nil {
		return err
	}
	for _, r := range in.IntegrationResponses {
		if _, err := t.svc.PutIntegrationResponse(ctx, api, res, verb, r.StatusCode, backplane.PutIntegrationResponseInput{
			SelectionPattern:   r.SelectionPattern,
			ResponseParameters: r.ResponseParameters,
			ResponseTemplates:  r.ResponseTemplates,
			ContentHandling:    r.ContentHandling,
		}); err != nil {
			return err
		}
	}
	return nil
}

func (t *methodType) read(ctx context.Context, ids []string) (any, error) {
	m, err := t.svc.GetMethod(ctx, ids[0], ids[1], ids[2])
	if err != nil {
		return nil, err
	}
	return methodToModel(ids[0], ids[1], m), nil
}

func methodToModel(apiID, resourceID string, m *apigw.Method) *methodModel {
	out := &methodModel{
		RestApiId:           apiID,
		ResourceId:          resourceID,
		HttpMethod:          m.HTTPMethod,
		ApiKeyRequired:      ptrTo(m.APIKeyRequired),
		AuthorizationScopes: m.AuthorizationScopes,
		AuthorizationType:   m.AuthorizationType,
		AuthorizerId:        m.AuthorizerID,
		OperationName:       m.OperationName,
		RequestModels:       m.RequestModels,
		RequestParameters:   fromBoolMap(m.RequestParameters),
		RequestValidatorId:  m.RequestValidatorID,
	}
	for _, code := range slices.Sorted(maps.Keys(m.MethodResponses)) {
		r := m.MethodResponses[code]
		out.MethodResponses = append(out.MethodResponses, methodResponseModel{
			StatusCode: code, ResponseModels: r.ResponseModels, ResponseParameters: fromBoolMap(r.ResponseParameters),
		})
	}
	if in := m.MethodIntegration; in != nil {
		im := &integrationModel{
			Type:                  in.Type,
			Uri:                   in.URI,
			IntegrationHttpMethod: in.HTTPMethod,
			ConnectionType:        in.ConnectionType,
			ConnectionId:          in.ConnectionID,
			Credentials:           in.Credentials,
			CacheKeyParameters:    in.CacheKeyParameters,
			CacheNamespace:        in.CacheNamespace,
			ContentHandling:       in.ContentHandling,
			PassthroughBehavior:   in.PassthroughBehavior,
			RequestParameters:     in.RequestParameters,
			RequestTemplates:      in.RequestTemplates,
		}
		if in.TimeoutInMillis != 0 {
			im.TimeoutInMillis = ptrTo(in.TimeoutInMillis)
		}
		for _, code := range slices.Sorted(maps.Keys(in.IntegrationResponses)) {
			r := in.IntegrationResponses[code]
			im.IntegrationResponses = append(im.IntegrationResponses, integrationResponseModel{
				StatusCode: code, SelectionPattern: r.SelectionPattern, ResponseParameters: r.ResponseParameters,
				ResponseTemplates: r.ResponseTemplates, ContentHandling: r.ContentHandling,
			})
		}
		out.Integration = im
	}
	return out
}

// update replaces the method: API Gateway has no single call that sets a
// method with its responses and integration, so the handler deletes it and
// puts the new one; if that fails the previous method is put back.
func (t *methodType) update(ctx context.Context, ids []string, prev, next any) error {
	p, n := prev.(*methodModel), next.(*methodModel)
	if propertiesJSON(p) == propertiesJSON(n) {
		return nil
	}
	if err := t.svc.DeleteMethod(ctx, ids[0], ids[1], ids[2]); err != nil {
		return err
	}
	if err := t.put(ctx, n); err != nil {
		if rerr := t.put(ctx, p); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	return nil
}

func (t *methodType) delete(ctx context.Context, ids []string) error {
	return t.svc.DeleteMethod(ctx, ids[0], ids[1], ids[2])
}

func (t *methodType) list(ctx context.Context, model map[string]any) ([]listed, error) {
	apiID := model["RestApiId"].(string)
	rs, err := t.svc.GetResources(ctx, apiID)
	if err != nil {
		return nil, err
	}
	var out []listed
	for _, r := range rs {
		for _, verb := range slices.Sorted(maps.Keys(r.ResourceMethods)) {
			m, err := t.svc.GetMethod(ctx, apiID, r.ID, verb)
			if err != nil {
				return nil, err
			}
			out = append(out, listed{IDs: []string{apiID, r.ID, verb}, Model: methodToModel(apiID, r.ID, m)})
		}
	}
	return out, nil
}
