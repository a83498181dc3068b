package server

import (
	"github.com/stagecoach/stagecoach/internal/frontdoor"
	"github.com/stagecoach/stagecoach/internal/guard"
	"github.com/stagecoach/stagecoach/internal/sigv4"
)

// newGuard builds the management plane's guard from the configuration:
// with Credentials (serve --credentials) every management request must
// be signed by one of the file's keys; without, developer mode.
func newGuard(cfg Config) (*guard.Guard, error) {
	o := guard.Options{Listen: cfg.Listen, AllowedHosts: cfg.AllowedHosts}
	if cfg.Credentials != "" {
		creds, err := sigv4.LoadCredentialsFile(cfg.Credentials)
		if err != nil {
			return nil, err
		}
		o.Credentials = creds
	}
	return guard.New(o)
}

// guardManagement puts every management handler of the front door behind
// the guard, each refusing in its own protocol. The data plane (Invoke)
// and the health check stay outside. It runs after the console is built,
// so the console's in-process reads use the control API directly.
func guardManagement(g *guard.Guard, f *frontdoor.Handler) {
	f.ControlAPI = g.Wrap(f.ControlAPI, guard.RestJSON)
	f.CloudControl = g.Wrap(f.CloudControl, guard.AWSJSON10)
	f.Logs = g.Wrap(f.Logs, guard.AWSJSON11)
	f.CloudWatch = g.Wrap(f.CloudWatch, guard.CloudWatch)
	f.Metrics = g.Wrap(f.Metrics, guard.Plain)
	f.Console = g.Wrap(f.Console, guard.Console)
}
