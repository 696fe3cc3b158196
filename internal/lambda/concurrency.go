package lambda

import (
	"sync"
	"sync/atomic"
)

// inflight counts running invocations, so that a function with reserved
// concurrency runs at most that many at once across all its versions, and
// functions without it share the account's unreserved pool, as on AWS.
// An invocation beyond either limit is throttled at once.
type inflight struct {
	unreserved  atomic.Int64
	perFunction sync.Map // name → *atomic.Int64
}

// unreservedPool is the account's concurrency not reserved by any
// function.
func (s *Service) unreservedPool() int {
	return s.accountMax - int(s.reservedTotal.Load())
}

// minUnreservedPool is the least unreserved concurrency reservations may
// leave.
func (s *Service) minUnreservedPool() int { return min(minUnreserved, s.accountMax) }

// admit counts one more running invocation of fn and returns the
// concurrency its pool may use and the function that ends the count; it
// returns TooManyRequestsException when fn is at its limit.
func (s *Service) admit(fn *function) (int, func(), error) {
	if fn.Reserved != nil {
		limit := int64(*fn.Reserved)
		v, _ := s.inflight.perFunction.LoadOrStore(fn.Name, new(atomic.Int64))
		n := v.(*atomic.Int64)
		if n.Add(1) > limit {
			n.Add(-1)
			return 0, nil, throttled(reasonReserved)
		}
		return int(limit), func() { n.Add(-1) }, nil
	}
	pool := s.unreservedPool()
	if s.inflight.unreserved.Add(1) > int64(pool) {
		s.inflight.unreserved.Add(-1)
		return 0, nil, throttled(reasonAccount)
	}
	return pool, func() { s.inflight.unreserved.Add(-1) }, nil
}
