// Package servertest starts a whole Stagecoach in-process for tests, on a
// real loopback listener with a fresh data directory, and hands out real
// aws-sdk-go-v2 clients pointed at it.
package servertest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"

	"github.com/stagecoach/stagecoach/internal/server"
)

// Env is a running gateway.
type Env struct {
	URL     string
	App     *server.App
	Server  *httptest.Server
	DataDir string
}

// Start starts a gateway that is stopped when the test ends. cfg may be
// nil; Listen and DataDir are filled in.
func Start(t testing.TB, cfg *server.Config) *Env {
	t.Helper()
	var c server.Config
	if cfg != nil {
		c = *cfg
	}
	if c.DataDir == "" {
		c.DataDir = t.TempDir()
	}
	app, err := server.New(c)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	app.SetReady()
	ts := httptest.NewServer(app.Handler())
	t.Cleanup(func() {
		ts.Close()
		app.Close()
	})
	return &Env{URL: ts.URL, App: app, Server: ts, DataDir: c.DataDir}
}

// AWSConfig returns an SDK config with static test credentials.
func (e *Env) AWSConfig() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(e.URL),
	}
}

// APIGateway returns an API Gateway client for the env.
func (e *Env) APIGateway() *apigateway.Client {
	return apigateway.NewFromConfig(e.AWSConfig())
}

// CloudControl returns a Cloud Control client for the env.
func (e *Env) CloudControl() *cloudcontrol.Client {
	return cloudcontrol.NewFromConfig(e.AWSConfig())
}

// Ctx returns a context for SDK calls.
func Ctx() context.Context { return context.Background() }
