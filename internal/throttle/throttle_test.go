package throttle

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// TestBucketBurstThenRate takes a full bucket's burst at one instant,
// is refused the next token, and gets tokens back at the rate.
func TestBucketBurstThenRate(t *testing.T) {
	b := New(2, 3) // 2 a second, burst 3
	for i := range 3 {
		if !b.Allow(t0) {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	if b.Allow(t0) {
		t.Fatal("burst+1th request at the same instant allowed")
	}
	if b.Allow(t0.Add(499 * time.Millisecond)) {
		t.Fatal("a token came back before 1/rate")
	}
	if !b.Allow(t0.Add(500 * time.Millisecond)) {
		t.Fatal("no token after 1/rate")
	}
	if b.Allow(t0.Add(500 * time.Millisecond)) {
		t.Fatal("two tokens after 1/rate")
	}
	// Idle for a long time, the bucket is full again, never fuller.
	later := t0.Add(time.Hour)
	for i := range 3 {
		if !b.Allow(later) {
			t.Fatalf("request %d after an hour refused", i+1)
		}
	}
	if b.Allow(later) {
		t.Fatal("bucket held more than its burst")
	}
}

// TestBucketSteadyRate admits a request every 1/rate for as long as
// requests keep that pace.
func TestBucketSteadyRate(t *testing.T) {
	b := New(10, 1)
	for i := range 1000 {
		if !b.Allow(t0.Add(time.Duration(i) * 100 * time.Millisecond)) {
			t.Fatalf("request %d at the steady rate refused", i)
		}
	}
}

func TestBucketEdges(t *testing.T) {
	if New(100, 0).Allow(t0) {
		t.Error("burst 0 allowed a request")
	}
	b := New(0, 2) // never refills
	if !b.Allow(t0) || !b.Allow(t0) || b.Allow(t0.Add(24*time.Hour)) {
		t.Error("rate 0: want burst requests, then none")
	}
	slow := New(1e-12, 1)
	if !slow.Allow(t0) || slow.Allow(t0.Add(1000*time.Hour)) {
		t.Error("a very slow rate refilled")
	}
	fast := New(1e12, 5)
	for i := range 5 {
		if !fast.Allow(t0) {
			t.Fatalf("fast bucket refused %d", i)
		}
	}
}

// TestBucketConcurrent admits exactly burst requests among many
// goroutines asking at one instant.
func TestBucketConcurrent(t *testing.T) {
	b := New(1, 500)
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if b.Allow(t0) {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 500 {
		t.Fatalf("allowed %d, want 500", ok.Load())
	}
}

func TestBucketsByKey(t *testing.T) {
	var s Buckets
	l := Limits{Rate: 1, Burst: 1}
	if !s.Allow("a", l, t0) || s.Allow("a", l, t0) {
		t.Fatal("key a: want one request")
	}
	if !s.Allow("b", l, t0) {
		t.Fatal("key b shares a's bucket")
	}
	// New settings start a new, full bucket.
	if !s.Allow("a", Limits{Rate: 1, Burst: 2}, t0) {
		t.Fatal("new limits did not start a new bucket")
	}
	if !s.Allow("a", Limits{Rate: -1, Burst: -1}, t0) {
		t.Fatal("unlimited refused")
	}
}

func BenchmarkBucketAllow(b *testing.B) {
	bk := New(AccountRate, AccountBurst)
	now := t0
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			bk.Allow(now)
		}
	})
}
