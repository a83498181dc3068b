package controlapi

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/backplane"
)

// integrationRoutes registers Put/Get/Update/DeleteIntegration and the
// integration response operations.
func (s *Server) integrationRoutes() {
	const integration = methodPath + "/integration"
	s.mux.HandleFunc("PUT "+integration, s.putIntegration)
	s.mux.HandleFunc("GET "+integration, s.getIntegration)
	s.mux.HandleFunc("PATCH "+integration, s.updateIntegration)
	s.mux.HandleFunc("DELETE "+integration, s.deleteIntegration)
	const response = integration + "/responses/{status_code}"
	s.mux.HandleFunc("PUT "+response, s.putIntegrationResponse)
	s.mux.HandleFunc("GET "+response, s.getIntegrationResponse)
	s.mux.HandleFunc("PATCH "+response, s.updateIntegrationResponse)
	s.mux.HandleFunc("DELETE "+response, s.deleteIntegrationResponse)
}

func (s *Server) putIntegration(w http.ResponseWriter, r *http.Request) {
	var in backplane.PutIntegrationInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	api, res, verb := methodLabels(r)
	ig, err := s.svc.PutIntegration(r.Context(), api, res, verb, in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ig)
}

func (s *Server) getIntegration(w http.ResponseWriter, r *http.Request) {
	api, res, verb := methodLabels(r)
	ig, err := s.svc.GetIntegration(r.Context(), api, res, verb)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ig)
}

func (s *Server) updateIntegration(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	api, res, verb := methodLabels(r)
	ig, err := s.svc.UpdateIntegration(r.Context(), api, res, verb, ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ig)
}

func (s *Server) deleteIntegration(w http.ResponseWriter, r *http.Request) {
	api, res, verb := methodLabels(r)
	if err := s.svc.DeleteIntegration(r.Context(), api, res, verb); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}

func (s *Server) putIntegrationResponse(w http.ResponseWriter, r *http.Request) {
	var in backplane.PutIntegrationResponseInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	api, res, verb := methodLabels(r)
	ir, err := s.svc.PutIntegrationResponse(r.Context(), api, res, verb, r.PathValue("status_code"), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ir)
}

func (s *Server) getIntegrationResponse(w http.ResponseWriter, r *http.Request) {
	api, res, verb := methodLabels(r)
	ir, err := s.svc.GetIntegrationResponse(r.Context(), api, res, verb, r.PathValue("status_code"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ir)
}

func (s *Server) updateIntegrationResponse(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	api, res, verb := methodLabels(r)
	ir, err := s.svc.UpdateIntegrationResponse(r.Context(), api, res, verb, r.PathValue("status_code"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ir)
}

func (s *Server) deleteIntegrationResponse(w http.ResponseWriter, r *http.Request) {
	api, res, verb := methodLabels(r)
	if err := s.svc.DeleteIntegrationResponse(r.Context(), api, res, verb, r.PathValue("status_code")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}
