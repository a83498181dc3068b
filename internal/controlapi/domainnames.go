package controlapi

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/backplane"
)

// domainNameRoutes registers the DomainName and BasePathMapping
// operations. A base path label is "(none)" for the empty base path and
// carries a multi-level base path URL-encoded ("orders%2Fv1"): ServeMux
// matches the escaped segment and PathValue decodes it.
func (s *Server) domainNameRoutes() {
	const domain = "/domainnames/{domain_name}"
	const mappings = domain + "/basepathmappings"
	const mapping = mappings + "/{base_path}"
	s.mux.HandleFunc("POST /domainnames", s.createDomainName)
	s.mux.HandleFunc("GET /domainnames", s.getDomainNames)
	s.mux.HandleFunc("GET "+domain, s.getDomainName)
	s.mux.HandleFunc("PATCH "+domain, s.updateDomainName)
	s.mux.HandleFunc("DELETE "+domain, s.deleteDomainName)
	s.mux.HandleFunc("POST "+mappings, s.createBasePathMapping)
	s.mux.HandleFunc("GET "+mappings, s.getBasePathMappings)
	s.mux.HandleFunc("GET "+mapping, s.getBasePathMapping)
	s.mux.HandleFunc("PATCH "+mapping, s.updateBasePathMapping)
	s.mux.HandleFunc("DELETE "+mapping, s.deleteBasePathMapping)
	for _, p := range []string{"/domainnames", domain, mappings, mapping} {
		s.mux.HandleFunc(p, unroutedMethod)
	}
}

func (s *Server) createDomainName(w http.ResponseWriter, r *http.Request) {
	var in backplane.CreateDomainNameInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	d, err := s.svc.CreateDomainName(r.Context(), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

func (s *Server) getDomainNames(w http.ResponseWriter, r *http.Request) {
	ds, err := s.svc.GetDomainNames(r.Context())
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

func (s *Server) getDomainName(w http.ResponseWriter, r *http.Request) {
	d, err := s.svc.GetDomainName(r.Context(), r.PathValue("domain_name"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) updateDomainName(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	d, err := s.svc.UpdateDomainName(r.Context(), r.PathValue("domain_name"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) deleteDomainName(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteDomainName(r.Context(), r.PathValue("domain_name")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}

func (s *Server) createBasePathMapping(w http.ResponseWriter, r *http.Request) {
	var in backplane.BasePathMappingInput
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	m, err := s.svc.CreateBasePathMapping(r.Context(), r.PathValue("domain_name"), in)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

func (s *Server) getBasePathMappings(w http.ResponseWriter, r *http.Request) {
	ms, err := s.svc.GetBasePathMappings(r.Context(), r.PathValue("domain_name"))
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

func (s *Server) getBasePathMapping(w http.ResponseWriter, r *http.Request) {
	m, err := s.svc.GetBasePathMapping(r.Context(), r.PathValue("domain_name"), r.PathValue("base_path"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) updateBasePathMapping(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	m, err := s.svc.UpdateBasePathMapping(r.Context(), r.PathValue("domain_name"), r.PathValue("base_path"), ops)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) deleteBasePathMapping(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteBasePathMapping(r.Context(), r.PathValue("domain_name"), r.PathValue("base_path")); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusAccepted)
}
