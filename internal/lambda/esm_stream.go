package lambda

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/eventsource"
	"github.com/virga/virga/internal/functions"
	"github.com/virga/virga/internal/store"
)

// Stream mappings (DynamoDB Streams and Kinesis Data Streams): a
// mapping's poller lists its stream's shards and starts one reader per
// shard, a child of a reshard only once its parents are read to their
// end (or gone past retention), so that the records of a partition key
// reach the function in order across a reshard, as Lambda keeps them;
// it lists the shards again every streamIdlePoll and whenever a reader
// finishes a closed shard. A reader reads its shard in order from a checkpoint kept in
// the store for that shard alone, and invokes the function with batches
// of records; it waits for the stream's arrival notice when it has read
// to the end. With ParallelizationFactor n > 1 a reader reads up to n
// batches at once and processes them concurrently, records of one
// partition key (a DynamoDB item's key) always in the same one, in
// order, as Lambda does; the checkpoint moves past them once all are
// settled. A batch that fails is retried (bisected when
// BisectBatchOnFunctionError says so, the halving spending no retries)
// until it succeeds, runs out of MaximumRetryAttempts or its records
// out of MaximumRecordAgeInSeconds; then its description goes to the
// OnFailure destination and the reader moves past it. Records already
// past MaximumRecordAgeInSeconds are not sent. With
// ReportBatchItemFailures the function names the first record to retry
// from. That policy is package eventsource's Settler, which Pipes'
// stream sources share. With TumblingWindowInSeconds, batches are
// grouped into windows that carry state from one invocation to the next
// (esm_window.go); windows keep ParallelizationFactor at 1.

const (
	streamDefaultBatch = 100
	streamMaxBatch     = 10000
	streamIdlePoll     = eventsource.ShardIdlePoll
	streamRetryPause   = 200 * time.Millisecond
)

// A mapping keeps a checkpoint and an open tumbling window per shard.
// Mappings made before shards were told apart kept one of each, under
// the mapping's UUID alone: a shard without its own reads those.
func checkpointKey(uuid, shard string) []byte { return lambdaKey("esm-pos", uuid, shard) }
func legacyCheckpointKey(uuid string) []byte  { return lambdaKey("esm-pos", uuid) }

func (s *Service) checkpoint(uuid, shard string) (uint64, error) {
	v, err := s.store.Get(checkpointKey(uuid, shard))
	if errors.Is(err, store.ErrNotFound) {
		v, err = s.store.Get(legacyCheckpointKey(uuid))
	}
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil || len(v) != 8 {
		return 0, err
	}
	return binary.BigEndian.Uint64(v), nil
}

// saveCheckpoint stores a reader's position in its shard and, in the
// same batch, its open tumbling window (none when w is nil).
func (s *Service) saveCheckpoint(uuid, shard string, pos uint64, w *streamWindow) error {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], pos)
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(checkpointKey(uuid, shard), v[:])
	if w == nil {
		b.Delete(windowKey(uuid, shard))
	} else {
		data, err := json.Marshal(w)
		if err != nil {
			return err
		}
		b.Set(windowKey(uuid, shard), data)
	}
	return b.Commit()
}

// streamSourceFor is the source of a stream mapping's kind; nil when
// virga runs without it.
func (s *Service) streamSourceFor(kind string) eventsource.StreamSource {
	switch kind {
	case "dynamodb":
		return s.streams
	case "kinesis":
		return s.kinesis
	}
	return nil
}

// sourceName is how validation messages name a stream kind.
func sourceName(kind string) string {
	if kind == "kinesis" {
		return "Kinesis streams"
	}
	return "DynamoDB streams"
}

