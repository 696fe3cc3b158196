package e2e_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/virga/virga/internal/e2e"
)

// scrapeMetrics reads GET /_virga/metrics as Prometheus does: no
// credentials, the text format.
func scrapeMetrics(t *testing.T, env *e2e.Env) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(env.Endpoint + "/_virga/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("HTTP %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing the metrics: %v", err)
	}
	return families
}

// metricValue is the value of the series of family name whose labels are
// exactly labels (name=value pairs): a counter's or gauge's value, a
// histogram's count; -1 when there is none.
func metricValue(families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := families[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		if len(m.Label)*2 != len(labels) {
			continue
		}
		for i := 0; i < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				found = found || l.GetName() == labels[i] && l.GetValue() == labels[i+1]
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	if _, err := sts.NewFromConfig(env.Config).GetCallerIdentity(ctx, nil); err != nil {
		t.Fatal(err)
	}
	c := lambdaClient(t, env)
	var nf *lambdatypes.ResourceNotFoundException
	if _, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("nothere")}); !errors.As(err, &nf) {
		t.Fatalf("GetFunction of no function: %v", err)
	}
	createGoFunction(t, c, "metricsfn", goFunctionZip(t, "bootstrap"))
	invokeJSON(t, c, "metricsfn", map[string]any{"op": "echo"})
	invokeJSON(t, c, "metricsfn", map[string]any{"op": "echo"})
	if out := invokeJSON(t, c, "metricsfn", map[string]any{"op": "fail", "message": "it broke"}); out.FunctionError == nil {
		t.Fatalf("fail: %s", out.Payload)
	}

	m := scrapeMetrics(t, env)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"virga_requests_total", []string{"service", "sts", "operation", "GetCallerIdentity", "code", "OK"}, 1},
		{"virga_requests_total", []string{"service", "lambda", "operation", "GetFunction", "code", "ResourceNotFoundException"}, 1},
		{"virga_requests_total", []string{"service", "lambda", "operation", "CreateFunction", "code", "OK"}, 1},
		// A function error is a successful Invoke.
		{"virga_requests_total", []string{"service", "lambda", "operation", "Invoke", "code", "OK"}, 3},
		{"virga_request_duration_seconds", []string{"service", "lambda", "operation", "Invoke"}, 3},
		{"virga_lambda_invocations_total", []string{"function", "metricsfn"}, 3},
		{"virga_lambda_errors_total", []string{"function", "metricsfn"}, 1},
		{"virga_lambda_cold_starts_total", []string{"function", "metricsfn"}, 1},
		{"virga_lambda_throttles_total", []string{"function", "metricsfn"}, 0},
		{"virga_lambda_duration_seconds", []string{"function", "metricsfn"}, 3},
		{"virga_lambda_environments", []string{"function", "metricsfn", "state", "idle"}, 1},
		{"virga_lambda_environments", []string{"function", "metricsfn", "state", "busy"}, 0},
	} {
		if got := metricValue(m, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if v := metricValue(m, "virga_store_wal_bytes_written_total"); v <= 0 {
		t.Errorf("virga_store_wal_bytes_written_total = %v after writes", v)
	}
	for _, name := range []string{"virga_store_disk_bytes", "virga_store_compactions_total", "go_goroutines", "process_resident_memory_bytes"} {
		if m[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	// Operations are the services' names for them, never request paths.
	for _, s := range m["virga_requests_total"].Metric {
		for _, l := range s.Label {
			if l.GetName() == "operation" && strings.Contains(l.GetValue(), "/") {
				t.Errorf("a path as an operation label: %v", s.Label)
			}
		}
	}
}
