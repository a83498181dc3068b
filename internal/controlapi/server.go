// Package controlapi serves the API Gateway management API (service
// version 2015-07-09, protocol restJson1): /restapis, /tags, /account and
// their sub-resources. It only decodes requests, calls backplane.Service
// and encodes results and errors the way AWS does; the rules live in the
// backplane and apigw packages.
package controlapi

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/awsproto"
	"github.com/stagecoach/stagecoach/internal/backplane"
)

// Server is the control-plane HTTP handler.
type Server struct {
	svc *backplane.Service
	mux *http.ServeMux
}

var _ http.Handler = (*Server)(nil)

// New returns a Server for svc.
func New(svc *backplane.Service) *Server {
	s := &Server{svc: svc, mux: http.NewServeMux()}
	s.restAPIRoutes()
	s.resourceRoutes()
	s.methodRoutes()
	s.integrationRoutes()
	s.deploymentRoutes()
	s.stageRoutes()
	s.tagRoutes()
	s.accountRoutes()
	s.gatewayResponseRoutes()
	s.modelRoutes()
	s.requestValidatorRoutes()
	s.testInvokeRoutes()
	s.apiKeyRoutes()
	s.usagePlanRoutes()
	s.authorizerRoutes()
	s.domainNameRoutes()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, errUnknownOperation(r))
	})
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", awsproto.NewRequestID())
	// A path that exists with another verb would get ServeMux's plain-text
	// 405; AWS answers every unknown operation the same JSON way.
	if _, pattern := s.mux.Handler(r); pattern == "" {
		writeError(w, r, errUnknownOperation(r))
		return
	}
	s.mux.ServeHTTP(w, r)
}
