package sqs

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"time"

	"github.com/virga/virga/internal/store"
)

// A message move task moves the messages a dead-letter queue holds when
// it starts back to the queues they came from (or to DestinationArn), at
// most MaxNumberOfMessagesPerSecond a second. Tasks live in memory: a
// restart ends them, as a failure would on AWS.
type moveTask struct {
	handle      string
	source      string
	destination string
	rate        int
	rateGiven   bool // the request named the rate; only then is it listed
	started     time.Time
	status      string // RUNNING, CANCELLING, CANCELLED, COMPLETED, FAILED
	failure     string
	toMove      int
	moved       int
	// lastSeq is the source's last sequence when the task started; later
	// messages stay.
	lastSeq uint64
}

func (s *Service) startMessageMoveTask(ctx context.Context, in *StartMessageMoveTaskRequest) (*StartMessageMoveTaskResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	src := s.queueByARN(*in.SourceArn)
	if src == nil {
		return nil, ErrResourceNotFound.WithMessage("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	isDLQ := false
	for _, q := range s.queues {
		if q.cfg.Redrive != nil && q.cfg.Redrive.DeadLetterTargetArn == src.arn {
			isDLQ = true
		}
	}
	if !isDLQ {
		return nil, ErrInvalidParameterValue.WithMessage("Source queue must be configured as a Dead Letter Queue.")
	}
	dest := ""
	if in.DestinationArn != nil && *in.DestinationArn != "" {
		if s.queueByARN(*in.DestinationArn) == nil {
			return nil, ErrResourceNotFound.WithMessage("The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
		dest = *in.DestinationArn
	}
	rate := defaultMoveTaskRate
	if in.MaxNumberOfMessagesPerSecond != nil {
		if *in.MaxNumberOfMessagesPerSecond < 1 || *in.MaxNumberOfMessagesPerSecond > maxMoveTaskRate {
			return nil, ErrInvalidParameterValue.Withf("Value %d for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.", *in.MaxNumberOfMessagesPerSecond)
		}
		rate = int(*in.MaxNumberOfMessagesPerSecond)
	}
	for _, t := range s.tasks {
		if t.source == src.arn && (t.status == "RUNNING" || t.status == "CANCELLING") {
			return nil, ErrUnsupported.WithMessage("There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
		}
	}
	t := &moveTask{
		handle: base64.StdEncoding.EncodeToString(mustJSON(map[string]string{"taskId": s.ids.UUID(), "sourceArn": src.arn})),
		source: src.arn, destination: dest, rate: rate, rateGiven: in.MaxNumberOfMessagesPerSecond != nil,
		started: s.clock.Now(), status: "RUNNING",
		toMove: len(src.messages), lastSeq: src.nextSeq - 1,
	}
	s.tasks = append(s.tasks, t)
	return &StartMessageMoveTaskResult{TaskHandle: &t.handle}, nil
}

func (s *Service) listMessageMoveTasks(ctx context.Context, in *ListMessageMoveTasksRequest) (*ListMessageMoveTasksResult, error) {
	limit := 1
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > maxMoveTasksListed {
			return nil, ErrInvalidParameterValue.Withf("Value %d for parameter MaxResults is invalid. Reason: Must be between 1 and 10.", *in.MaxResults)
		}
		limit = int(*in.MaxResults)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queueByARN(*in.SourceArn) == nil {
		return nil, ErrResourceNotFound.WithMessage("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	out := &ListMessageMoveTasksResult{Results: []ListMessageMoveTasksResultEntry{}}
	for i := len(s.tasks) - 1; i >= 0 && len(out.Results) < limit; i-- {
		t := s.tasks[i]
		if t.source != *in.SourceArn {
			continue
		}
		e := ListMessageMoveTasksResultEntry{
			Status: ptr(t.status), SourceArn: ptr(t.source),
			ApproximateNumberOfMessagesMoved:  ptr(int64(t.moved)),
			ApproximateNumberOfMessagesToMove: ptr(int64(t.toMove)),
			StartedTimestamp:                  ptr(t.started.UnixMilli()),
			FailureReason:                     optional(t.failure),
			DestinationArn:                    optional(t.destination),
		}
		if t.rateGiven {
			// "If it has been specified in the StartMessageMoveTask
			// request"; otherwise the field is null.
			e.MaxNumberOfMessagesPerSecond = ptr(int32(t.rate))
		}
		if t.status == "RUNNING" {
			e.TaskHandle = ptr(t.handle)
		}
		out.Results = append(out.Results, e)
	}
	return out, nil
}

func (s *Service) cancelMessageMoveTask(ctx context.Context, in *CancelMessageMoveTaskRequest) (*CancelMessageMoveTaskResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tasks {
		if t.handle == *in.TaskHandle {
			if t.status != "RUNNING" {
				return nil, ErrUnsupported.WithMessage("Only active tasks can be cancelled.")
			}
			t.status = "CANCELLED"
			return &CancelMessageMoveTaskResult{ApproximateNumberOfMessagesMoved: ptr(int64(t.moved))}, nil
		}
	}
	return nil, ErrResourceNotFound.WithMessage("Task does not exist.")
}

// runMoveTasks moves one second's worth of messages for each running task.
func (s *Service) runMoveTasks(log *slog.Logger) {
	s.mu.Lock()
	var running []*moveTask
	for _, t := range s.tasks {
		if t.status == "RUNNING" {
			running = append(running, t)
		}
	}
	s.mu.Unlock()
	for _, t := range running {
		if err := s.moveSome(t); err != nil {
			log.Error("sqs: message move task", "source", t.source, "err", err)
		}
	}
}

// moveSome moves up to t.rate visible messages of t's source.
func (s *Service) moveSome(t *moveTask) error {
	now := s.clock.Now()
	s.mu.Lock()
	src := s.queueByARN(t.source)
	if src == nil {
		t.status, t.failure = "FAILED", "AWS.SimpleQueueService.NonExistentQueue"
		s.mu.Unlock()
		return nil
	}
	b := s.store.NewBatch()
	defer b.Close()
	type move struct {
		m   *message
		to  *queue
		rec *messageRecord
	}
	var moves []move
	for _, m := range src.candidates(t.rate, now) {
		if m.seq > t.lastSeq {
			continue
		}
		r, err := s.readMessage(src, m)
		if errors.Is(err, store.ErrNotFound) {
			src.remove(m) // deleted but still indexed (see receive)
			continue
		}
		if err != nil {
			s.mu.Unlock()
			return err
		}
		destARN := t.destination
		if destARN == "" {
			destARN = r.DeadLetterSource
		}
		to := s.queueByARN(destARN)
		if to == nil || to == src {
			continue // nowhere to go back to; it stays
		}
		moved := *r
		moved.DeadLetterSource = ""
		moved.Receives, moved.FirstReceiveMillis = 0, 0
		moved.VisibleAtMillis = now.UnixMilli()
		moved.Sequence = to.nextSeq
		to.nextSeq++
		dropMessage(b, src.rec.ID, m.seq)
		b.Set(messageKey(to.rec.ID, moved.Sequence), mustJSON(&moved))
		src.remove(m)
		moves = append(moves, move{m, to, &moved})
	}
	if len(moves) == 0 {
		t.status = "COMPLETED"
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	if err := b.Commit(); err != nil {
		return err
	}
	s.mu.Lock()
	for _, mv := range moves {
		if !mv.to.deleted {
			mv.to.add(indexEntry(mv.rec), now)
			mv.to.notify()
		}
	}
	t.moved += len(moves)
	s.mu.Unlock()
	return nil
}
