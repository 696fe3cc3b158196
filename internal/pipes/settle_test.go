package pipes

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/eventsource"
)

// fakeTarget fails every batch holding one of its poison records, and
// records what reached it.
type fakeTarget struct {
	mu        sync.Mutex
	poison    map[string]bool
	partial   bool // report the records before the first poison one as delivered
	batches   [][]string
	delivered []string
	givenUp   [][]string
	condition []string
}

func (f *fakeTarget) process(_ context.Context, events [][]byte) ([]bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for _, e := range events {
		names = append(names, string(e))
	}
	f.batches = append(f.batches, names)
	done := make([]bool, len(events))
	for i, n := range names {
		if f.poison[n] {
			if !f.partial {
				clear(done)
			}
			return done, fmt.Errorf("poison %s", n)
		}
		done[i] = true
	}
	f.delivered = append(f.delivered, names...)
	return done, nil
}

func (f *fakeTarget) giveUp(_ context.Context, items []streamItem, condition string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for _, it := range items {
		names = append(names, string(it.event))
	}
	f.givenUp = append(f.givenUp, names)
	f.condition = append(f.condition, condition)
}

func testItems(n int) []streamItem {
	var items []streamItem
	for i := 1; i <= n; i++ {
		items = append(items, streamItem{rec: eventsource.StreamRecord{Seq: uint64(i), Key: "k" + strconv.Itoa(i%3),
			Arrived: time.Unix(1000, 0)}, event: []byte("r" + strconv.Itoa(i))})
	}
	return items
}

func (f *fakeTarget) settler(st streamSettings, now func() time.Time) settler {
	if now == nil {
		now = func() time.Time { return time.Unix(1000, 0) }
	}
	return settler{st: st, process: f.process, giveUp: f.giveUp, now: now, pause: func(context.Context) {}}
}

// AUTOMATIC_BISECT halves a failing batch until the poison record is
// alone; it alone is given up on once its retries ran out, and every
// other record is delivered once.
func TestSettleBisect(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{poison: map[string]bool{"r6": true}}
	z := f.settler(streamSettings{size: 8, maxRetries: 2, bisect: true, lanes: 1}, nil)
	last := 0
	if !z.settle(context.Background(), testItems(8), func(i int) { last = i }) {
		t.Fatal("not settled")
	}
	if last != 8 {
		t.Errorf("progress reached %d, want 8", last)
	}
	if want := [][]string{{"r6"}}; fmt.Sprint(f.givenUp) != fmt.Sprint(want) || f.condition[0] != conditionRetries {
		t.Errorf("given up on %v (%v), want %v", f.givenUp, f.condition, want)
	}
	slices.Sort(f.delivered)
	if want := []string{"r1", "r2", "r3", "r4", "r5", "r7", "r8"}; !slices.Equal(f.delivered, want) {
		t.Errorf("delivered %v, want %v", f.delivered, want)
	}
	// The batches narrow down: 8, then 4 and 4, the failing half in 2s, then 1.
	if got := fmt.Sprint(f.batches[:4]); got != "[[r1 r2 r3 r4 r5 r6 r7 r8] [r1 r2 r3 r4] [r5 r6 r7 r8] [r5 r6]]" {
		t.Errorf("batches %s", got)
	}
}

// Without bisection the whole failing batch is given up on once
// MaximumRetryAttempts retries failed: 1 + MaximumRetryAttempts attempts.
func TestSettleRetriesRunOut(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{poison: map[string]bool{"r2": true}}
	z := f.settler(streamSettings{size: 3, maxRetries: 2, lanes: 1}, nil)
	z.settle(context.Background(), testItems(5), func(int) {})
	if fmt.Sprint(f.givenUp) != "[[r1 r2 r3]]" {
		t.Errorf("given up on %v", f.givenUp)
	}
	if n := len(f.batches); n != 3+1 {
		t.Errorf("%d invocations, want 3 of the failing batch and 1 of the rest", n)
	}
	if fmt.Sprint(f.delivered) != "[r4 r5]" {
		t.Errorf("delivered %v", f.delivered)
	}
}

// A partial failure is retried from its first failed record; those
// before it are not sent again.
func TestSettlePartialFailure(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{poison: map[string]bool{"r3": true}, partial: true}
	z := f.settler(streamSettings{size: 4, maxRetries: 1, lanes: 1}, nil)
	var progress []int
	z.settle(context.Background(), testItems(4), func(i int) { progress = append(progress, i) })
	if got := fmt.Sprint(f.batches); got != "[[r1 r2 r3 r4] [r3 r4]]" {
		t.Errorf("batches %s", got)
	}
	if fmt.Sprint(f.givenUp) != "[[r3 r4]]" || fmt.Sprint(progress) != "[2 4]" {
		t.Errorf("given up on %v, progress %v", f.givenUp, progress)
	}
}

