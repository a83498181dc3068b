package cloudcontrol

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// restAPIModel is AWS::ApiGateway::RestApi's property document.
type restAPIModel struct {
	RestApiId                 string               `json:"RestApiId,omitempty"`
	RootResourceId            string               `json:"RootResourceId,omitempty"`
	Name                      string               `json:"Name,omitempty"`
	Description               string               `json:"Description,omitempty"`
	ApiKeySourceType          string               `json:"ApiKeySourceType,omitempty"`
	BinaryMediaTypes          []string             `json:"BinaryMediaTypes,omitempty"`
	Body                      json.RawMessage      `json:"Body,omitempty"`
	BodyS3Location            *s3LocationModel     `json:"BodyS3Location,omitempty"`
	CloneFrom                 string               `json:"CloneFrom,omitempty"`
	DisableExecuteApiEndpoint *bool                `json:"DisableExecuteApiEndpoint,omitempty"`
	EndpointConfiguration     *endpointConfigModel `json:"EndpointConfiguration,omitempty"`
	FailOnWarnings            *bool                `json:"FailOnWarnings,omitempty"`
	MinimumCompressionSize    *int                 `json:"MinimumCompressionSize,omitempty"`
	Mode                      string               `json:"Mode,omitempty"`
	Parameters                json.RawMessage      `json:"Parameters,omitempty"`
	Policy                    json.RawMessage      `json:"Policy,omitempty"`
	Tags                      []tagModel           `json:"Tags,omitempty"`
}

type s3LocationModel struct {
	Bucket  string `json:"Bucket,omitempty"`
	Key     string `json:"Key,omitempty"`
	Version string `json:"Version,omitempty"`
	ETag    string `json:"ETag,omitempty"`
}

type endpointConfigModel struct {
	Types          []string `json:"Types,omitempty"`
	VpcEndpointIds []string `json:"VpcEndpointIds,omitempty"`
	IpAddressType  string   `json:"IpAddressType,omitempty"`
}

var restAPIMeta = &typeMeta{
	TypeName:  "AWS::ApiGateway::RestApi",
	Primary:   []string{"RestApiId"},
	ReadOnly:  []string{"RestApiId", "RootResourceId"},
	WriteOnly: []string{"Body", "BodyS3Location", "CloneFrom", "FailOnWarnings", "Mode", "Parameters"},
}

type restAPIType struct{ svc *backplane.Service }

func (t *restAPIType) meta() *typeMeta           { return restAPIMeta }
func (t *restAPIType) newModel() any             { return &restAPIModel{} }
func (t *restAPIType) identifierOf(any) []string { return nil }

// objectOrString checks a property whose schema type is "object|string"
// and returns it as the string API Gateway takes.
func objectOrString(name string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		json.Unmarshal(raw, &s)
		return s, nil
	case '{':
		return string(raw), nil
	}
	return "", errModel("#/%s: expected type: one of JSONObject or String", name)
}

// importParams turns FailOnWarnings, Mode and Parameters into the
// ImportRestApi / PutRestApi query parameters.
func importParams(m *restAPIModel) (backplane.ImportParams, error) {
	p := backplane.ImportParams{Mode: m.Mode, FailOnWarnings: deref(m.FailOnWarnings)}
	if len(m.Parameters) > 0 && string(m.Parameters) != "null" {
		if err := json.Unmarshal(m.Parameters, &p.Parameters); err != nil {
			return p, errModel("#/Parameters: expected type: JSONObject of String values")
		}
	}
	return p, nil
}

func (t *restAPIType) checkSchema(model any) error {
	m := model.(*restAPIModel)
	for name, raw := range map[string]json.RawMessage{"Body": m.Body, "Policy": m.Policy} {
		if _, err := objectOrString(name, raw); err != nil {
			return err
		}
	}
	if _, err := importParams(m); err != nil {
		return err
	}
	return checkTags(m.Tags)
}

