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
// the function names the first record to retry from.

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

func (s *Service) saveCheckpoint(uuid string, pos uint64) error {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], pos)
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(checkpointKey(uuid), v[:])
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
			waitFor(ctx, changed, streamIdlePoll)
			continue
		}
		if window > 0 && len(recs) < limit && attempts == 0 {
			// Let the batch fill for the window, then read again.
			pause(ctx, window)
			if recs, _, err = s.streams.StreamRead(arn, pos, limit); err != nil || len(recs) == 0 {
				continue
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
			s.saveCheckpoint(uuid, pos)
			continue
		}
		done, o := s.deliverStreamBatch(ctx, cfg, batch)
		if ctx.Err() != nil {
			return
		}
		if done == len(batch) {
			pos, limit, attempts = last, size, 0
			s.saveCheckpoint(uuid, pos)
			s.setResult(m, "OK")
			continue
		}
		if done > 0 {
			// A partial batch response: go on from the first failure.
			pos = batch[done-1].Seq
			s.saveCheckpoint(uuid, pos)
		}
		attempts++
		s.setResult(m, "OK")
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
			s.saveCheckpoint(uuid, pos)
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

// deliverStreamBatch invokes the function with a batch and returns how
// many records from the start of the batch were processed, and the
// invocation's outcome for a failure record.
func (s *Service) deliverStreamBatch(ctx context.Context, cfg EventSourceMappingConfiguration, batch []StreamRecord) (int, outcome) {
	o := outcome{statusCode: 200}
	t, err := s.parseTarget(*cfg.FunctionArn, nil)
	if err != nil {
		return 0, o
	}
	s.mu.RLock()
	fn := s.functions[t.Name]
	s.mu.RUnlock()
	if fn == nil {
		return 0, o
	}
	v, err := s.resolveInvocation(fn, t)
	if err != nil {
		return 0, o
	}
	o.executedVersion = v.name()
	payload := []byte(`{"Records":[`)
	for i, r := range batch {
		if i > 0 {
			payload = append(payload, ',')
		}
		payload = append(payload, r.JSON...)
	}
	payload = append(payload, "]}"...)
	res, err := s.run(ctx, fn, v, &functions.Invocation{RequestID: s.ids.UUID(), InvokedARN: *cfg.FunctionArn, Payload: payload})
	if err != nil {
		o.statusCode, o.functionError = 500, "Unhandled"
		return 0, o
	}
	if res.FunctionError != "" {
		o.functionError = res.FunctionError
		return 0, o
	}
	if len(cfg.FunctionResponseTypes) == 0 {
		return len(batch), o
	}
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if json.Unmarshal(res.Payload, &resp) != nil || len(resp.BatchItemFailures) == 0 {
		return len(batch), o
	}
	first := len(batch)
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier == nil {
			return 0, o
		}
		seq, err := strconv.ParseUint(*f.ItemIdentifier, 10, 64)
		if err != nil {
			return 0, o // an identifier that is no sequence number fails the batch
		}
		i := indexOfSeq(batch, seq)
		if i < 0 {
			return 0, o
		}
		first = min(first, i)
	}
	return first, o
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