// checkStreamMapping applies Lambda's rules for a stream mapping and
// fills in its defaults; creating, it returns each shard's starting
// checkpoint.
func (s *Service) checkStreamMapping(c *EventSourceMappingConfiguration, creating bool) (map[string]uint64, error) {
	kind := sourceKind(*c.EventSourceArn)
	src := s.streamSourceFor(kind)
	var shards []eventsource.StreamShard
	ok := false
	if src != nil {
		shards, ok = src.StreamShards(*c.EventSourceArn)
	}
	if !ok {
		return nil, invalidParameter("Stream not found: %s", *c.EventSourceArn)
	}
	if *c.BatchSize > streamMaxBatch {
		return nil, invalidParameter("BatchSize must be between 1 and %d for %s.", streamMaxBatch, sourceName(kind))
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
		return nil, invalidParameter("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.")
	}
	if c.DestinationConfig == nil {
		c.DestinationConfig = &DestinationConfig{OnFailure: &OnFailure{}}
	}
	// A mapping sends only the batches it gives up on: Lambda refuses an
	// OnSuccess destination.
	if d := c.DestinationConfig.OnSuccess; d != nil && deref(d.Destination) != "" {
		return nil, invalidParameter("Unsupported DestinationConfig parameter for given event source mapping type.")
	}
	if c.DestinationConfig.OnFailure != nil {
		if err := s.checkDestination(c.DestinationConfig.OnFailure.Destination, c.DestinationConfig, true); err != nil {
			return nil, err
		}
	}
	if !creating {
		return nil, nil
	}
	position := deref((*string)(c.StartingPosition))
	var at time.Time
	switch position {
	case "TRIM_HORIZON", "LATEST":
		if c.StartingPositionTimestamp != nil {
			return nil, invalidParameter("StartingPositionTimestamp is only valid with StartingPosition AT_TIMESTAMP.")
		}
	case "AT_TIMESTAMP":
		if kind != "kinesis" {
			return nil, invalidParameter("Unsupported starting position %s for %s.", position, sourceName(kind))
		}
		if c.StartingPositionTimestamp == nil {
			return nil, invalidParameter("Need to specify a timestamp")
		}
		at = *c.StartingPositionTimestamp
	case "":
		return nil, invalidParameter("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null")
	default:
		return nil, invalidParameter("Unsupported starting position %s for %s.", position, sourceName(kind))
	}
	start := map[string]uint64{}
	for _, sh := range shards {
		pos, err := src.StreamStart(*c.EventSourceArn, sh.ID, position, at)
		if err != nil {
			return nil, err
		}
		start[sh.ID] = pos
	}
	return start, nil
}

// pollStream is a stream mapping's poller: it starts a reader for each
// of the stream's shards whose parents are done, once the stream is
// there, and runs until ctx ends.
func (s *Service) pollStream(ctx context.Context, m *mapping, cfg EventSourceMappingConfiguration) {
	src := s.streamSourceFor(sourceKind(*cfg.EventSourceArn))
	if src == nil {
		s.setResult(m, "PROBLEM: Stream not found")
		return
	}
	eventsource.RunShards(ctx, src, *cfg.EventSourceArn, func() { s.setResult(m, "PROBLEM: Stream not found") },
		func(ctx context.Context, shard string) bool { return s.pollShard(ctx, m, cfg, src, shard) })
}

