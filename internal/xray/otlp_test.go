package xray

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func TestOTelTraceID(t *testing.T) {
	t.Parallel()
	got, ok := OTelTraceID("1-58406520-a006649127e371903a2de979")
	if !ok || got.String() != "58406520a006649127e371903a2de979" {
		t.Errorf("OTelTraceID = %s, %v", got, ok)
	}
	for _, bad := range []string{"", "58406520a006649127e371903a2de979", "1-58406520-a006649127e371903a2de97", "2-58406520-a006649127e371903a2de979", "1-5840652g-a006649127e371903a2de979"} {
		if _, ok := OTelTraceID(bad); ok {
			t.Errorf("OTelTraceID(%q) accepted", bad)
		}
	}
}

// collector is an OTLP/HTTP receiver: it decodes the protobuf requests
// posted to /v1/traces.
type collector struct {
	mu    sync.Mutex
	spans []*tracepb.Span
	res   map[string]string // span name → its resource's service.name
	paths []string
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req collectortrace.ExportTraceServiceRequest
	if r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, &req) != nil {
		http.Error(w, "not OTLP protobuf", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paths = append(c.paths, r.URL.Path)
	for _, rs := range req.ResourceSpans {
		service := attr(rs.Resource.Attributes, "service.name")
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				c.spans = append(c.spans, s)
				c.res[s.Name] = service
			}
		}
	}
	b, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(b)
}

func attr(kvs []*commonpb.KeyValue, key string) string {
	for _, kv := range kvs {
		if kv.Key == key {
			switch v := kv.Value.Value.(type) {
			case *commonpb.AnyValue_StringValue:
				return v.StringValue
			case *commonpb.AnyValue_IntValue:
				return strconv.FormatInt(v.IntValue, 10)
			}
		}
	}
	return ""
}

func TestSegmentsExportedAsOTLPSpans(t *testing.T) {
	t.Parallel()
	col := &collector{res: map[string]string{}}
	srv := httptest.NewServer(col)
	t.Cleanup(srv.Close)
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(srv.URL+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	bsp := sdktrace.NewBatchSpanProcessor(exp)
	t.Cleanup(func() { bsp.Shutdown(context.Background()) })

	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Deps{Store: db, Clock: clock.Real{}, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1", Spans: bsp})
	if err != nil {
		t.Fatal(err)
	}
	const trace = "1-58406520-a006649127e371903a2de979"
	docs := []string{
		// A function's segment with a call to DynamoDB and a local step.
		`{"name":"orders","id":"70de5b6f19ff9a0a","trace_id":"` + trace + `","parent_id":"53995c3f42cd8ad8",
		  "start_time":1480615200.010,"end_time":1480615200.090,"origin":"AWS::Lambda::Function","fault":true,
		  "http":{"request":{"method":"POST","url":"https://example.com/orders"},"response":{"status":502}},
		  "annotations":{"customer":"c-1","items":3},
		  "subsegments":[
		    {"name":"DynamoDB","id":"2c7d5e5a7c1d2e3f","namespace":"aws","start_time":1480615200.020,"end_time":1480615200.030,
		     "aws":{"operation":"PutItem","region":"us-east-1","request_id":"R1"}},
		    {"name":"validate","id":"3c7d5e5a7c1d2e3f","start_time":1480615200.031,"end_time":1480615200.032},
		    {"name":"pending","id":"4c7d5e5a7c1d2e3f","start_time":1480615200.033,"in_progress":true}]}`,
		// In progress: exported when its complete document arrives.
		`{"name":"front","id":"53995c3f42cd8ad8","trace_id":"` + trace + `","start_time":1480615200,"in_progress":true}`,
	}
	if _, err := s.putTraceSegments(context.Background(), &PutTraceSegmentsRequest{TraceSegmentDocuments: docs}); err != nil {
		t.Fatal(err)
	}
	// The daemon's path (Record, then the writer) exports as well.
	if !s.Record([]byte(`{"name":"front","id":"53995c3f42cd8ad8","trace_id":"` + trace + `","start_time":1480615200,"end_time":1480615200.1}`)) {
		t.Fatal("Record refused the segment")
	}
	s.Flush()
	if err := bsp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}

	col.mu.Lock()
	defer col.mu.Unlock()
	byName := map[string]*tracepb.Span{}
	for _, sp := range col.spans {
		if hex.EncodeToString(sp.TraceId) != "58406520a006649127e371903a2de979" {
			t.Errorf("%s: trace id %x", sp.Name, sp.TraceId)
		}
		byName[sp.Name] = sp
	}
	if len(col.spans) != 4 || byName["pending"] != nil {
		t.Fatalf("%d spans exported: %v", len(col.spans), byName)
	}
	for _, p := range col.paths {
		if p != "/v1/traces" {
			t.Errorf("posted to %s", p)
		}
	}
	fn, ddb, step, front := byName["orders"], byName["DynamoDB"], byName["validate"], byName["front"]
	if hex.EncodeToString(fn.SpanId) != "70de5b6f19ff9a0a" || hex.EncodeToString(fn.ParentSpanId) != "53995c3f42cd8ad8" ||
		fn.Kind != tracepb.Span_SPAN_KIND_SERVER || fn.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("function span: %v", fn)
	}
	if fn.StartTimeUnixNano != 1480615200010000000 || fn.EndTimeUnixNano != 1480615200090000000 {
		t.Errorf("function span times %d, %d", fn.StartTimeUnixNano, fn.EndTimeUnixNano)
	}
	if attr(fn.Attributes, "http.request.method") != "POST" || attr(fn.Attributes, "url.full") != "https://example.com/orders" ||
		attr(fn.Attributes, "http.response.status_code") != "502" || attr(fn.Attributes, "customer") != "c-1" {
		t.Errorf("function span attributes: %v", fn.Attributes)
	}
	if hex.EncodeToString(ddb.ParentSpanId) != "70de5b6f19ff9a0a" || ddb.Kind != tracepb.Span_SPAN_KIND_CLIENT ||
		attr(ddb.Attributes, "rpc.system") != "aws-api" || attr(ddb.Attributes, "rpc.method") != "PutItem" || attr(ddb.Attributes, "aws.request_id") != "R1" {
		t.Errorf("DynamoDB span: %v", ddb)
	}
	if step.Kind != tracepb.Span_SPAN_KIND_INTERNAL || hex.EncodeToString(step.ParentSpanId) != "70de5b6f19ff9a0a" {
		t.Errorf("local subsegment span: %v", step)
	}
	if len(front.ParentSpanId) != 0 || front.Kind != tracepb.Span_SPAN_KIND_SERVER {
		t.Errorf("root span: %v", front)
	}
	if col.res["orders"] != "orders" || col.res["DynamoDB"] != "orders" || col.res["front"] != "front" {
		t.Errorf("resources' service.name: %v", col.res)
	}
}
