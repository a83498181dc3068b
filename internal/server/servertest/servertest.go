// Package servertest starts a whole Stagecoach in-process for tests, on a
// real loopback listener with a fresh data directory, and hands out real
// aws-sdk-go-v2 clients pointed at it.
package servertest

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/stagecoach/stagecoach/internal/h1serve"
	"github.com/stagecoach/stagecoach/internal/server"
)

// Env is a running gateway.
type Env struct {
	URL string
	App *server.App
	// Server is the net/http test server; nil when the env runs on
	// h1serve (see HTTPServerEnv).
	Server  *httptest.Server
	DataDir string
}

// HTTPServerEnv names the environment variable that picks the HTTP server
// every Start serves the whole gateway with: "nethttp" (default) or
// "h1serve", the data plane's lean server. A package's whole suite can so
// run against either, e.g.
//
//	STAGECOACH_TEST_HTTP_SERVER=h1serve go test ./internal/gateway/
const HTTPServerEnv = "STAGECOACH_TEST_HTTP_SERVER"

// Options are Start's optional settings.
type Options struct {
	// HTTPServer is "nethttp" or "h1serve"; empty means the
	// HTTPServerEnv variable, else "nethttp".
	HTTPServer string
}

// Start starts a gateway that is stopped when the test ends. cfg may be
// nil; Listen and DataDir are filled in.
func Start(t testing.TB, cfg *server.Config) *Env {
	t.Helper()
	return StartWith(t, cfg, Options{})
}

// StartWith is Start with options.
func StartWith(t testing.TB, cfg *server.Config, opts Options) *Env {
	t.Helper()
	var c server.Config
	if cfg != nil {
		c = *cfg
	}
	if c.DataDir == "" {
		c.DataDir = t.TempDir()
	}
	kind := opts.HTTPServer
	if kind == "" {
		kind = os.Getenv(HTTPServerEnv)
	}
	app, err := server.New(c)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	app.SetReady()
	switch kind {
	case "", "nethttp":
		ts := httptest.NewServer(app.Handler())
		t.Cleanup(func() {
			ts.Close()
			app.Close()
		})
		return &Env{URL: ts.URL, App: app, Server: ts, DataDir: c.DataDir}
	case "h1serve":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			app.Close()
			t.Fatalf("listen: %v", err)
		}
		hs := &h1serve.Server{Handler: app.Handler()}
		go hs.Serve(ln)
		t.Cleanup(func() {
			hs.Close()
			app.Close()
		})
		return &Env{URL: "http://" + ln.Addr().String(), App: app, DataDir: c.DataDir}
	default:
		app.Close()
		t.Fatalf("servertest: unknown HTTP server %q (want nethttp or h1serve)", kind)
		return nil
	}
}

// AWSConfig returns an SDK config with static test credentials.
func (e *Env) AWSConfig() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(e.URL),
	}
}

// AWSConfigFor returns an SDK config signing with the given key (for a
// gateway started with server.Config.Credentials).
func (e *Env) AWSConfigFor(accessKeyID, secret string) aws.Config {
	c := e.AWSConfig()
	c.Credentials = credentials.NewStaticCredentialsProvider(accessKeyID, secret, "")
	return c
}

// CredentialsFile writes an AWS shared-credentials file with one
// [profile] section per name → {key, secret} and returns its path, for
// server.Config.Credentials.
func CredentialsFile(t testing.TB, keys map[string][2]string) string {
	t.Helper()
	var b strings.Builder
	for profile, k := range keys {
		fmt.Fprintf(&b, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n", profile, k[0], k[1])
	}
	p := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// APIGateway returns an API Gateway client for the env.
func (e *Env) APIGateway() *apigateway.Client {
	return apigateway.NewFromConfig(e.AWSConfig())
}

// CloudControl returns a Cloud Control client for the env.
func (e *Env) CloudControl() *cloudcontrol.Client {
	return cloudcontrol.NewFromConfig(e.AWSConfig())
}

// CloudWatch returns a CloudWatch (metrics) client for the env; it
// speaks Smithy RPC v2 CBOR.
func (e *Env) CloudWatch() *cloudwatch.Client {
	return cloudwatch.NewFromConfig(e.AWSConfig())
}

// Ctx returns a context for SDK calls.
func Ctx() context.Context { return context.Background() }
