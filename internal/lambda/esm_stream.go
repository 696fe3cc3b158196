package lambda

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/functions"
	"github.com/virga/virga/internal/store"
)

// DynamoDB stream mappings: one poller per mapping reads the stream's
// one shard in order, from a checkpoint kept in the store, and invokes
// the function with batches of records. A batch that fails is retried
// (bisected when BisectBatchOnFunctionError says so) until it succeeds,
// runs out of MaximumRetryAttempts or its records out of
// MaximumRecordAgeInSeconds; then its description goes to the OnFailure
// destination and the poller moves past it. With ReportBatchItemFailures
// the function names the first record to retry from. With
// TumblingWindowInSeconds, batches are grouped into windows that carry
// state from one invocation to the next (esm_window.go).

// StreamSource is DynamoDB Streams as event source mappings read them.
// The app wires virga's DynamoDB in.
type StreamSource interface {
	// StreamExists reports whether the stream exists and is enabled.
	StreamExists(arn string) bool
	// StreamLatest is the position after the stream's last record.
	StreamLatest(arn string) (uint64, error)
	// StreamRead returns up to limit records after a position, and a
	// channel closed when more arrive.
	StreamRead(arn string, after uint64, limit int) ([]StreamRecord, <-chan struct{}, error)
}

// StreamRecord is one stream record: its sequence number, its JSON as a
// DynamoDB event carries it, when the change was made (Unix seconds), and
// its shard.
type StreamRecord struct {
	Seq     uint64
	JSON    []byte
	Created int64
	Shard   string
}

const (
	streamDefaultBatch = 100
	streamMaxBatch     = 10000
	streamIdlePoll     = time.Second
	streamRetryPause   = 200 * time.Millisecond
)

func checkpointKey(uuid string) []byte { return lambdaKey("esm-pos", uuid) }

func (s *Service) checkpoint(uuid string) (uint64, error) {
	v, err := s.store.Get(checkpointKey(uuid))
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil || len(v) != 8 {
		return 0, err
	}
	return binary.BigEndian.Uint64(v), nil
}

// saveCheckpoint stores a mapping's position in its stream and, in the
// same batch, its open tumbling window (none when w is nil).
func (s *Service) saveCheckpoint(uuid string, pos uint64, w *streamWindow) error {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], pos)
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(checkpointKey(uuid), v[:])
	if w == nil {
		b.Delete(windowKey(uuid))
	} else {
		data, err := json.Marshal(w)
		if err != nil {
			return err
		}
		b.Set(windowKey(uuid), data)
	}
	return b.Commit()
}

// checkStreamMapping applies Lambda's rules for a DynamoDB stream mapping
// and fills in its defaults; it returns the starting checkpoint.
func (s *Service) checkStreamMapping(c *EventSourceMappingConfiguration, creating bool) (uint64, error) {
	if s.streams == nil || !s.streams.StreamExists(*c.EventSourceArn) {
		return 0, invalidParameter("Stream not found: %s", *c.EventSourceArn)
	}
	if *c.BatchSize > streamMaxBatch {
		return 0, invalidParameter("BatchSize must be between 1 and %d for DynamoDB streams.", streamMaxBatch)
	}
	if c.ParallelizationFactor == nil {
		c.ParallelizationFactor = ptr(int32(1))
	}
	if c.MaximumRetryAttempts == nil {
		c.MaximumRetryAttempts = ptr(int32(-1))
	}
	if c.MaximumRecordAgeInSeconds == nil {
		c.MaximumRecordAgeInSeconds = ptr(int32(-1))
	}
	if c.BisectBatchOnFunctionError == nil {
		c.BisectBatchOnFunctionError = ptr(false)
	}
	if c.TumblingWindowInSeconds == nil {
		c.TumblingWindowInSeconds = ptr(int32(0))
	}
	if a := *c.MaximumRecordAgeInSeconds; a != -1 && a < 60 {
		return 0, invalidParameter("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.")
	}
	if c.DestinationConfig == nil {
		c.DestinationConfig = &DestinationConfig{OnFailure: &OnFailure{}}
	}
	if c.DestinationConfig.OnFailure != nil {
		if err := s.checkDestination(c.DestinationConfig.OnFailure.Destination); err != nil {
			return 0, err
		}
	}
	if !creating {
		return 0, nil
	}
	switch deref((*string)(c.StartingPosition)) {
	case "TRIM_HORIZON":
		return 0, nil
	case "LATEST":
		return s.streams.StreamLatest(*c.EventSourceArn)
	case "":
		return 0, invalidParameter("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null")
	}
	return 0, invalidParameter("Unsupported starting position %s for DynamoDB streams.", *c.StartingPosition)
}

