package cloudcontrol

import (
	"context"

	"github.com/stagecoach/stagecoach/internal/backplane"
)

// resourceModel is AWS::ApiGateway::Resource's property document: one
// node of an API's path tree. Every writable property is createOnly, so an
// update can only restate them.
type resourceModel struct {
	RestApiId  string `json:"RestApiId,omitempty"`
	ParentId   string `json:"ParentId,omitempty"`
	PathPart   string `json:"PathPart,omitempty"`
	ResourceId string `json:"ResourceId,omitempty"`
}

var resourceMeta = &typeMeta{
	TypeName:     "AWS::ApiGateway::Resource",
	Primary:      []string{"RestApiId", "ResourceId"},
	Required:     []string{"RestApiId", "ParentId", "PathPart"},
	CreateOnly:   []string{"RestApiId", "ParentId", "PathPart"},
	ReadOnly:     []string{"ResourceId"},
	ListRequires: []string{"RestApiId"},
}

// resourceNodeType is named so as not to be confused with resourceType,
// the interface every Cloud Control type implements.
type resourceNodeType struct{ svc *backplane.Service }

func (t *resourceNodeType) meta() *typeMeta           { return resourceMeta }
func (t *resourceNodeType) newModel() any             { return &resourceModel{} }
func (t *resourceNodeType) identifierOf(any) []string { return nil }

func (t *resourceNodeType) create(ctx context.Context, model any) ([]string, error) {
	m := model.(*resourceModel)
	r, err := t.svc.CreateResource(ctx, m.RestApiId, m.ParentId, m.PathPart)
	if err != nil {
		return nil, err
	}
	return []string{m.RestApiId, r.ID}, nil
}

func (t *resourceNodeType) read(ctx context.Context, ids []string) (any, error) {
	r, err := t.svc.GetResource(ctx, ids[0], ids[1])
	if err != nil {
		return nil, err
	}
	return &resourceModel{RestApiId: ids[0], ParentId: r.ParentID, PathPart: r.PathPart, ResourceId: r.ID}, nil
}

// update has nothing to change: every writable property is createOnly and
// a changed one was refused with NotUpdatableException before this runs.
func (t *resourceNodeType) update(ctx context.Context, ids []string, prev, next any) error {
	return nil
}

func (t *resourceNodeType) delete(ctx context.Context, ids []string) error {
	return t.svc.DeleteResource(ctx, ids[0], ids[1])
}

// list returns the API's resources except the root, which no template
// creates (it comes with the API).
func (t *resourceNodeType) list(ctx context.Context, model map[string]any) ([]listed, error) {
	apiID := model["RestApiId"].(string)
	rs, err := t.svc.GetResources(ctx, apiID)
	if err != nil {
		return nil, err
	}
	var out []listed
	for _, r := range rs {
		if r.ParentID == "" {
			continue
		}
		out = append(out, listed{IDs: []string{apiID, r.ID}, Model: &resourceModel{RestApiId: apiID, ParentId: r.ParentID, PathPart: r.PathPart, ResourceId: r.ID}})
	}
	return out, nil
}
