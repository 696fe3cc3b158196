// Package throttle is the token bucket API Gateway throttles requests
// with: a bucket holds up to burst tokens, refills at rate tokens a
// second, and a request passes when it can take a token. API Gateway
// applies one bucket per level it throttles at (a client's key, a
// method of a stage, the account); the packages that serve APIs keep
// the buckets and ask them in AWS's order.
//
// A Bucket is lock-free: it keeps the time at which it would next be
// full ("theoretical arrival time", the generic cell rate algorithm,
// which admits exactly what a token bucket admits) in one atomic word,
// so that the account's bucket, which every request asks, serializes
// nothing but a compare-and-swap. Time comes from the caller, so tests
// drive a bucket with a fake clock.
package throttle

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Account-level throttling, as AWS documents its default quota: "10,000
// requests per second (RPS) with an additional burst capacity provided
// by the token bucket algorithm, using a maximum bucket capacity of
// 5,000 requests", per account and Region, across REST, HTTP and
// WebSocket APIs.
const (
	AccountRate  = 10000
	AccountBurst = 5000
)

// maxInterval bounds the time one token takes to come back (rates below
// about one request in eleven days refill never), so that burst times
// the interval cannot overflow.
const maxInterval = int64(1e15)

// Bucket is one token bucket. The zero Bucket is not usable; New makes
// one.
type Bucket struct {
	// interval is the time one token takes to come back, in
	// nanoseconds; 0 when the bucket never refills.
	interval int64
	// tolerance is burst times interval: how far ahead of now the
	// bucket may be booked.
	tolerance int64
	// tat is the time, in Unix nanoseconds, at which the bucket would
	// be full again: every token taken books it one interval later.
	tat atomic.Int64
	// left counts the tokens of a bucket that never refills.
	left  atomic.Int64
	burst int64
}

// New returns a full bucket of burst tokens that refills at rate tokens
// a second. A burst of 0 admits nothing; a rate of 0 admits burst
// requests and no more.
func New(rate float64, burst int64) *Bucket {
	b := &Bucket{burst: max(burst, 0)}
	switch {
	case math.IsInf(rate, 1):
		b.interval = 1
	case rate > 0:
		if iv := max(1e9/rate, 1); iv < float64(maxInterval) {
			b.interval = int64(iv)
		}
	}
	b.tolerance = b.burst * b.interval
	b.left.Store(b.burst)
	return b
}

// Allow takes a token at now and reports whether there was one.
func (b *Bucket) Allow(now time.Time) bool {
	if b.burst == 0 {
		return false
	}
	if b.interval == 0 {
		for {
			n := b.left.Load()
			if n <= 0 {
				return false
			}
			if b.left.CompareAndSwap(n, n-1) {
				return true
			}
		}
	}
	t := now.UnixNano()
	for {
		tat := b.tat.Load()
		next := max(tat, t) + b.interval
		if next-t > b.tolerance {
			return false
		}
		if b.tat.CompareAndSwap(tat, next) {
			return true
		}
	}
}

// Limits are a level's throttle settings: a steady rate in requests a
// second and a burst. A negative rate or burst leaves its level
// unthrottled, as API Gateway reads -1 in its settings.
type Limits struct {
	Rate  float64
	Burst int64
}

// Unlimited reports whether the limits throttle nothing.
func (l Limits) Unlimited() bool { return l.Rate < 0 || l.Burst < 0 }

// Buckets are buckets by key (a client, a method), each made full on
// first use with the limits it is asked with, and made anew when they
// change. They are safe for concurrent use; asking an existing bucket
// takes no lock.
type Buckets struct{ m sync.Map }

type entry struct {
	limits Limits
	b      *Bucket
}

// Allow takes a token at now from the bucket with the given key and
// limits, and reports whether there was one. Unlimited limits allow
// every request without a bucket.
func (s *Buckets) Allow(key string, l Limits, now time.Time) bool {
	if l.Unlimited() {
		return true
	}
	v, ok := s.m.Load(key)
	if ok && v.(*entry).limits == l {
		return v.(*entry).b.Allow(now)
	}
	e := &entry{limits: l, b: New(l.Rate, l.Burst)}
	if ok {
		// The settings changed: a new bucket, full, as a deployment
		// of new settings starts one.
		s.m.Store(key, e)
	} else if actual, loaded := s.m.LoadOrStore(key, e); loaded {
		e = actual.(*entry)
	}
	return e.b.Allow(now)
}
