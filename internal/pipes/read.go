package pipes

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/virga/virga/internal/eventpattern"
	"github.com/virga/virga/internal/eventsource"
)

// Reading a source. A pipe's reader reads its source with the machinery
// Lambda's event source mappings share (package eventsource) and hands
// each batch of records that pass the pipe's filters to process.
//
// An SQS reader long-polls, gathers up to BatchSize messages (default 10)
// for at most MaximumBatchingWindowInSeconds, and deletes a batch's
// messages once the target took it; messages that match no filter are
// deleted unprocessed; a batch that fails stays in the queue and comes
// back when its visibility timeout ends.
//
// A stream reader (DynamoDB Streams, Kinesis) reads each shard in order
// from a checkpoint kept in the store, a child shard only once its
// parents are read, and settles its batches (BatchSize, default 100) as
// settle.go describes: retried, bisected with AUTOMATIC_BISECT, and
// given up on to the DeadLetterConfig queue or topic; with
// ParallelizationFactor n, n batches of a shard at once. A pipe whose
// target or enrichment is an API destination or API Gateway, which take
// one event at a time, reads batches of one unless BatchSize says
// otherwise (CreatePipe refuses a larger one).
const (
	queueDefaultBatch  = 10
	streamDefaultBatch = 100
	errorPause         = time.Second
)

// defaultBatch is the batch size a pipe reads when BatchSize is not
// given: 1 when its target or enrichment does not batch, else the
// source's default.
func defaultBatch(r *pipeRecord, source int) int {
	if isHTTP(targetKind(r.Target)) || isHTTP(targetKind(r.Enrichment)) {
		return 1
	}
	return source
}

// read runs a pipe's reader until ctx ends; a stream reader writes its
// checkpoints with save.
func (s *Service) read(ctx context.Context, r *pipeRecord, save func(shard string, pos uint64) error) {
	switch sourceKind(r.Source) {
	case "sqs":
		s.readQueue(ctx, r)
	case "dynamodb", "kinesis":
		src := s.streamSource(r.Source)
		if src == nil {
			return
		}
		eventsource.RunShards(ctx, src, r.Source, nil, func(ctx context.Context, shard string) bool {
			return s.readShard(ctx, r, src, shard, save)
		})
	}
}

// filters compiles a pipe's filters.
func filters(r *pipeRecord) []*eventpattern.Pattern {
	sp := r.SourceParameters
	if sp == nil || sp.FilterCriteria == nil {
		return nil
	}
	var patterns []string
	for _, f := range sp.FilterCriteria.Filters {
		if f.Pattern != nil {
			patterns = append(patterns, *f.Pattern)
		}
	}
	return eventsource.CompileFilters(patterns)
}

