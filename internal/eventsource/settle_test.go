package eventsource

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
)

// fakeTarget fails every batch holding one of its poison records (by
// Seq) and records what reached it; with partial it reports the records
// before the first poison one as processed.
type fakeTarget struct {
	mu        sync.Mutex
	poison    map[uint64]bool
	partial   bool
	batches   [][]uint64
	delivered []uint64
	givenUp   [][]uint64
	condition []string
	attempts  []int
}

func seqs(batch []StreamRecord) []uint64 {
	out := make([]uint64, len(batch))
	for i, r := range batch {
		out[i] = r.Seq
	}
	return out
}

func (f *fakeTarget) deliver(_ context.Context, batch []StreamRecord) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, seqs(batch))
	for i, r := range batch {
		if f.poison[r.Seq] {
			if !f.partial {
				return 0
			}
			f.delivered = append(f.delivered, seqs(batch[:i])...)
			return i
		}
	}
	f.delivered = append(f.delivered, seqs(batch)...)
	return len(batch)
}

func (f *fakeTarget) giveUp(_ context.Context, batch []StreamRecord, condition string, attempts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.givenUp = append(f.givenUp, seqs(batch))
	f.condition = append(f.condition, condition)
	f.attempts = append(f.attempts, attempts)
}

func (f *fakeTarget) settler(p FailurePolicy, now func() time.Time) Settler {
	if now == nil {
		now = func() time.Time { return time.Unix(1000, 0) }
	}
	return Settler{Policy: p, Deliver: f.deliver, GiveUp: f.giveUp, Now: now, Wait: func(context.Context, time.Duration) {}}
}

func testRecords(n int, arrived time.Time) []StreamRecord {
	var recs []StreamRecord
	for i := 1; i <= n; i++ {
		recs = append(recs, StreamRecord{Seq: uint64(i), Key: fmt.Sprint("k", i%3), Arrived: arrived})
	}
	return recs
}

// settleAll settles recs and checks that progress only moves forward,
// to the end.
func settleAll(t *testing.T, z Settler, recs []StreamRecord) []int {
	t.Helper()
	var progress []int
	ok := z.Settle(context.Background(), recs, func(n int) bool {
		if len(progress) > 0 && n < progress[len(progress)-1] {
			t.Errorf("progress went back from %d to %d", progress[len(progress)-1], n)
		}
		progress = append(progress, n)
		return true
	})
	if !ok || len(progress) == 0 || progress[len(progress)-1] != len(recs) {
		t.Errorf("settled %v, progress %v of %d", ok, progress, len(recs))
	}
	return progress
}

// Bisection halves a failing batch until the poison record is alone;
// the halving spends no retries, so the record alone gets all
// MaximumRetryAttempts before it is given up on, and every other record
// is delivered once.
func TestSettleBisect(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{poison: map[uint64]bool{6: true}}
	settleAll(t, f.settler(FailurePolicy{BatchSize: 8, MaxRetries: 2, Bisect: true}, nil), testRecords(8, time.Unix(1000, 0)))
	if fmt.Sprint(f.givenUp, f.condition, f.attempts) != "[[6]] [RetryAttemptsExhausted] [3]" {
		t.Errorf("given up on %v %v after %v attempts", f.givenUp, f.condition, f.attempts)
	}
	slices.Sort(f.delivered)
	if fmt.Sprint(f.delivered) != "[1 2 3 4 5 7 8]" {
		t.Errorf("delivered %v", f.delivered)
	}
	want := "[[1 2 3 4 5 6 7 8] [1 2 3 4] [5 6 7 8] [5 6] [5] [6 7 8] [6] [6] [6] [7 8]]"
	if got := fmt.Sprint(f.batches); got != want {
		t.Errorf("batches\n got %s\nwant %s", got, want)
	}
}

// With no retries at all, bisection still isolates the poison record:
// only it is given up on.
func TestSettleBisectNoRetries(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{poison: map[uint64]bool{3: true}}
	settleAll(t, f.settler(FailurePolicy{BatchSize: 4, MaxRetries: 0, Bisect: true}, nil), testRecords(4, time.Unix(1000, 0)))
	if fmt.Sprint(f.givenUp, f.attempts) != "[[3]] [1]" || fmt.Sprint(f.delivered) != "[1 2 4]" {
		t.Errorf("given up on %v after %v, delivered %v", f.givenUp, f.attempts, f.delivered)
	}
}

// Without bisection the whole failing batch is given up on once
// MaximumRetryAttempts retries failed: 1 + MaximumRetryAttempts attempts.
func TestSettleRetriesRunOut(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{poison: map[uint64]bool{2: true}}
	settleAll(t, f.settler(FailurePolicy{BatchSize: 3, MaxRetries: 2}, nil), testRecords(5, time.Unix(1000, 0)))
	if fmt.Sprint(f.givenUp, f.attempts) != "[[1 2 3]] [3]" {
		t.Errorf("given up on %v after %v", f.givenUp, f.attempts)
	}
	if n := len(f.batches); n != 3+1 {
		t.Errorf("%d deliveries, want 3 of the failing batch and 1 of the rest", n)
	}
	if fmt.Sprint(f.delivered) != "[4 5]" {
		t.Errorf("delivered %v", f.delivered)
	}
}

// A partial failure is retried from its first failed record; those
// before it are not sent again.
func TestSettlePartialFailure(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{poison: map[uint64]bool{3: true}, partial: true}
	progress := settleAll(t, f.settler(FailurePolicy{BatchSize: 4, MaxRetries: 1}, nil), testRecords(4, time.Unix(1000, 0)))
	if got := fmt.Sprint(f.batches); got != "[[1 2 3 4] [3 4]]" {
		t.Errorf("batches %s", got)
	}
	if fmt.Sprint(f.givenUp) != "[[3 4]]" || fmt.Sprint(progress) != "[2 4]" {
		t.Errorf("given up on %v, progress %v", f.givenUp, progress)
	}
}

