package pipes

import (
	"context"
	"encoding/json"

	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/eventsource"
)

// Settling a stream pipe's batch: the records of a read that pass the
// filters are settled as package eventsource's Settler does for Lambda's
// stream mappings too: delivered in batches of at most BatchSize;
// records delivered before the first that failed are checkpointed and
// not sent again; a batch that fails is retried from its first failed
// record, every second, and with OnPartialBatchItemFailure
// AUTOMATIC_BISECT it is split in halves first (the first half is
// retried, then the rest), down to a single record, the splits spending
// no retries. A batch is given up on once its retries
// (MaximumRetryAttempts, default -1: forever) ran out or its first
// record is older than MaximumRecordAgeInSeconds (default -1: no limit);
// records already that old are given up on unprocessed. A batch given
// up on goes to the DeadLetterConfig queue or topic as a failure record
// (deadLetterRecord), or is dropped when there is none, and the shard
// moves on past it.
//
// With ParallelizationFactor n above 1 the records of a read are split
// into n lanes by partition key (a Kinesis record's partition key, a
// DynamoDB record's item key), settled concurrently, each lane in order;
// the shard's checkpoint moves past the read once every lane is settled.

// settlerFor is the Settler of a stream pipe: its records' JSON are the
// events it processes (run through enrichment and target), and those
// given up on go to its dead-letter queue.
func (s *Service) settlerFor(r *pipeRecord, st streamSettings) eventsource.Settler {
	return eventsource.Settler{
		Policy: st.policy,
		Deliver: func(ctx context.Context, batch []eventsource.StreamRecord) int {
			events := make([][]byte, len(batch))
			for i := range batch {
				events[i] = batch[i].JSON
			}
			done, err := s.process(ctx, r, events)
			if err == nil {
				return len(batch)
			}
			if ctx.Err() == nil {
				s.log.Warn("pipes: a batch failed", "pipe", r.Name, "records", len(events), "err", err)
			}
			n := 0
			for n < len(done) && done[n] {
				n++
			}
			return n
		},
		GiveUp: func(ctx context.Context, batch []eventsource.StreamRecord, condition string, _ int) {
			s.deadLetter(ctx, r, st, batch, condition)
		},
		Now: s.clock.Now,
	}
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

// deadLetterBody is the failure record of records given up on.
func (s *Service) deadLetterBody(r *pipeRecord, recs []eventsource.StreamRecord, condition string) []byte {
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

// deadLetter sends the failure record of records given up on to the
// pipe's dead-letter queue or topic, as the pipe's role (which must
// allow sqs:SendMessage or sns:Publish on it); without one they are
// dropped.
func (s *Service) deadLetter(ctx context.Context, r *pipeRecord, st streamSettings, recs []eventsource.StreamRecord, condition string) {
	if st.deadLetter == "" || s.targets == nil {
		s.log.Warn("pipes: records were given up on and dropped", "pipe", r.Name, "records", len(recs), "condition", condition)
		return
	}
	err := s.targets.Deliver(ctx, st.deadLetter, deliver.Message{Body: s.deadLetterBody(r, recs, condition), Role: s.role(r)})
	if err != nil && ctx.Err() == nil {
		s.log.Warn("pipes: sending records given up on to the dead-letter queue", "pipe", r.Name, "dlq", st.deadLetter, "err", err)
	}
}
