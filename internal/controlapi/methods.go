package controlapi

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/backplane"
)

// methodPath is the route of one method of a resource.
const methodPath = "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}"

// methodRoutes registers Put/Get/Update/DeleteMethod and the method
// response operations.
func (s *Server) methodRoutes() {
	s.mux.HandleFunc("PUT "+methodPath, s.putMethod)
	s.mux.HandleFunc("GET "+methodPath, s.getMethod)
	s.mux.HandleFunc("PATCH "+methodPath, s.updateMethod)
	s.mux.HandleFunc("DELETE "+methodPath, s.deleteMethod)
	const response = methodPath + "/responses/{status_code}"
	s.mux.HandleFunc("PUT "+response, s.putMethodResponse)
	s.mux.HandleFunc("GET "+response, s.getMethodResponse)
	s.mux.HandleFunc("PATCH "+response, s.updateMethodResponse)
	s.mux.HandleFunc("DELETE "+response, s.deleteMethodResponse)
}

// methodLabels returns the path labels naming a method.
func methodLabels(r *http.Request) (apiID, resourceID, verb string) {
	return r.PathValue("restapi_id"), r.PathValue("resource_id"), r.PathValue("http_method")
}

func (s *Server) putMethod(w http.ResponseWriter, r *http.Request) {
	var in backplane.PutMethodInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	api, res, verb := methodLabels(r)
	m, err := s.svc.PutMethod(r.Context(), api, res, verb, in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

func (s *Server) getMethod(w http.ResponseWriter, r *http.Request) {
	api, res, verb := methodLabels(r)
	m, err := s.svc.GetMethod(r.Context(), api, res, verb)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) updateMethod(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	api, res, verb := methodLabels(r)
	m, err := s.svc.UpdateMethod(r.Context(), api, res, verb, ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) deleteMethod(w http.ResponseWriter, r *http.Request) {
	api, res, verb := methodLabels(r)
	if err := s.svc.DeleteMethod(r.Context(), api, res, verb); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}

func (s *Server) putMethodResponse(w http.ResponseWriter, r *http.Request) {
	var in backplane.PutMethodResponseInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	api, res, verb := methodLabels(r)
	mr, err := s.svc.PutMethodResponse(r.Context(), api, res, verb, r.PathValue("status_code"), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, mr)
}

func (s *Server) getMethodResponse(w http.ResponseWriter, r *http.Request) {
	api, res, verb := methodLabels(r)
	mr, err := s.svc.GetMethodResponse(r.Context(), api, res, verb, r.PathValue("status_code"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, mr)
}

// updateMethodResponse answers 201: the Smithy model gives
// UpdateMethodResponse that success code, unlike the other Update calls.
func (s *Server) updateMethodResponse(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	api, res, verb := methodLabels(r)
	mr, err := s.svc.UpdateMethodResponse(r.Context(), api, res, verb, r.PathValue("status_code"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, mr)
}

func (s *Server) deleteMethodResponse(w http.ResponseWriter, r *http.Request) {
	api, res, verb := methodLabels(r)
	if err := s.svc.DeleteMethodResponse(r.Context(), api, res, verb, r.PathValue("status_code")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}
