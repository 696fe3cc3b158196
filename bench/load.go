package main

import (
	"context"
	"fmt"
	"runtime/pprof"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// result is one run of one cell.
type result struct {
	requests int
	elapsed  time.Duration
	p50, p99 time.Duration
	// cpu is the CPU time the whole process (client and server) used.
	cpu time.Duration
}

func (r result) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// cpuPerReq is CPU time per request in µs: unlike req/s, it barely moves
// when other processes take the cores away.
func (r result) cpuPerReq() float64 {
	return float64(r.cpu.Microseconds()) / float64(r.requests)
}

// load calls t with c concurrent callers, each one call after another,
// for d, and measures every call. Any failed call fails the run: a row
// must not be fast because it answers errors.
func load(ctx context.Context, t *target, c int, d time.Duration) (result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lat := make([][]time.Duration, c)
	errs := make([]error, c)
	var wg sync.WaitGroup
	cpu0 := processCPU()
	start := time.Now()
	deadline := start.Add(d)
	for i := range c {
		wg.Add(1)
		go pprof.Do(ctx, pprof.Labels("side", "client", "target", t.name), func(ctx context.Context) {
			defer wg.Done()
			lat[i], errs[i] = call(ctx, t.client, deadline)
			if errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	for _, err := range errs {
		if err != nil {
			return result{}, err
		}
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return result{}, fmt.Errorf("no call completed in %v", d)
	}
	slices.Sort(all)
	return result{
		requests: len(all),
		elapsed:  elapsed,
		p50:      percentile(all, 50),
		p99:      percentile(all, 99),
		cpu:      cpu,
	}, nil
}

// call makes calls one after another until deadline and returns their
// latencies.
func call(ctx context.Context, c *sts.Client, deadline time.Time) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, 4096)
	in := &sts.GetCallerIdentityInput{}
	for {
		t0 := time.Now()
		if !t0.Before(deadline) {
			return lat, nil
		}
		if _, err := c.GetCallerIdentity(ctx, in); err != nil {
			if ctx.Err() != nil {
				return lat, nil
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
// a target and the bare handler ran one after the other in each round,
// so each ratio compares runs under nearly the same load on the machine.
func medianRatio(runs, base []result) float64 {
	var ratios []float64
	for i := range min(len(runs), len(base)) {
		ratios = append(ratios, runs[i].rps()/base[i].rps())
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
