package controlapi

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/backplane"
)

// usagePlanRoutes registers the usage plan operations: CreateUsagePlan,
// GetUsagePlans, GetUsagePlan, UpdateUsagePlan, DeleteUsagePlan, the plan
// key operations, GetUsage and UpdateUsage.
func (s *Server) usagePlanRoutes() {
	const plan = "/usageplans/{usageplanId}"
	const key = plan + "/keys/{keyId}"
	s.mux.HandleFunc("POST /usageplans", s.createUsagePlan)
	s.mux.HandleFunc("GET /usageplans", s.getUsagePlans)
	s.mux.HandleFunc("GET "+plan, s.getUsagePlan)
	s.mux.HandleFunc("PATCH "+plan, s.updateUsagePlan)
	s.mux.HandleFunc("DELETE "+plan, s.deleteUsagePlan)
	s.mux.HandleFunc("POST "+plan+"/keys", s.createUsagePlanKey)
	s.mux.HandleFunc("GET "+plan+"/keys", s.getUsagePlanKeys)
	s.mux.HandleFunc("GET "+key, s.getUsagePlanKey)
	s.mux.HandleFunc("DELETE "+key, s.deleteUsagePlanKey)
	s.mux.HandleFunc("GET "+plan+"/usage", s.getUsage)
	s.mux.HandleFunc("PATCH "+key+"/usage", s.updateUsage)
	for _, p := range []string{"/usageplans", plan, plan + "/keys", key, plan + "/usage", key + "/usage"} {
		s.mux.HandleFunc(p, unroutedMethod)
	}
}

func (s *Server) createUsagePlan(w http.ResponseWriter, r *http.Request) {
	var in backplane.CreateUsagePlanInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	p, err := s.svc.CreateUsagePlan(r.Context(), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) getUsagePlans(w http.ResponseWriter, r *http.Request) {
	plans, err := s.svc.GetUsagePlans(r.Context(), r.URL.Query().Get("keyId"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	c, err := page(r, plans)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) getUsagePlan(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.GetUsagePlan(r.Context(), r.PathValue("usageplanId"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) updateUsagePlan(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	p, err := s.svc.UpdateUsagePlan(r.Context(), r.PathValue("usageplanId"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) deleteUsagePlan(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteUsagePlan(r.Context(), r.PathValue("usageplanId")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}

// usagePlanKeyInput is CreateUsagePlanKey's body.
type usagePlanKeyInput struct {
	KeyID   string `json:"keyId"`
	KeyType string `json:"keyType"`
}

func (s *Server) createUsagePlanKey(w http.ResponseWriter, r *http.Request) {
	var in usagePlanKeyInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	k, err := s.svc.CreateUsagePlanKey(r.Context(), r.PathValue("usageplanId"), in.KeyID, in.KeyType)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, k)
}

func (s *Server) getUsagePlanKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := s.svc.GetUsagePlanKeys(r.Context(), r.PathValue("usageplanId"), r.URL.Query().Get("name"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	c, err := page(r, keys)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) getUsagePlanKey(w http.ResponseWriter, r *http.Request) {
	k, err := s.svc.GetUsagePlanKey(r.Context(), r.PathValue("usageplanId"), r.PathValue("keyId"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, k)
}

func (s *Server) deleteUsagePlanKey(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteUsagePlanKey(r.Context(), r.PathValue("usageplanId"), r.PathValue("keyId")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}

func (s *Server) getUsage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	u, err := s.svc.GetUsage(r.Context(), r.PathValue("usageplanId"), q.Get("keyId"), q.Get("startDate"), q.Get("endDate"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) updateUsage(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	u, err := s.svc.UpdateUsage(r.Context(), r.PathValue("usageplanId"), r.PathValue("keyId"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}
