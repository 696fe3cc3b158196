package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/eventsource"
)

func TestFilterDoc(t *testing.T) {
	r := eventsource.StreamRecord{Data: []byte(`{"temp": 30}`), Key: "k", JSON: []byte(`{"kinesis":{}}`)}
	doc := eventsource.StreamFilterDoc(true, &r)
	if b, _ := json.Marshal(doc); string(b) != `{"data":{"temp":30}}` {
		t.Errorf("Kinesis JSON data: %s", b)
	}
	r.Data = []byte("not json")
	if doc := eventsource.StreamFilterDoc(true, &r); len(doc) != 0 {
		t.Errorf("Kinesis other data: %v", doc)
	}
	d := eventsource.StreamRecord{JSON: []byte(`{"eventName":"INSERT"}`)}
	if doc := eventsource.StreamFilterDoc(false, &d); doc["eventName"] != "INSERT" {
		t.Errorf("DynamoDB: %v", doc)
	}
}

func TestPartitionKey(t *testing.T) {
	a := eventsource.StreamRecord{JSON: []byte(`{"dynamodb":{"Keys":{"pk":{"S":"a"}},"NewImage":{"v":{"S":"1"}}}}`)}
	b := eventsource.StreamRecord{JSON: []byte(`{"dynamodb":{"Keys":{"pk":{"S":"a"}},"NewImage":{"v":{"S":"2"}}}}`)}
	if string(eventsource.PartitionKey(false, &a)) != string(eventsource.PartitionKey(false, &b)) || len(eventsource.PartitionKey(false, &a)) == 0 {
		t.Errorf("one item's records have different keys: %s, %s", eventsource.PartitionKey(false, &a), eventsource.PartitionKey(false, &b))
	}
	if string(eventsource.PartitionKey(true, &eventsource.StreamRecord{Key: "p"})) != "p" {
		t.Error("Kinesis partition key")
	}
}

func TestRenderKinesis(t *testing.T) {
	s := &Service{region: "us-east-1", functions: map[string]*function{}}
	arrived := time.UnixMilli(1545084650987)
	recs := []eventsource.StreamRecord{{Seq: 1, ID: "4900", Shard: "shardId-000000000006", Key: "1", Data: []byte("Hello"), Arrived: arrived}}
	arn, fn := "arn:aws:kinesis:us-east-1:000000000000:stream/s", "arn:aws:lambda:us-east-1:000000000000:function:f"
	s.account = "000000000000"
	s.renderKinesis(EventSourceMappingConfiguration{EventSourceArn: &arn, FunctionArn: &fn}, recs)
	want := `{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"1","sequenceNumber":"4900","data":"SGVsbG8=","approximateArrivalTimestamp":1545084650.987},` +
		`"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"shardId-000000000006:4900","eventName":"aws:kinesis:record",` +
		`"invokeIdentityArn":"","awsRegion":"us-east-1","eventSourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s"}`
	if string(recs[0].JSON) != want {
		t.Errorf("event record:\n got %s\nwant %s", recs[0].JSON, want)
	}
}

// fakeTarget fails every batch that holds a record of fail (Seq), or,
// with partial, names the first such record as a batch item failure
// once; it records what it was given.
type fakeTarget struct {
	fail      map[uint64]bool
	partial   bool
	processed []uint64
	discarded [][]uint64
	attempts  []int
	conds     []string
}

func seqs(batch []eventsource.StreamRecord) []uint64 {
	out := make([]uint64, len(batch))
	for i, r := range batch {
		out[i] = r.Seq
	}
	return out
}

func (f *fakeTarget) deliver(ctx context.Context, cfg EventSourceMappingConfiguration, batch []eventsource.StreamRecord, win *streamWindow) (int, outcome, json.RawMessage) {
	for i, r := range batch {
		if f.fail[r.Seq] {
			if !f.partial {
				return 0, outcome{functionError: "Unhandled"}, nil
			}
			delete(f.fail, r.Seq)
			f.processed = append(f.processed, seqs(batch[:i])...)
			return i, outcome{}, nil
		}
	}
	f.processed = append(f.processed, seqs(batch)...)
	return len(batch), outcome{}, nil
}

func (f *fakeTarget) discard(ctx context.Context, cfg EventSourceMappingConfiguration, batch []eventsource.StreamRecord, o outcome) {
	f.discarded = append(f.discarded, seqs(batch))
	f.attempts = append(f.attempts, o.attempts)
	f.conds = append(f.conds, o.condition)
}

