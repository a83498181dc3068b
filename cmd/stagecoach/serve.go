package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/stagecoach/stagecoach/internal/h1serve"
	"github.com/stagecoach/stagecoach/internal/server"
)

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg := server.Config{}
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:4566", "address to listen on")
	fs.StringVar(&cfg.DataDir, "data-dir", "./.stagecoach", "directory for the embedded database")
	fs.StringVar(&cfg.Region, "region", envOr("AWS_REGION", "us-east-1"), "region reported in ARNs")
	fs.StringVar(&cfg.LambdaEndpoints, "lambda-endpoints", "", "file mapping Lambda function ARNs or names to local runtime URLs (JSON object)")
	fs.BoolVar(&cfg.LogStdout, "log-stdout", false, "also write every execution and access log line to stdout as a JSON line")
	fs.Int64Var(&cfg.CacheBytesPerGB, "cache-bytes-per-gb", 16<<20, "bytes of memory a stage cache gets per GB of cacheClusterSize (16 MiB: \"237\" is 3.7 GiB; 1073741824 for AWS's sizes)")
	fs.Float64Var(&cfg.AccountRateLimit, "account-rate-limit", 0, "account-level throttle rate in requests/s, reported by get-account (0: keep the stored value, AWS's default 10000)")
	fs.IntVar(&cfg.AccountBurstLimit, "account-burst-limit", 0, "account-level throttle burst, reported by get-account (0: keep the stored value, AWS's default 5000)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	gatewayListen := fs.String("gateway-listen", "", "also serve the data plane alone (invoke URLs and health, no management APIs) on this address")
	gatewayServer := fs.String("gateway-server", defaultGatewayServer, "HTTP server of the --gateway-listen listener: h1serve (lean HTTP/1.1 server) or nethttp (net/http)")
	var sec securityFlags
	sec.register(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := sec.check(&cfg, [][2]string{{cfg.Listen, "--listen"}, {*gatewayListen, "--gateway-listen"}}); err != nil {
		return err
	}
	if *gatewayServer != "h1serve" && *gatewayServer != "nethttp" {
		return fmt.Errorf("--gateway-server: %q is neither h1serve nor nethttp", *gatewayServer)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	slog.SetDefault(logger)

	app, err := server.New(cfg)
	if err != nil {
		return err
	}
	defer app.Close()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	servers := []httpServer{newHTTPServer("nethttp", app.Handler(), logger)}
	listeners := []net.Listener{ln}
	if *gatewayListen != "" {
		gln, err := net.Listen("tcp", *gatewayListen)
		if err != nil {
			ln.Close()
			return err
		}
		servers = append(servers, newHTTPServer(*gatewayServer, app.DataPlaneHandler(), logger))
		listeners = append(listeners, gln)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	errc := make(chan error, len(servers))
	for i, s := range servers {
		go func() { errc <- s.Serve(listeners[i]) }()
	}
	app.SetReady()
	slog.Info("stagecoach listening", "addr", ln.Addr().String(), "data_dir", cfg.DataDir, "version", version)
	if len(listeners) > 1 {
		slog.Info("data plane listening", "addr", listeners[1].Addr().String(), "server", *gatewayServer)
	}

	err = nil
	select {
	case err = <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	case <-ctx.Done():
		slog.Info("shutting down")
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, s := range servers {
		err = errors.Join(err, s.Shutdown(shutdownCtx))
	}
	return err
}

// httpServer is what *http.Server and *h1serve.Server have in common.
type httpServer interface {
	Serve(net.Listener) error
	Shutdown(context.Context) error
}

// defaultGatewayServer is the --gateway-server default: the server that
// measured faster on the data plane. h1serve vs net/http in one run of
// each script (wrk and servers on separate cores), before the prepared-
// response work: cache hits 111k vs 65k req/s (8.9 vs 15.2 us CPU per
// request), HTTP_PROXY 28.5k vs 22.7k, 429s 82k vs 55k per second. With
// prepared responses (h1serve only), cache hits reached 1.11x nginx's
// proxy_cache (6.6 vs 7.5 us CPU per request); see bench/*.sh.
const defaultGatewayServer = "h1serve"

// newHTTPServer returns a listener's server: "h1serve" or "nethttp"
// (the main listener is always nethttp), both with the same timeouts.
func newHTTPServer(kind string, h http.Handler, logger *slog.Logger) httpServer {
	errorLog := slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	if kind == "h1serve" {
		return &h1serve.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          errorLog,
		}
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          errorLog,
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
