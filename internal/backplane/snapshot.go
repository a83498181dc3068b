package backplane

import (
	"maps"
	"slices"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// Deep copies of domain values. A deployment's snapshot must share no map,
// slice or pointer with the REST API it was taken from, and UpdateStage
// patches a copy of the stage so that a failing operation leaves the
// original untouched. Each copy starts from a struct copy, so new scalar
// fields are carried automatically; TestCopiesShareNothing fills every
// field by reflection and fails when a new reference field is not cloned
// here.

// newSnapshot freezes api into a deployment snapshot.
func newSnapshot(api *apigw.RestAPI) *apigw.Snapshot {
	return &apigw.Snapshot{
		APIName:                   api.Name,
		BinaryMediaTypes:          slices.Clone(api.BinaryMediaTypes),
		DisableExecuteAPIEndpoint: api.DisableExecuteAPIEndpoint,
		APIKeySource:              api.APIKeySource,
		Resources:                 cloneEach(api.Resources, cloneResource),
		Authorizers:               cloneEach(api.Authorizers, cloneAuthorizer),
		GatewayResponses:          cloneEach(api.GatewayResponses, cloneGatewayResponse),
		Models:                    cloneEach(api.Models, copyOf[apigw.Model]),
		RequestValidators:         cloneEach(api.RequestValidators, copyOf[apigw.RequestValidator]),
	}
}

func cloneAuthorizer(a *apigw.Authorizer) *apigw.Authorizer {
	if a == nil {
		return nil
	}
	c := *a
	c.ProviderARNs = slices.Clone(a.ProviderARNs)
	c.AuthorizerResultTTLInSeconds = copyOf(a.AuthorizerResultTTLInSeconds)
	return &c
}

func cloneGatewayResponse(gr *apigw.GatewayResponse) *apigw.GatewayResponse {
	if gr == nil {
		return nil
	}
	c := *gr
	c.ResponseParameters = maps.Clone(gr.ResponseParameters)
	c.ResponseTemplates = maps.Clone(gr.ResponseTemplates)
	return &c
}

// cloneEach deep-copies a map of pointers, each value with clone; nil
// stays nil, so a copy marshals as its original does.
func cloneEach[V any](in map[string]*V, clone func(*V) *V) map[string]*V {
	if in == nil {
		return nil
	}
	out := make(map[string]*V, len(in))
	for k, v := range in {
		out[k] = clone(v)
	}
	return out
}

// copyOf copies a struct that holds only scalars; nil stays nil.
func copyOf[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func cloneResource(r *apigw.Resource) *apigw.Resource {
	if r == nil {
		return nil
	}
	c := *r
	c.ResourceMethods = cloneEach(r.ResourceMethods, cloneMethod)
	return &c
}

func cloneMethod(m *apigw.Method) *apigw.Method {
	if m == nil {
		return nil
	}
	c := *m
	c.RequestParameters = maps.Clone(m.RequestParameters)
	c.RequestModels = maps.Clone(m.RequestModels)
	c.AuthorizationScopes = slices.Clone(m.AuthorizationScopes)
	c.MethodResponses = cloneEach(m.MethodResponses, cloneMethodResponse)
	c.MethodIntegration = cloneIntegration(m.MethodIntegration)
	return &c
}

func cloneMethodResponse(mr *apigw.MethodResponse) *apigw.MethodResponse {
	if mr == nil {
		return nil
	}
	c := *mr
	c.ResponseParameters = maps.Clone(mr.ResponseParameters)
	c.ResponseModels = maps.Clone(mr.ResponseModels)
	return &c
}

func cloneIntegration(in *apigw.Integration) *apigw.Integration {
	if in == nil {
		return nil
	}
	c := *in
	c.RequestParameters = maps.Clone(in.RequestParameters)
	c.RequestTemplates = maps.Clone(in.RequestTemplates)
	c.CacheKeyParameters = slices.Clone(in.CacheKeyParameters)
	c.TLSConfig = copyOf(in.TLSConfig)
	c.IntegrationResponses = cloneEach(in.IntegrationResponses, cloneIntegrationResponse)
	return &c
}

func cloneIntegrationResponse(ir *apigw.IntegrationResponse) *apigw.IntegrationResponse {
	if ir == nil {
		return nil
	}
	c := *ir
	c.ResponseParameters = maps.Clone(ir.ResponseParameters)
	c.ResponseTemplates = maps.Clone(ir.ResponseTemplates)
	return &c
}

// cloneStage deep-copies a stage.
func cloneStage(st *apigw.Stage) *apigw.Stage {
	if st == nil {
		return nil
	}
	c := *st
	c.MethodSettings = maps.Clone(st.MethodSettings) // MethodSetting holds only scalars
	c.Variables = maps.Clone(st.Variables)
	c.Tags = maps.Clone(st.Tags)
	c.AccessLogSettings = copyOf(st.AccessLogSettings)
	if st.CanarySettings != nil {
		cs := *st.CanarySettings
		cs.StageVariableOverrides = maps.Clone(st.CanarySettings.StageVariableOverrides)
		c.CanarySettings = &cs
	}
	return &c
}
