package sqs

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

type recordedMetrics struct {
	minutes []time.Time
	sent    []int64
}

func (r *recordedMetrics) PutQueueMetrics(minute time.Time, qs []QueueMetrics) {
	for _, q := range qs {
		r.minutes = append(r.minutes, minute)
		r.sent = append(r.sent, q.Sent)
	}
}

// TestMetricsAfterAClockJump: when the clock moves past more than one
// minute between two ticks of Run, what was counted is reported for the
// minute that just ended, not for the one of the last tick.
func TestMetricsAfterAClockJump(t *testing.T) {
	t.Parallel()
	s, _, clk := newTestService(t)
	rec := &recordedMetrics{}
	s.metrics = rec
	start := clk.Now().Truncate(time.Minute)
	last := start
	url := mustCreate(t, s, "q", nil)
	clk.Set(start.Add(2*time.Minute + 5*time.Second))
	if _, err := s.sendMessage(context.Background(), &SendMessageRequest{QueueUrl: url, MessageBody: ptr("m")}); err != nil {
		t.Fatal(err)
	}
	clk.Set(start.Add(3*time.Minute + 5*time.Second))
	s.metricsTick(&last, slog.New(slog.DiscardHandler))
	if len(rec.minutes) != 1 || !rec.minutes[0].Equal(start.Add(2*time.Minute)) || rec.sent[0] != 1 {
		t.Fatalf("reported %v %v, want one send in the minute from %v", rec.minutes, rec.sent, start.Add(2*time.Minute))
	}
}