// pollShard is a stream mapping's reader of one shard; it runs until ctx
// ends, or reports true once it has read a closed shard to its end.
func (s *Service) pollShard(ctx context.Context, m *mapping, cfg EventSourceMappingConfiguration, src eventsource.StreamSource, shard string) bool {
	uuid, arn := *cfg.UUID, *cfg.EventSourceArn
	kinesis := sourceKind(arn) == "kinesis"
	pos, err := s.checkpoint(uuid, shard)
	if err != nil {
		s.setResult(m, "PROBLEM: "+err.Error())
		return false
	}
	win, err := s.loadWindow(uuid, shard)
	if err != nil {
		s.setResult(m, "PROBLEM: "+err.Error())
		return false
	}
	save := func() {
		s.esm.ckMu.Lock()
		defer s.esm.ckMu.Unlock()
		if !m.gone {
			s.saveCheckpoint(uuid, shard, pos, win)
		}
	}
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
		return false
	}
	lanes := max(1, int(deref(cfg.ParallelizationFactor)))
	if tumbling > 0 {
		lanes = 1
	}
	filters := compileFilters(cfg.FilterCriteria)
	limit := int(*cfg.BatchSize) * lanes
	window := time.Duration(*cfg.MaximumBatchingWindowInSeconds) * time.Second
	read := func() ([]eventsource.StreamRecord, <-chan struct{}, bool, error) {
		// The poller reads as the function's execution role.
		if err := s.pollAllowed(ctx, cfg); err != nil {
			return nil, nil, false, err
		}
		recs, changed, end, err := src.StreamRead(arn, shard, pos, limit)
		if err == nil && kinesis {
			s.renderKinesis(cfg, recs)
		}
		return recs, changed, end, err
	}
	for ctx.Err() == nil {
		recs, changed, end, err := read()
		if err != nil {
			s.setResult(m, "PROBLEM: "+err.Error())
			eventsource.Pause(ctx, streamIdlePoll)
			continue
		}
		if len(recs) == 0 && end {
			// A closed shard read to its end: its open window ends
			// with it, and its children may be read.
			return win == nil || closeWindow()
		}
		if len(recs) == 0 {
			wait := streamIdlePoll
			if win != nil {
				// The shard is read to its end: the window is over once
				// the clock passes its end.
				left := time.Unix(win.End, 0).Sub(s.clock.Now())
				if left <= 0 {
					if !closeWindow() {
						return false
					}
					continue
				}
				wait = min(wait, left)
			}
			eventsource.WaitFor(ctx, changed, wait)
			continue
		}
		if window > 0 && len(recs) < limit {
			// Let the batch fill for the window, then read again.
			eventsource.Pause(ctx, window)
			if recs, _, _, err = read(); err != nil || len(recs) == 0 {
				continue
			}
		}
		if tumbling > 0 {
			start, end := windowOf(recs[0].Created, tumbling)
			if win != nil && start >= win.End {
				// A record of a later window: the open one is over.
				if !closeWindow() {
					return false
				}
				continue
			}
			if win == nil {
				win = &streamWindow{Start: start, End: end, Shard: shard, State: emptyState}
			}
			// A batch holds the records of one window only.
			for i, r := range recs {
				if r.Created >= win.End {
					recs = recs[:i]
					break
				}
			}
		}
		var batch []eventsource.StreamRecord
		for _, r := range recs {
			if eventsource.MatchesAny(filters, eventsource.StreamFilterDoc(kinesis, &r)) {
				batch = append(batch, r)
			}
		}
		last := recs[len(recs)-1].Seq
		if len(batch) > 0 {
			settled := true
			if lanes == 1 {
				settled = s.settle(ctx, m, cfg, batch, win, func(i int) {
					pos = batch[i-1].Seq
					save()
				})
			} else {
				settled = s.settleLanes(ctx, functionTarget{s}, m, cfg, batch, lanes, kinesis)
			}
			if !settled {
				return false
			}
		}
		pos = last
		save()
	}
	return false
}

// settleLanes settles a batch of one shard in lanes concurrent lanes,
// each record in the lane of its partition key, in order.
func (s *Service) settleLanes(ctx context.Context, to batchTarget, m *mapping, cfg EventSourceMappingConfiguration, batch []eventsource.StreamRecord, lanes int, kinesis bool) bool {
	return eventsource.SettleLanes(ctx, kinesis, batch, lanes, func(ctx context.Context, lane []eventsource.StreamRecord) {
		s.settleTo(ctx, to, m, cfg, lane, nil, func(int) {})
	})
}

// batchTarget is where settle sends a stream mapping's batches: the
// function, and the OnFailure destination for those it gives up on.
type batchTarget interface {
	// deliver invokes the function with a batch and returns how many
	// records from its start were processed, the invocation's outcome
	// and, in a tumbling window, the state the function answered.
	deliver(ctx context.Context, cfg EventSourceMappingConfiguration, batch []eventsource.StreamRecord, win *streamWindow) (int, outcome, json.RawMessage)
	// discard describes a batch given up on to OnFailure.
	discard(ctx context.Context, cfg EventSourceMappingConfiguration, batch []eventsource.StreamRecord, o outcome)
}

// functionTarget is the batchTarget of a mapping's function.
type functionTarget struct{ s *Service }

func (t functionTarget) deliver(ctx context.Context, cfg EventSourceMappingConfiguration, batch []eventsource.StreamRecord, win *streamWindow) (int, outcome, json.RawMessage) {
	return t.s.deliverStreamBatch(ctx, cfg, batch, win)
}

func (t functionTarget) discard(ctx context.Context, cfg EventSourceMappingConfiguration, batch []eventsource.StreamRecord, o outcome) {
	t.s.discardStreamBatch(ctx, cfg, batch, o)
}

