package gateway

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// defaultTimeout is timeoutInMillis when the integration does not set it.
const defaultTimeout = 29 * time.Second

// integration compiles a method's integration into the handler at the end
// of its pipeline. A configuration this build cannot serve compiles into a
// handler answering 500 Internal server error, with a warning logged now,
// so one bad method never stops the rest of the stage from serving.
func (c *compiler) integration(v *variant, m *method, am *apigw.Method) handler {
	in := am.MethodIntegration
	if in == nil {
		c.warn(v, m, "method has no integration")
		return serveConfigurationError
	}
	var (
		h    handler
		errs []error
	)
	switch in.Type {
	case apigw.IntegrationHTTPProxy:
		h, errs = c.httpProxy(v, in)
	case apigw.IntegrationHTTP:
		h, errs = c.httpIntegration(v, am, in)
	case apigw.IntegrationMock:
		h, errs = c.mock(v, am, in)
	case apigw.IntegrationAWS:
		h, errs = c.awsIntegration(v, m, am, in)
	case apigw.IntegrationAWSProxy:
		h, errs = c.lambdaProxy(v, m, in)
	default:
		c.warn(v, m, "integration type not supported by this build", "type", in.Type)
		return serveConfigurationError
	}
	for _, err := range errs {
		c.warn(v, m, "integration configuration problem", "type", in.Type, "error", err)
	}
	if h == nil {
		return serveConfigurationError
	}
	return h
}

func serveConfigurationError(inv *invocation) { respConfigurationError.write(inv) }

func timeoutOf(in *apigw.Integration) time.Duration {
	if in.TimeoutInMillis <= 0 {
		return defaultTimeout
	}
	return time.Duration(in.TimeoutInMillis) * time.Millisecond
}

// readBody reads the whole request body; the payload limit was enforced
// up front for known lengths and by http.MaxBytesReader otherwise.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	return io.ReadAll(r.Body)
}

// writeBackendError answers a failed backend call: 413 if the client's
// body was over the limit, 504 if the integration timeout expired, 502
// otherwise. It reports whether anything was written (a client that went
// away gets nothing).
func (g *Gateway) writeBackendError(inv *invocation, ctx context.Context, err error, what string) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		respRequestTooLarge.write(inv)
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		inv.integrationFailed(err.Error())
		respIntegrationTimeout.write(inv)
	case inv.r.Context().Err() != nil:
		// The client went away; nobody is listening.
	default:
		g.log.Warn("data plane: integration failed", "what", what, "rest_api_id", inv.variant.apiID,
			"stage", inv.variant.stageName, "resource", inv.method.resourcePath, "method", inv.r.Method,
			"request_id", inv.requestID(), "error", err)
		inv.integrationFailed(err.Error())
		respIntegrationFailure.write(inv)
	}
}