func (t *restAPIType) create(ctx context.Context, model any) ([]string, error) {
	m := model.(*restAPIModel)
	body, err := objectOrString("Body", m.Body)
	if err != nil {
		return nil, err
	}
	policy, err := objectOrString("Policy", m.Policy)
	if err != nil {
		return nil, err
	}
	if m.BodyS3Location != nil {
		// Stagecoach runs without S3; the definition must be inline.
		return nil, apigw.BadRequest("BodyS3Location is not supported by Stagecoach: pass the OpenAPI definition in Body")
	}
	if body == "" {
		in := backplane.CreateRestAPIInput{
			Name:                      m.Name,
			CloneFrom:                 m.CloneFrom,
			BinaryMediaTypes:          m.BinaryMediaTypes,
			MinimumCompressionSize:    m.MinimumCompressionSize,
			APIKeySource:              m.ApiKeySourceType,
			EndpointConfiguration:     endpointConfig(m.EndpointConfiguration),
			Policy:                    policy,
			Tags:                      tagsToMap(m.Tags),
			DisableExecuteAPIEndpoint: deref(m.DisableExecuteApiEndpoint),
		}
		if m.Description != "" {
			in.Description = &m.Description
		}
		api, err := t.svc.CreateRestAPI(ctx, in)
		if err != nil {
			return nil, err
		}
		return []string{api.ID}, nil
	}

	params, err := importParams(m)
	if err != nil {
		return nil, err
	}
	api, err := t.svc.ImportRestAPI(ctx, []byte(body), params)
	if err != nil {
		return nil, err
	}
	ids := []string{api.ID}
	// Properties set beside Body override the definition, as in
	// CloudFormation. If that fails, the half-made API is removed: the
	// create failed as a whole.
	err = t.applyOverrides(ctx, api, m, policy)
	if err == nil && len(m.Tags) > 0 {
		err = t.svc.TagResource(ctx, apigw.RestAPIARN(t.svc.Region, api.ID), tagsToMap(m.Tags))
	}
	if err != nil {
		t.svc.DeleteRestAPI(ctx, api.ID)
		return nil, err
	}
	return ids, nil
}

// applyOverrides patches the API so every property the model sets holds.
func (t *restAPIType) applyOverrides(ctx context.Context, api *apigw.RestAPI, m *restAPIModel, policy string) error {
	cur := restAPIToModel(api)
	next := *m
	next.Policy = nil
	ops := restAPIPatch(cur, &next, policy, false)
	if len(ops) == 0 {
		return nil
	}
	_, err := t.svc.UpdateRestAPI(ctx, api.ID, ops)
	return err
}

func endpointConfig(e *endpointConfigModel) *apigw.EndpointConfiguration {
	if e == nil {
		return nil
	}
	return &apigw.EndpointConfiguration{Types: e.Types, VPCEndpointIDs: e.VpcEndpointIds, IPAddressType: e.IpAddressType}
}

// restAPIPatch diffs two models into UpdateRestApi operations. Absent
// properties keep their current value unless reset is true (an update
// whose new document drops them).
func restAPIPatch(p, n *restAPIModel, policy string, reset bool) []apigw.PatchOperation {
	var ops []apigw.PatchOperation
	replace := func(path, v string) {
		ops = append(ops, apigw.PatchOperation{Op: apigw.OpReplace, Path: path, Value: v})
	}
	if n.Name != "" && n.Name != p.Name {
		replace("/name", n.Name)
	}
	if (n.Description != "" || reset) && n.Description != p.Description {
		replace("/description", n.Description)
	}
	if (n.ApiKeySourceType != "" || reset) && n.ApiKeySourceType != p.ApiKeySourceType {
		v := n.ApiKeySourceType
		if v == "" {
			v = "HEADER"
		}
		if v != p.ApiKeySourceType {
			replace("/apiKeySource", v)
		}
	}
	if n.BinaryMediaTypes != nil || reset {
		for _, mt := range p.BinaryMediaTypes {
			if !slices.Contains(n.BinaryMediaTypes, mt) {
				ops = append(ops, apigw.PatchOperation{Op: apigw.OpRemove, Path: "/binaryMediaTypes/" + escapeToken(mt)})
			}
		}
		for _, mt := range n.BinaryMediaTypes {
			if !slices.Contains(p.BinaryMediaTypes, mt) {
				ops = append(ops, apigw.PatchOperation{Op: apigw.OpAdd, Path: "/binaryMediaTypes/" + escapeToken(mt)})
			}
		}
	}
	if (n.DisableExecuteApiEndpoint != nil || reset) && deref(n.DisableExecuteApiEndpoint) != deref(p.DisableExecuteApiEndpoint) {
		replace("/disableExecuteApiEndpoint", strconv.FormatBool(deref(n.DisableExecuteApiEndpoint)))
	}
	if (n.MinimumCompressionSize != nil || reset) && fmtInt(n.MinimumCompressionSize) != fmtInt(p.MinimumCompressionSize) {
		replace("/minimumCompressionSize", fmtInt(n.MinimumCompressionSize))
	}
	if ne, pe := n.EndpointConfiguration, p.EndpointConfiguration; ne != nil {
		if pe == nil {
			pe = &endpointConfigModel{}
		}
		for i, typ := range ne.Types {
			if i < len(pe.Types) && pe.Types[i] != typ {
				replace("/endpointConfiguration/types/"+strconv.Itoa(i), typ)
			}
		}
		for _, id := range pe.VpcEndpointIds {
			if !slices.Contains(ne.VpcEndpointIds, id) {
				ops = append(ops, apigw.PatchOperation{Op: apigw.OpRemove, Path: "/endpointConfiguration/vpcEndpointIds/" + escapeToken(id)})
			}
		}
		for _, id := range ne.VpcEndpointIds {
			if !slices.Contains(pe.VpcEndpointIds, id) {
				ops = append(ops, apigw.PatchOperation{Op: apigw.OpAdd, Path: "/endpointConfiguration/vpcEndpointIds/" + escapeToken(id)})
			}
		}
		if ne.IpAddressType != "" && ne.IpAddressType != pe.IpAddressType {
			replace("/endpointConfiguration/ipAddressType", ne.IpAddressType)
		}
	}
	if pp, _ := objectOrString("Policy", p.Policy); (policy != "" || reset) && policy != pp {
		replace("/policy", policy)
	}
	return ops
}

