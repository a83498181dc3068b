package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestRunArguments runs the command's main logic as a shell would, for
// every way of calling it that must stop before anything is opened or
// listened on.
func TestRunArguments(t *testing.T) {
	for _, c := range []struct {
		name       string
		args       []string
		code       int
		stdout     string // substring; "" means stdout must be empty
		stderr     string // substring; "" means stderr must be empty
		notStderr  string
		notStdout  string
		serveUsage bool
	}{
		{name: "no command", args: nil, code: 2, stderr: "usage:"},
		{name: "unknown command", args: []string{"start"}, code: 2, stderr: `unknown command "start"`},
		{name: "version", args: []string{"version"}, code: 0, stdout: "stagecoach dev\n"},
		{name: "--version", args: []string{"--version"}, code: 0, stdout: "stagecoach dev\n"},
		{name: "-version", args: []string{"-version"}, code: 0, stdout: "stagecoach dev\n"},
		{name: "-v", args: []string{"-v"}, code: 0, stdout: "stagecoach dev\n"},
		{name: "help", args: []string{"help"}, code: 0, stdout: "stagecoach serve [flags]"},
		{name: "--help", args: []string{"--help"}, code: 0, stdout: "stagecoach serve [flags]"},

		{name: "serve --help", args: []string{"serve", "--help"}, code: 0, stdout: "usage: stagecoach serve [flags]", notStdout: "help requested"},
		{name: "serve -h", args: []string{"serve", "-h"}, code: 0, stdout: "-listen string"},
		{name: "serve stray argument", args: []string{"serve", "extra-arg", "--listen", "127.0.0.1:1"}, code: 2,
			stderr: `stagecoach serve: unexpected argument "extra-arg": serve takes flags only`, serveUsage: true},
		{name: "serve stray argument after flags", args: []string{"serve", "--listen", "127.0.0.1:1", "now"}, code: 2,
			stderr: `unexpected argument "now"`},
		{name: "serve unknown flag", args: []string{"serve", "--port", "80"}, code: 2,
			stderr: "flag provided but not defined: -port", serveUsage: true},
		{name: "serve bad number", args: []string{"serve", "--account-burst-limit", "lots"}, code: 2,
			stderr: `invalid value "lots" for flag -account-burst-limit`},
		{name: "negative account rate", args: []string{"serve", "--account-rate-limit", "-5"}, code: 2,
			stderr: "--account-rate-limit -5: must be a number of requests per second, 0 or more"},
		{name: "NaN account rate", args: []string{"serve", "--account-rate-limit", "NaN"}, code: 2,
			stderr: "--account-rate-limit NaN: must be a number"},
		{name: "infinite account rate", args: []string{"serve", "--account-rate-limit", "+Inf"}, code: 2,
			stderr: "--account-rate-limit +Inf: must be a number"},
		{name: "negative account burst", args: []string{"serve", "--account-burst-limit", "-1"}, code: 2,
			stderr: "--account-burst-limit -1: must be 0 or more"},
		{name: "negative cache bytes", args: []string{"serve", "--cache-bytes-per-gb", "-1"}, code: 2,
			stderr: "--cache-bytes-per-gb -1: must be more than 0"},
		{name: "zero cache bytes", args: []string{"serve", "--cache-bytes-per-gb", "0"}, code: 2,
			stderr: "--cache-bytes-per-gb 0: must be more than 0"},
		{name: "negative max connections", args: []string{"serve", "--max-connections", "-2"}, code: 2,
			stderr: "--max-connections -2: must be -1 (no cap), 0 (derived) or more"},
		{name: "zero header timeout", args: []string{"serve", "--read-header-timeout", "0s"}, code: 2,
			stderr: "--read-header-timeout 0s: must be more than 0"},
		{name: "negative body timeout", args: []string{"serve", "--read-body-timeout", "-1s"}, code: 2,
			stderr: "--read-body-timeout -1s: must be 0 (no bound) or more"},
		{name: "empty listen", args: []string{"serve", "--listen", ""}, code: 2, stderr: "--listen: an address is needed"},
		{name: "empty data dir", args: []string{"serve", "--data-dir", " "}, code: 2, stderr: "--data-dir: a directory is needed"},
		{name: "unknown gateway server", args: []string{"serve", "--gateway-server", "nginx"}, code: 2,
			stderr: `--gateway-server: "nginx" is neither h1serve nor nethttp`},
		{name: "unknown log level", args: []string{"serve", "--log-level", "loud"}, code: 2, stderr: "--log-level:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), c.args, &stdout, &stderr)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, &stdout, &stderr)
			}
			checkStream(t, "stdout", stdout.String(), c.stdout)
			checkStream(t, "stderr", stderr.String(), c.stderr)
			if c.notStdout != "" && strings.Contains(stdout.String(), c.notStdout) {
				t.Errorf("stdout has %q:\n%s", c.notStdout, &stdout)
			}
			if strings.Contains(stderr.String(), "help requested") {
				t.Errorf("stderr has flag's help-requested noise:\n%s", &stderr)
			}
			if c.serveUsage && !strings.Contains(stderr.String(), "usage: stagecoach serve [flags]") {
				t.Errorf("no serve usage on stderr:\n%s", &stderr)
			}
		})
	}
}

