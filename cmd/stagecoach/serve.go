package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/stagecoach/stagecoach/internal/httpguard"
	"github.com/stagecoach/stagecoach/internal/server"
)

// serve runs the gateway until ctx is done or SIGINT/SIGTERM arrives.
// Logs go to stderr: text on a terminal, JSON lines otherwise.
func serve(ctx context.Context, o serveOptions, stderr io.Writer) error {
	lvl, _ := parseLogLevel(o.logLevel) // validated by parseServe
	tty := isTerminal(stderr)
	var h slog.Handler
	if tty {
		h = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl})
	} else {
		h = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: lvl})
	}
	logger := slog.New(h)
	slog.SetDefault(logger)

	cfg := o.cfg
	if err := o.security.check(&cfg, [][2]string{{cfg.Listen, "--listen"}, {o.gatewayListen, "--gateway-listen"}}); err != nil {
		return err
	}
	app, err := server.New(cfg)
	if err != nil {
		return err
	}
	defer app.Close()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	mainCap, dataCap := connectionCaps(o.maxMainConns, o.maxConns, o.gatewayListen != "")
	mainTLS, err := tlsConfig(o.tlsCert, o.tlsKey)
	if err != nil {
		ln.Close()
		return fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	errorLog := slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	mainLimits := o.limits
	mainLimits.MaxConnections = mainCap
	var servers []httpServer
	var listeners []net.Listener
	add := func(ss []httpguard.Served) {
		for _, s := range ss {
			servers, listeners = append(servers, s.Server), append(listeners, s.Listener)
		}
	}
	add(mainLimits.Serve("nethttp", app.Handler(), ln, mainTLS, errorLog))
	var dataPlane string
	if o.gatewayListen != "" {
		gln, err := net.Listen("tcp", o.gatewayListen)
		if err != nil {
			ln.Close()
			return err
		}
		gwTLS, err := tlsConfig(o.gatewayTLSCert, o.gatewayTLSKey)
		if err != nil {
			ln.Close()
			gln.Close()
			return fmt.Errorf("--gateway-tls-cert/--gateway-tls-key: %w", err)
		}
		dataLimits := o.limits
		dataLimits.MaxConnections = dataCap
		add(dataLimits.Serve(o.gatewayServer, app.DataPlaneHandler(), gln, gwTLS, errorLog))
		dataPlane = scheme(gwTLS) + dialable(gln.Addr()) + " (" + o.gatewayServer + ")"
	}
	slog.Debug("connection caps", "main", mainCap, "data_plane", dataCap)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	errc := make(chan error, len(servers))
	for i, s := range servers {
		go func() { errc <- s.Serve(listeners[i]) }()
	}
	app.SetReady()
	info := newReadyInfo(cfg, ln.Addr())
	if mainTLS != nil {
		info.Endpoint = strings.Replace(info.Endpoint, "http://", "https://", 1)
		info.Console = strings.Replace(info.Console, "http://", "https://", 1)
	}
	info.DataPlane = dataPlane
	announceReady(stderr, logger, tty, info)
	if o.onReady != nil {
		o.onReady(info)
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

func parseLogLevel(s string) (slog.Level, error) {
	var lvl slog.Level
	err := lvl.UnmarshalText([]byte(s))
	return lvl, err
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

// tlsConfig loads a listener's certificate; nil without one.
func tlsConfig(cert, key string) (*tls.Config, error) {
	if cert == "" {
		return nil, nil
	}
	return httpguard.TLSConfig(cert, key)
}

func scheme(c *tls.Config) string {
	if c != nil {
		return "https://"
	}
	return "http://"
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
