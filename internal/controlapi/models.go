package controlapi

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/backplane"
)

// modelRoutes registers CreateModel, GetModels, GetModel, UpdateModel,
// DeleteModel and GetModelTemplate.
func (s *Server) modelRoutes() {
	const models = "/restapis/{restapi_id}/models"
	const model = models + "/{model_name}"
	s.mux.HandleFunc("POST "+models, s.createModel)
	s.mux.HandleFunc("GET "+models, s.getModels)
	s.mux.HandleFunc("GET "+model, s.getModel)
	s.mux.HandleFunc("PATCH "+model, s.updateModel)
	s.mux.HandleFunc("DELETE "+model, s.deleteModel)
	s.mux.HandleFunc("GET "+model+"/default_template", s.getModelTemplate)
	s.mux.HandleFunc(models, unroutedMethod)
	s.mux.HandleFunc(model, unroutedMethod)
}

func (s *Server) createModel(w http.ResponseWriter, r *http.Request) {
	var in backplane.CreateModelInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	m, err := s.svc.CreateModel(r.Context(), r.PathValue("restapi_id"), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

func (s *Server) getModels(w http.ResponseWriter, r *http.Request) {
	ms, err := s.svc.GetModels(r.Context(), r.PathValue("restapi_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	c, err := page(r, ms)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) getModel(w http.ResponseWriter, r *http.Request) {
	m, err := s.svc.GetModel(r.Context(), r.PathValue("restapi_id"), r.PathValue("model_name"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) updateModel(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	m, err := s.svc.UpdateModel(r.Context(), r.PathValue("restapi_id"), r.PathValue("model_name"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) deleteModel(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteModel(r.Context(), r.PathValue("restapi_id"), r.PathValue("model_name")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}

func (s *Server) getModelTemplate(w http.ResponseWriter, r *http.Request) {
	t, err := s.svc.GetModelTemplate(r.Context(), r.PathValue("restapi_id"), r.PathValue("model_name"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Value string `json:"value"`
	}{t})
}
