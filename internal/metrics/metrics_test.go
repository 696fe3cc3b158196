package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/functions"
	"github.com/virga/virga/internal/store/pebble"
)

func scrape(t *testing.T, r *Registry) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Path, nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("HTTP %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return families
}

// series returns the family's series whose labels include labels.
func series(t *testing.T, families map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	t.Helper()
	f := families[name]
	if f == nil {
		t.Fatalf("no %s", name)
	}
next:
	for _, m := range f.Metric {
		for i := 0; i < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				found = found || l.GetName() == labels[i] && l.GetValue() == labels[i+1]
			}
			if !found {
				continue next
			}
		}
		return m
	}
	t.Fatalf("no %s%v", name, labels)
	return nil
}

func testService() *awsproto.Service {
	return &awsproto.Service{Name: "sqs", Operations: []awsproto.Operation{{Name: "SendMessage"}}}
}

func TestAPIRequest(t *testing.T) {
	t.Parallel()
	r := New()
	svc := testService()
	ok := &awsproto.Call{Service: svc, Op: &svc.Operations[0]}
	r.APIRequest(ok, 2*time.Millisecond)
	r.APIRequest(ok, 3*time.Millisecond)
	r.APIRequest(&awsproto.Call{Service: svc, Op: &svc.Operations[0], ErrorCode: "QueueDoesNotExist"}, time.Millisecond)
	r.APIRequest(&awsproto.Call{ErrorCode: "UnknownServiceException"}, time.Millisecond)
	r.DataPlaneRequest("execute-api", 204)
	r.DataPlaneRequest("execute-api", 101)

	m := scrape(t, r)
	if v := series(t, m, "virga_requests_total", "service", "sqs", "operation", "SendMessage", "code", "OK").Counter.GetValue(); v != 2 {
		t.Errorf("successes %v", v)
	}
	if v := series(t, m, "virga_requests_total", "code", "QueueDoesNotExist").Counter.GetValue(); v != 1 {
		t.Errorf("errors %v", v)
	}
	if v := series(t, m, "virga_requests_total", "service", "", "operation", "", "code", "UnknownServiceException").Counter.GetValue(); v != 1 {
		t.Errorf("unrouted %v", v)
	}
	h := series(t, m, "virga_request_duration_seconds", "service", "sqs", "operation", "SendMessage").Histogram
	if h.GetSampleCount() != 3 || h.GetSampleSum() < 0.0059 || h.GetSampleSum() > 0.0061 {
		t.Errorf("durations: %d, sum %v", h.GetSampleCount(), h.GetSampleSum())
	}
	if v := series(t, m, "virga_data_plane_requests_total", "plane", "execute-api", "class", "2xx").Counter.GetValue(); v != 1 {
		t.Errorf("2xx %v", v)
	}
	if v := series(t, m, "virga_data_plane_requests_total", "class", "1xx").Counter.GetValue(); v != 1 {
		t.Errorf("1xx %v", v)
	}
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total"} {
		if m[name] == nil {
			t.Errorf("no %s", name)
		}
	}
}

func TestFunctionsAndStore(t *testing.T) {
	t.Parallel()
	r := New()
	counts := make([]uint64, len(functions.DurationBuckets))
	for i := range counts {
		counts[i] = 3
	}
	counts[0] = 1
	r.Register(Functions(func() []functions.FunctionStats {
		return []functions.FunctionStats{{Function: "orders", Invocations: 3, Errors: 1, Throttles: 2, ColdStarts: 1,
			DurationCounts: counts, DurationCount: 3, DurationSum: 1500 * time.Millisecond, Busy: 1, Idle: 2}}
	}))
	r.Register(Store(func() pebble.Stats {
		return pebble.Stats{DiskBytes: 4096, WALBytesWritten: 100, WALSyncs: 7, Compactions: 2, Flushes: 1}
	}))
	m := scrape(t, r)
	for name, want := range map[string]float64{
		"virga_lambda_invocations_total": 3,
		"virga_lambda_errors_total":      1,
		"virga_lambda_throttles_total":   2,
		"virga_lambda_cold_starts_total": 1,
	} {
		if v := series(t, m, name, "function", "orders").Counter.GetValue(); v != want {
			t.Errorf("%s = %v, want %v", name, v, want)
		}
	}
	h := series(t, m, "virga_lambda_duration_seconds", "function", "orders").Histogram
	if h.GetSampleCount() != 3 || h.GetSampleSum() != 1.5 || h.Bucket[0].GetUpperBound() != functions.DurationBuckets[0] || h.Bucket[0].GetCumulativeCount() != 1 {
		t.Errorf("duration histogram: %v", h)
	}
	if v := series(t, m, "virga_lambda_environments", "function", "orders", "state", "busy").Gauge.GetValue(); v != 1 {
		t.Errorf("busy %v", v)
	}
	if v := series(t, m, "virga_lambda_environments", "state", "idle").Gauge.GetValue(); v != 2 {
		t.Errorf("idle %v", v)
	}
	if v := series(t, m, "virga_store_disk_bytes").Gauge.GetValue(); v != 4096 {
		t.Errorf("disk %v", v)
	}
	if v := series(t, m, "virga_store_wal_syncs_total").Counter.GetValue(); v != 7 {
		t.Errorf("wal syncs %v", v)
	}
}

func TestStatusClass(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]string{101: "1xx", 200: "2xx", 299: "2xx", 302: "3xx", 404: "4xx", 503: "5xx", 0: "other", 600: "other"} {
		if got := statusClass(status); got != want {
			t.Errorf("statusClass(%d) = %q, want %q", status, got, want)
		}
	}
}

// BenchmarkAPIRequest is what recording one request costs the edge: a
// success (the cached series) and an error (client_golang's lookup).
func BenchmarkAPIRequest(b *testing.B) {
	r := New()
	svc := testService()
	for _, bc := range []struct {
		name string
		call *awsproto.Call
	}{
		{"ok", &awsproto.Call{Service: svc, Op: &svc.Operations[0]}},
		{"error", &awsproto.Call{Service: svc, Op: &svc.Operations[0], ErrorCode: "QueueDoesNotExist"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r.APIRequest(bc.call, 1500*time.Microsecond)
				}
			})
		})
	}
}
