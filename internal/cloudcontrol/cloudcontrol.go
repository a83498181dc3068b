// Package cloudcontrol serves the AWS Cloud Control API. TODO(helper D).
package cloudcontrol

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/backplane"
)

// Server is the Cloud Control handler.
type Server struct{ svc *backplane.Service }

// New returns a Server over svc.
func New(svc *backplane.Service) *Server { return &Server{svc: svc} }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not implemented", http.StatusNotImplemented)
}
