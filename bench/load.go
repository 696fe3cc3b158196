package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// callFunc makes one request and checks its answer; rng is the caller's
// own random source (for keys), never shared between goroutines.
type callFunc func(ctx context.Context, rng *rand.Rand) error

// result is one run of one cell.
type result struct {
	requests int
	elapsed  time.Duration
	p50, p99 time.Duration
	// cpu is the CPU time the whole process (client and in-process
	// servers) used, plus that of the server's own process when it runs
	// in one (dynalite).
	cpu time.Duration
	// serverCPU is the part of cpu the target's own processes used
	// (dynalite, the emulator, virga's function environments); 0 when
	// the server is wholly in-process.
	serverCPU time.Duration
	// errors counts the failed calls of a cell that tolerates them (the
	// Lambda suite's); firstErr is the first. Failed calls are not in
	// requests or the latencies.
	errors   int
	firstErr error
	// calls and messages are what the cell's tally counted during the
	// run (the SQS suite's API calls and messages received and deleted);
	// 0 for cells without one.
	calls, messages int64
}

func (r result) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// callsPerSec is the run's API calls per second: the tally's count, or
// one per call when the cell has no tally (the plain HTTP ceiling).
func (r result) callsPerSec() float64 {
	n := r.calls
	if n == 0 {
		n = int64(r.requests)
	}
	return float64(n) / r.elapsed.Seconds()
}

func (r result) messagesPerSec() float64 { return float64(r.messages) / r.elapsed.Seconds() }

// tally counts what a cell's calls do when one call of the callFunc is
// more than one request: a cycle of the SQS suite makes several API calls
// and moves one or more messages. Callers add to it as they go; load
// reads it before and after a run.
type tally struct{ calls, messages atomic.Int64 }

func (t *tally) read() (calls, messages int64) {
	if t == nil {
		return 0, 0
	}
	return t.calls.Load(), t.messages.Load()
}

// cpuPerReq is CPU time per request in µs: unlike req/s, it barely moves
// when other processes take the cores away.
func (r result) cpuPerReq() float64 {
	return float64(r.cpu.Microseconds()) / float64(max(r.requests, 1))
}

// serverCPUPerReq is the part of cpuPerReq, in µs, the target's own
// processes used.
func (r result) serverCPUPerReq() float64 {
	return float64(r.serverCPU.Microseconds()) / float64(max(r.requests, 1))
}

// load runs cl with cl.c concurrent callers, each one call after another,
// for d, and measures every call. Any failed call fails the run, so that
// a row is not fast because it answers errors, unless the cell counts
// errors instead (cl.countErrors): then the failed calls are counted,
// left out of req/s and the latencies, and shown beside them.
func load(ctx context.Context, cl *cell, d time.Duration) (result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lat := make([][]time.Duration, cl.c)
	errs := make([]error, cl.c)
	failed := make([]callErrors, cl.c)
	var wg sync.WaitGroup
	cpu0, srv0 := cl.cpuNow()
	calls0, msgs0 := cl.tally.read()
	start := time.Now()
	deadline := start.Add(d)
	for i := range cl.c {
		wg.Add(1)
		rng := rand.New(rand.NewPCG(uint64(start.UnixNano()), uint64(i)))
		go pprof.Do(ctx, pprof.Labels("side", "client", "target", cl.name()), func(ctx context.Context) {
			defer wg.Done()
			var tolerate *callErrors
			if cl.countErrors {
				tolerate = &failed[i]
			}
			lat[i], errs[i] = callUntil(ctx, cl.call, rng, deadline, tolerate)
			if errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, srv1 := cl.cpuNow()
	cpu, srv := cpu1-cpu0, srv1-srv0
	calls1, msgs1 := cl.tally.read()
	for _, err := range errs {
		if err != nil {
			return result{}, err
		}
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	r := result{requests: len(all), elapsed: elapsed, cpu: cpu, serverCPU: srv, calls: calls1 - calls0, messages: msgs1 - msgs0}
	for _, f := range failed {
		r.errors += f.n
		if r.firstErr == nil {
			r.firstErr = f.first
		}
	}
	if len(all) == 0 {
		if r.errors > 0 {
			return r, nil // every call failed: a row of 0 req/s and its errors
		}
		return result{}, fmt.Errorf("no call completed in %v", d)
	}
	slices.Sort(all)
	r.p50, r.p99 = percentile(all, 50), percentile(all, 99)
	return r, nil
}

// callErrors counts one caller's failed calls and keeps the first.
type callErrors struct {
	n     int
	first error
}

// callUntil makes calls one after another until deadline and returns
// their latencies. A failed call ends it with the error, unless tolerate
// is not nil: then it is counted there and calling goes on.
func callUntil(ctx context.Context, call callFunc, rng *rand.Rand, deadline time.Time, tolerate *callErrors) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, 4096)
	for {
		t0 := time.Now()
		if !t0.Before(deadline) {
			return lat, nil
		}
		if err := call(ctx, rng); err != nil {
			if ctx.Err() != nil {
				return lat, nil
			}
			if tolerate != nil {
				tolerate.n++
				if tolerate.first == nil {
					tolerate.first = err
				}
				continue
			}
			return lat, err
		}
		lat = append(lat, time.Since(t0))
	}
}

// percentile is the p-th percentile of sorted, by the nearest-rank method.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100 // ceil(n·p/100), 1-based
	return sorted[max(i, 1)-1]
}

// median is the run with the median requests/s (the lower one of the two
// middle runs when there is an even number).
func median(runs []result) result {
	s := slices.Clone(runs)
	slices.SortFunc(s, func(a, b result) int {
		switch {
		case a.rps() < b.rps():
			return -1
		case a.rps() > b.rps():
			return 1
		}
		return 0
	})
	return s[(len(s)-1)/2]
}

// medianRatio is the median over rounds of runs[i].rps() ÷ base[i].rps():
// a target and its baseline ran one after the other in each round, so
// each ratio compares runs under nearly the same load on the machine.
func medianRatio(runs, base []result) float64 {
	return medianRatioBy(runs, base, result.rps)
}

// medianRatioBy is medianRatio of another rate than requests/s: of, for
// each round, rate(runs[i]) ÷ rate(base[i]).
func medianRatioBy(runs, base []result, rate func(result) float64) float64 {
	var ratios []float64
	for i := range min(len(runs), len(base)) {
		if base[i].requests > 0 && rate(base[i]) > 0 {
			ratios = append(ratios, rate(runs[i])/rate(base[i]))
		}
	}
	if len(ratios) == 0 {
		return 0
	}
	slices.Sort(ratios)
	n := len(ratios)
	if n%2 == 1 {
		return ratios[n/2]
	}
	return (ratios[n/2-1] + ratios[n/2]) / 2
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
