package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/virga/virga/internal/awsproto"
)

// Path is where the edge serves the metrics.
const Path = "/_virga/metrics"

// codeOK is the code label of a request answered without an error.
const codeOK = "OK"

// requestBuckets are the request duration histogram's bounds, in
// seconds: local calls take from tens of microseconds (a queue's
// message) to seconds (a synchronous invocation).
var requestBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// Registry holds virga's metrics.
type Registry struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
	planes    *prometheus.CounterVec

	// series caches, by seriesKey, the series a request is counted in,
	// so that recording one hashes no label values.
	series sync.Map
}

// seriesKey identifies a request's series: its service, operation and
// error code ("" for success), each as the call holds it. The services'
// tables and error values bound how many there are.
type seriesKey struct {
	service *awsproto.Service
	op      *awsproto.Operation
	code    string
}

// callSeries are the series of one seriesKey.
type callSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// New makes a registry with the request metrics and the Go runtime's
// and the process's collectors.
func New() *Registry {
	r := &Registry{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "virga_requests_total",
			Help: "AWS API requests answered, by service, operation and AWS error code (OK for success).",
		}, []string{"service", "operation", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "virga_request_duration_seconds",
			Help:    "Time to answer an AWS API request, from its arrival to its response.",
			Buckets: requestBuckets,
		}, []string{"service", "operation"}),
		planes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "virga_data_plane_requests_total",
			Help: "Requests to data planes (API Gateway stages, function URLs, load balancers, ...), by status class.",
		}, []string{"plane", "class"}),
	}
	r.reg.MustRegister(r.requests, r.durations, r.planes,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// Register adds a collector (see Functions and Store).
func (r *Registry) Register(c prometheus.Collector) { r.reg.MustRegister(c) }

// Handler serves the metrics in Prometheus's text format (or another
// format the scraper asks for).
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// APIRequest records one answered AWS API request: c's service,
// operation and error code (each "" when the request never got that
// far) and how long it took.
func (r *Registry) APIRequest(c *awsproto.Call, latency time.Duration) {
	k := seriesKey{service: c.Service, op: c.Op, code: c.ErrorCode}
	s, ok := r.series.Load(k)
	if !ok {
		s = r.newSeries(k)
	}
	s.(*callSeries).count.Inc()
	s.(*callSeries).duration.Observe(latency.Seconds())
}

// newSeries finds the series of k's requests in client_golang's vectors
// and caches them.
func (r *Registry) newSeries(k seriesKey) *callSeries {
	service, op, code := "", "", k.code
	if k.service != nil {
		service = k.service.Name
	}
	if k.op != nil {
		op = k.op.Name
	}
	if code == "" {
		code = codeOK
	}
	s := &callSeries{
		count:    r.requests.WithLabelValues(service, op, code),
		duration: r.durations.WithLabelValues(service, op),
	}
	actual, _ := r.series.LoadOrStore(k, s)
	return actual.(*callSeries)
}

// DataPlaneRequest records one request to a data plane ("execute-api",
// "lambda-url", "elb", ...) and its HTTP status.
func (r *Registry) DataPlaneRequest(plane string, status int) {
	r.planes.WithLabelValues(plane, statusClass(status)).Inc()
}

// statusClass is "2xx" for 200 to 299, and so on.
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}
