package e2e_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/proto"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// otlpSpan is what the test collector keeps of a span.
type otlpSpan struct {
	name, traceID, spanID, parentID string
	service, platform               string
}

// otlpCollector receives OTLP/HTTP protobuf trace exports.
type otlpCollector struct {
	mu    sync.Mutex
	spans []otlpSpan
	bad   []string
}

func (c *otlpCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req collectortrace.ExportTraceServiceRequest
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, &req) != nil {
		c.bad = append(c.bad, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
		http.Error(w, "not an OTLP trace export", http.StatusBadRequest)
		return
	}
	str := func(kvs []*commonpb.KeyValue, key string) string {
		for _, kv := range kvs {
			if kv.Key == key {
				return kv.Value.GetStringValue()
			}
		}
		return ""
	}
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				c.spans = append(c.spans, otlpSpan{name: s.Name, traceID: hex.EncodeToString(s.TraceId),
					spanID: hex.EncodeToString(s.SpanId), parentID: hex.EncodeToString(s.ParentSpanId),
					service: str(rs.Resource.Attributes, "service.name"), platform: str(rs.Resource.Attributes, "cloud.platform")})
			}
		}
	}
	b, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(b)
}

// TestOTLPExport runs virga with --otlp-endpoint and follows a traced
// invocation and a segment put through the API to a collector, as spans
// with the X-Ray trace id's 128 bits.
func TestOTLPExport(t *testing.T) {
	t.Parallel()
	col := &otlpCollector{}
	srv := httptest.NewServer(col)
	t.Cleanup(srv.Close)
	env := e2e.Start(t, e2e.WithConfig(func(c *config.Config) { c.OTLPEndpoint = srv.URL }))
	ctx := context.Background()
	c := lambdaClient(t, env)
	createGoFunction(t, c, "otlpfn", goFunctionZip(t, "bootstrap"), func(in *lambda.CreateFunctionInput) {
		in.TracingConfig = &lambdatypes.TracingConfig{Mode: lambdatypes.TracingModeActive}
	})
	root := xrayTraceID(time.Now(), 7)
	otelID := strings.ReplaceAll(root[2:], "-", "")
	body, _ := json.Marshal(map[string]any{"op": "echo"})
	if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("otlpfn"), Payload: body}, func(o *lambda.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("X-Amzn-Trace-Id", "Root="+root+";Parent=53995c3f42cd8ad8;Sampled=1"))
	}); err != nil {
		t.Fatal(err)
	}
	doc := `{"name":"client","id":"53995c3f42cd8ad8","trace_id":"` + root + `","start_time":` +
		jsonTime(time.Now().Add(-time.Second)) + `,"end_time":` + jsonTime(time.Now()) + `}`
	out, err := xray.NewFromConfig(env.Config).PutTraceSegments(ctx, &xray.PutTraceSegmentsInput{TraceSegmentDocuments: []string{doc}})
	if err != nil || len(out.UnprocessedTraceSegments) != 0 {
		t.Fatalf("PutTraceSegments: %v %v", err, out)
	}
	// Stopping virga sends what the exporter still holds.
	env.Stop(t)

	col.mu.Lock()
	defer col.mu.Unlock()
	if len(col.bad) > 0 {
		t.Errorf("requests that were not OTLP trace exports: %v", col.bad)
	}
	var client, fn *otlpSpan
	for i, s := range col.spans {
		if s.traceID != otelID {
			continue
		}
		switch {
		case s.name == "client":
			client = &col.spans[i]
		case s.service == "otlpfn" && s.platform == "aws_lambda" && fn == nil:
			fn = &col.spans[i]
		}
	}
	if client == nil || fn == nil {
		t.Fatalf("spans of trace %s: client %v, function %v; all: %+v", otelID, client, fn, col.spans)
	}
	if client.spanID != "53995c3f42cd8ad8" || client.parentID != "" || client.service != "client" {
		t.Errorf("client span: %+v", *client)
	}
	// Lambda's segment for the invocation hangs under the caller's Parent.
	var underCaller bool
	for _, s := range col.spans {
		underCaller = underCaller || s.traceID == otelID && s.parentID == "53995c3f42cd8ad8"
	}
	if !underCaller {
		t.Errorf("no span under the caller's segment: %+v", col.spans)
	}
}

// jsonTime is t in X-Ray's epoch seconds.
func jsonTime(t time.Time) string {
	b, _ := json.Marshal(float64(t.UnixNano()) / 1e9)
	return string(b)
}