func TestSettle(t *testing.T) {
	now := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	batch := func(n int, created int64) []eventsource.StreamRecord {
		out := make([]eventsource.StreamRecord, n)
		for i := range out {
			out[i] = eventsource.StreamRecord{Seq: uint64(i + 1), Created: created}
		}
		return out
	}
	cases := []struct {
		name          string
		size, retries int32
		maxAge        int32
		bisect        bool
		target        *fakeTarget
		records       []eventsource.StreamRecord
		processed     string
		discarded     string
		attempts      string
		conds         string
	}{
		{name: "bisected out", size: 6, retries: 1, maxAge: -1, bisect: true,
			target: &fakeTarget{fail: map[uint64]bool{4: true}}, records: batch(6, now.Unix()),
			processed: "[1 2 3 5 6]", discarded: "[[4]]", attempts: "[2]", conds: "[RetryAttemptsExhausted]"},
		{name: "whole batch out of retries", size: 3, retries: 0, maxAge: -1,
			target: &fakeTarget{fail: map[uint64]bool{2: true}}, records: batch(5, now.Unix()),
			processed: "[4 5]", discarded: "[[1 2 3]]", attempts: "[1]", conds: "[RetryAttemptsExhausted]"},
		{name: "retried from the failed item", size: 4, retries: -1, maxAge: -1,
			target: &fakeTarget{fail: map[uint64]bool{3: true}, partial: true}, records: batch(4, now.Unix()),
			processed: "[1 2 3 4]", discarded: "[]", attempts: "[]", conds: "[]"},
		// Records older than MaximumRecordAgeInSeconds are not sent.
		{name: "too old", size: 10, retries: -1, maxAge: 60,
			target: &fakeTarget{fail: map[uint64]bool{1: true}}, records: batch(2, now.Unix()-120),
			processed: "[]", discarded: "[[1 2]]", attempts: "[0]", conds: "[RecordAgeExceeded]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &Service{clock: clock.NewFake(now)}
			cfg := EventSourceMappingConfiguration{BatchSize: &c.size, MaximumRetryAttempts: &c.retries,
				MaximumRecordAgeInSeconds: &c.maxAge, BisectBatchOnFunctionError: &c.bisect}
			last := 0
			ok := s.settleTo(context.Background(), c.target, &mapping{}, cfg, c.records, nil, func(i int) {
				if i < last {
					t.Errorf("progress went back from %d to %d", last, i)
				}
				last = i
			})
			if !ok || last != len(c.records) {
				t.Errorf("settled %v, progress %d of %d", ok, last, len(c.records))
			}
			got := []string{fmt.Sprint(c.target.processed), fmt.Sprint(c.target.discarded), fmt.Sprint(c.target.attempts), fmt.Sprint(c.target.conds)}
			if c.target.processed == nil {
				got[0] = "[]"
			}
			want := []string{c.processed, c.discarded, c.attempts, c.conds}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("processed, discarded, attempts, conditions:\n got %v\nwant %v", got, want)
			}
		})
	}
}

// laneTarget records the batches it is given, from any goroutine.
type laneTarget struct {
	mu      sync.Mutex
	batches [][]eventsource.StreamRecord
}

func (l *laneTarget) deliver(ctx context.Context, cfg EventSourceMappingConfiguration, batch []eventsource.StreamRecord, win *streamWindow) (int, outcome, json.RawMessage) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.batches = append(l.batches, batch)
	return len(batch), outcome{}, nil
}

func (l *laneTarget) discard(context.Context, EventSourceMappingConfiguration, []eventsource.StreamRecord, outcome) {
}

func TestSettleLanes(t *testing.T) {
	var recs []eventsource.StreamRecord
	for i := range 40 {
		recs = append(recs, eventsource.StreamRecord{Seq: uint64(i + 1), Key: fmt.Sprint("k", i%7)})
	}
	size, retries, age, bisect := int32(3), int32(-1), int32(-1), false
	cfg := EventSourceMappingConfiguration{BatchSize: &size, MaximumRetryAttempts: &retries,
		MaximumRecordAgeInSeconds: &age, BisectBatchOnFunctionError: &bisect}
	to := &laneTarget{}
	s := &Service{clock: clock.NewFake(time.Unix(0, 0))}
	if !s.settleLanes(context.Background(), to, &mapping{}, cfg, recs, 4, true) {
		t.Fatal("not settled")
	}
	// Each key's records are delivered once, in order.
	last, seen := map[string]uint64{}, 0
	for _, b := range to.batches {
		if len(b) > int(size) {
			t.Errorf("batch of %d", len(b))
		}
		for _, r := range b {
			seen++
			if r.Seq <= last[r.Key] {
				t.Errorf("key %s: %d after %d", r.Key, r.Seq, last[r.Key])
			}
			last[r.Key] = r.Seq
		}
	}
	if seen != len(recs) {
		t.Errorf("%d records delivered, want %d", seen, len(recs))
	}
}

