package controlapi

import (
	"net/http"
	"strings"

	"github.com/stagecoach/stagecoach/internal/backplane"
)

// deploymentRoutes registers CreateDeployment, GetDeployments,
// GetDeployment, UpdateDeployment and DeleteDeployment.
func (s *Server) deploymentRoutes() {
	const deployment = "/restapis/{restapi_id}/deployments/{deployment_id}"
	s.mux.HandleFunc("POST /restapis/{restapi_id}/deployments", s.createDeployment)
	s.mux.HandleFunc("GET /restapis/{restapi_id}/deployments", s.getDeployments)
	s.mux.HandleFunc("GET "+deployment, s.getDeployment)
	s.mux.HandleFunc("PATCH "+deployment, s.updateDeployment)
	s.mux.HandleFunc("DELETE "+deployment, s.deleteDeployment)
	s.mux.HandleFunc("/restapis/{restapi_id}/deployments", unroutedMethod)
	s.mux.HandleFunc(deployment, unroutedMethod)
}

func (s *Server) createDeployment(w http.ResponseWriter, r *http.Request) {
	var in backplane.CreateDeploymentInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	d, err := s.svc.CreateDeployment(r.Context(), r.PathValue("restapi_id"), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

func (s *Server) getDeployments(w http.ResponseWriter, r *http.Request) {
	ds, err := s.svc.GetDeployments(r.Context(), r.PathValue("restapi_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	c, err := page(r, ds)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// getDeployment adds apiSummary when ?embed=apisummary is present (embed
// may repeat and its values are case-insensitive, as AWS treats them).
func (s *Server) getDeployment(w http.ResponseWriter, r *http.Request) {
	d, err := s.svc.GetDeployment(r.Context(), r.PathValue("restapi_id"), r.PathValue("deployment_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	for _, e := range r.URL.Query()["embed"] {
		if strings.EqualFold(e, "apisummary") && d.Snapshot != nil {
			d.APISummary = d.Snapshot.Summary()
		}
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) updateDeployment(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	d, err := s.svc.UpdateDeployment(r.Context(), r.PathValue("restapi_id"), r.PathValue("deployment_id"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) deleteDeployment(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteDeployment(r.Context(), r.PathValue("restapi_id"), r.PathValue("deployment_id")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}