// failurePolicy is how a stream mapping retries and gives up on its
// batches: BatchSize, MaximumRetryAttempts, MaximumRecordAgeInSeconds
// and BisectBatchOnFunctionError, as package eventsource applies them.
func failurePolicy(cfg EventSourceMappingConfiguration) eventsource.FailurePolicy {
	p := eventsource.FailurePolicy{BatchSize: int(*cfg.BatchSize), MaxRetries: int(*cfg.MaximumRetryAttempts),
		Bisect: *cfg.BisectBatchOnFunctionError, RetryPause: streamRetryPause}
	if a := *cfg.MaximumRecordAgeInSeconds; a > 0 {
		p.MaxAge = time.Duration(a) * time.Second
	}
	return p
}

// settle invokes the function with a shard's batch, in invocations of
// at most BatchSize records, until every record is processed or given
// up on; progress(i) is told when the first i are. It reports false
// when ctx ended first.
func (s *Service) settle(ctx context.Context, m *mapping, cfg EventSourceMappingConfiguration, batch []eventsource.StreamRecord, win *streamWindow, progress func(int)) bool {
	return s.settleTo(ctx, functionTarget{s}, m, cfg, batch, win, progress)
}

// settleTo settles a batch to a target with the mapping's failure
// policy. In a tumbling window, each invocation that processed records
// carries the state the function answered to the next; a state that
// outgrew its limit ends the window early, and it goes on from a fresh
// state.
func (s *Service) settleTo(ctx context.Context, to batchTarget, m *mapping, cfg EventSourceMappingConfiguration, batch []eventsource.StreamRecord, win *streamWindow, progress func(int)) bool {
	var last outcome // of the latest invocation, for a failure record
	z := eventsource.Settler{
		Policy: failurePolicy(cfg),
		Deliver: func(ctx context.Context, batch []eventsource.StreamRecord) int {
			n, o, state := to.deliver(ctx, cfg, batch, win)
			last = o
			if n > 0 && win != nil {
				win.State = state
			}
			if ctx.Err() == nil {
				s.setResult(m, "OK")
			}
			return n
		},
		GiveUp: func(ctx context.Context, batch []eventsource.StreamRecord, condition string, attempts int) {
			o := last
			if attempts == 0 {
				o = outcome{} // records too old to be sent
			}
			o.condition, o.attempts = condition, attempts
			to.discard(ctx, cfg, batch, o)
		},
		Now: s.clock.Now,
	}
	return z.Settle(ctx, batch, func(i int) bool {
		progress(i)
		if win != nil && len(win.State) > maxWindowState {
			if !s.endWindow(ctx, m, cfg, win, true) {
				return false
			}
			win.State = emptyState
			progress(i)
		}
		return true
	})
}

// kinesisRecord is a Kinesis record in a Lambda event, members in the
// order AWS writes them.
type kinesisRecord struct {
	Kinesis           kinesisData `json:"kinesis"`
	EventSource       string      `json:"eventSource"`
	EventVersion      string      `json:"eventVersion"`
	EventID           string      `json:"eventID"`
	EventName         string      `json:"eventName"`
	InvokeIdentityArn string      `json:"invokeIdentityArn"`
	AwsRegion         string      `json:"awsRegion"`
	EventSourceARN    string      `json:"eventSourceARN"`
}

type kinesisData struct {
	KinesisSchemaVersion        string  `json:"kinesisSchemaVersion"`
	PartitionKey                string  `json:"partitionKey"`
	SequenceNumber              string  `json:"sequenceNumber"`
	Data                        string  `json:"data"`
	ApproximateArrivalTimestamp float64 `json:"approximateArrivalTimestamp"`
}

