package controlapi

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// tagRoutes registers TagResource, UntagResource and GetTags. The ARN is
// one percent-encoded path segment (its "/" arrive as %2F); ServeMux
// matches on the escaped path and PathValue returns the decoded value.
func (s *Server) tagRoutes() {
	s.mux.HandleFunc("PUT /tags/{resource_arn}", s.tagResource)
	s.mux.HandleFunc("DELETE /tags/{resource_arn}", s.untagResource)
	s.mux.HandleFunc("GET /tags/{resource_arn}", s.getTags)
	s.mux.HandleFunc("/tags/{resource_arn}", unroutedMethod)
}

// tagsBody is TagResource's input and GetTags' output.
type tagsBody struct {
	Tags map[string]string `json:"tags"`
}

func (s *Server) tagResource(w http.ResponseWriter, r *http.Request) {
	var in tagsBody
	if err := decodeBody(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	if in.Tags == nil {
		// tags is a required member; SDKs check it before sending, so
		// only hand-made requests see this text (U).
		writeError(w, r, apigw.BadRequest("tags must be specified"))
		return
	}
	if err := s.svc.TagResource(r.Context(), r.PathValue("resource_arn"), in.Tags); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}

func (s *Server) untagResource(w http.ResponseWriter, r *http.Request) {
	keys := r.URL.Query()["tagKeys"]
	if err := s.svc.UntagResource(r.Context(), r.PathValue("resource_arn"), keys); err != nil {
		writeError(w, r, err)
		return
	}
	writeEmpty(w, http.StatusNoContent)
}

// getTags ignores position and limit, which AWS documents as not
// supported for GetTags.
func (s *Server) getTags(w http.ResponseWriter, r *http.Request) {
	tags, err := s.svc.GetTags(r.Context(), r.PathValue("resource_arn"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tagsBody{Tags: tags})
}
