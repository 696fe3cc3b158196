package lambda

import (
	"sync"
	"sync/atomic"
)

// Concurrency accounting, one for every invocation path and for
// GetAccountSettings, as Lambda divides an account's concurrency:
//
//	account (accountMax)
//	├ reserved by functions (reservedTotal): each function's reservation
//	│   is all it may use, its provisioned concurrency included; what is
//	│   not provisioned is its on-demand share, which $LATEST and its
//	│   spill-over invocations use
//	└ unreserved (unreservedPool)
//	    ├ provisioned concurrency of functions without reservations
//	    │   (provisionedShared): each version keeps its own
//	    └ the shared on-demand pool (sharedPool): what GetAccountSettings
//	        reports as UnreservedConcurrentExecutions, used by the on-demand
//	        invocations of every function without a reservation
//
// An invocation of a version with provisioned concurrency runs on it while
// fewer than that many of the version's invocations are running; any
// other invocation takes one from its function's on-demand share or the
// shared pool, and is throttled (429) when there is none. The pool of
// environments the invocation runs in is given the same limit (the
// version's provisioned concurrency plus the on-demand concurrency), so
// that package functions refuses only what admit let through in a race.

// inflight counts running invocations: those on each version's
// provisioned concurrency, those on each reserved function's on-demand
// share, and those on the shared pool.
type inflight struct {
	shared      atomic.Int64
	perFunction sync.Map // name → *atomic.Int64, on-demand invocations
	perVersion  sync.Map // name:version → *atomic.Int64, on provisioned concurrency
}

// counter returns the count stored under key in m, making it.
func counter(m *sync.Map, key string) *atomic.Int64 {
	if v, ok := m.Load(key); ok {
		return v.(*atomic.Int64)
	}
	v, _ := m.LoadOrStore(key, new(atomic.Int64))
	return v.(*atomic.Int64)
}

// tally recomputes the account's totals from the functions after a
// change; it runs under s.mu (or before the service serves).
func (s *Service) tally() {
	var reserved, shared int64
	for _, fn := range s.functions {
		if fn.Reserved != nil {
			reserved += int64(*fn.Reserved)
			continue
		}
		shared += int64(provisionedTotal(fn))
	}
	s.reservedTotal.Store(reserved)
	s.provisionedShared.Store(shared)
}

// unreservedPool is the account's concurrency not reserved by any
// function.
func (s *Service) unreservedPool() int {
	return s.accountMax - int(s.reservedTotal.Load())
}

// sharedPool is the unreserved concurrency that is not provisioned
// either: what GetAccountSettings reports as
// UnreservedConcurrentExecutions, and what functions without reserved
// concurrency share on demand.
func (s *Service) sharedPool() int {
	return s.unreservedPool() - int(s.provisionedShared.Load())
}

// minUnreservedPool is the least unreserved concurrency reservations and
// provisioned concurrency may leave.
func (s *Service) minUnreservedPool() int { return min(minUnreserved, s.accountMax) }

// onDemandLimit is how many of fn's invocations may run beyond its
// versions' provisioned concurrency: its reservation less what is
// provisioned, or the shared pool.
func (s *Service) onDemandLimit(fn *function) int {
	if fn.Reserved != nil {
		return max(int(*fn.Reserved)-provisionedTotal(fn), 0)
	}
	return max(s.sharedPool(), 0)
}

// functionLimit is the most invocations of fn that may run at once, over
// all its versions.
func (s *Service) functionLimit(fn *function) int {
	if fn.Reserved != nil {
		return int(*fn.Reserved)
	}
	return provisionedTotal(fn) + s.onDemandLimit(fn)
}

// versionLimit is the most invocations of fn's version vname that may run
// at once, the limit of its pool of environments.
func (s *Service) versionLimit(fn *function, vname string) int {
	p := 0
	if len(fn.Provisioned) > 0 {
		p = provisionedFor(fn, vname)
	}
	return p + s.onDemandLimit(fn)
}

// admit counts one more running invocation of v, a version of fn, and
// returns the concurrency v's pool may use and the function that ends the
// count; it returns TooManyRequestsException when neither v's provisioned
// concurrency nor the on-demand concurrency fn may use has room.
func (s *Service) admit(fn *function, v *version) (int, func(), admission, error) {
	var adm admission
	p := 0
	var vkey string
	if len(fn.Provisioned) > 0 && v.Number != 0 {
		vkey = fn.Name + ":" + v.name()
		p = provisionedFor(fn, v.name())
	}
	onDemand := s.onDemandLimit(fn)
	limit := p + onDemand
	if p > 0 {
		n := counter(&s.inflight.perVersion, vkey)
		adm.allocated = p
		if in := n.Add(1); in <= int64(p) {
			adm.provisioned, adm.inUse = true, in
			return limit, func() { n.Add(-1) }, adm, nil
		}
		n.Add(-1)
		adm.spillover, adm.inUse = true, int64(p)
	}
	n, reason := &s.inflight.shared, reasonAccount
	if fn.Reserved != nil {
		n, reason = counter(&s.inflight.perFunction, fn.Name), reasonReserved
	}
	if n.Add(1) > int64(onDemand) {
		n.Add(-1)
		return 0, nil, admission{}, throttled(reason)
	}
	return limit, func() { n.Add(-1) }, adm, nil
}

// admission is how an invocation was admitted, for the provisioned
// concurrency metrics: on its version's provisioned concurrency
// (inUse of allocated then in use), or on demand because all of it was
// in use (spillover).
type admission struct {
	provisioned, spillover bool
	inUse                  int64
	allocated              int
}
