package controlapi

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// stageRoutes registers CreateStage, GetStages, GetStage, UpdateStage,
// DeleteStage, FlushStageCache and FlushStageAuthorizersCache.
func (s *Server) stageRoutes() {
	const stage = "/restapis/{restapi_id}/stages/{stage_name}"
	s.mux.HandleFunc("POST /restapis/{restapi_id}/stages", s.createStage)
	s.mux.HandleFunc("GET /restapis/{restapi_id}/stages", s.getStages)
	s.mux.HandleFunc("GET "+stage, s.getStage)
	s.mux.HandleFunc("PATCH "+stage, s.updateStage)
	s.mux.HandleFunc("DELETE "+stage, s.deleteStage)
	s.mux.HandleFunc("DELETE "+stage+"/cache/data", s.flushStageCache)
	s.mux.HandleFunc("DELETE "+stage+"/cache/authorizers", s.flushStageAuthorizersCache)
	for _, p := range []string{"/restapis/{restapi_id}/stages", stage, stage + "/cache/data", stage + "/cache/authorizers"} {
		s.mux.HandleFunc(p, unroutedMethod)
	}
}

// stageList is GetStages' output: AWS does not page stages, so there is
// only "item", never "position".
type stageList struct {
	Item []*apigw.Stage `json:"item"`
}

func (s *Server) createStage(w http.ResponseWriter, r *http.Request) {
	var in backplane.CreateStageInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	st, err := s.svc.CreateStage(r.Context(), r.PathValue("restapi_id"), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, st)
}

func (s *Server) getStages(w http.ResponseWriter, r *http.Request) {
	stages, err := s.svc.GetStages(r.Context(), r.PathValue("restapi_id"), r.URL.Query().Get("deploymentId"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	if stages == nil {
		stages = []*apigw.Stage{}
	}
	writeJSON(w, http.StatusOK, stageList{Item: stages})
}

func (s *Server) getStage(w http.ResponseWriter, r *http.Request) {
	st, err := s.svc.GetStage(r.Context(), r.PathValue("restapi_id"), r.PathValue("stage_name"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) updateStage(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	st, err := s.svc.UpdateStage(r.Context(), r.PathValue("restapi_id"), r.PathValue("stage_name"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) deleteStage(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteStage(r.Context(), r.PathValue("restapi_id"), r.PathValue("stage_name")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}

func (s *Server) flushStageCache(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.FlushStageCache(r.Context(), r.PathValue("restapi_id"), r.PathValue("stage_name")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}

func (s *Server) flushStageAuthorizersCache(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.FlushStageAuthorizersCache(r.Context(), r.PathValue("restapi_id"), r.PathValue("stage_name")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}
