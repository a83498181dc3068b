package controlapi

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// gatewayResponseRoutes registers Put/Get/Update/DeleteGatewayResponse and
// GetGatewayResponses.
func (s *Server) gatewayResponseRoutes() {
	const list = "/restapis/{restapi_id}/gatewayresponses"
	const one = list + "/{response_type}"
	s.mux.HandleFunc("GET "+list, s.getGatewayResponses)
	s.mux.HandleFunc("PUT "+one, s.putGatewayResponse)
	s.mux.HandleFunc("GET "+one, s.getGatewayResponse)
	s.mux.HandleFunc("PATCH "+one, s.updateGatewayResponse)
	s.mux.HandleFunc("DELETE "+one, s.deleteGatewayResponse)
	s.mux.HandleFunc(list, unroutedMethod)
	s.mux.HandleFunc(one, unroutedMethod)
}

func (s *Server) putGatewayResponse(w http.ResponseWriter, r *http.Request) {
	var in backplane.PutGatewayResponseInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	gr, err := s.svc.PutGatewayResponse(r.Context(), r.PathValue("restapi_id"), r.PathValue("response_type"), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, gr)
}

func (s *Server) getGatewayResponse(w http.ResponseWriter, r *http.Request) {
	gr, err := s.svc.GetGatewayResponse(r.Context(), r.PathValue("restapi_id"), r.PathValue("response_type"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, gr)
}

// getGatewayResponses returns the whole collection: AWS documents that it
// does not page it, so limit and position are ignored.
func (s *Server) getGatewayResponses(w http.ResponseWriter, r *http.Request) {
	grs, err := s.svc.GetGatewayResponses(r.Context(), r.PathValue("restapi_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, collection[*apigw.GatewayResponse]{Item: grs})
}

func (s *Server) updateGatewayResponse(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	gr, err := s.svc.UpdateGatewayResponse(r.Context(), r.PathValue("restapi_id"), r.PathValue("response_type"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, gr)
}

func (s *Server) deleteGatewayResponse(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteGatewayResponse(r.Context(), r.PathValue("restapi_id"), r.PathValue("response_type")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}
