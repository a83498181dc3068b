// Package gateway is the data plane: it serves invocations of deployed
// stages. TODO(helper C): the real implementation.
package gateway

import (
	"net/http"

	"github.com/stagecoach/stagecoach/internal/store"
)

// Options configure the data plane.
type Options struct{}

// Gateway serves stage invocations.
type Gateway struct{ st store.Store }

// New returns a Gateway reading configuration from st.
func New(st store.Store, opts Options) (*Gateway, error) { return &Gateway{st: st}, nil }

// ServeInvoke implements frontdoor.Invoker.
func (g *Gateway) ServeInvoke(w http.ResponseWriter, r *http.Request, restAPIID, stage, path string) {
	http.Error(w, `{"message":"Forbidden"}`, http.StatusForbidden)
}

// FlushStageCache implements backplane.StageCacheFlusher.
func (g *Gateway) FlushStageCache(restAPIID, stageName string) {}

// Close stops background work.
func (g *Gateway) Close() error { return nil }