// pollStream is a stream mapping's poller; it runs until ctx ends.
func (s *Service) pollStream(ctx context.Context, m *mapping, cfg EventSourceMappingConfiguration) {
	uuid, arn := *cfg.UUID, *cfg.EventSourceArn
	pos, err := s.checkpoint(uuid)
	if err != nil {
		s.setResult(m, "PROBLEM: "+err.Error())
		return
	}
	win, err := s.loadWindow(uuid)
	if err != nil {
		s.setResult(m, "PROBLEM: "+err.Error())
		return
	}
	save := func() { s.saveCheckpoint(uuid, pos, win) }
	// closeWindow ends the open window with its final invocation.
	closeWindow := func() bool {
		if !s.endWindow(ctx, m, cfg, win, false) {
			return false
		}
		win = nil
		save()
		return true
	}
	tumbling := int64(deref(cfg.TumblingWindowInSeconds))
	// A window opened under another TumblingWindowInSeconds is over.
	if win != nil && win.End-win.Start != tumbling && !closeWindow() {
		return
	}
	filters := compileFilters(cfg.FilterCriteria)
	size := int(*cfg.BatchSize)
	window := time.Duration(*cfg.MaximumBatchingWindowInSeconds) * time.Second
	limit, attempts := size, 0
	for ctx.Err() == nil {
		recs, changed, err := s.streams.StreamRead(arn, pos, limit)
		if err != nil {
			s.setResult(m, "PROBLEM: "+err.Error())
			pause(ctx, streamIdlePoll)
			continue
		}
		if len(recs) == 0 {
			wait := streamIdlePoll
			if win != nil {
				// The stream is read to its end: the window is over
				// once the clock passes its end.
				left := time.Unix(win.End, 0).Sub(s.clock.Now())
				if left <= 0 {
					if !closeWindow() {
						return
					}
					continue
				}
				wait = min(wait, left)
			}
			waitFor(ctx, changed, wait)
			continue
		}
		if window > 0 && len(recs) < limit && attempts == 0 {
			// Let the batch fill for the window, then read again.
			pause(ctx, window)
			if recs, _, err = s.streams.StreamRead(arn, pos, limit); err != nil || len(recs) == 0 {
				continue
			}
		}
		if tumbling > 0 {
			start, end := windowOf(recs[0].Created, tumbling)
			if win != nil && start >= win.End {
				// A record of a later window: the open one is over.
				if !closeWindow() {
					return
				}
				continue
			}
			if win == nil {
				win = &streamWindow{Start: start, End: end, Shard: recs[0].Shard, State: emptyState}
			}
			// A batch holds the records of one window only.
			for i, r := range recs {
				if r.Created >= win.End {
					recs = recs[:i]
					break
				}
			}
		}
		var batch []StreamRecord
		for _, r := range recs {
			if matchesAny(filters, streamDoc(r.JSON)) {
				batch = append(batch, r)
			}
		}
		last := recs[len(recs)-1].Seq
		if len(batch) == 0 {
			pos = last
			save()
			continue
		}
		done, o, state := s.deliverStreamBatch(ctx, cfg, batch, win)
		if ctx.Err() != nil {
			return
		}
		if done > 0 {
			pos = batch[done-1].Seq
			if done == len(batch) {
				pos, limit, attempts = last, size, 0
			}
			if win != nil {
				win.State = state
			}
			save()
			if win != nil && len(win.State) > maxWindowState {
				// The state outgrew its limit: the window ends early and
				// goes on from a fresh state.
				if !s.endWindow(ctx, m, cfg, win, true) {
					return
				}
				win.State = emptyState
				save()
			}
		}
		s.setResult(m, "OK")
		if done == len(batch) {
			continue
		}
		attempts++
		tooOld := *cfg.MaximumRecordAgeInSeconds != -1 &&
			s.clock.Now().Unix()-batch[done].Created > int64(*cfg.MaximumRecordAgeInSeconds)
		outOfRetries := *cfg.MaximumRetryAttempts != -1 && attempts > int(*cfg.MaximumRetryAttempts)
		if tooOld || outOfRetries {
			o.condition = "RetryAttemptsExhausted"
			if tooOld {
				o.condition = "RecordAgeExceeded"
			}
			o.attempts = attempts
			s.discardStreamBatch(ctx, cfg, batch[done:], o)
			pos, limit, attempts = batch[len(batch)-1].Seq, size, 0
			if len(batch) == len(recs) {
				pos = last
			}
			save()
			continue
		}
		if *cfg.BisectBatchOnFunctionError && len(batch)-done > 1 {
			limit = max(1, (len(batch)-done)/2)
		}
		pause(ctx, streamRetryPause)
	}
}

