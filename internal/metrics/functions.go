package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/virga/virga/internal/functions"
)

// Functions collects Lambda functions' metrics from stats, which
// package functions' Pools.Stats implements, when scraped.
func Functions(stats func() []functions.FunctionStats) prometheus.Collector {
	return &functionCollector{stats: stats}
}

var (
	fnInvocations = prometheus.NewDesc("virga_lambda_invocations_total",
		"Invocations of a function that ran, failed ones among them.", []string{"function"}, nil)
	fnErrors = prometheus.NewDesc("virga_lambda_errors_total",
		"Invocations that ended in a function error (unhandled error, timeout, crash, failed init).", []string{"function"}, nil)
	fnThrottles = prometheus.NewDesc("virga_lambda_throttles_total",
		"Invocations refused at the function's concurrency limit.", []string{"function"}, nil)
	fnColdStarts = prometheus.NewDesc("virga_lambda_cold_starts_total",
		"Execution environments started for an invocation (inits).", []string{"function"}, nil)
	fnDuration = prometheus.NewDesc("virga_lambda_duration_seconds",
		"Time a function spent on an invocation, as its REPORT line's Duration.", []string{"function"}, nil)
	fnEnvironments = prometheus.NewDesc("virga_lambda_environments",
		"A function's execution environments now, busy (serving or starting) or idle (warm).", []string{"function", "state"}, nil)
)

type functionCollector struct {
	stats func() []functions.FunctionStats
}

func (c *functionCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{fnInvocations, fnErrors, fnThrottles, fnColdStarts, fnDuration, fnEnvironments} {
		ch <- d
	}
}

func (c *functionCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.stats() {
		f := s.Function
		ch <- prometheus.MustNewConstMetric(fnInvocations, prometheus.CounterValue, float64(s.Invocations), f)
		ch <- prometheus.MustNewConstMetric(fnErrors, prometheus.CounterValue, float64(s.Errors), f)
		ch <- prometheus.MustNewConstMetric(fnThrottles, prometheus.CounterValue, float64(s.Throttles), f)
		ch <- prometheus.MustNewConstMetric(fnColdStarts, prometheus.CounterValue, float64(s.ColdStarts), f)
		buckets := make(map[float64]uint64, len(functions.DurationBuckets))
		for i, b := range functions.DurationBuckets {
			buckets[b] = s.DurationCounts[i]
		}
		ch <- prometheus.MustNewConstHistogram(fnDuration, s.DurationCount, s.DurationSum.Seconds(), buckets, f)
		ch <- prometheus.MustNewConstMetric(fnEnvironments, prometheus.GaugeValue, float64(s.Busy), f, "busy")
		ch <- prometheus.MustNewConstMetric(fnEnvironments, prometheus.GaugeValue, float64(s.Idle), f, "idle")
	}
}
