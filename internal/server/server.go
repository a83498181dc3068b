// Package server wires Stagecoach's parts together: the store, the
// management service, the control API, Cloud Control, the data plane and
// the front door that dispatches between them. Tests use it to run a whole
// gateway in-process.
package server

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/stagecoach/stagecoach/internal/backplane"
	"github.com/stagecoach/stagecoach/internal/cloudcontrol"
	"github.com/stagecoach/stagecoach/internal/console"
	"github.com/stagecoach/stagecoach/internal/controlapi"
	"github.com/stagecoach/stagecoach/internal/frontdoor"
	"github.com/stagecoach/stagecoach/internal/gateway"
	"github.com/stagecoach/stagecoach/internal/store"
	"github.com/stagecoach/stagecoach/internal/telemetry/cwapi"
	"github.com/stagecoach/stagecoach/internal/telemetry/cwmetrics"
	"github.com/stagecoach/stagecoach/internal/telemetry/logsapi"
	"github.com/stagecoach/stagecoach/internal/telemetry/logstore"
	"github.com/stagecoach/stagecoach/internal/telemetry/metrics"
	"github.com/stagecoach/stagecoach/internal/telemetry/recorder"
	"github.com/stagecoach/stagecoach/internal/telemetry/tracing"
)

// Config is the server configuration (the serve command's flags).
type Config struct {
	Listen  string
	DataDir string
	// Store is a postgres:// URL for cluster mode (serve --store); empty
	// keeps the embedded SQLite database in DataDir (storeopen.go).
	Store  string
	Region string
	// CognitoJWKS names a JSON file mapping user pool ids or ARNs to JWKS
	// files or URLs, for COGNITO_USER_POOLS authorizers (serve
	// --cognito-jwks).
	CognitoJWKS string
	// LambdaEndpoints names a JSON file mapping Lambda function ARNs (or
	// names) to local runtime base URLs for AWS_PROXY integrations.
	LambdaEndpoints string
	// AWSEndpoints names a JSON file mapping AWS service names to local
	// endpoints for type AWS integrations (serve --aws-endpoints); their
	// calls are signed with the process's AWS_* credentials.
	AWSEndpoints string
	// LogStdout mirrors every execution and access log line to stdout as
	// a JSON line (serve --log-stdout).
	LogStdout bool
	// CacheBytesPerGB scales stage cache sizes: bytes of memory per GB of
	// cacheClusterSize (serve --cache-bytes-per-gb); zero means 16 MiB.
	CacheBytesPerGB int64
	// AccountRateLimit and AccountBurstLimit set the account-level
	// throttle (get-account's throttleSettings) at startup; zero keeps the
	// stored value, AWS's 10000/5000 by default.
	AccountRateLimit  float64
	AccountBurstLimit int
	// Credentials names an AWS shared-credentials file (serve
	// --credentials): management requests must then be SigV4-signed by
	// one of its keys, and the console asks for one. Empty is developer
	// mode.
	Credentials string
	// AllowedHosts are Host names, beyond loopback and the listen
	// address, the management plane answers for (serve --allowed-hosts).
	AllowedHosts []string
	// MetricsRetention is how long the CloudWatch metrics' one-minute
	// aggregates are kept (serve --metrics-retention); zero means 15 days.
	MetricsRetention time.Duration
	// MetricsClock, when set, decides the minute each request is counted
	// in (tests); nil uses the request's arrival time.
	MetricsClock func() time.Time
	// OTLPEndpoint, when set, receives the spans of stages with
	// tracingEnabled over OTLP/HTTP (serve --otlp-endpoint), e.g.
	// http://127.0.0.1:4318. TraceSampleRate (0..1) samples requests
	// whose caller did not decide (serve --trace-sample-rate).
	OTLPEndpoint    string
	TraceSampleRate float64
}

// App is a running Stagecoach without its listener.
type App struct {
	Store   store.Store
	Service *backplane.Service
	Gateway *gateway.Gateway
	// Logs is the log store ({data-dir}/logs.db) behind the Logs API;
	// Metrics the Prometheus registry behind /metrics; Recorder what the
	// data plane records each request with.
	Logs     *logstore.Store
	Metrics  *metrics.Registry
	Recorder *recorder.Recorder
	// CloudWatch is the metrics store ({data-dir}/metrics.db) behind the
	// CloudWatch API and the console's dashboard.
	CloudWatch *cwmetrics.Collector
	// Tracing exports spans (nil without --otlp-endpoint).
	Tracing *tracing.Exporter
	front   *frontdoor.Handler
}

