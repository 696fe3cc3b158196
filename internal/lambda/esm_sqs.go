package lambda

import (
	"context"
	"encoding/json"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/eventpattern"
	"github.com/virga/virga/internal/eventsource"
	"github.com/virga/virga/internal/functions"
	"github.com/virga/virga/internal/traceheader"
)

// How an SQS poller behaves: it long-polls for 20 seconds, gathers a batch
// of up to BatchSize messages for at most MaximumBatchingWindowInSeconds,
// invokes the function once with the batch, and deletes the messages the
// function processed. Messages of a failed batch stay in the queue and
// come back when their visibility timeout ends, which also counts their
// receives toward the queue's redrive policy. Messages that match none of
// the mapping's filters are deleted without an invocation, as Lambda does.
const (
	sqsErrorPause = time.Second
)

// pollQueue is one poller of an SQS mapping; it runs until ctx ends.
func (s *Service) pollQueue(ctx context.Context, m *mapping, cfg EventSourceMappingConfiguration) {
	arn := *cfg.EventSourceArn
	filters := compileFilters(cfg.FilterCriteria)
	batchSize := int(*cfg.BatchSize)
	window := time.Duration(*cfg.MaximumBatchingWindowInSeconds) * time.Second
	reportFailures := len(cfg.FunctionResponseTypes) > 0
	for ctx.Err() == nil {
		// The poller reads as the function's execution role.
		if err := s.pollAllowed(ctx, cfg); err != nil {
			s.setResult(m, "PROBLEM: Error occurred while ReceiveMessage: "+err.Error())
			eventsource.Pause(ctx, sqsErrorPause)
			continue
		}
		batch, err := eventsource.Gather(ctx, s.queues, arn, batchSize, window)
		if err != nil {
			s.setResult(m, "PROBLEM: Error occurred while ReceiveMessage: "+err.Error())
			eventsource.Pause(ctx, sqsErrorPause)
			continue
		}
		if len(batch) == 0 {
			continue
		}
		var keep, drop []eventsource.QueueMessage
		for _, msg := range batch {
			if len(filters) == 0 || eventsource.MatchesAny(filters, eventsource.RecordDoc(eventsource.NewQueueRecord(msg, arn, s.region))) {
				keep = append(keep, msg)
			} else {
				drop = append(drop, msg)
			}
		}
		if len(drop) > 0 {
			s.queues.Delete(ctx, arn, eventsource.Handles(drop))
		}
		if len(keep) == 0 {
			continue
		}
		done, result := s.deliverBatch(ctx, cfg, keep, reportFailures)
		s.setResult(m, result)
		if len(done) > 0 {
			if err := s.queues.Delete(ctx, arn, eventsource.Handles(done)); err != nil && ctx.Err() == nil {
				s.setResult(m, "PROBLEM: Error occurred while DeleteMessage: "+err.Error())
			}
		}
		if len(done) < len(keep) {
			eventsource.Pause(ctx, sqsErrorPause)
		}
	}
}

// deliverBatch invokes the mapping's function with a batch and returns
// the messages it processed and the mapping's LastProcessingResult.
func (s *Service) deliverBatch(ctx context.Context, cfg EventSourceMappingConfiguration, batch []eventsource.QueueMessage, reportFailures bool) ([]eventsource.QueueMessage, string) {
	t, err := s.parseTarget(*cfg.FunctionArn, nil)
	if err != nil {
		return nil, "PROBLEM: Function call failed"
	}
	s.mu.RLock()
	fn := s.functions[t.Name]
	s.mu.RUnlock()
	if fn == nil {
		return nil, "PROBLEM: Function does not exist"
	}
	v, err := s.resolveInvocation(fn, t)
	if err != nil {
		return nil, "PROBLEM: Function does not exist"
	}
	records := make([]eventsource.QueueRecord, len(batch))
	for i, msg := range batch {
		records[i] = eventsource.NewQueueRecord(msg, *cfg.EventSourceArn, s.region)
	}
	payload, _ := json.Marshal(struct {
		Records []eventsource.QueueRecord `json:"Records"`
	}{records})
	res, err := s.run(ctx, fn, v, &functions.Invocation{
		RequestID: s.ids.UUID(), InvokedARN: *cfg.FunctionArn, Payload: payload, TraceID: batchTraceHeader(batch),
	})
	if err != nil {
		// A batch Lambda did not run (throttled, or a recursive loop
		// stopped) stays in the queue, whose redrive policy decides where
		// it ends.
		if ae := apierr.As(err); ae != nil && ae.Code == ErrTooManyRequests.Code {
			return nil, "PROBLEM: Function call failed"
		}
		return nil, "PROBLEM: Function call failed"
	}
	if res.FunctionError != "" {
		return nil, "OK"
	}
	if !reportFailures {
		return batch, "OK"
	}
	failed, ok := batchItemFailures(res.Payload, batch)
	if !ok {
		return nil, "OK" // an unreadable report fails the whole batch
	}
	var done []eventsource.QueueMessage
	for _, msg := range batch {
		if !failed[msg.MessageID] {
			done = append(done, msg)
		}
	}
	return done, "OK"
}

// batchTraceHeader is the trace header a batch's invocation carries: the
// first message's AWSTraceHeader, with the Lineage of every message's
// (each function at its highest count), so that a loop is stopped
// whichever message of the batch carries it on.
func batchTraceHeader(batch []eventsource.QueueMessage) string {
	header := ""
	var lineage traceheader.Lineage
	for _, m := range batch {
		h := m.Attributes["AWSTraceHeader"]
		if header == "" {
			header = h
		}
		if l, err := traceheader.ParseLineage(traceheader.Field(h, "Lineage")); err == nil {
			lineage = lineage.Merge(l)
		}
	}
	if len(lineage) == 0 {
		return header
	}
	return traceheader.With(header, "Lineage", lineage.String())
}

// batchItemFailures reads a function's partial batch response: the ids
// of the messages to keep. A response that names an id outside the batch,
// or a failure without an id, fails the whole batch (ok false); one with
// no batchItemFailures, or an empty list, succeeds whole.
func batchItemFailures(payload []byte, batch []eventsource.QueueMessage) (map[string]bool, bool) {
	ids, ok := eventsource.BatchItemFailures(payload)
	if !ok {
		return nil, false
	}
	in := map[string]bool{}
	for _, m := range batch {
		in[m.MessageID] = true
	}
	failed := map[string]bool{}
	for _, id := range ids {
		if !in[id] {
			return nil, false
		}
		failed[id] = true
	}
	return failed, true
}

// compileFilters compiles a mapping's filters.
func compileFilters(fc *FilterCriteria) []*eventpattern.Pattern {
	if fc == nil {
		return nil
	}
	var patterns []string
	for _, f := range fc.Filters {
		if f.Pattern != nil {
			patterns = append(patterns, *f.Pattern)
		}
	}
	return eventsource.CompileFilters(patterns)
}
