package backplane

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// pathPartRe is a resource path part: a literal segment, a whole-segment
// variable {name} or a greedy variable {name+}. The message says
// a-zA-Z0-9._- but AWS also accepts ':' in literal segments (used by
// "custom method" paths such as /items:batchGet).
var pathPartRe = regexp.MustCompile(`^(?:[a-zA-Z0-9._:-]+|\{[a-zA-Z0-9._-]+\+?\})$`)

// Resource messages. All are recorded AWS texts except the two about the
// root resource, which are unverified and chosen here.
const (
	msgPathPartInvalid = "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace."
	msgPathPartMissing = "Resource's path part must be specified"
	msgGreedyParent    = "Cannot create a child of a resource with a greedy path variable: %s"
	msgSiblingVariable = "A sibling (%s) of this resource already has a variable path part -- only one is allowed"
	msgSameName        = "Another resource with the same parent already has this name: %s"
	msgCyclical        = "Resources cannot be cyclical."
	msgResourcePatch   = "Invalid patch path  '%s' specified for op '%s'. Must be one of: [/parentId, /pathPart]"
	msgResourcePatchOp = "Invalid patch path  '%s' specified for op '%s'. Please choose supported operations"
	msgRootDelete      = "Root resource cannot be deleted"
	msgRootUpdate      = "Root resource cannot be updated"
)

// isVariablePart reports whether a path part is {name} or {name+}.
func isVariablePart(p string) bool {
	return strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}")
}

// isGreedyPart reports whether a path part is {name+}.
func isGreedyPart(p string) bool { return strings.HasSuffix(p, "+}") }

// childPath is the full path of a child with pathPart under parentPath.
func childPath(parentPath, pathPart string) string {
	if parentPath == "/" {
		return "/" + pathPart
	}
	return parentPath + "/" + pathPart
}

// loadResource returns a resource of api or AWS's 404.
func loadResource(api *apigw.RestAPI, id string) (*apigw.Resource, error) {
	r, ok := api.Resources[id]
	if !ok {
		return nil, apigw.NotFound(apigw.MsgInvalidResource)
	}
	return r, nil
}

// sortedResources returns an API's resources ordered by path, so listing
// and paging are stable; the root "/" comes first.
func sortedResources(api *apigw.RestAPI) []*apigw.Resource {
	out := make([]*apigw.Resource, 0, len(api.Resources))
	for _, r := range api.Resources {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *apigw.Resource) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// GetResources lists an API's resources with their methods.
func (s *Service) GetResources(ctx context.Context, apiID string) ([]*apigw.Resource, error) {
	var out []*apigw.Resource
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		out = sortedResources(api)
		return nil
	})
	return out, err
}

// GetResource returns one resource with its methods.
func (s *Service) GetResource(ctx context.Context, apiID, resourceID string) (*apigw.Resource, error) {
	var out *apigw.Resource
	err := s.view(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		out, err = loadResource(api, resourceID)
		return err
	})
	return out, err
}

// CreateResource adds a child resource under parentID.
func (s *Service) CreateResource(ctx context.Context, apiID, parentID, pathPart string) (*apigw.Resource, error) {
	var out *apigw.Resource
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		parent, err := loadResource(api, parentID)
		if err != nil {
			return err
		}
		if err := checkPlacement(api, parent, pathPart, ""); err != nil {
			return err
		}
		r := &apigw.Resource{
			ID:       freshResourceID(api),
			ParentID: parent.ID,
			PathPart: pathPart,
			Path:     childPath(parent.Path, pathPart),
		}
		api.Resources[r.ID] = r
		out = r
		return tx.PutRestAPI(api)
	})
	return out, err
}

// freshResourceID draws an id not used by another resource of the API.
func freshResourceID(api *apigw.RestAPI) string {
	for {
		id := apigw.NewID()
		if _, used := api.Resources[id]; !used {
			return id
		}
	}
}

