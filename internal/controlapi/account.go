package controlapi

import "net/http"

// accountRoutes registers GetAccount and UpdateAccount.
func (s *Server) accountRoutes() {
	s.mux.HandleFunc("GET /account", s.getAccount)
	s.mux.HandleFunc("PATCH /account", s.updateAccount)
	s.mux.HandleFunc("/account", unroutedMethod)
}

// unroutedMethod answers a known path with a verb that has no operation.
// Without a method-less pattern ServeMux would answer a plain-text 405;
// this gives the same AWS-shaped NotFoundException as an unknown path.
func unroutedMethod(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, errUnknownOperation(r))
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