// A failing batch whose first record grew older than
// MaximumRecordAgeInSeconds is given up on, retries or not.
func TestSettleRecordAge(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{poison: map[uint64]bool{1: true}}
	fake := clock.NewFake(time.Unix(1000, 0))
	z := f.settler(FailurePolicy{BatchSize: 2, MaxRetries: -1, MaxAge: time.Minute}, fake.Now)
	z.Wait = func(context.Context, time.Duration) { fake.Advance(30 * time.Second) }
	settleAll(t, z, testRecords(2, time.Unix(1000, 0)))
	if fmt.Sprint(f.givenUp, f.condition) != "[[1 2]] [RecordAgeExceeded]" {
		t.Errorf("given up on %v (%v)", f.givenUp, f.condition)
	}
	if len(f.batches) != 3 {
		t.Errorf("%d attempts, want 3 (at 0s, 30s and 60s; at 90s both records are past the age)", len(f.batches))
	}
}

// Records already older than MaximumRecordAgeInSeconds are given up on
// without being sent; the younger ones that follow are delivered.
func TestSettleExpiredUnsent(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{}
	recs := append(testRecords(2, time.Unix(800, 0)), StreamRecord{Seq: 3, Arrived: time.Unix(990, 0)})
	settleAll(t, f.settler(FailurePolicy{BatchSize: 10, MaxRetries: -1, MaxAge: time.Minute}, nil), recs)
	if fmt.Sprint(f.givenUp, f.condition, f.attempts) != "[[1 2]] [RecordAgeExceeded] [0]" || fmt.Sprint(f.batches) != "[[3]]" {
		t.Errorf("given up on %v %v %v, batches %v", f.givenUp, f.condition, f.attempts, f.batches)
	}
}

// A progress that says stop stops settling.
func TestSettleStops(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{}
	z := f.settler(FailurePolicy{BatchSize: 1, MaxRetries: -1}, nil)
	if z.Settle(context.Background(), testRecords(3, time.Unix(1000, 0)), func(n int) bool { return n < 2 }) {
		t.Error("settled though progress said stop")
	}
	if len(f.batches) != 2 {
		t.Errorf("%d deliveries after the stop, want 2", len(f.batches))
	}
}

// With ParallelizationFactor the records of one key are processed in
// order, each once, in batches of at most BatchSize.
func TestSettleLanes(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{}
	z := f.settler(FailurePolicy{BatchSize: 2, MaxRetries: -1}, nil)
	recs := testRecords(30, time.Unix(1000, 0))
	if !SettleLanes(context.Background(), true, recs, 3, func(ctx context.Context, lane []StreamRecord) {
		z.Settle(ctx, lane, func(int) bool { return true })
	}) {
		t.Fatal("not settled")
	}
	if len(f.delivered) != 30 {
		t.Errorf("%d delivered, want 30", len(f.delivered))
	}
	key := map[uint64]string{}
	for _, r := range recs {
		key[r.Seq] = r.Key
	}
	last := map[string]uint64{}
	for _, b := range f.batches {
		if len(b) > 2 {
			t.Errorf("batch of %d", len(b))
		}
		for _, s := range b {
			if s <= last[key[s]] {
				t.Errorf("key %s: %d after %d", key[s], s, last[key[s]])
			}
			last[key[s]] = s
		}
	}
}

func TestBatchItemFailures(t *testing.T) {
	t.Parallel()
	for answer, want := range map[string]string{
		`{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"b"}]}`: "[a b] true",
		`{"batchItemFailures":[]}`:   "[] true",
		`{"batchItemFailures":null}`: "[] true",
		`null`:                       "[] true",
		``:                           "[] true",
		`"done"`:                     "[] true",
		`{"batchItemFailures":[{"itemIdentifier":""}]}`:   "[] false",
		`{"batchItemFailures":[{"itemIdentifier":null}]}`: "[] false",
		`{"batchItemFailures":[{"itemIdentifer":"a"}]}`:   "[] false",
	} {
		ids, ok := BatchItemFailures([]byte(answer))
		if got := fmt.Sprint(ids, " ", ok); got != want {
			t.Errorf("%s: got %s, want %s", answer, got, want)
		}
	}
}

func TestIndexOfID(t *testing.T) {
	t.Parallel()
	ddb := []StreamRecord{{Seq: 7}, {Seq: 9}}
	for id, want := range map[string]int{"9": 1, "000000000000000000007": 0, "8": -1, "x": -1} {
		if got := IndexOfID(ddb, id); got != want {
			t.Errorf("DynamoDB %q: got %d, want %d", id, got, want)
		}
	}
	seq := "49000000000000000000000000000000000012"
	kin := []StreamRecord{{Seq: 12, ID: seq}, {Seq: 13, ID: seq + "3"}}
	if got := IndexOfID(kin, seq); got != 0 {
		t.Errorf("Kinesis sequence number: got %d", got)
	}
	// A Kinesis record is named by its sequence number only.
	if got := IndexOfID(kin, "12"); got != -1 {
		t.Errorf("Kinesis position: got %d", got)
	}
	if n, ok := FirstFailed(kin, []string{seq + "3", seq}); n != 0 || !ok {
		t.Errorf("FirstFailed = %d, %v", n, ok)
	}
	if _, ok := FirstFailed(kin, []string{"nope"}); ok {
		t.Error("an id outside the batch must fail it whole")
	}
}
