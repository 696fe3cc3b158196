package app

import (
	"context"
	"log/slog"
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
// costs the spans (and a warning in virga's log), never a request.
func newSpanExporter(endpoint string, log *slog.Logger) (sdktrace.SpanProcessor, func() error, error) {
	u, err := config.OTLPTracesURL(endpoint)
	if err != nil {
		return nil, nil, err
	}
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(u))
	if err != nil {
		return nil, nil, err
	}
	bsp := sdktrace.NewBatchSpanProcessor(loggedExporter{SpanExporter: exp, log: log})
	closer := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), otlpShutdownTimeout)
		defer cancel()
		return bsp.Shutdown(ctx)
	}
	return bsp, closer, nil
}

// loggedExporter reports a failed export in virga's log, where otel would
// otherwise print it through its process-wide error handler.
type loggedExporter struct {
	sdktrace.SpanExporter
	log *slog.Logger
}

func (e loggedExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if err := e.SpanExporter.ExportSpans(ctx, spans); err != nil {
		e.log.Warn("spans not exported to --otlp-endpoint", "spans", len(spans), "err", err)
	}
	return nil
}
