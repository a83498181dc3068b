package controlapi

import (
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// restAPIRoutes registers CreateRestApi and ImportRestApi (the same
// route, told apart by ?mode=import), GetRestApis, GetRestApi,
// UpdateRestApi, PutRestApi, DeleteRestApi and GetExport. GetExport lives
// under /stages/ but is registered here with its own, more specific
// pattern, so the stage routes never see it.
func (s *Server) restAPIRoutes() {
	const api = "/restapis/{restapi_id}"
	s.mux.HandleFunc("POST /restapis", s.createRestAPI)
	s.mux.HandleFunc("GET /restapis", s.getRestAPIs)
	s.mux.HandleFunc("GET "+api, s.getRestAPI)
	s.mux.HandleFunc("PATCH "+api, s.updateRestAPI)
	s.mux.HandleFunc("PUT "+api, s.putRestAPI)
	s.mux.HandleFunc("DELETE "+api, s.deleteRestAPI)
	s.mux.HandleFunc("GET "+api+"/stages/{stage_name}/exports/{export_type}", s.getExport)
}

func (s *Server) createRestAPI(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("mode") == "import" {
		s.importRestAPI(w, r)
		return
	}
	var in backplane.CreateRestAPIInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	api, err := s.svc.CreateRestAPI(r.Context(), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, api)
}

// importParams reads ImportRestApi's and PutRestApi's query: mode,
// failonwarnings, and every other parameter (basepath, ignore,
// endpointConfigurationTypes) as the operation's "parameters" map.
func importParams(r *http.Request) (backplane.ImportParams, error) {
	p := backplane.ImportParams{Parameters: map[string]string{}}
	for k, v := range r.URL.Query() {
		if len(v) == 0 {
			continue
		}
		switch k {
		case "mode":
			p.Mode = v[0]
		case "failonwarnings":
			b, err := strconv.ParseBool(v[0])
			if err != nil {
				return p, apigw.BadRequest("Invalid value for failonwarnings: %s", v[0])
			}
			p.FailOnWarnings = b
		default:
			p.Parameters[k] = v[0]
		}
	}
	return p, nil
}

func (s *Server) importRestAPI(w http.ResponseWriter, r *http.Request) {
	p, err := importParams(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	p.Mode = "" // "import" selected the operation; it is not a put mode
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	api, err := s.svc.ImportRestAPI(r.Context(), body, p)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, api)
}

func (s *Server) putRestAPI(w http.ResponseWriter, r *http.Request) {
	p, err := importParams(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	api, err := s.svc.PutRestAPI(r.Context(), r.PathValue("restapi_id"), body, p)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api)
}

func (s *Server) getRestAPIs(w http.ResponseWriter, r *http.Request) {
	apis, err := s.svc.GetRestAPIs(r.Context())
	if err != nil {
		writeError(w, r, err)
		return
	}
	c, err := page(r, apis)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) getRestAPI(w http.ResponseWriter, r *http.Request) {
	api, err := s.svc.GetRestAPI(r.Context(), r.PathValue("restapi_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api)
}

func (s *Server) updateRestAPI(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	api, err := s.svc.UpdateRestAPI(r.Context(), r.PathValue("restapi_id"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api)
}

func (s *Server) deleteRestAPI(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteRestAPI(r.Context(), r.PathValue("restapi_id")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}

// invokeURL is the stage's invoke URL on this gateway as the caller
// reached it: {id}.execute-api.{host} when the host is a name (the front
// door routes such hosts to the data plane), the emulators' path form
// /restapis/{id}/{stage}/_user_request_ when it is an IP address, which
// cannot carry a subdomain.
func invokeURL(r *http.Request, apiID, stage string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	if net.ParseIP(strings.Trim(name, "[]")) != nil {
		return scheme + "://" + host + "/restapis/" + apiID + "/" + stage + "/_user_request_"
	}
	return scheme + "://" + apiID + ".execute-api." + host + "/" + stage
}

// getExport answers GetExport: the definition the stage serves, as OpenAPI
// 3 (oas30) or Swagger 2 (swagger), in JSON or YAML after the Accept
// header. AWS sends the document as an attachment of type
// application/octet-stream.
func (s *Server) getExport(w http.ResponseWriter, r *http.Request) {
	p := backplane.ExportParams{
		Type:       r.PathValue("export_type"),
		YAML:       strings.Contains(r.Header.Get("Accept"), "yaml"),
		Extensions: r.URL.Query().Get("extensions"),
		ServerURL:  invokeURL(r, r.PathValue("restapi_id"), r.PathValue("stage_name")),
	}
	doc, err := s.svc.ExportRestAPI(r.Context(), r.PathValue("restapi_id"), r.PathValue("stage_name"), p)
	if err != nil {
		writeError(w, r, err)
		return
	}
	ext := "json"
	if p.YAML {
		ext = "yaml"
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+p.Type+"_"+r.PathValue("stage_name")+"."+ext+`"`)
	w.WriteHeader(http.StatusOK)
	w.Write(doc)
}