// checkPlacement checks that a resource (selfID, empty for a new one) may
// have pathPart under parent, with AWS's rules in AWS's order.
func checkPlacement(api *apigw.RestAPI, parent *apigw.Resource, pathPart, selfID string) error {
	if pathPart == "" {
		return apigw.BadRequest(msgPathPartMissing)
	}
	if !pathPartRe.MatchString(pathPart) {
		return apigw.BadRequest(msgPathPartInvalid)
	}
	if isGreedyPart(parent.PathPart) {
		return apigw.BadRequest(msgGreedyParent, parent.PathPart)
	}
	for _, sib := range sortedResources(api) {
		if sib.ParentID != parent.ID || sib.ID == selfID {
			continue
		}
		if sib.PathPart == pathPart {
			return apigw.Conflict(msgSameName, pathPart)
		}
	}
	if isVariablePart(pathPart) {
		for _, sib := range sortedResources(api) {
			if sib.ParentID == parent.ID && sib.ID != selfID && isVariablePart(sib.PathPart) {
				return apigw.BadRequest(msgSiblingVariable, sib.PathPart)
			}
		}
	}
	return nil
}

// isInSubtree reports whether id is rootID or one of its descendants.
func isInSubtree(api *apigw.RestAPI, rootID, id string) bool {
	for id != "" {
		if id == rootID {
			return true
		}
		r, ok := api.Resources[id]
		if !ok {
			return false
		}
		id = r.ParentID
	}
	return false
}

// repath recomputes the paths of r's descendants after r's path changed.
func repath(api *apigw.RestAPI, r *apigw.Resource) {
	for _, c := range api.Resources {
		if c.ParentID == r.ID {
			c.Path = childPath(r.Path, c.PathPart)
			repath(api, c)
		}
	}
}

// UpdateResource moves (/parentId) or renames (/pathPart) a resource; the
// paths of its whole subtree follow.
func (s *Service) UpdateResource(ctx context.Context, apiID, resourceID string, ops []apigw.PatchOperation) (*apigw.Resource, error) {
	var out *apigw.Resource
	err := s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		r, err := loadResource(api, resourceID)
		if err != nil {
			return err
		}
		out = r
		if len(ops) == 0 {
			return nil
		}
		if r.ID == api.RootResourceID {
			return apigw.BadRequest(msgRootUpdate)
		}
		parentID, pathPart := r.ParentID, r.PathPart
		for _, op := range ops {
			if op.Path != "/pathPart" && op.Path != "/parentId" {
				return apigw.BadRequest(msgResourcePatch, op.Path, op.Op)
			}
			if op.Op != apigw.OpReplace {
				return apigw.BadRequest(msgResourcePatchOp, op.Path, op.Op)
			}
			if op.Path == "/parentId" {
				if _, err := loadResource(api, op.Value); err != nil {
					return err
				}
				if isInSubtree(api, r.ID, op.Value) {
					return apigw.BadRequest(msgCyclical)
				}
				parentID = op.Value
			} else {
				pathPart = op.Value
			}
		}
		parent := api.Resources[parentID]
		if err := checkPlacement(api, parent, pathPart, r.ID); err != nil {
			return err
		}
		if isGreedyPart(pathPart) {
			for _, c := range api.Resources {
				if c.ParentID == r.ID {
					return apigw.BadRequest(msgGreedyParent, pathPart)
				}
			}
		}
		r.ParentID, r.PathPart = parentID, pathPart
		r.Path = childPath(parent.Path, pathPart)
		repath(api, r)
		return tx.PutRestAPI(api)
	})
	return out, err
}

// DeleteResource deletes a resource with its whole subtree.
func (s *Service) DeleteResource(ctx context.Context, apiID, resourceID string) error {
	return s.update(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, apiID)
		if err != nil {
			return err
		}
		if _, err := loadResource(api, resourceID); err != nil {
			return err
		}
		if resourceID == api.RootResourceID {
			return apigw.BadRequest(msgRootDelete)
		}
		var doomed []string // collected first: the walk needs the parent links
		for id := range api.Resources {
			if isInSubtree(api, resourceID, id) {
				doomed = append(doomed, id)
			}
		}
		for _, id := range doomed {
			delete(api.Resources, id)
		}
		return tx.PutRestAPI(api)
	})
}
