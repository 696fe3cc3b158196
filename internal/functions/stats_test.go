package functions

import (
	"testing"
)

func TestStatsCountInvocations(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := goSpec(t)
	invoke(t, m, s, `{"n":1}`)
	errorOf(t, invoke(t, m, s, `{"action":"error"}`))
	// A panic ends the environment: the next invocation starts another.
	errorOf(t, invoke(t, m, s, `{"action":"panic"}`))
	invoke(t, m, s, `{"n":2}`)

	stats := m.Stats()
	if len(stats) != 1 {
		t.Fatalf("stats for %d functions, want 1: %+v", len(stats), stats)
	}
	got := stats[0]
	if got.Function != s.FunctionName || got.Invocations != 4 || got.Errors != 2 || got.ColdStarts != 2 || got.Throttles != 0 {
		t.Errorf("counters: %+v", got)
	}
	if got.DurationCount != 4 || got.DurationSum <= 0 || len(got.DurationCounts) != len(DurationBuckets) {
		t.Errorf("durations: count %d, sum %v, %d buckets", got.DurationCount, got.DurationSum, len(got.DurationCounts))
	}
	for i := 1; i < len(got.DurationCounts); i++ {
		if got.DurationCounts[i] < got.DurationCounts[i-1] {
			t.Errorf("bucket counts not cumulative: %v", got.DurationCounts)
		}
	}
	if last := got.DurationCounts[len(got.DurationCounts)-1]; last != 4 {
		t.Errorf("%d invocations within %vs, want 4", last, DurationBuckets[len(DurationBuckets)-1])
	}
	if got.Busy != 0 || got.Idle != 1 {
		t.Errorf("environments: %d busy, %d idle, want 0 and 1", got.Busy, got.Idle)
	}
}

func TestStatsDoneBuckets(t *testing.T) {
	t.Parallel()
	s := newFunctionStats()
	s.done(&Result{Duration: 1_000_000}) // exactly 1 ms: in the first bucket
	s.done(&Result{Duration: 2_000_000_000_000, FunctionError: "Unhandled"})
	s.done(nil) // an invocation error: not an invocation
	if s.invocations.Load() != 2 || s.errors.Load() != 1 {
		t.Errorf("invocations %d, errors %d", s.invocations.Load(), s.errors.Load())
	}
	if s.durations[0].Load() != 1 || s.durations[len(DurationBuckets)].Load() != 1 {
		t.Errorf("first bucket %d, overflow %d", s.durations[0].Load(), s.durations[len(DurationBuckets)].Load())
	}
}
