package lambda

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/virga/virga/internal/functions"
)

// Metrics receives what each invocation adds to Lambda's own metrics in
// CloudWatch (namespace AWS/Lambda). Observe is called on the invocation
// path: it must be cheap and must never block on I/O. internal/app adapts
// CloudWatch to it.
type Metrics interface {
	Observe(o Observation)
	// Count records one of Lambda's other metrics: those of
	// asynchronous events, of their deliveries and of stream mappings.
	Count(c Count)
}

// Count is one datapoint of a metric other than an invocation's, by
// function and, when a qualifier applies, Resource.
type Count struct {
	Function, Resource string
	Name, Unit         string
	Value              float64
}

// Names of the metrics Count records, as Lambda's "Types of metrics for
// Lambda functions" names them.
const (
	MetricDeadLetterErrors            = "DeadLetterErrors"
	MetricDestinationDeliveryFailures = "DestinationDeliveryFailures"
	MetricIteratorAge                 = "IteratorAge"
	MetricAsyncEventsReceived         = "AsyncEventsReceived"
	MetricAsyncEventAge               = "AsyncEventAge"
	MetricAsyncEventsDropped          = "AsyncEventsDropped"
	MetricRecursiveInvocationsDropped = "RecursiveInvocationsDropped"
)

// Observation is one invocation as Lambda's metrics count it.
type Observation struct {
	// Function is the function's name; Resource is "name:qualifier" when
	// the invocation named a version or alias, empty otherwise.
	Function, Resource string
	// Throttled invocations count in Throttles only.
	Throttled bool
	// Error is a function error (Errors).
	Error bool
	// Duration is the time the function's code ran (Duration).
	Duration time.Duration
	// Concurrent is how many invocations of the function, this one
	// included, were running when it started; AccountConcurrent counts
	// those of every function (ConcurrentExecutions).
	Concurrent, AccountConcurrent int64
	// ExecutedVersion is the version that ran an invocation through an
	// alias (the ExecutedVersion dimension); empty otherwise.
	ExecutedVersion string
	// Provisioned is an invocation that ran on provisioned concurrency;
	// Spillover one that ran on demand because the provisioned
	// concurrency of its version was all in use. ProvisionedConcurrent
	// is then how much of it was in use, this invocation included, and
	// ProvisionedAllocated how much the version has.
	Provisioned, Spillover bool
	ProvisionedConcurrent  int64
	ProvisionedAllocated   int
}

// running counts invocations in flight for ConcurrentExecutions.
type running struct {
	all         atomic.Int64
	perFunction sync.Map // name → *atomic.Int64
}

// resource returns the Resource dimension of an invocation: the
// qualifier the caller named, if any.
func resource(fn *function, inv *functions.Invocation) string {
	parts := strings.Split(inv.InvokedARN, ":")
	if len(parts) == 8 && parts[7] != "" {
		return fn.Name + ":" + parts[7]
	}
	return ""
}

// observe starts an invocation's observation; the returned function
// ends it with the result. Without Metrics both do nothing.
func (s *Service) observe(fn *function, v *version, inv *functions.Invocation, adm admission) func(res *functions.Result, err error) {
	if s.metrics == nil {
		return func(*functions.Result, error) {}
	}
	n := counter(&s.running.perFunction, fn.Name)
	o := Observation{Function: fn.Name, Resource: resource(fn, inv), Concurrent: n.Add(1), AccountConcurrent: s.running.all.Add(1),
		Provisioned: adm.provisioned, Spillover: adm.spillover, ProvisionedConcurrent: adm.inUse, ProvisionedAllocated: adm.allocated}
	if q := strings.TrimPrefix(o.Resource, fn.Name+":"); o.Resource != "" && isAliasName(q) {
		o.ExecutedVersion = v.name()
	}
	return func(res *functions.Result, err error) {
		n.Add(-1)
		s.running.all.Add(-1)
		if re := (*functions.RuntimeError)(nil); errors.As(err, &re) && re.Type == functions.TypeTooManyRequests {
			s.observeThrottle(fn, inv) // no environment was free
			return
		}
		if res == nil {
			return // never reached the function: not an invocation
		}
		o.Duration = res.Duration
		o.Error = res.FunctionError != ""
		s.metrics.Observe(o)
	}
}

// observeThrottle counts a throttled invocation.
func (s *Service) observeThrottle(fn *function, inv *functions.Invocation) {
	if s.metrics != nil {
		s.metrics.Observe(Observation{Function: fn.Name, Resource: resource(fn, inv), Throttled: true})
	}
}

// isAliasName reports whether a qualifier names an alias rather than a
// version.
func isAliasName(q string) bool {
	if q == "" || q == "$LATEST" {
		return false
	}
	for _, r := range q {
		if r < '0' || r > '9' {
			return true
		}
	}
	return false
}

// count records one of Lambda's other metrics for a function and, when
// not empty, the qualifier it was invoked with.
func (s *Service) count(function, qualifier, name, unit string, value float64) {
	if s.metrics == nil {
		return
	}
	c := Count{Function: function, Name: name, Unit: unit, Value: value}
	if qualifier != "" {
		c.Resource = function + ":" + qualifier
	}
	s.metrics.Count(c)
}
