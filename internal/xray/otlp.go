package xray

import (
	"encoding/hex"
	"fmt"
	"math"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkinstrumentation "go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// SpanSink receives segments as OpenTelemetry spans once they are
// stored: the OTLP exporter's batch span processor, which queues them
// and exports in the background (dropping what its queue cannot hold,
// as the daemon drops segments), so that storing never waits for a
// collector.
type SpanSink interface {
	OnEnd(s sdktrace.ReadOnlySpan)
}

// instrumentationScope names virga's X-Ray as the spans' producer.
var instrumentationScope = sdkinstrumentation.Scope{Name: "github.com/virga/virga/internal/xray"}

// OTelTraceID converts an X-Ray trace id, 1-EEEEEEEE-UUUUUUUUUUUUUUUUUUUUUUUU,
// to the OpenTelemetry trace id with the same 128 bits: the epoch
// seconds' 8 hexadecimal digits followed by the 24 of the identifier,
// as AWS's OpenTelemetry distribution converts them.
func OTelTraceID(id string) (oteltrace.TraceID, bool) {
	var t oteltrace.TraceID
	if !ValidTraceID(id) {
		return t, false
	}
	if _, err := hex.Decode(t[:4], []byte(id[2:10])); err != nil {
		return t, false
	}
	if _, err := hex.Decode(t[4:], []byte(id[11:])); err != nil {
		return t, false
	}
	return t, true
}

// spanID converts a segment id, 16 hexadecimal digits, to a span id.
func spanID(id string) (oteltrace.SpanID, bool) {
	var s oteltrace.SpanID
	if len(id) != 16 {
		return s, false
	}
	_, err := hex.Decode(s[:], []byte(id))
	return s, err == nil && s.IsValid()
}

// epochTime converts X-Ray's epoch seconds, with their fraction, to a
// time.
func epochTime(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3)
}

// toSpans converts a stored segment and the subsegments it holds to
// spans. Segments and subsegments still in progress are left out: their
// complete document, sent later, gives them.
func toSpans(seg *segment) []sdktrace.ReadOnlySpan {
	tid, ok := OTelTraceID(seg.TraceID)
	if !ok {
		return nil
	}
	service := seg.Name
	res := resource.NewSchemaless(resourceAttrs(service, seg.Origin)...)
	var out []sdktrace.ReadOnlySpan
	var walk func(s *segment, parent string, top bool)
	walk = func(s *segment, parent string, top bool) {
		if s.EndTime == nil || s.InProgress {
			return
		}
		sid, ok := spanID(s.ID)
		if !ok {
			return
		}
		stub := tracetest.SpanStub{
			Name: s.Name,
			SpanContext: oteltrace.NewSpanContext(oteltrace.SpanContextConfig{
				TraceID: tid, SpanID: sid, TraceFlags: oteltrace.FlagsSampled}),
			SpanKind:             spanKind(s, top),
			StartTime:            epochTime(*s.StartTime),
			EndTime:              epochTime(*s.EndTime),
			Attributes:           spanAttrs(s),
			Resource:             res,
			InstrumentationScope: instrumentationScope,
		}
		if pid, ok := spanID(parent); ok {
			stub.Parent = oteltrace.NewSpanContext(oteltrace.SpanContextConfig{
				TraceID: tid, SpanID: pid, TraceFlags: oteltrace.FlagsSampled, Remote: top})
		}
		if s.Fault {
			stub.Status = sdktrace.Status{Code: codes.Error, Description: "fault"}
		}
		out = append(out, stub.Snapshot())
		for _, sub := range s.Subsegments {
			if sub != nil {
				walk(sub, s.ID, false)
			}
		}
	}
	walk(seg, seg.ParentID, true)
	return out
}

// spanKind is SERVER for a segment (a service's record of a request it
// served), CLIENT for a subsegment recording a call to an AWS service
// or another remote one (namespace "aws" or "remote"), INTERNAL for
// other subsegments. A subsegment sent on its own is one too.
func spanKind(s *segment, top bool) oteltrace.SpanKind {
	switch {
	case s.Namespace == "aws" || s.Namespace == "remote":
		return oteltrace.SpanKindClient
	case top && !s.isSubsegment():
		return oteltrace.SpanKindServer
	}
	return oteltrace.SpanKindInternal
}

// resourceAttrs describe the service a segment was recorded by: its
// name, and the cloud platform its origin names.
func resourceAttrs(service, origin string) []attribute.KeyValue {
	attrs := []attribute.KeyValue{attribute.String("service.name", service), attribute.String("cloud.provider", "aws")}
	switch origin {
	case "AWS::Lambda", "AWS::Lambda::Function":
		attrs = append(attrs, attribute.String("cloud.platform", "aws_lambda"))
	case "AWS::ECS::Container":
		attrs = append(attrs, attribute.String("cloud.platform", "aws_ecs"))
	case "AWS::EC2::Instance":
		attrs = append(attrs, attribute.String("cloud.platform", "aws_ec2"))
	}
	return attrs
}

// spanAttrs are a segment's HTTP request and response, user, AWS call
// and annotations, under OpenTelemetry's semantic convention names
// (annotations keep their own).
func spanAttrs(s *segment) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if h := s.HTTP; h != nil {
		if r := h.Request; r != nil {
			for k, v := range map[string]string{"http.request.method": r.Method, "url.full": r.URL,
				"user_agent.original": r.UserAgent, "client.address": r.ClientIP} {
				if v != "" {
					attrs = append(attrs, attribute.String(k, v))
				}
			}
		}
		if st := s.status(); st != 0 {
			attrs = append(attrs, attribute.Int("http.response.status_code", st))
		}
	}
	if s.User != "" {
		attrs = append(attrs, attribute.String("enduser.id", s.User))
	}
	if s.Namespace == "aws" {
		attrs = append(attrs, attribute.String("rpc.system", "aws-api"), attribute.String("rpc.service", s.Name))
		if op, ok := s.AWS["operation"].(string); ok {
			attrs = append(attrs, attribute.String("rpc.method", op))
		}
		if id, ok := s.AWS["request_id"].(string); ok {
			attrs = append(attrs, attribute.String("aws.request_id", id))
		}
		if region, ok := s.AWS["region"].(string); ok {
			attrs = append(attrs, attribute.String("cloud.region", region))
		}
	}
	for k, v := range s.Annotations {
		switch v := v.(type) {
		case string:
			attrs = append(attrs, attribute.String(k, v))
		case bool:
			attrs = append(attrs, attribute.Bool(k, v))
		case float64:
			if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
				attrs = append(attrs, attribute.Int64(k, int64(v)))
			} else {
				attrs = append(attrs, attribute.Float64(k, v))
			}
		default:
			attrs = append(attrs, attribute.String(k, fmt.Sprint(v)))
		}
	}
	return attrs
}
