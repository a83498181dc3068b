package controlapi

import "net/http"

// accountRoutes registers GetAccount and UpdateAccount.
func (s *Server) accountRoutes() {
	s.mux.HandleFunc("GET /account", s.getAccount)
	s.mux.HandleFunc("PATCH /account", s.updateAccount)
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) {
	a, err := s.svc.GetAccount(r.Context())
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	a, err := s.svc.UpdateAccount(r.Context(), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}
