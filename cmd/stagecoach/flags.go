package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/internal/httpguard"
	"github.com/stagecoach/stagecoach/internal/server"
)

// serveOptions is everything `stagecoach serve` was asked to do.
type serveOptions struct {
	cfg           server.Config
	logLevel      string
	gatewayListen string
	gatewayServer string
	limits        httpguard.Limits
	maxConns      int
	maxMainConns  int
	// TLS certificate and key files (PEM) of the main and the
	// data-plane listener; both of a pair or neither.
	tlsCert, tlsKey, gatewayTLSCert, gatewayTLSKey string
	security                                       securityFlags

	// onReady, when set, is called once every listener accepts
	// connections (tests wait on it instead of polling).
	onReady func(readyInfo)
}

// newServeFlags declares serve's flags into o. The flag set prints
// nothing itself: parseServe decides where usage and errors go.
func newServeFlags(o *serveOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := &o.cfg
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:4566", "address to listen on (port 0 picks a free port; the ready message names it)")
	fs.StringVar(&cfg.DataDir, "data-dir", "./.stagecoach", "directory for the embedded database")
	fs.StringVar(&cfg.Store, "store", os.Getenv("STAGECOACH_STORE"), "postgres://… URL of a PostgreSQL database shared by a cluster of nodes (env STAGECOACH_STORE); empty: the embedded SQLite database in --data-dir")
	fs.StringVar(&cfg.Region, "region", envOr("AWS_REGION", "us-east-1"), "region reported in ARNs")
	fs.StringVar(&cfg.LambdaEndpoints, "lambda-endpoints", "", "file mapping Lambda function ARNs or names to local runtime URLs (JSON object)")
	fs.StringVar(&cfg.CognitoJWKS, "cognito-jwks", "", "file mapping Cognito user pool ids or ARNs to their JWKS (file path or URL), for COGNITO_USER_POOLS authorizers (JSON object)")
	fs.StringVar(&cfg.AWSEndpoints, "aws-endpoints", "", "file mapping AWS service names to local endpoints for type AWS integrations (JSON object, e.g. {\"sqs\": \"http://127.0.0.1:9324\"}); calls are signed with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
	fs.BoolVar(&cfg.LogStdout, "log-stdout", false, "also write every execution and access log line to stdout as a JSON line")
	fs.Int64Var(&cfg.CacheBytesPerGB, "cache-bytes-per-gb", 16<<20, "bytes of memory a stage cache gets per GB of cacheClusterSize (16 MiB: \"237\" is 3.7 GiB; 1073741824 for AWS's sizes)")
	fs.Float64Var(&cfg.AccountRateLimit, "account-rate-limit", 0, "account-level throttle rate in requests/s, reported by get-account (0: keep the stored value, AWS's default 10000)")
	fs.IntVar(&cfg.AccountBurstLimit, "account-burst-limit", 0, "account-level throttle burst, reported by get-account (0: keep the stored value, AWS's default 5000)")
	fs.StringVar(&cfg.OTLPEndpoint, "otlp-endpoint", "", "export the spans of stages with tracingEnabled over OTLP/HTTP (protobuf) to this URL, e.g. http://127.0.0.1:4318")
	fs.Float64Var(&cfg.TraceSampleRate, "trace-sample-rate", 0.05, "share (0..1) of traced requests sampled when the caller's X-Amzn-Trace-Id does not decide")
	fs.DurationVar(&cfg.MetricsRetention, "metrics-retention", 15*24*time.Hour, "how long CloudWatch metrics (one-minute aggregates in {data-dir}/metrics.db) are kept")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&o.gatewayListen, "gateway-listen", "", "also serve the data plane alone (invoke URLs and health, no management APIs) on this address")
	fs.StringVar(&o.gatewayServer, "gateway-server", defaultGatewayServer, "HTTP server of the --gateway-listen listener: h1serve (lean HTTP/1.1 server) or nethttp (net/http)")
	o.security.register(fs, cfg)
	l := &o.limits
	fs.DurationVar(&l.ReadHeaderTimeout, "read-header-timeout", httpguard.DefaultReadHeaderTimeout, "close a connection whose request head is not complete within this (from the accept, or from the first byte on a kept-alive connection)")
	fs.DurationVar(&l.BodyTimeout, "read-body-timeout", httpguard.DefaultBodyTimeout, "answer 408 and close when a request body is not complete within this (0: no bound)")
	fs.DurationVar(&l.IdleTimeout, "idle-timeout", httpguard.DefaultIdleTimeout, "close a kept-alive connection idle for this long")
	fs.IntVar(&o.maxConns, "max-connections", 0, "cap on open connections of the data-plane listener (--gateway-listen, else the main one); 0: derived from the file-descriptor limit, -1: none")
	fs.IntVar(&o.maxMainConns, "max-main-connections", 0, "cap on open connections of the main listener when --gateway-listen is set; 0: derived from the file-descriptor limit, -1: none")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "serve the main listener over TLS (HTTP/2 and HTTP/1.1) with this PEM certificate (chain); needs --tls-key")
	fs.StringVar(&o.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.StringVar(&o.gatewayTLSCert, "gateway-tls-cert", "", "serve the --gateway-listen listener over TLS (HTTP/2 and HTTP/1.1) with this PEM certificate; needs --gateway-tls-key")
	fs.StringVar(&o.gatewayTLSKey, "gateway-tls-key", "", "PEM private key of --gateway-tls-cert")
	return fs
}

