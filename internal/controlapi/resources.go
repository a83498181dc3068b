package controlapi

import (
	"net/http"
	"slices"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// resourceRoutes registers GetResources, GetResource, CreateResource,
// UpdateResource and DeleteResource.
func (s *Server) resourceRoutes() {
	const resources = "/restapis/{restapi_id}/resources"
	s.mux.HandleFunc("GET "+resources, s.getResources)
	s.mux.HandleFunc("GET "+resources+"/{resource_id}", s.getResource)
	s.mux.HandleFunc("POST "+resources+"/{parent_id}", s.createResource)
	s.mux.HandleFunc("PATCH "+resources+"/{resource_id}", s.updateResource)
	s.mux.HandleFunc("DELETE "+resources+"/{resource_id}", s.deleteResource)
}

// resourceView is a Resource on the wire. Without ?embed=methods AWS lists
// each method of a resource as an empty object; with it, in full.
type resourceView struct {
	ID              string         `json:"id"`
	ParentID        string         `json:"parentId,omitempty"`
	PathPart        string         `json:"pathPart,omitempty"`
	Path            string         `json:"path"`
	ResourceMethods map[string]any `json:"resourceMethods,omitempty"`
}

func viewResource(res *apigw.Resource, embedMethods bool) resourceView {
	v := resourceView{ID: res.ID, ParentID: res.ParentID, PathPart: res.PathPart, Path: res.Path}
	if len(res.ResourceMethods) > 0 {
		v.ResourceMethods = make(map[string]any, len(res.ResourceMethods))
		for verb, m := range res.ResourceMethods {
			if embedMethods {
				v.ResourceMethods[verb] = m
			} else {
				v.ResourceMethods[verb] = struct{}{}
			}
		}
	}
	return v
}

// embedsMethods reports whether the query asks for ?embed=methods.
func embedsMethods(r *http.Request) bool {
	return slices.Contains(r.URL.Query()["embed"], "methods")
}

func (s *Server) getResources(w http.ResponseWriter, r *http.Request) {
	resources, err := s.svc.GetResources(r.Context(), r.PathValue("restapi_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	views := make([]resourceView, len(resources))
	for i, res := range resources {
		views[i] = viewResource(res, embedsMethods(r))
	}
	c, err := page(r, views)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) getResource(w http.ResponseWriter, r *http.Request) {
	res, err := s.svc.GetResource(r.Context(), r.PathValue("restapi_id"), r.PathValue("resource_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewResource(res, embedsMethods(r)))
}

func (s *Server) createResource(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PathPart string `json:"pathPart"`
	}
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	res, err := s.svc.CreateResource(r.Context(), r.PathValue("restapi_id"), r.PathValue("parent_id"), in.PathPart)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, viewResource(res, false))
}

func (s *Server) updateResource(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	res, err := s.svc.UpdateResource(r.Context(), r.PathValue("restapi_id"), r.PathValue("resource_id"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewResource(res, false))
}

func (s *Server) deleteResource(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteResource(r.Context(), r.PathValue("restapi_id"), r.PathValue("resource_id")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}
