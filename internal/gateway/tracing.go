package gateway

import (
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/stagecoach/stagecoach/internal/telemetry/tracing"
)

// Tracing (tracingEnabled on the stage): every request of such a stage
// gets an X-Amzn-Trace-Id — the caller's trace continued when its header
// has a valid Root (its Sampled=0/1 honoured), else a new one sampled at
// Options.TraceSampleRate — which is passed to HTTP backends (HTTP_PROXY
// forwards the request's headers; HTTP and Lambda calls add it), put in
// the Lambda proxy event's headers, filled into $context.xrayTraceId and
// returned to the caller. With an exporter (serve --otlp-endpoint),
// sampled requests also leave spans: "stage" around the method's
// pipeline, and "authorizer", "cache" and "integration" around those
// steps (each covers the steps inside it), with API, stage, method,
// resource and status attributes. Without an exporter a request pays for
// the header only; stages without tracing pay nothing (no step).

// traceStep starts the request's trace; it is the outermost step.
func (c *compiler) traceStep(v *variant, m *method) step {
	g := c.g
	rate := g.opts.TraceSampleRate
	exp := g.opts.Tracing
	attrs := []attribute.KeyValue{
		attribute.String("aws.api_gateway.rest_api_id", v.apiID),
		attribute.String("aws.api_gateway.stage", v.stageName),
		attribute.String("http.request.method", m.verb),
		attribute.String("aws.api_gateway.resource", m.resourcePath),
	}
	return func(next handler) handler {
		return func(inv *invocation) {
			r := inv.r
			inv.trace = tracing.Continue(r.Header.Get(tracing.HeaderName), inv.start, rate)
			inv.traced = true
			// Downstream (HTTP_PROXY forwards these headers; the Lambda
			// event lists them) the gateway's segment is the parent.
			r.Header[tracing.HeaderName] = []string{inv.trace.Header()}
			inv.w.Header()[tracing.HeaderName] = []string{inv.trace.ResponseHeader()}
			if exp == nil || !inv.trace.Sampled {
				next(inv)
				return
			}
			ctx, span := exp.StartRequest(r.Context(), &inv.trace, attrs...)
			inv.spanCtx = ctx
			next(inv)
			endSpan(span, inv)
		}
	}
}

// spanStep wraps the rest of the pipeline in a child span named name;
// it costs a nil check when the request is not exported.
func (c *compiler) spanStep(name string) step {
	exp := c.g.opts.Tracing
	return func(next handler) handler {
		return func(inv *invocation) {
			parent := inv.spanCtx
			if parent == nil {
				next(inv)
				return
			}
			ctx, span := exp.Start(parent, name)
			inv.spanCtx = ctx
			next(inv)
			inv.spanCtx = parent
			endSpan(span, inv)
		}
	}
}

// endSpan notes the response status on span and ends it.
func endSpan(span trace.Span, inv *invocation) {
	status := inv.obs.rw.status
	if status == 0 {
		status = http.StatusOK
	}
	span.SetAttributes(attribute.Int("http.response.status_code", status))
	if status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	span.End()
}

// traceHeader is the X-Amzn-Trace-Id integrations add to their backend
// calls; empty when the stage does not trace.
func (inv *invocation) traceHeader() string {
	if !inv.traced {
		return ""
	}
	return inv.r.Header.Get(tracing.HeaderName)
}

// xrayTraceID is $context.xrayTraceId.
func (inv *invocation) xrayTraceID() string {
	if !inv.traced {
		return ""
	}
	return inv.trace.Root
}
