package sqs

import (
	"log/slog"
	"math"
	"sync/atomic"
	"time"
)

// SQS's CloudWatch metrics (namespace AWS/SQS, dimension QueueName), as
// "Available CloudWatch metrics for Amazon SQS" lists them. The calls
// only count, under the lock they already hold (or, for empty
// receives, with one atomic add); once a minute on the service's clock
// Run hands each queue's counts of the minute that ended, and the
// approximate sizes and age sampled then, to Metrics. Every queue
// reports every minute, zeros included, as SQS does for active queues.

// Metrics receives SQS's per-minute metrics; the app writes them to
// CloudWatch.
type Metrics interface {
	PutQueueMetrics(minute time.Time, qs []QueueMetrics)
}

// QueueMetrics are one queue's metrics for a minute.
type QueueMetrics struct {
	Queue string
	// Counts of the minute: NumberOfMessagesSent, NumberOfMessagesReceived,
	// NumberOfMessagesDeleted, NumberOfEmptyReceives.
	Sent, Received, Deleted, EmptyReceives int64
	// SentMessageSize's statistics over the messages sent (none when
	// Sent is 0).
	SizeSum, SizeMin, SizeMax float64
	// Sampled at the minute's end: ApproximateNumberOfMessagesVisible,
	// ...NotVisible, ...Delayed, and ApproximateAgeOfOldestMessage in
	// seconds.
	Visible, NotVisible, Delayed int
	OldestAge                    float64
}

// queueStats are a queue's counts since the last sample; all but
// emptyReceives are guarded by Service.mu.
type queueStats struct {
	sent, received, deleted int64
	sizeSum, sizeMin        float64
	sizeMax                 float64
	emptyReceives           atomic.Int64
}

// countSent counts a message sent; the caller holds s.mu.
func (st *queueStats) countSent(size int) {
	if st.sent == 0 {
		st.sizeMin, st.sizeMax = math.Inf(1), math.Inf(-1)
	}
	st.sent++
	st.sizeSum += float64(size)
	st.sizeMin = math.Min(st.sizeMin, float64(size))
	st.sizeMax = math.Max(st.sizeMax, float64(size))
}

// sampleMetrics takes every queue's counts and samples its sizes, and
// resets the counts. It is called as a minute ends.
func (s *Service) sampleMetrics(now time.Time) []QueueMetrics {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]QueueMetrics, 0, len(s.queues))
	for name, q := range s.queues {
		st := &q.stats
		m := QueueMetrics{Queue: name, Sent: st.sent, Received: st.received, Deleted: st.deleted,
			EmptyReceives: st.emptyReceives.Swap(0)}
		if st.sent > 0 {
			m.SizeSum, m.SizeMin, m.SizeMax = st.sizeSum, st.sizeMin, st.sizeMax
		}
		st.sent, st.received, st.deleted, st.sizeSum = 0, 0, 0, 0
		m.Visible, m.NotVisible, m.Delayed = q.counts(now)
		var oldest time.Time
		for _, msg := range q.messages {
			if oldest.IsZero() || msg.sent.Before(oldest) {
				oldest = msg.sent
			}
		}
		if !oldest.IsZero() {
			m.OldestAge = math.Max(0, math.Floor(now.Sub(oldest).Seconds()))
		}
		out = append(out, m)
	}
	return out
}

// metricsTick reports the minute that ended, if one did since last.
func (s *Service) metricsTick(last *time.Time, log *slog.Logger) {
	if s.metrics == nil {
		return
	}
	now := s.clock.Now()
	minute := now.Truncate(time.Minute)
	if !minute.After(*last) {
		return
	}
	// What was counted since the last report belongs to the minute that
	// just ended: the loop ticks every second, and when the clock jumped
	// further than that (a suspended machine, a test's clock), the
	// minutes skipped had no tick to count in.
	ended := minute.Add(-time.Minute)
	*last = minute
	if qs := s.sampleMetrics(now); len(qs) > 0 {
		s.metrics.PutQueueMetrics(ended, qs)
	}
}
