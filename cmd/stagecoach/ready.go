package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/stagecoach/stagecoach/internal/server"
)

// readyInfo is what a person needs once the gateway listens.
type readyInfo struct {
	Version string
	// Endpoint is the URL to give the AWS CLI or SDKs (--endpoint-url).
	Endpoint string
	// Console is the browser console's URL.
	Console string
	// DataDir is the data directory, absolute.
	DataDir string
	// DataPlane is the --gateway-listen listener, "" without one.
	DataPlane string
	// DeveloperMode is true while requests are not authenticated; Mode
	// says so in words.
	DeveloperMode bool
	Mode          string
}

// newReadyInfo describes a gateway started with cfg and listening on addr.
func newReadyInfo(cfg server.Config, addr net.Addr) readyInfo {
	endpoint := "http://" + dialable(addr)
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		dir = cfg.DataDir
	}
	dev, mode := authMode(cfg)
	return readyInfo{
		Version:       version,
		Endpoint:      endpoint,
		Console:       endpoint + "/console/",
		DataDir:       dir,
		DeveloperMode: dev,
		Mode:          mode,
	}
}

// authMode says whether management requests are authenticated: with
// --credentials they must be SigV4-signed by one of the file's keys;
// without, developer mode.
func authMode(cfg server.Config) (developer bool, words string) {
	if cfg.Credentials != "" {
		return false, "credentials from " + cfg.Credentials + ": management requests must be SigV4-signed by one of its keys"
	}
	return true, "developer mode (no --credentials): requests are not authenticated, any SigV4 credentials are accepted"
}

// dialable is addr as a client would dial it: an unspecified listen
// address (0.0.0.0, [::]) is reached on loopback.
func dialable(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// announceReady tells the operator the gateway is up: a few aligned lines
// on a terminal, one structured log record otherwise (the record is what
// scripts and log collectors parse).
func announceReady(w io.Writer, logger *slog.Logger, tty bool, info readyInfo) {
	if !tty {
		attrs := []any{"endpoint", info.Endpoint, "console", info.Console, "data_dir", info.DataDir,
			"developer_mode", info.DeveloperMode, "mode", info.Mode, "version", info.Version}
		if info.DataPlane != "" {
			attrs = append(attrs, "data_plane", info.DataPlane)
		}
		logger.Info("stagecoach ready", attrs...)
		return
	}
	fmt.Fprintf(w, "\nStagecoach %s is ready.\n\n", info.Version)
	fmt.Fprintf(w, "  Endpoint     %s\n", info.Endpoint)
	fmt.Fprintf(w, "               aws --endpoint-url %s apigateway get-rest-apis\n", info.Endpoint)
	fmt.Fprintf(w, "  Console      %s\n", info.Console)
	if info.DataPlane != "" {
		fmt.Fprintf(w, "  Data plane   %s\n", info.DataPlane)
	}
	fmt.Fprintf(w, "  Data         %s\n", info.DataDir)
	fmt.Fprintf(w, "  Mode         %s\n\n", info.Mode)
	fmt.Fprintln(w, "Press Ctrl+C to stop.")
}

// isTerminal reports whether w is a character device (a terminal), using
// only the standard library.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