func (t *restAPIType) read(ctx context.Context, ids []string) (any, error) {
	api, err := t.svc.GetRestAPI(ctx, ids[0])
	if err != nil {
		return nil, err
	}
	return restAPIToModel(api), nil
}

func restAPIToModel(api *apigw.RestAPI) *restAPIModel {
	m := &restAPIModel{
		RestApiId:                 api.ID,
		RootResourceId:            api.RootResourceID,
		Name:                      api.Name,
		Description:               api.Description,
		ApiKeySourceType:          api.APIKeySource,
		BinaryMediaTypes:          api.BinaryMediaTypes,
		DisableExecuteApiEndpoint: ptrTo(api.DisableExecuteAPIEndpoint),
		MinimumCompressionSize:    api.MinimumCompressionSize,
		Tags:                      tagsFromMap(api.Tags),
	}
	if e := api.EndpointConfiguration; e != nil {
		m.EndpointConfiguration = &endpointConfigModel{Types: e.Types, VpcEndpointIds: e.VPCEndpointIDs, IpAddressType: e.IPAddressType}
	}
	if api.Policy != "" {
		// The read handler returns the policy as a JSON object when it is
		// one, as CloudFormation does.
		if json.Valid([]byte(api.Policy)) && api.Policy[0] == '{' {
			m.Policy = json.RawMessage(api.Policy)
		} else {
			m.Policy, _ = json.Marshal(api.Policy)
		}
	}
	return m
}

func (t *restAPIType) update(ctx context.Context, ids []string, prev, next any) error {
	p, n := prev.(*restAPIModel), next.(*restAPIModel)
	policy, err := objectOrString("Policy", n.Policy)
	if err != nil {
		return err
	}
	if n.BodyS3Location != nil {
		return apigw.BadRequest("BodyS3Location is not supported by Stagecoach: pass the OpenAPI definition in Body")
	}
	// Import, patch and tags are one transaction: a request that fails at
	// any step changes nothing.
	ch := backplane.RestAPIChange{
		// The patch is computed against the API as the import left it.
		Patch: func(api *apigw.RestAPI) []apigw.PatchOperation {
			return restAPIPatch(restAPIToModel(api), n, policy, true)
		},
		Tags: tagsToMap(n.Tags),
	}
	if ch.Tags == nil {
		ch.Tags = map[string]string{}
	}
	// Body is write-only: it is in the new document only when the patch
	// set it, and then the definition is replaced (or merged, Mode=merge).
	if body, err := objectOrString("Body", n.Body); err != nil {
		return err
	} else if body != "" {
		params, err := importParams(n)
		if err != nil {
			return err
		}
		if params.Mode == "" {
			params.Mode = "overwrite"
		}
		ch.Body, ch.Params = []byte(body), params
	} else {
		// Without a new Body the patch is the difference from the
		// previous model, as before.
		ch.Patch = func(*apigw.RestAPI) []apigw.PatchOperation { return restAPIPatch(p, n, policy, true) }
	}
	_, err = t.svc.ChangeRestAPI(ctx, ids[0], ch)
	return err
}

func (t *restAPIType) delete(ctx context.Context, ids []string) error {
	return t.svc.DeleteRestAPI(ctx, ids[0])
}

func (t *restAPIType) list(ctx context.Context, _ map[string]any) ([]listed, error) {
	apis, err := t.svc.GetRestAPIs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]listed, 0, len(apis))
	for _, api := range apis {
		out = append(out, listed{IDs: []string{api.ID}, Model: restAPIToModel(api)})
	}
	return out, nil
}