// A mapping stored with one checkpoint and window, before shards were
// told apart, goes on from them; its shard's own then take over.
func TestLegacyCheckpoint(t *testing.T) {
	f := newFixture(t)
	s := f.svc
	var v [8]byte
	v[7] = 42
	w, _ := json.Marshal(streamWindow{Start: 0, End: 60, Shard: "s", State: json.RawMessage(`{"n":1}`)})
	b := f.db.NewBatch()
	b.Set(legacyCheckpointKey("u"), v[:])
	b.Set(legacyWindowKey("u"), w)
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if pos, err := s.checkpoint("u", "s"); err != nil || pos != 42 {
		t.Fatalf("legacy checkpoint: %d, %v", pos, err)
	}
	if win, err := s.loadWindow("u", "s"); err != nil || win == nil || string(win.State) != `{"n":1}` {
		t.Fatalf("legacy window: %+v, %v", win, err)
	}
	if err := s.saveCheckpoint("u", "s", 50, nil); err != nil {
		t.Fatal(err)
	}
	if pos, _ := s.checkpoint("u", "s"); pos != 50 {
		t.Errorf("shard checkpoint: %d", pos)
	}
	if win, err := s.loadWindow("u", "s"); err != nil || win != nil {
		t.Errorf("the shard's checkpoint says no window is open: %+v, %v", win, err)
	}
	// Another shard of the mapping starts from the legacy checkpoint too.
	if pos, _ := s.checkpoint("u", "t"); pos != 42 {
		t.Errorf("other shard: %d", pos)
	}
}

// splitSource is a stream whose closed shard "p" was split into "c":
// "p" holds no more records; reads of "c" are counted.
type splitSource struct {
	mu       sync.Mutex
	childRds int
}

func (f *splitSource) StreamShards(string) ([]eventsource.StreamShard, bool) {
	return []eventsource.StreamShard{{ID: "p"}, {ID: "c", Parents: []string{"p"}}}, true
}

func (f *splitSource) StreamStart(string, string, string, time.Time) (uint64, error) { return 0, nil }

func (f *splitSource) StreamRead(arn, shard string, after uint64, limit int) ([]eventsource.StreamRecord, <-chan struct{}, bool, error) {
	if shard == "p" {
		return nil, nil, true, nil
	}
	f.mu.Lock()
	f.childRds++
	f.mu.Unlock()
	return nil, nil, false, nil
}

func (f *splitSource) childReads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.childRds
}

// A shard's reader that stops on an error (here its stored window is
// unreadable) is started again; once it reads its shard to the end, the
// children's readers start.
func TestStreamReaderRestarts(t *testing.T) {
	f := newFixture(t)
	src := &splitSource{}
	f.svc.kinesis = src
	uuid := "u-restart"
	b := f.db.NewBatch()
	b.Set(windowKey(uuid, "p"), []byte("{not json"))
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	cfg := EventSourceMappingConfiguration{
		UUID:                           ptr(uuid),
		EventSourceArn:                 ptr("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
		FunctionArn:                    ptr("arn:aws:lambda:us-east-1:000000000000:function:f"),
		BatchSize:                      ptr(int32(10)),
		MaximumBatchingWindowInSeconds: ptr(int32(0)),
	}
	m := &mapping{cfg: cfg}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { f.svc.pollStream(ctx, m, cfg); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })
	result := func() string {
		f.svc.esm.mu.Lock()
		defer f.svc.esm.mu.Unlock()
		return m.result
	}
	deadline := time.Now().Add(20 * time.Second)
	for result() == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if r := result(); r == "" {
		t.Fatal("the parent's reader reported no problem")
	}
	if n := src.childReads(); n != 0 {
		t.Fatalf("the child was read %d times before its parent ended", n)
	}
	// The fault clears: the parent's reader starts again and ends, and
	// the child's follows.
	b = f.db.NewBatch()
	b.Delete(windowKey(uuid, "p"))
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	deadline = time.Now().Add(10 * time.Second)
	for src.childReads() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if src.childReads() == 0 {
		t.Fatal("the child shard got no reader after its parent's reader failed once")
	}
}