// renderKinesis renders Kinesis records as the mapping's events carry
// them: invokeIdentityArn is the function's execution role.
func (s *Service) renderKinesis(cfg EventSourceMappingConfiguration, recs []eventsource.StreamRecord) {
	role := ""
	if t, err := s.parseTarget(*cfg.FunctionArn, nil); err == nil {
		s.mu.RLock()
		if fn := s.functions[t.Name]; fn != nil && fn.Latest != nil {
			role = deref(fn.Latest.Config.Role)
		}
		s.mu.RUnlock()
	}
	for i := range recs {
		r := &recs[i]
		ev := kinesisRecord{
			Kinesis: kinesisData{KinesisSchemaVersion: "1.0", PartitionKey: r.Key, SequenceNumber: r.ID,
				Data:                        base64.StdEncoding.EncodeToString(r.Data),
				ApproximateArrivalTimestamp: float64(r.ArrivedAt().UnixMilli()) / 1000},
			EventSource: "aws:kinesis", EventVersion: "1.0", EventID: r.Shard + ":" + r.ID,
			EventName: "aws:kinesis:record", InvokeIdentityArn: role, AwsRegion: s.region,
			EventSourceARN: *cfg.EventSourceArn,
		}
		r.JSON, _ = json.Marshal(ev)
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
func (s *Service) deliverStreamBatch(ctx context.Context, cfg EventSourceMappingConfiguration, batch []eventsource.StreamRecord, win *streamWindow) (int, outcome, json.RawMessage) {
	var payload []byte
	if win != nil {
		payload = win.event(*cfg.EventSourceArn, batch, false, false)
	} else {
		payload = recordsEvent(batch)
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
	ids, ok := eventsource.BatchItemFailures(res.Payload)
	if !ok {
		return 0, o, nil
	}
	first, ok := eventsource.FirstFailed(batch, ids)
	if !ok {
		return 0, o, nil // an identifier of no record in the batch fails it
	}
	return first, o, state
}

// recordsEvent is the event a function gets for a stream batch outside
// a tumbling window: {"Records":[...]}.
func recordsEvent(batch []eventsource.StreamRecord) []byte {
	payload := []byte(`{"Records":[`)
	for i, r := range batch {
		if i > 0 {
			payload = append(payload, ',')
		}
		payload = append(payload, r.JSON...)
	}
	return append(payload, "]}"...)
}

// discardStreamBatch describes a batch the mapping gives up on to its
// OnFailure destination, as Lambda does: the records themselves are not
// sent to a queue or topic, only where they are; an S3 bucket also gets
// the batch's event (payload), in an object under
// aws/lambda/UUID/SHARD/.
func (s *Service) discardStreamBatch(ctx context.Context, cfg EventSourceMappingConfiguration, batch []eventsource.StreamRecord, o outcome) {
	dest := ""
	if cfg.DestinationConfig != nil && cfg.DestinationConfig.OnFailure != nil {
		dest = deref(cfg.DestinationConfig.OnFailure.Destination)
	}
	if dest == "" || s.destinations == nil {
		return
	}
	rec := streamFailureRecord{
		RequestContext: recordRequestContext{RequestID: s.ids.UUID(), FunctionArn: *cfg.FunctionArn,
			Condition: o.condition, ApproximateInvokeCount: o.attempts},
		ResponseContext: recordResponseContext{StatusCode: o.statusCode, ExecutedVersion: o.executedVersion, FunctionError: o.functionError},
		Version:         "1.0",
		Timestamp:       s.clock.Now().UTC().Format(recordTimeLayout),
	}
	kinesis := sourceKind(*cfg.EventSourceArn) == "kinesis"
	info := eventsource.NewBatchInfo(kinesis, *cfg.EventSourceArn, batch)
	if kinesis {
		rec.KinesisBatchInfo = info
	} else {
		rec.DDBStreamBatchInfo = info
	}
	key := s.failureObjectKey(dest, "aws/lambda/"+*cfg.UUID+"/"+info.ShardID, s.clock.Now())
	if key != "" {
		rec.Payload = string(recordsEvent(batch))
	}
	body, _ := json.Marshal(rec)
	s.destinations.Deliver(ctx, dest, deliver.Message{Body: body, Source: "lambda", DetailType: "Lambda Function Invocation Result - Failure",
		Role: roleFor(s.executionRole(*cfg.FunctionArn, nil)), ObjectKey: key})
}

// streamFailureRecord describes a discarded stream batch to an OnFailure
// destination, members in the order AWS writes them.
type streamFailureRecord struct {
	RequestContext     recordRequestContext   `json:"requestContext"`
	ResponseContext    recordResponseContext  `json:"responseContext"`
	Version            string                 `json:"version"`
	Timestamp          string                 `json:"timestamp"`
	DDBStreamBatchInfo *eventsource.BatchInfo `json:"DDBStreamBatchInfo,omitempty"`
	KinesisBatchInfo   *eventsource.BatchInfo `json:"KinesisBatchInfo,omitempty"`
	// Payload is the batch's event, for an S3 bucket destination only.
	Payload string `json:"payload,omitempty"`
}
