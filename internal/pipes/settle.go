package pipes

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/eventsource"
)

// Settling a stream pipe's batch: the records of a read that pass the
// filters are processed in batches of at most BatchSize. Records
// delivered before the first that failed are checkpointed and not sent
// again; a batch that fails is retried from its first failed record,
// every second, and with OnPartialBatchItemFailure AUTOMATIC_BISECT it
// is split in halves first (the first half is retried, then the rest),
// down to a single record. A batch is given up on once its retries
// (MaximumRetryAttempts, default -1: forever) ran out or its first
// record is older than MaximumRecordAgeInSeconds (default -1: no limit);
// records already that old when read are given up on unprocessed. A
// batch given up on goes to the DeadLetterConfig queue or topic as a
// failure record (deadLetterRecord), or is dropped when there is none,
// and the shard moves on past it.
//
// With ParallelizationFactor n above 1 the records of a read are split
// into n lanes by partition key (a Kinesis record's partition key, a
// DynamoDB record's item key), settled concurrently, each lane in order;
// the shard's checkpoint moves past the read once every lane is settled.

// The conditions a failure record names.
const (
	conditionRetries   = "RetryAttemptsExhausted"
	conditionRecordAge = "RecordAgeExceeded"
)

// streamItem is a stream record that passed the filters, and the event
// it is to the pipe.
type streamItem struct {
	rec   eventsource.StreamRecord
	event []byte
}

// settler settles a stream pipe's batches. Its funcs are the pipe's:
// process runs events through enrichment and target and reports which
// were delivered, giveUp sends records given up on to the dead-letter
// queue, pause waits before a retry.
type settler struct {
	st      streamSettings
	process func(ctx context.Context, events [][]byte) ([]bool, error)
	giveUp  func(ctx context.Context, items []streamItem, condition string)
	now     func() time.Time
	pause   func(ctx context.Context)
}

func (s *Service) settlerFor(r *pipeRecord, st streamSettings) settler {
	return settler{
		st: st,
		process: func(ctx context.Context, events [][]byte) ([]bool, error) {
			done, err := s.process(ctx, r, events)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("pipes: a batch failed", "pipe", r.Name, "records", len(events), "err", err)
			}
			return done, err
		},
		giveUp: func(ctx context.Context, items []streamItem, condition string) {
			s.deadLetter(ctx, r, st, items, condition)
		},
		now:   s.clock.Now,
		pause: func(ctx context.Context) { eventsource.Pause(ctx, errorPause) },
	}
}

// settle processes items in batches until every one is delivered or
// given up on; progress(i) is told when the first i are. It reports
// false when ctx ended first.
func (z settler) settle(ctx context.Context, items []streamItem, progress func(int)) bool {
	for i := 0; i < len(items); {
		end, attempts := min(i+z.st.size, len(items)), 0
		for i < end {
			events := make([][]byte, end-i)
			for k := range events {
				events[k] = items[i+k].event
			}
			done, err := z.process(ctx, events)
			if ctx.Err() != nil {
				return false
			}
			n := len(events)
			if err != nil {
				n = 0
				for n < len(done) && done[n] {
					n++
				}
			}
			if n > 0 {
				i += n
				progress(i)
			}
			if i == end {
				break
			}
			attempts++
			failed := items[i:end]
			tooOld := z.st.maxAge > 0 && z.now().Sub(failed[0].rec.ArrivedAt()) > z.st.maxAge
			outOfRetries := z.st.maxRetries >= 0 && attempts > z.st.maxRetries
			if tooOld || outOfRetries {
				condition := conditionRetries
				if tooOld {
					condition = conditionRecordAge
				}
				z.giveUp(ctx, failed, condition)
				i = end
				progress(i)
				break
			}
			if z.st.bisect && len(failed) > 1 {
				end = i + len(failed)/2
			}
			z.pause(ctx)
		}
	}
	return true
}

// settleLanes settles items in st.lanes concurrent lanes, each record
// in its partition key's lane, in order.
func (z settler) settleLanes(ctx context.Context, kinesis bool, items []streamItem) bool {
	split := make([][]streamItem, z.st.lanes)
	for _, it := range items {
		l := eventsource.Lane(kinesis, &it.rec, z.st.lanes)
		split[l] = append(split[l], it)
	}
	var wg sync.WaitGroup
	for _, lane := range split {
		if len(lane) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			z.settle(ctx, lane, func(int) {})
		}()
	}
	wg.Wait()
	return ctx.Err() == nil
}

// deadLetterRecord is what a stream pipe sends its dead-letter queue or
// topic for a batch it gave up on, members in the order Pipes writes
// them: the pipe and why, and where the records are in the stream (the
// records themselves are not sent).
type deadLetterRecord struct {
	Context            deadLetterContext      `json:"context"`
	Version            string                 `json:"version"`
	Timestamp          string                 `json:"timestamp"`
	DDBStreamBatchInfo *eventsource.BatchInfo `json:"DDBStreamBatchInfo,omitempty"`
	KinesisBatchInfo   *eventsource.BatchInfo `json:"KinesisBatchInfo,omitempty"`
}

type deadLetterContext struct {
	PartnerResourceArn string `json:"partnerResourceArn"`
	Condition          string `json:"condition"`
}

// deadLetterBody is the failure record of items given up on.
func (s *Service) deadLetterBody(r *pipeRecord, items []streamItem, condition string) []byte {
	recs := make([]eventsource.StreamRecord, len(items))
	for i, it := range items {
		recs[i] = it.rec
	}
	kinesis := sourceKind(r.Source) == "kinesis"
	rec := deadLetterRecord{
		Context:   deadLetterContext{PartnerResourceArn: s.pipeARN(r.Name), Condition: condition},
		Version:   "1.0",
		Timestamp: s.clock.Now().UTC().Format(eventsource.BatchTimeLayout),
	}
	info := eventsource.NewBatchInfo(kinesis, r.Source, recs)
	if kinesis {
		rec.KinesisBatchInfo = info
	} else {
		rec.DDBStreamBatchInfo = info
	}
	b, _ := json.Marshal(rec)
	return b
}

// deadLetter sends the failure record of items given up on to the
// pipe's dead-letter queue or topic, as the pipe's role (which must
// allow sqs:SendMessage or sns:Publish on it); without one they are
// dropped.
func (s *Service) deadLetter(ctx context.Context, r *pipeRecord, st streamSettings, items []streamItem, condition string) {
	if st.deadLetter == "" || s.targets == nil {
		s.log.Warn("pipes: records were given up on and dropped", "pipe", r.Name, "records", len(items), "condition", condition)
		return
	}
	err := s.targets.Deliver(ctx, st.deadLetter, deliver.Message{Body: s.deadLetterBody(r, items, condition), Role: s.role(r)})
	if err != nil && ctx.Err() == nil {
		s.log.Warn("pipes: sending records given up on to the dead-letter queue", "pipe", r.Name, "dlq", st.deadLetter, "err", err)
	}
}
