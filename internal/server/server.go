// Package server wires Stagecoach's parts together: the store, the
// management service, the control API, Cloud Control, the data plane and
// the front door that dispatches between them. Tests use it to run a whole
// gateway in-process.
package server

import (
	"errors"
	"net/http"

	"github.com/stagecoach/stagecoach/internal/backplane"
	"github.com/stagecoach/stagecoach/internal/cloudcontrol"
	"github.com/stagecoach/stagecoach/internal/console"
	"github.com/stagecoach/stagecoach/internal/controlapi"
	"github.com/stagecoach/stagecoach/internal/frontdoor"
	"github.com/stagecoach/stagecoach/internal/gateway"
	"github.com/stagecoach/stagecoach/internal/store/sqlite"
)

// Config is the server configuration (the serve command's flags).
type Config struct {
	Listen  string
	DataDir string
	Region  string
	// LambdaEndpoints names a JSON file mapping Lambda function ARNs (or
	// names) to local runtime base URLs for AWS_PROXY integrations.
	LambdaEndpoints string
}

// App is a running Stagecoach without its listener.
type App struct {
	Store   *sqlite.Store
	Service *backplane.Service
	Gateway *gateway.Gateway
	front   *frontdoor.Handler
}

// New opens the store and builds every service.
func New(cfg Config) (*App, error) {
	st, err := sqlite.Open(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	svc := backplane.New(st, cfg.Region)
	gwOpts := gateway.Options{}
	if cfg.LambdaEndpoints != "" {
		if gwOpts.LambdaEndpoints, err = gateway.LoadLambdaEndpoints(cfg.LambdaEndpoints); err != nil {
			st.Close()
			return nil, err
		}
	}
	gw, err := gateway.New(st, gwOpts)
	if err != nil {
		st.Close()
		return nil, err
	}
	svc.Flusher = gw
	front := &frontdoor.Handler{
		Invoke:       gw,
		ControlAPI:   controlapi.New(svc),
		CloudControl: cloudcontrol.New(svc),
	}
	// The console reads through the control API handler and the browser
	// writes through the same routes: one write path.
	front.Console = console.New(console.Options{API: front.ControlAPI, Region: svc.Region})
	return &App{Store: st, Service: svc, Gateway: gw, front: front}, nil
}

// Handler returns the top-level HTTP handler.
func (a *App) Handler() http.Handler { return a.front }

// SetReady makes the health check answer 200.
func (a *App) SetReady() { a.front.SetReady(true) }

// Close releases everything New opened.
func (a *App) Close() error {
	return errors.Join(a.Gateway.Close(), a.Store.Close())
}
