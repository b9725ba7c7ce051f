// Package tracing gives the hub OpenTelemetry traces when an operator asks
// for them with OTEL_EXPORTER_OTLP_ENDPOINT, and nothing otherwise: one
// trace per event, from the API request that published it, through the
// dispatch that made its deliveries, to every attempt (and the transform
// run and plugin call inside one).
//
// The trace crosses two Redis hops, so its context travels in Redis as a
// W3C traceparent string: in the events-stream entry (the "tp" field) from
// publish to dispatch, and in the delivery's record from dispatch to each
// attempt, retries included. Parent and ContextWith turn a span into that
// string and back; with tracing off there is no span and no string, so
// nothing is stored and nothing is started.
//
//	t, err := tracing.New(ctx, cfg.OTLPEndpoint, version) // a no-op Tracer without one
//	defer t.Shutdown(ctx)                        // flushes the spans still batched
//	ctx, span := t.Tracer.Start(ctx, "publish")
package tracing

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Tracing is the hub's tracer and what ends it.
type Tracing struct {
	Tracer   trace.Tracer
	Enabled  bool
	provider *sdktrace.TracerProvider
}

// New starts exporting spans over OTLP/gRPC to endpoint (the value of
// OTEL_EXPORTER_OTLP_ENDPOINT, e.g. http://127.0.0.1:4317; the exporter
// reads the other OTEL_EXPORTER_OTLP_* and OTEL_BSP_* variables itself, as
// every OpenTelemetry SDK does), and returns a no-op tracer when endpoint
// is empty.
func New(ctx context.Context, endpoint, version string) (*Tracing, error) {
	if endpoint == "" {
		return &Tracing{Tracer: noop.NewTracerProvider().Tracer("bellhop")}, nil
	}
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(endpoint))
	if err != nil {
		return nil, err
	}
	provider := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(
			attribute.String("service.name", "bellhop"), attribute.String("service.version", version))),
	)
	return &Tracing{Tracer: provider.Tracer("github.com/bellhop/bellhop"), Enabled: true, provider: provider}, nil
}

// Shutdown exports the spans still batched and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t.provider == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}

var propagator = propagation.TraceContext{}

// Parent returns the traceparent of the span in ctx, or "" when ctx holds
// no sampled span (tracing off, or this trace not sampled): the string the
// hub stores to carry a trace across Redis.
func Parent(ctx context.Context) string {
	if !trace.SpanContextFromContext(ctx).IsSampled() {
		return ""
	}
	carrier := propagation.MapCarrier{}
	propagator.Inject(ctx, carrier)
	return carrier["traceparent"]
}

// ContextWith returns ctx with the span a traceparent names as its remote
// parent; an empty or malformed one leaves ctx as it is.
func ContextWith(ctx context.Context, traceparent string) context.Context {
	if traceparent == "" {
		return ctx
	}
	return propagator.Extract(ctx, propagation.MapCarrier{"traceparent": traceparent})
}

// Incoming returns ctx with the caller's trace, when its request carried a
// traceparent header, as the parent of the spans the request starts.
func Incoming(ctx context.Context, header func(string) string) context.Context {
	return propagator.Extract(ctx, headerCarrier(header))
}

type headerCarrier func(string) string

func (h headerCarrier) Get(key string) string { return h(key) }
func (h headerCarrier) Set(string, string)    {}
func (h headerCarrier) Keys() []string        { return []string{"traceparent", "tracestate"} }