// New opens the store and builds every service.
func New(cfg Config) (*App, error) {
	st, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	if err := applyAccountLimits(st, cfg.AccountRateLimit, cfg.AccountBurstLimit); err != nil {
		st.Close()
		return nil, err
	}
	svc := backplane.New(st, cfg.Region)
	logs, err := logstore.Open(filepath.Join(cfg.DataDir, "logs.db"), logstore.Options{})
	if err != nil {
		st.Close()
		return nil, err
	}
	cw, err := cwmetrics.Open(cwmetrics.Options{Path: filepath.Join(cfg.DataDir, "metrics.db"), Retention: cfg.MetricsRetention, Now: cfg.MetricsClock})
	if err != nil {
		logs.Close()
		st.Close()
		return nil, err
	}
	reg := metrics.New()
	recOpts := recorder.Options{Logs: logs, Metrics: reg, CloudWatch: cw}
	if cfg.LogStdout {
		recOpts.Stdout = os.Stdout
	}
	rec := recorder.New(recOpts)
	closeTelemetry := func() { rec.Close(); logs.Close(); cw.Close() }
	gwOpts := gateway.Options{CacheBytesPerGB: cfg.CacheBytesPerGB, Recorder: rec, Region: svc.Region, TraceSampleRate: cfg.TraceSampleRate}
	if cfg.OTLPEndpoint != "" {
		exp, err := tracing.NewExporter(context.Background(), cfg.OTLPEndpoint)
		if err != nil {
			closeTelemetry()
			st.Close()
			return nil, err
		}
		gwOpts.Tracing = exp
		closeRest := closeTelemetry
		closeTelemetry = func() { closeRest(); exp.Shutdown(context.Background()) }
	}
	if cfg.LambdaEndpoints != "" {
		if gwOpts.LambdaEndpoints, err = gateway.LoadLambdaEndpoints(cfg.LambdaEndpoints); err != nil {
			closeTelemetry()
			st.Close()
			return nil, err
		}
	}
	gwOpts.AWSCredentials = gateway.AWSCredentialsFromEnv()
	if err := authzOptions(cfg, &gwOpts); err != nil {
		closeTelemetry()
		st.Close()
		return nil, err
	}
	if cfg.AWSEndpoints != "" {
		if gwOpts.AWSEndpoints, err = gateway.LoadAWSEndpoints(cfg.AWSEndpoints); err != nil {
			closeTelemetry()
			st.Close()
			return nil, err
		}
	}
	gw, err := gateway.New(st, gwOpts)
	if err != nil {
		closeTelemetry()
		st.Close()
		return nil, err
	}
	svc.Flusher = gw
	svc.Authorizers = gw
	svc.TestInvoker = gw
	g, err := newGuard(cfg)
	if err != nil {
		gw.Close()
		closeTelemetry()
		st.Close()
		return nil, err
	}
	svc.Meter = gw // get-usage and update-usage see the data plane's quota counters
	front := &frontdoor.Handler{
		Invoke:       gw,
		Domains:      gw,
		ControlAPI:   controlapi.New(svc),
		CloudControl: cloudcontrol.New(svc),
		Logs:         logsapi.New(logs, svc.Region),
		CloudWatch:   cwapi.New(cw),
		Metrics:      reg.Handler(),
	}
	// The console reads through the control API handler and the browser
	// writes through the same routes: one write path.
	front.Console = console.New(console.Options{API: front.ControlAPI, Region: svc.Region, Metrics: cw, Auth: g})
	guardManagement(g, front)
	return &App{Store: st, Service: svc, Gateway: gw, Logs: logs, Metrics: reg, Recorder: rec, CloudWatch: cw, Tracing: gwOpts.Tracing, front: front}, nil
}

// Handler returns the top-level HTTP handler.
func (a *App) Handler() http.Handler { return a.front }

// DataPlaneHandler returns the handler of a data-plane-only listener
// (serve --gateway-listen): invoke URLs and health, nothing else.
func (a *App) DataPlaneHandler() http.Handler { return a.front.DataPlane() }

// SetReady makes the health check answer 200.
func (a *App) SetReady() { a.front.SetReady(true) }

// Close releases everything New opened.
func (a *App) Close() error {
	// The gateway stops recording first; the recorder then writes what
	// is queued before the log store closes.
	err := errors.Join(a.Gateway.Close(), a.Recorder.Close(), a.Logs.Close(), a.CloudWatch.Close(), a.Store.Close())
	if a.Tracing != nil {
		// Queued spans are sent (bounded by the exporter's timeout).
		err = errors.Join(err, a.Tracing.Shutdown(context.Background()))
	}
	return err
}
