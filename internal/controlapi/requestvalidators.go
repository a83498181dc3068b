package controlapi

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/backplane"
)

// requestValidatorRoutes registers Create/Get/Update/DeleteRequestValidator
// and GetRequestValidators.
func (s *Server) requestValidatorRoutes() {
	const validators = "/restapis/{restapi_id}/requestvalidators"
	const validator = validators + "/{requestvalidator_id}"
	s.mux.HandleFunc("POST "+validators, s.createRequestValidator)
	s.mux.HandleFunc("GET "+validators, s.getRequestValidators)
	s.mux.HandleFunc("GET "+validator, s.getRequestValidator)
	s.mux.HandleFunc("PATCH "+validator, s.updateRequestValidator)
	s.mux.HandleFunc("DELETE "+validator, s.deleteRequestValidator)
	s.mux.HandleFunc(validators, unroutedMethod)
	s.mux.HandleFunc(validator, unroutedMethod)
}

func (s *Server) createRequestValidator(w http.ResponseWriter, r *http.Request) {
	var in backplane.CreateRequestValidatorInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	v, err := s.svc.CreateRequestValidator(r.Context(), r.PathValue("restapi_id"), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) getRequestValidators(w http.ResponseWriter, r *http.Request) {
	vs, err := s.svc.GetRequestValidators(r.Context(), r.PathValue("restapi_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	c, err := page(r, vs)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) getRequestValidator(w http.ResponseWriter, r *http.Request) {
	v, err := s.svc.GetRequestValidator(r.Context(), r.PathValue("restapi_id"), r.PathValue("requestvalidator_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) updateRequestValidator(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	v, err := s.svc.UpdateRequestValidator(r.Context(), r.PathValue("restapi_id"), r.PathValue("requestvalidator_id"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) deleteRequestValidator(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteRequestValidator(r.Context(), r.PathValue("restapi_id"), r.PathValue("requestvalidator_id")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}
