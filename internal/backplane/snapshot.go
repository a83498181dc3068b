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
		Resources:                 cloneResources(api.Resources),
	}
}

// cloneResources deep-copies a resource tree.
func cloneResources(in map[string]*apigw.Resource) map[string]*apigw.Resource {
	if in == nil {
		return nil
	}
	out := make(map[string]*apigw.Resource, len(in))
	for id, r := range in {
		out[id] = cloneResource(r)
	}
	return out
}

func cloneResource(r *apigw.Resource) *apigw.Resource {
	if r == nil {
		return nil
	}
	c := *r
	if r.ResourceMethods != nil {
		c.ResourceMethods = make(map[string]*apigw.Method, len(r.ResourceMethods))
		for verb, m := range r.ResourceMethods {
			c.ResourceMethods[verb] = cloneMethod(m)
		}
	}
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
	if m.MethodResponses != nil {
		c.MethodResponses = make(map[string]*apigw.MethodResponse, len(m.MethodResponses))
		for code, mr := range m.MethodResponses {
			c.MethodResponses[code] = cloneMethodResponse(mr)
		}
	}
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
	if in.TLSConfig != nil {
		t := *in.TLSConfig
		c.TLSConfig = &t
	}
	if in.IntegrationResponses != nil {
		c.IntegrationResponses = make(map[string]*apigw.IntegrationResponse, len(in.IntegrationResponses))
		for code, ir := range in.IntegrationResponses {
			c.IntegrationResponses[code] = cloneIntegrationResponse(ir)
		}
	}
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
	if st.AccessLogSettings != nil {
		a := *st.AccessLogSettings
		c.AccessLogSettings = &a
	}
	if st.CanarySettings != nil {
		cs := *st.CanarySettings
		cs.StageVariableOverrides = maps.Clone(st.CanarySettings.StageVariableOverrides)
		c.CanarySettings = &cs
	}
	return &c
}