// streamDoc is a stream record as filters see it.
func streamDoc(record []byte) map[string]any {
	var doc map[string]any
	json.Unmarshal(record, &doc)
	return doc
}

func waitFor(ctx context.Context, ch <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-ch:
	case <-t.C:
	}
}

// invokeStream invokes a stream mapping's function with payload; the
// result is nil when the invocation failed, and the outcome describes it
// for a failure record.
func (s *Service) invokeStream(ctx context.Context, cfg EventSourceMappingConfiguration, payload []byte) (*functions.Result, outcome) {
	o := outcome{statusCode: 200}
	t, err := s.parseTarget(*cfg.FunctionArn, nil)
	if err != nil {
		return nil, o
	}
	s.mu.RLock()
	fn := s.functions[t.Name]
	s.mu.RUnlock()
	if fn == nil {
		return nil, o
	}
	v, err := s.resolveInvocation(fn, t)
	if err != nil {
		return nil, o
	}
	o.executedVersion = v.name()
	res, err := s.run(ctx, fn, v, &functions.Invocation{RequestID: s.ids.UUID(), InvokedARN: *cfg.FunctionArn, Payload: payload})
	if err != nil {
		o.statusCode, o.functionError = 500, "Unhandled"
		return nil, o
	}
	if res.FunctionError != "" {
		o.functionError = res.FunctionError
		return nil, o
	}
	return res, o
}

