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
}

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
func (s *Service) observe(fn *function, inv *functions.Invocation) func(res *functions.Result, err error) {
	if s.metrics == nil {
		return func(*functions.Result, error) {}
	}
	n := counter(&s.running.perFunction, fn.Name)
	o := Observation{Function: fn.Name, Resource: resource(fn, inv), Concurrent: n.Add(1), AccountConcurrent: s.running.all.Add(1)}
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
