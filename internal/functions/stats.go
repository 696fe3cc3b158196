package functions

import (
	"sort"
	"sync/atomic"
	"time"
)

// DurationBuckets are the upper bounds, in seconds, of the invocation
// duration histogram Stats reports: from a millisecond to Lambda's
// longest timeout, 900 seconds.
var DurationBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900}

// functionStats counts one function's invocations, across its versions'
// pools. Invocations update it with atomics only, so that counting
// takes no lock on the invoke path.
type functionStats struct {
	invocations atomic.Uint64
	errors      atomic.Uint64
	throttles   atomic.Uint64
	coldStarts  atomic.Uint64
	// durations counts durations per bucket, not cumulatively; the last
	// is above every bound.
	durations   []atomic.Uint64
	durationSum atomic.Int64 // nanoseconds
}

func newFunctionStats() *functionStats {
	return &functionStats{durations: make([]atomic.Uint64, len(DurationBuckets)+1)}
}

// done counts an invocation that ran: res is its result, nil when virga
// could not run it at all (an invocation error, such as an image that
// cannot be pulled), which Lambda does not count as an invocation.
func (s *functionStats) done(res *Result) {
	if res == nil {
		return
	}
	s.invocations.Add(1)
	if res.FunctionError != "" {
		s.errors.Add(1)
	}
	d := res.Duration
	secs := d.Seconds()
	i := sort.SearchFloat64s(DurationBuckets, secs) // first bound >= secs
	s.durations[i].Add(1)
	s.durationSum.Add(int64(d))
}

// FunctionStats is a snapshot of one function's invocation counters and
// environments, for metrics.
type FunctionStats struct {
	// Function is the function's name.
	Function string
	// Invocations counts the invocations that ran, failed ones among
	// them; Errors those that ended in a function error (FunctionError
	// set: an unhandled error, a timeout, a crash, a failed init).
	// As Lambda's metrics, Invocations leaves out invocations refused at
	// the concurrency limit, which Throttles counts, and those virga
	// could not run at all (invocation errors). ColdStarts counts
	// environments started for an invocation (an init).
	Invocations, Errors, Throttles, ColdStarts uint64
	// DurationCounts holds, for each bound in DurationBuckets, how many
	// invocations took at most that long (cumulative counts);
	// DurationCount and DurationSum are their number and total.
	DurationCounts []uint64
	DurationCount  uint64
	DurationSum    time.Duration
	// Busy and Idle are the function's environments now: serving an
	// invocation (or starting for one), and warm and waiting.
	Busy, Idle int
}

// statsForLocked returns the counters of function name, making them on first
// use. Called with m.mu held.
func (m *Pools) statsForLocked(name string) *functionStats {
	s := m.stats[name]
	if s == nil {
		s = newFunctionStats()
		m.stats[name] = s
	}
	return s
}

// Stats reports every function invoked since virga started, sorted by
// name. It takes each pool's lock briefly to count environments;
// invocations never wait for it.
func (m *Pools) Stats() []FunctionStats {
	m.mu.Lock()
	out := make([]FunctionStats, 0, len(m.stats))
	index := make(map[string]int, len(m.stats))
	for name, s := range m.stats {
		fs := FunctionStats{
			Function:    name,
			Invocations: s.invocations.Load(),
			Errors:      s.errors.Load(),
			Throttles:   s.throttles.Load(),
			ColdStarts:  s.coldStarts.Load(),
			DurationSum: time.Duration(s.durationSum.Load()),
		}
		fs.DurationCounts = make([]uint64, len(DurationBuckets))
		var n uint64
		for i := range s.durations {
			n += s.durations[i].Load()
			if i < len(DurationBuckets) {
				fs.DurationCounts[i] = n
			}
		}
		fs.DurationCount = n
		index[name] = len(out)
		out = append(out, fs)
	}
	pools := make([]*pool, 0, len(m.pools))
	for _, p := range m.pools {
		pools = append(pools, p)
	}
	m.mu.Unlock()
	for _, p := range pools {
		i, ok := index[p.spec.FunctionName]
		if !ok {
			continue
		}
		p.mu.Lock()
		idle := len(p.idle) + len(p.warm)
		out[i].Idle += idle
		out[i].Busy += len(p.all) - idle + p.starting
		p.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Function < out[j].Function })
	return out
}