// deliverStreamBatch invokes the function with a batch, in the tumbling
// window win when there is one, and returns how many records from the
// start of the batch were processed, the invocation's outcome for a
// failure record, and in a window the state the function answered.
func (s *Service) deliverStreamBatch(ctx context.Context, cfg EventSourceMappingConfiguration, batch []StreamRecord, win *streamWindow) (int, outcome, json.RawMessage) {
	var payload []byte
	if win != nil {
		payload = win.event(*cfg.EventSourceArn, batch, false, false)
	} else {
		payload = []byte(`{"Records":[`)
		for i, r := range batch {
			if i > 0 {
				payload = append(payload, ',')
			}
			payload = append(payload, r.JSON...)
		}
		payload = append(payload, "]}"...)
	}
	// IteratorAge: how old the batch's last record is when the function
	// is invoked with it.
	if len(batch) > 0 {
		if t, err := s.parseTarget(*cfg.FunctionArn, nil); err == nil {
			age := s.clock.Now().Sub(time.Unix(batch[len(batch)-1].Created, 0))
			s.count(t.Name, t.Qualifier, MetricIteratorAge, "Milliseconds", float64(max(age, 0).Milliseconds()))
		}
	}
	res, o := s.invokeStream(ctx, cfg, payload)
	if res == nil {
		return 0, o, nil
	}
	var state json.RawMessage
	if win != nil {
		var ok bool
		if state, ok = windowState(res.Payload); !ok {
			return 0, o, nil // an answer without a state fails the batch
		}
	}
	if len(cfg.FunctionResponseTypes) == 0 {
		return len(batch), o, state
	}
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if json.Unmarshal(res.Payload, &resp) != nil || len(resp.BatchItemFailures) == 0 {
		return len(batch), o, state
	}
	first := len(batch)
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier == nil {
			return 0, o, nil
		}
		seq, err := strconv.ParseUint(*f.ItemIdentifier, 10, 64)
		if err != nil {
			return 0, o, nil // an identifier that is no sequence number fails the batch
		}
		i := indexOfSeq(batch, seq)
		if i < 0 {
			return 0, o, nil
		}
		first = min(first, i)
	}
	return first, o, state
}

func indexOfSeq(batch []StreamRecord, seq uint64) int {
	for i, r := range batch {
		if r.Seq == seq {
			return i
		}
	}
	return -1
}

// discardStreamBatch describes a batch the mapping gives up on to its
// OnFailure destination, as Lambda does (the records themselves are not
// sent, only where they are).
func (s *Service) discardStreamBatch(ctx context.Context, cfg EventSourceMappingConfiguration, batch []StreamRecord, o outcome) {
	dest := ""
	if cfg.DestinationConfig != nil && cfg.DestinationConfig.OnFailure != nil {
		dest = deref(cfg.DestinationConfig.OnFailure.Destination)
	}
	if dest == "" || s.destinations == nil {
		return
	}
	now := s.clock.Now()
	first, last := batch[0], batch[len(batch)-1]
	rec := streamFailureRecord{
		RequestContext: recordRequestContext{RequestID: s.ids.UUID(), FunctionArn: *cfg.FunctionArn,
			Condition: o.condition, ApproximateInvokeCount: o.attempts},
		ResponseContext: recordResponseContext{StatusCode: o.statusCode, ExecutedVersion: o.executedVersion, FunctionError: o.functionError},
		Version:         "1.0",
		Timestamp:       now.UTC().Format(recordTimeLayout),
		DDBStreamBatchInfo: streamBatchInfo{
			ShardID:                         first.Shard,
			StartSequenceNumber:             seqDecimal(first.Seq),
			EndSequenceNumber:               seqDecimal(last.Seq),
			ApproximateArrivalOfFirstRecord: time.Unix(first.Created, 0).UTC().Format(time.RFC3339),
			ApproximateArrivalOfLastRecord:  time.Unix(last.Created, 0).UTC().Format(time.RFC3339),
			BatchSize:                       len(batch),
			StreamArn:                       *cfg.EventSourceArn,
		},
	}
	body, _ := json.Marshal(rec)
	s.destinations.Deliver(ctx, dest, deliver.Message{Body: body, Source: "lambda", DetailType: "Lambda Function Invocation Result - Failure"})
}

// streamFailureRecord describes a discarded stream batch to an OnFailure
// destination, members in the order AWS writes them.
type streamFailureRecord struct {
	RequestContext     recordRequestContext  `json:"requestContext"`
	ResponseContext    recordResponseContext `json:"responseContext"`
	Version            string                `json:"version"`
	Timestamp          string                `json:"timestamp"`
	DDBStreamBatchInfo streamBatchInfo       `json:"DDBStreamBatchInfo"`
}

type streamBatchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamArn                       string `json:"streamArn"`
}

// seqDecimal renders a sequence number as DynamoDB Streams does.
func seqDecimal(seq uint64) string {
	s := strconv.FormatUint(seq, 10)
	for len(s) < 21 {
		s = "0" + s
	}
	return s
}