// parseServe parses serve's arguments. It returns ok=false with the exit
// status when the command should stop here: 0 after --help (usage on
// stdout), 2 after a usage error (the error and usage on stderr).
func parseServe(args []string, stdout, stderr io.Writer) (opts serveOptions, code int, ok bool) {
	fs := newServeFlags(&opts)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		serveUsage(stdout, fs)
		return opts, 0, false
	}
	if err == nil && fs.NArg() > 0 {
		// The flag package stops at the first non-flag, so every flag
		// after a stray word would be silently ignored.
		err = fmt.Errorf("unexpected argument %q: serve takes flags only", fs.Arg(0))
	}
	if err == nil {
		err = opts.validate()
	}
	if err != nil {
		fmt.Fprintln(stderr, "stagecoach serve:", err)
		serveUsage(stderr, fs)
		return opts, 2, false
	}
	return opts, 0, true
}

func serveUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "usage: stagecoach serve [flags]\n\nflags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// validate refuses flag values that parse but make no sense, before
// anything is opened or listened on.
func (o *serveOptions) validate() error {
	c := o.cfg
	if math.IsNaN(c.AccountRateLimit) || math.IsInf(c.AccountRateLimit, 0) || c.AccountRateLimit < 0 {
		return fmt.Errorf("--account-rate-limit %v: must be a number of requests per second, 0 or more (0 keeps the stored value)", c.AccountRateLimit)
	}
	if c.AccountBurstLimit < 0 {
		return fmt.Errorf("--account-burst-limit %d: must be 0 or more (0 keeps the stored value)", c.AccountBurstLimit)
	}
	if !(c.TraceSampleRate >= 0 && c.TraceSampleRate <= 1) {
		return fmt.Errorf("--trace-sample-rate %v: must be between 0 and 1", c.TraceSampleRate)
	}
	if c.MetricsRetention < 24*time.Hour {
		return fmt.Errorf("--metrics-retention %v: must be at least 24h", c.MetricsRetention)
	}
	if c.CacheBytesPerGB <= 0 {
		return fmt.Errorf("--cache-bytes-per-gb %d: must be more than 0 (bytes of memory per GB of cacheClusterSize)", c.CacheBytesPerGB)
	}
	if strings.TrimSpace(c.Listen) == "" {
		return errors.New("--listen: an address is needed, such as 127.0.0.1:4566")
	}
	if c.Store != "" && !server.IsPostgresURL(c.Store) {
		return fmt.Errorf("--store %q: must be a postgres:// or postgresql:// URL (empty: embedded SQLite)", c.Store)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return errors.New("--data-dir: a directory is needed")
	}
	if o.limits.ReadHeaderTimeout <= 0 {
		return fmt.Errorf("--read-header-timeout %v: must be more than 0", o.limits.ReadHeaderTimeout)
	}
	if o.limits.BodyTimeout < 0 {
		return fmt.Errorf("--read-body-timeout %v: must be 0 (no bound) or more", o.limits.BodyTimeout)
	}
	if o.limits.IdleTimeout <= 0 {
		return fmt.Errorf("--idle-timeout %v: must be more than 0", o.limits.IdleTimeout)
	}
	if o.maxConns < -1 {
		return fmt.Errorf("--max-connections %d: must be -1 (no cap), 0 (derived) or more", o.maxConns)
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if (o.gatewayTLSCert == "") != (o.gatewayTLSKey == "") {
		return fmt.Errorf("--gateway-tls-cert and --gateway-tls-key go together")
	}
	if o.gatewayTLSCert != "" && o.gatewayListen == "" {
		return fmt.Errorf("--gateway-tls-cert needs --gateway-listen")
	}
	if o.maxMainConns < -1 {
		return fmt.Errorf("--max-main-connections %d: must be -1 (no cap), 0 (derived) or more", o.maxMainConns)
	}
	if o.gatewayServer != "h1serve" && o.gatewayServer != "nethttp" {
		return fmt.Errorf("--gateway-server: %q is neither h1serve nor nethttp", o.gatewayServer)
	}
	if _, err := parseLogLevel(o.logLevel); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	return nil
}