// readQueue is an SQS pipe's reader.
func (s *Service) readQueue(ctx context.Context, r *pipeRecord) {
	size, window := defaultBatch(r, queueDefaultBatch), time.Duration(0)
	if sp := r.SourceParameters; sp != nil && sp.SqsQueueParameters != nil {
		if b := sp.SqsQueueParameters.BatchSize; b != nil {
			size = int(*b)
		}
		if w := sp.SqsQueueParameters.MaximumBatchingWindowInSeconds; w != nil {
			window = time.Duration(*w) * time.Second
		}
	}
	fs := filters(r)
	for ctx.Err() == nil {
		if err := s.allowed(ctx, r, "sqs:ReceiveMessage", r.Source); err != nil {
			s.log.Warn("pipes: reading the source", "pipe", r.Name, "err", err)
			eventsource.Pause(ctx, errorPause)
			continue
		}
		batch, err := eventsource.Gather(ctx, s.queues, r.Source, size, window)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("pipes: reading the source", "pipe", r.Name, "err", err)
			}
			eventsource.Pause(ctx, errorPause)
			continue
		}
		if len(batch) == 0 {
			continue
		}
		var keep, drop []eventsource.QueueMessage
		var events [][]byte
		for _, m := range batch {
			rec := eventsource.NewQueueRecord(m, r.Source, s.region)
			if !eventsource.MatchesAny(fs, eventsource.RecordDoc(rec)) {
				drop = append(drop, m)
				continue
			}
			keep = append(keep, m)
			b, _ := json.Marshal(rec)
			events = append(events, b)
		}
		if len(drop) > 0 {
			s.queues.Delete(ctx, r.Source, eventsource.Handles(drop))
		}
		if len(keep) == 0 {
			continue
		}
		done, err := s.process(ctx, r, events)
		var delivered []eventsource.QueueMessage
		for i, m := range keep {
			if done[i] {
				delivered = append(delivered, m)
			}
		}
		if len(delivered) > 0 {
			if err := s.queues.Delete(ctx, r.Source, eventsource.Handles(delivered)); err != nil && ctx.Err() == nil {
				s.log.Warn("pipes: deleting processed messages", "pipe", r.Name, "err", err)
			}
		}
		if err != nil && ctx.Err() == nil {
			s.log.Warn("pipes: messages of a batch failed; they return to the queue", "pipe", r.Name,
				"failed", len(keep)-len(delivered), "err", err)
			eventsource.Pause(ctx, errorPause)
		}
	}
}

// streamSettings are a stream pipe's batching, retry and concurrency
// settings.
type streamSettings struct {
	policy     eventsource.FailurePolicy
	window     time.Duration
	lanes      int    // ParallelizationFactor
	deadLetter string // DeadLetterConfig.Arn; "" for none
}

func streamSettingsOf(r *pipeRecord) streamSettings {
	st := streamSettings{policy: eventsource.FailurePolicy{BatchSize: defaultBatch(r, streamDefaultBatch), MaxRetries: -1, RetryPause: errorPause}, lanes: 1}
	set := func(batch, window, age, retries, parallel *int32, bisect *OnPartialBatchItemFailureStreams, dlq *DeadLetterConfig) {
		if batch != nil {
			st.policy.BatchSize = int(*batch)
		}
		if window != nil {
			st.window = time.Duration(*window) * time.Second
		}
		if age != nil && *age > 0 {
			st.policy.MaxAge = time.Duration(*age) * time.Second
		}
		if retries != nil {
			st.policy.MaxRetries = int(*retries)
		}
		if parallel != nil && *parallel > 1 {
			st.lanes = int(*parallel)
		}
		st.policy.Bisect = bisect != nil && *bisect == "AUTOMATIC_BISECT"
		if dlq != nil {
			st.deadLetter = deref(dlq.Arn)
		}
	}
	if sp := r.SourceParameters; sp != nil {
		if p := sp.DynamoDBStreamParameters; p != nil {
			set(p.BatchSize, p.MaximumBatchingWindowInSeconds, p.MaximumRecordAgeInSeconds, p.MaximumRetryAttempts,
				p.ParallelizationFactor, p.OnPartialBatchItemFailure, p.DeadLetterConfig)
		}
		if p := sp.KinesisStreamParameters; p != nil {
			set(p.BatchSize, p.MaximumBatchingWindowInSeconds, p.MaximumRecordAgeInSeconds, p.MaximumRetryAttempts,
				p.ParallelizationFactor, p.OnPartialBatchItemFailure, p.DeadLetterConfig)
		}
	}
	return st
}

