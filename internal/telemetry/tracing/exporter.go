package tracing

import (
	"context"
	"encoding/hex"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Exporter sends spans to an OTLP/HTTP (protobuf) endpoint through the
// OpenTelemetry SDK's batch processor: a request only records its spans
// in memory; export happens off the request path, and the processor's
// bounded queue drops (rather than blocks) when the endpoint is slow.
type Exporter struct {
	tp     *sdktrace.TracerProvider
	tracer trace.Tracer
}

// NewExporter exports to endpoint, a URL such as
// http://127.0.0.1:4318 (the path /v1/traces is added when absent).
func NewExporter(ctx context.Context, endpoint string) (*Exporter, error) {
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpointURL(endpoint)))
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		// Sampling is decided per request from X-Amzn-Trace-Id (Continue);
		// only sampled requests start spans.
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithIDGenerator(idGenerator{}),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "stagecoach"))),
	)
	return &Exporter{tp: tp, tracer: tp.Tracer("github.com/stagecoach/stagecoach/gateway")}, nil
}

func endpointURL(e string) string {
	if len(e) > 0 && e[len(e)-1] == '/' {
		e = e[:len(e)-1]
	}
	if len(e) < 10 || e[len(e)-10:] != "/v1/traces" {
		e += "/v1/traces"
	}
	return e
}

// Shutdown flushes what is queued and stops the exporter.
func (e *Exporter) Shutdown(ctx context.Context) error { return e.tp.Shutdown(ctx) }

// ForceFlush exports what is queued now (tests).
func (e *Exporter) ForceFlush(ctx context.Context) error { return e.tp.ForceFlush(ctx) }

type rootKey struct{}

// StartRequest starts a request's root span ("stage") in tc's trace,
// child of the caller's segment when it sent one.
func (e *Exporter) StartRequest(ctx context.Context, tc *Context, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	tid, _ := trace.TraceIDFromHex(TraceIDHex(tc.Root))
	if caller, err := trace.SpanIDFromHex(tc.Caller); err == nil {
		ctx = trace.ContextWithRemoteSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: tid, SpanID: caller, TraceFlags: trace.FlagsSampled, Remote: true}))
	} else {
		// No parent: the id generator takes the trace id from here.
		ctx = context.WithValue(ctx, rootKey{}, tid)
	}
	sid, _ := trace.SpanIDFromHex(tc.Parent)
	ctx = context.WithValue(ctx, spanKey{}, sid)
	return e.tracer.Start(ctx, "stage", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
}

type spanKey struct{}

// Start starts a child span of the one in ctx.
func (e *Exporter) Start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	// Children get random span ids (the request's was fixed by StartRequest).
	ctx = context.WithValue(ctx, spanKey{}, trace.SpanID{})
	return e.tracer.Start(ctx, name, trace.WithAttributes(attrs...))
}

// idGenerator gives a new root span the X-Ray trace id, and the
// request's root span the id passed downstream as Parent, so backends see
// the span that called them.
type idGenerator struct{}

func (idGenerator) NewIDs(ctx context.Context) (trace.TraceID, trace.SpanID) {
	tid, _ := ctx.Value(rootKey{}).(trace.TraceID)
	if !tid.IsValid() {
		h, _ := hex.DecodeString(TraceIDHex(NewRoot(timeNow())))
		copy(tid[:], h)
	}
	return tid, idGenerator{}.NewSpanID(ctx, tid)
}

func (idGenerator) NewSpanID(ctx context.Context, _ trace.TraceID) trace.SpanID {
	if sid, ok := ctx.Value(spanKey{}).(trace.SpanID); ok && sid.IsValid() {
		return sid
	}
	sid, _ := trace.SpanIDFromHex(NewSpanID())
	return sid
}
