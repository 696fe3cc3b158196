package app

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/virga/virga/internal/config"
)

// otlpShutdownTimeout bounds how long stopping virga waits for the last
// spans to reach the collector.
const otlpShutdownTimeout = 5 * time.Second

// newSpanExporter returns the batch span processor that exports X-Ray's
// segments to --otlp-endpoint as OTLP/HTTP protobuf, and the closer
// that sends what it still holds when virga stops. The processor queues
// spans and exports them in the background; a collector that is down
// costs the spans, never a request.
func newSpanExporter(endpoint string) (sdktrace.SpanProcessor, func() error, error) {
	u, err := config.OTLPTracesURL(endpoint)
	if err != nil {
		return nil, nil, err
	}
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(u))
	if err != nil {
		return nil, nil, err
	}
	bsp := sdktrace.NewBatchSpanProcessor(exp)
	closer := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), otlpShutdownTimeout)
		defer cancel()
		return bsp.Shutdown(ctx)
	}
	return bsp, closer, nil
}
