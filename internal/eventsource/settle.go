package eventsource

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"
)

// Settling a stream's batches: what Lambda's stream event source
// mappings and Pipes' stream sources do with records they read, the one
// policy both document.
//
// The records are delivered in batches of at most BatchSize. A batch
// that fails is retried from its first record not processed (records
// before it, as a partial batch response names them, are not sent
// again), after a pause. With bisection (Lambda's
// BisectBatchOnFunctionError, Pipes' OnPartialBatchItemFailure
// AUTOMATIC_BISECT) a failing batch of more than one record is split in
// halves, the first half retried, then the rest; a split does not count
// as a retry ("Splitting a batch does not consume the retry quota"), so
// retries are counted once a batch is down to one record. A batch is
// given up on once its retries ran out (MaximumRetryAttempts, -1:
// never) or its first record grew older than MaximumRecordAgeInSeconds
// (-1: no limit); records already that old when their turn comes are
// given up on without being sent (the limit is "the maximum age of a
// record" sent to the target). A batch given up on is described to the
// on-failure destination or dead-letter queue, and the reader moves on.

// The conditions a failure record names for a batch given up on.
const (
	RetryAttemptsExhausted = "RetryAttemptsExhausted"
	RecordAgeExceeded      = "RecordAgeExceeded"
)

// FailurePolicy is how a stream's failing batches are retried and given
// up on.
type FailurePolicy struct {
	// BatchSize is the most records delivered at once.
	BatchSize int
	// MaxRetries is MaximumRetryAttempts: -1 retries forever.
	MaxRetries int
	// MaxAge is MaximumRecordAgeInSeconds: 0 sets no limit.
	MaxAge time.Duration
	// Bisect splits a failing batch in halves before retrying it.
	Bisect bool
	// RetryPause is the wait before a failed batch is retried.
	RetryPause time.Duration
}

// Settler settles a stream's records with a FailurePolicy. Its funcs are
// the consumer's.
type Settler struct {
	Policy FailurePolicy
	// Deliver sends a batch to the target and returns how many of its
	// records, from the first, were processed: all of them when the
	// batch succeeded.
	Deliver func(ctx context.Context, batch []StreamRecord) int
	// GiveUp describes a batch given up on to the on-failure
	// destination; attempts is how often that batch was sent (0 for
	// records too old to be sent at all).
	GiveUp func(ctx context.Context, batch []StreamRecord, condition string, attempts int)
	// Now is the clock records' ages are measured on.
	Now func() time.Time
	// Wait waits between retries; nil is Pause.
	Wait func(ctx context.Context, d time.Duration)
}

// Settle delivers recs, in order, until every one is processed or given
// up on; progress(n) is told each time the first n are, and stops
// settling when it returns false. Settle reports false when it stopped
// before the end, ctx having ended or progress having said so.
func (z Settler) Settle(ctx context.Context, recs []StreamRecord, progress func(n int) bool) bool {
	p := z.Policy
	size := max(p.BatchSize, 1)
	for i := 0; i < len(recs); {
		end, attempts := min(i+size, len(recs)), 0
		for i < end {
			if n := z.expired(recs[i:end]); n > 0 {
				z.GiveUp(ctx, recs[i:i+n], RecordAgeExceeded, attempts)
				i += n
				if !progress(i) {
					return false
				}
				continue
			}
			n := z.Deliver(ctx, recs[i:end])
			if ctx.Err() != nil {
				return false
			}
			if n > 0 {
				i += n
				if !progress(i) {
					return false
				}
			}
			if i == end {
				break
			}
			failed := recs[i:end]
			if p.Bisect && len(failed) > 1 {
				end = i + len(failed)/2
			} else {
				attempts++
			}
			tooOld := z.tooOld(&failed[0])
			if tooOld || (p.MaxRetries >= 0 && attempts > p.MaxRetries) {
				condition := RetryAttemptsExhausted
				if tooOld {
					condition = RecordAgeExceeded
				}
				z.GiveUp(ctx, failed, condition, attempts)
				i += len(failed)
				end = i
				if !progress(i) {
					return false
				}
				break
			}
			z.wait(ctx)
		}
	}
	return ctx.Err() == nil
}

// expired is how many records from the start of batch are older than
// the policy's MaxAge.
func (z Settler) expired(batch []StreamRecord) int {
	n := 0
	for n < len(batch) && z.tooOld(&batch[n]) {
		n++
	}
	return n
}

func (z Settler) tooOld(r *StreamRecord) bool {
	return z.Policy.MaxAge > 0 && z.Now().Sub(r.ArrivedAt()) > z.Policy.MaxAge
}

func (z Settler) wait(ctx context.Context) {
	if z.Wait != nil {
		z.Wait(ctx, z.Policy.RetryPause)
		return
	}
	Pause(ctx, z.Policy.RetryPause)
}

// SettleLanes settles recs in n concurrent lanes (ParallelizationFactor
// n), each record in its partition key's lane, in order: settle is
// called once for each lane that holds records. It returns once every
// lane is settled, reporting false when ctx ended first.
func SettleLanes(ctx context.Context, kinesis bool, recs []StreamRecord, n int, settle func(ctx context.Context, lane []StreamRecord)) bool {
	split := make([][]StreamRecord, max(n, 1))
	for _, r := range recs {
		l := Lane(kinesis, &r, n)
		split[l] = append(split[l], r)
	}
	var wg sync.WaitGroup
	for _, lane := range split {
		if len(lane) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			settle(ctx, lane)
		}()
	}
	wg.Wait()
	return ctx.Err() == nil
}

// BatchItemFailures reads a partial batch response
// ({"batchItemFailures": [{"itemIdentifier": ID}, ...]}), which a
// function answers when its mapping has ReportBatchItemFailures, and a
// Lambda or Step Functions target of a pipe may: the identifiers of the
// records that failed. An answer that is no such response, or lists no
// failure, reports none; an item without an identifier, or with an
// empty one, fails the batch whole (ok false).
func BatchItemFailures(answer []byte) (ids []string, ok bool) {
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if json.Unmarshal(answer, &resp) != nil {
		return nil, true
	}
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" {
			return nil, false
		}
		ids = append(ids, *f.ItemIdentifier)
	}
	return ids, true
}

// FirstFailed is the index in batch of the first record a partial
// batch response names, where a stream's reader retries from: with
// several, "the record with the lowest sequence number". ok is false
// when a response names a record outside the batch, which fails it
// whole; n is len(batch) when it names none.
func FirstFailed(batch []StreamRecord, ids []string) (n int, ok bool) {
	n = len(batch)
	for _, id := range ids {
		i := IndexOfID(batch, id)
		if i < 0 {
			return 0, false
		}
		n = min(n, i)
	}
	return n, true
}

// IndexOfID is the index of the batch's record with the sequence number
// id, -1 when there is none; DynamoDB's match by value, however many
// leading zeros.
func IndexOfID(batch []StreamRecord, id string) int {
	n, numErr := strconv.ParseUint(id, 10, 64)
	for i := range batch {
		r := &batch[i]
		if r.SequenceNumber() == id || (r.ID == "" && numErr == nil && r.Seq == n) {
			return i
		}
	}
	return -1
}