func checkStream(t *testing.T, name, got, want string) {
	t.Helper()
	if want == "" {
		if got != "" {
			t.Errorf("%s should be empty, got:\n%s", name, got)
		}
		return
	}
	if !strings.Contains(got, want) {
		t.Errorf("%s lacks %q:\n%s", name, want, got)
	}
}

// syncBuffer is a bytes.Buffer the server's goroutines may write to while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeAnnouncesReady starts the real server on a free port and
// checks the ready record (JSON, since stderr is not a terminal) names a
// working endpoint and console, the data directory and developer mode.
func TestServeAnnouncesReady(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	var stdout bytes.Buffer
	opts, code, ok := parseServe([]string{"--listen", "127.0.0.1:0", "--data-dir", dataDir, "--gateway-listen", "127.0.0.1:0"}, &stdout, &stdout)
	if !ok {
		t.Fatalf("parseServe: exit %d: %s", code, &stdout)
	}
	ready := make(chan readyInfo, 1)
	opts.onReady = func(i readyInfo) { ready <- i }
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- serve(ctx, opts, &stderr) }()

	var info readyInfo
	select {
	case info = <-ready:
	case err := <-done:
		t.Fatalf("serve returned before it was ready: %v\n%s", err, stderr.String())
	}
	var rec map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "stagecoach ready" {
			rec = m
		}
	}
	if rec == nil {
		t.Fatalf("no JSON ready record on stderr:\n%s", stderr.String())
	}
	if rec["endpoint"] != info.Endpoint || rec["console"] != info.Endpoint+"/console/" ||
		rec["data_dir"] != dataDir || rec["developer_mode"] != true || !strings.Contains(rec["mode"].(string), "no --credentials") ||
		!strings.HasPrefix(rec["data_plane"].(string), "http://127.0.0.1:") {
		t.Errorf("ready record = %v", rec)
	}
	for _, u := range []string{info.Endpoint + "/_stagecoach/health", info.Console} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", u, resp.StatusCode)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestReadyMessageOnTerminal checks the human-readable form.
func TestReadyMessageOnTerminal(t *testing.T) {
	var buf bytes.Buffer
	announceReady(&buf, nil, true, readyInfo{
		Version: "v1.2.3", Endpoint: "http://127.0.0.1:4566", Console: "http://127.0.0.1:4566/console/",
		DataDir: "/srv/data", DeveloperMode: true, Mode: "developer mode (no --credentials)",
		DataPlane: "http://127.0.0.1:8080 (h1serve)",
	})
	for _, want := range []string{
		"Stagecoach v1.2.3 is ready.",
		"  Endpoint     http://127.0.0.1:4566\n",
		"aws --endpoint-url http://127.0.0.1:4566 apigateway",
		"  Console      http://127.0.0.1:4566/console/\n",
		"  Data plane   http://127.0.0.1:8080 (h1serve)\n",
		"  Data         /srv/data\n",
		"  Mode         developer mode (no --credentials)\n",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("missing %q in:\n%s", want, &buf)
		}
	}
	if strings.Contains(buf.String(), "{") {
		t.Errorf("terminal output is JSON:\n%s", &buf)
	}
}

func TestDialable(t *testing.T) {
	for in, want := range map[string]string{"0.0.0.0:80": "127.0.0.1:80", "[::]:80": "127.0.0.1:80", "10.1.2.3:9": "10.1.2.3:9", "[::1]:7": "[::1]:7"} {
		addr, err := netResolve(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := dialable(addr); got != want {
			t.Errorf("dialable(%s) = %s, want %s", in, got, want)
		}
	}
}

func netResolve(s string) (*net.TCPAddr, error) { return net.ResolveTCPAddr("tcp", s) }