// readShard reads one shard of a stream pipe's source until ctx ends,
// or reports true once it has read a closed shard to its end. It reads
// up to BatchSize × ParallelizationFactor records at a time; with a
// ParallelizationFactor above 1 it settles them in that many concurrent
// lanes and checkpoints once all are settled. Checkpoints are written
// with checkpoint, which writes none once the pipe is deleted.
func (s *Service) readShard(ctx context.Context, r *pipeRecord, src eventsource.StreamSource, shard string,
	checkpoint func(shard string, pos uint64) error) bool {
	kinesis := sourceKind(r.Source) == "kinesis"
	action := "dynamodb:GetRecords"
	if kinesis {
		action = "kinesis:GetRecords"
	}
	pos, _, err := loadCheckpoint(s.store, s.account, r.Name, shard)
	if err != nil {
		s.log.Error("pipes: reading a checkpoint", "pipe", r.Name, "err", err)
		return false
	}
	st := streamSettingsOf(r)
	z := s.settlerFor(r, st)
	fs := filters(r)
	limit := st.policy.BatchSize * st.lanes
	read := func() ([]eventsource.StreamRecord, <-chan struct{}, bool, error) {
		if err := s.allowed(ctx, r, action, r.Source); err != nil {
			return nil, nil, false, err
		}
		return src.StreamRead(r.Source, shard, pos, limit)
	}
	save := func() {
		if err := checkpoint(shard, pos); err != nil {
			s.log.Error("pipes: saving a checkpoint", "pipe", r.Name, "err", err)
		}
	}
	for ctx.Err() == nil {
		recs, changed, end, err := read()
		if err != nil {
			s.log.Warn("pipes: reading the source", "pipe", r.Name, "shard", shard, "err", err)
			eventsource.Pause(ctx, errorPause)
			continue
		}
		if len(recs) == 0 && end {
			return true
		}
		if len(recs) == 0 {
			eventsource.WaitFor(ctx, changed, eventsource.ShardIdlePoll)
			continue
		}
		if st.window > 0 && len(recs) < limit {
			// Let the batch fill for the window, then read again.
			eventsource.Pause(ctx, st.window)
			if recs, _, _, err = read(); err != nil || len(recs) == 0 {
				continue
			}
		}
		var batch []eventsource.StreamRecord
		for i := range recs {
			rec := recs[i]
			if !eventsource.MatchesAny(fs, eventsource.StreamFilterDoc(kinesis, &rec)) {
				continue
			}
			if kinesis {
				rec.JSON = s.kinesisRecord(r, &rec)
			}
			batch = append(batch, rec)
		}
		if len(batch) > 0 {
			settled := false
			if st.lanes == 1 {
				settled = z.Settle(ctx, batch, func(i int) bool {
					pos = batch[i-1].Seq
					save()
					return true
				})
			} else {
				settled = eventsource.SettleLanes(ctx, kinesis, batch, st.lanes, func(ctx context.Context, lane []eventsource.StreamRecord) {
					z.Settle(ctx, lane, func(int) bool { return true })
				})
			}
			if !settled {
				return false
			}
		}
		pos = recs[len(recs)-1].Seq
		save()
	}
	return false
}

// kinesisRecord is a Kinesis record as Pipes passes it: the record's
// fields at the top level, beside the event's.
func (s *Service) kinesisRecord(r *pipeRecord, rec *eventsource.StreamRecord) []byte {
	b, _ := json.Marshal(struct {
		EventSource                 string  `json:"eventSource"`
		EventVersion                string  `json:"eventVersion"`
		EventID                     string  `json:"eventID"`
		EventName                   string  `json:"eventName"`
		InvokeIdentityArn           string  `json:"invokeIdentityArn"`
		AwsRegion                   string  `json:"awsRegion"`
		EventSourceARN              string  `json:"eventSourceARN"`
		KinesisSchemaVersion        string  `json:"kinesisSchemaVersion"`
		PartitionKey                string  `json:"partitionKey"`
		SequenceNumber              string  `json:"sequenceNumber"`
		Data                        string  `json:"data"`
		ApproximateArrivalTimestamp float64 `json:"approximateArrivalTimestamp"`
	}{"aws:kinesis", "1.0", rec.Shard + ":" + rec.SequenceNumber(), "aws:kinesis:record", r.RoleArn, s.region, r.Source,
		"1.0", rec.Key, rec.SequenceNumber(), base64.StdEncoding.EncodeToString(rec.Data), float64(rec.ArrivedAt().UnixMilli()) / 1000})
	return b
}
