package edge

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/metrics"
)

// scrape reads a registry's metrics as a scraper would.
func scrape(t *testing.T, reg *metrics.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, metrics.Path, nil))
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parsing the metrics: %v", err)
	}
	return families
}

// counter returns the value of the family's series with exactly labels.
func counter(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f := families[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		if len(m.Label) != len(labels) {
			continue
		}
		for _, l := range m.Label {
			if labels[l.GetName()] != l.GetValue() {
				continue next
			}
		}
		if m.Counter != nil {
			return m.Counter.GetValue()
		}
		if m.Histogram != nil {
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return 0
}

func TestRequestMetrics(t *testing.T) {
	t.Parallel()
	reg := metrics.New()
	f := newFixture(t, false, func(o *Options) {
		o.Metrics = reg
		o.DataPlanes = map[string]http.Handler{
			".execute-api.localhost": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadGateway)
			}),
		}
		o.Internal = http.NotFoundHandler()
	})
	f.call(t, "Echo", `{"Name":"virga"}`, nil)
	f.call(t, "Echo", `{"Name":"virga"}`, nil)
	f.call(t, "Echo", `{"Name":"v"}`, nil).wantError(t, 400, "ValidationException")
	f.call(t, "Fail", `{}`, nil)
	f.call(t, "Nope", `{}`, nil)
	get := func(host, path string) {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		req.Host = host
		f.do(t, req)
	}
	get("abc.execute-api.localhost", "/prod/pets")
	get("fn.lambda-url.localhost", "/")
	get("localhost", "/_virga/health") // virga's own endpoints are not counted

	m := scrape(t, reg)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"virga_requests_total", map[string]string{"service": "test", "operation": "Echo", "code": "OK"}, 2},
		{"virga_requests_total", map[string]string{"service": "test", "operation": "Echo", "code": "ValidationException"}, 1},
		{"virga_requests_total", map[string]string{"service": "test", "operation": "Fail", "code": "InternalFailure"}, 1},
		{"virga_requests_total", map[string]string{"service": "test", "operation": "", "code": "UnknownOperationException"}, 1},
		{"virga_request_duration_seconds", map[string]string{"service": "test", "operation": "Echo"}, 3},
		{"virga_data_plane_requests_total", map[string]string{"plane": "execute-api", "class": "5xx"}, 1},
		{"virga_data_plane_requests_total", map[string]string{"plane": "lambda-url", "class": "4xx"}, 1},
	} {
		if got := counter(m, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	var total float64
	for _, s := range m["virga_requests_total"].Metric {
		total += s.Counter.GetValue()
	}
	if total != 5 {
		t.Errorf("%v requests counted, want 5", total)
	}
	// The fixture's clock steps 250 ms a reading: the latency recorded.
	for _, s := range m["virga_request_duration_seconds"].Metric {
		if h := s.Histogram; h.GetSampleSum() != 0.25*float64(h.GetSampleCount()) {
			t.Errorf("duration sum %v for %d requests", h.GetSampleSum(), h.GetSampleCount())
		}
	}
}

// BenchmarkServeEcho measures an awsJson call through the edge and
// awsproto, without metrics and with them: the difference is what
// recording a request costs.
func BenchmarkServeEcho(b *testing.B) {
	for _, name := range []string{"without-metrics", "with-metrics"} {
		b.Run(name, func(b *testing.B) {
			o := Options{
				Services: []*awsproto.Service{testService()},
				Auth:     &Authenticator{Account: "000000000000", Clock: clock.Real{}},
				Region:   "us-east-1",
				Logger:   slog.New(slog.DiscardHandler),
				Clock:    clock.Real{},
				IDs:      ids.New(nil),
			}
			if name == "with-metrics" {
				o.Metrics = metrics.New()
			}
			e := New(o)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"Name":"virga"}`))
					req.Header.Set("Content-Type", "application/x-amz-json-1.0")
					req.Header.Set("X-Amz-Target", testTarget+".Echo")
					w := httptest.NewRecorder()
					e.ServeHTTP(w, req)
					if w.Code != 200 {
						b.Fatalf("HTTP %d: %s", w.Code, w.Body)
					}
					io.Discard.Write(w.Body.Bytes())
				}
			})
		})
	}
}