// A failing batch whose first record grew older than
// MaximumRecordAgeInSeconds is given up on, retries or not.
func TestSettleRecordAge(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{poison: map[string]bool{"r1": true}}
	fake := clock.NewFake(time.Unix(1000, 0))
	z := f.settler(streamSettings{size: 2, maxRetries: -1, maxAge: time.Minute, lanes: 1}, fake.Now)
	z.pause = func(context.Context) { fake.Advance(30 * time.Second) }
	z.settle(context.Background(), testItems(2), func(int) {})
	if fmt.Sprint(f.givenUp) != "[[r1 r2]]" || f.condition[0] != conditionRecordAge {
		t.Errorf("given up on %v (%v)", f.givenUp, f.condition)
	}
	if len(f.batches) != 4 {
		t.Errorf("%d attempts, want 4 (at 0s, 30s, 60s and 90s, when it fails past the age)", len(f.batches))
	}
}

// With ParallelizationFactor the records of one key are processed in
// order, each once, in batches of at most BatchSize.
func TestSettleLanes(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{}
	z := f.settler(streamSettings{size: 2, maxRetries: -1, lanes: 3}, nil)
	items := testItems(30)
	if !z.settleLanes(context.Background(), true, items) {
		t.Fatal("not settled")
	}
	if len(f.delivered) != 30 {
		t.Errorf("%d delivered, want 30", len(f.delivered))
	}
	key := map[string]string{}
	for _, it := range items {
		key[string(it.event)] = it.rec.Key
	}
	last := map[string]int{}
	for _, b := range f.batches {
		if len(b) > 2 {
			t.Errorf("batch of %d", len(b))
		}
		for _, n := range b {
			i, _ := strconv.Atoi(n[1:])
			if i <= last[key[n]] {
				t.Errorf("key %s: %s after r%d", key[n], n, last[key[n]])
			}
			last[key[n]] = i
		}
	}
}

// The failure record names the pipe, the condition and where the
// records are.
func TestDeadLetterBody(t *testing.T) {
	t.Parallel()
	s := &Service{clock: clock.NewFake(time.UnixMilli(1687187031498)), account: "123456789012", region: "us-east-1"}
	items := []streamItem{
		{rec: eventsource.StreamRecord{Seq: 1, ID: "4961", Shard: "shardId-000000000000", Arrived: time.UnixMilli(1687187026620)}},
		{rec: eventsource.StreamRecord{Seq: 2, ID: "4962", Shard: "shardId-000000000000", Arrived: time.UnixMilli(1687187026700)}},
	}
	r := &pipeRecord{Name: "p", Source: "arn:aws:kinesis:us-east-1:123456789012:stream/s"}
	want := `{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:123456789012:pipe/p","condition":"RetryAttemptsExhausted"},` +
		`"version":"1.0","timestamp":"2023-06-19T15:03:51.498Z","KinesisBatchInfo":{"shardId":"shardId-000000000000",` +
		`"startSequenceNumber":"4961","endSequenceNumber":"4962","approximateArrivalOfFirstRecord":"2023-06-19T15:03:46.620Z",` +
		`"approximateArrivalOfLastRecord":"2023-06-19T15:03:46.700Z","batchSize":2,"streamArn":"arn:aws:kinesis:us-east-1:123456789012:stream/s"}}`
	if got := string(s.deadLetterBody(r, items, conditionRetries)); got != want {
		t.Errorf("Kinesis:\n got %s\nwant %s", got, want)
	}
	d := []streamItem{{rec: eventsource.StreamRecord{Seq: 7, Shard: "shardId-1", Created: 1709856000}}}
	r.Source = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000"
	want = `{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:123456789012:pipe/p","condition":"RecordAgeExceeded"},` +
		`"version":"1.0","timestamp":"2023-06-19T15:03:51.498Z","DDBStreamBatchInfo":{"shardId":"shardId-1",` +
		`"startSequenceNumber":"000000000000000000007","endSequenceNumber":"000000000000000000007",` +
		`"approximateArrivalOfFirstRecord":"2024-03-08T00:00:00Z","approximateArrivalOfLastRecord":"2024-03-08T00:00:00Z",` +
		`"batchSize":1,"streamArn":"` + r.Source + `"}}`
	if got := string(s.deadLetterBody(r, d, conditionRecordAge)); got != want {
		t.Errorf("DynamoDB:\n got %s\nwant %s", got, want)
	}
}
