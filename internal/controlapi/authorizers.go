package controlapi

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/backplane"
)

// authorizerRoutes registers Create/Get/Update/DeleteAuthorizer,
// GetAuthorizers and TestInvokeAuthorizer.
func (s *Server) authorizerRoutes() {
	const list = "/restapis/{restapi_id}/authorizers"
	const one = list + "/{authorizer_id}"
	s.mux.HandleFunc("POST "+list, s.createAuthorizer)
	s.mux.HandleFunc("GET "+list, s.getAuthorizers)
	s.mux.HandleFunc("GET "+one, s.getAuthorizer)
	s.mux.HandleFunc("PATCH "+one, s.updateAuthorizer)
	s.mux.HandleFunc("DELETE "+one, s.deleteAuthorizer)
	s.mux.HandleFunc("POST "+one, s.testInvokeAuthorizer)
	s.mux.HandleFunc(list, unroutedMethod)
	s.mux.HandleFunc(one, unroutedMethod)
}

func (s *Server) createAuthorizer(w http.ResponseWriter, r *http.Request) {
	var in backplane.CreateAuthorizerInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	a, err := s.svc.CreateAuthorizer(r.Context(), r.PathValue("restapi_id"), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

func (s *Server) getAuthorizers(w http.ResponseWriter, r *http.Request) {
	as, err := s.svc.GetAuthorizers(r.Context(), r.PathValue("restapi_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	c, err := page(r, as)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) getAuthorizer(w http.ResponseWriter, r *http.Request) {
	a, err := s.svc.GetAuthorizer(r.Context(), r.PathValue("restapi_id"), r.PathValue("authorizer_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) updateAuthorizer(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	a, err := s.svc.UpdateAuthorizer(r.Context(), r.PathValue("restapi_id"), r.PathValue("authorizer_id"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) deleteAuthorizer(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteAuthorizer(r.Context(), r.PathValue("restapi_id"), r.PathValue("authorizer_id")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}

func (s *Server) testInvokeAuthorizer(w http.ResponseWriter, r *http.Request) {
	var in backplane.TestInvokeAuthorizerInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	out, err := s.svc.TestInvokeAuthorizer(r.Context(), r.PathValue("restapi_id"), r.PathValue("authorizer_id"), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
