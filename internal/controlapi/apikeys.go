package controlapi

import (
	"net/http"
	"strconv"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// apiKeyRoutes registers CreateApiKey, ImportApiKeys (POST /apikeys with
// mode=import), GetApiKeys, GetApiKey, UpdateApiKey and DeleteApiKey.
func (s *Server) apiKeyRoutes() {
	const key = "/apikeys/{api_Key}"
	s.mux.HandleFunc("POST /apikeys", s.createAPIKey)
	s.mux.HandleFunc("GET /apikeys", s.getAPIKeys)
	s.mux.HandleFunc("GET "+key, s.getAPIKey)
	s.mux.HandleFunc("PATCH "+key, s.updateAPIKey)
	s.mux.HandleFunc("DELETE "+key, s.deleteAPIKey)
	s.mux.HandleFunc("/apikeys", unroutedMethod)
	s.mux.HandleFunc(key, unroutedMethod)
}

// queryBool reads a boolean query parameter; absent is false.
func queryBool(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apigw.BadRequest("Invalid value for %s: %s", name, v)
	}
	return b, nil
}

// withoutValue returns k as GetApiKey(s) shows it unless the caller asked
// for values: AWS leaves "value" out.
func withoutValue(k *apigw.APIKey, include bool) *apigw.APIKey {
	if include {
		return k
	}
	c := *k
	c.Value = ""
	return &c
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("mode") == "import" {
		s.importAPIKeys(w, r)
		return
	}
	var in backplane.CreateAPIKeyInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	k, err := s.svc.CreateAPIKey(r.Context(), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, k)
}

func (s *Server) importAPIKeys(w http.ResponseWriter, r *http.Request) {
	fail, err := queryBool(r, "failonwarnings")
	if err != nil {
		writeError(w, r, err)
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	res, err := s.svc.ImportAPIKeys(r.Context(), r.URL.Query().Get("format"), body, fail)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

func (s *Server) getAPIKeys(w http.ResponseWriter, r *http.Request) {
	include, err := queryBool(r, "includeValues")
	if err != nil {
		writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	keys, err := s.svc.GetAPIKeys(r.Context(), backplane.APIKeyFilter{NameQuery: q.Get("name"), CustomerID: q.Get("customerId")})
	if err != nil {
		writeError(w, r, err)
		return
	}
	for i, k := range keys {
		keys[i] = withoutValue(k, include)
	}
	c, err := page(r, keys)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) getAPIKey(w http.ResponseWriter, r *http.Request) {
	include, err := queryBool(r, "includeValue")
	if err != nil {
		writeError(w, r, err)
		return
	}
	k, err := s.svc.GetAPIKey(r.Context(), r.PathValue("api_Key"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, withoutValue(k, include))
}

func (s *Server) updateAPIKey(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	k, err := s.svc.UpdateAPIKey(r.Context(), r.PathValue("api_Key"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, k)
}

func (s *Server) deleteAPIKey(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteAPIKey(r.Context(), r.PathValue("api_Key")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}
