package controlapi

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// testInvokeRoutes registers TestInvokeMethod, the POST of a method's
// route.
func (s *Server) testInvokeRoutes() {
	s.mux.HandleFunc("POST "+methodPath, s.testInvokeMethod)
}

func (s *Server) testInvokeMethod(w http.ResponseWriter, r *http.Request) {
	var in apigw.TestInvokeRequest
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	api, res, verb := methodLabels(r)
	out, err := s.svc.TestInvokeMethod(r.Context(), api, res, verb, in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
