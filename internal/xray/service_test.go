package xray

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func newTestService(t *testing.T, clk clock.Clock) *Service {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Deps{Store: db, Clock: clk, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRetention: a trace is kept 30 days from its newest segment, then
// neither returned nor kept.
func TestRetention(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	s := newTestService(t, clk)
	ctx := context.Background()
	id := fmt.Sprintf("1-%08x-%024x", clk.Now().Unix(), 1)
	doc := fmt.Sprintf(`{"name":"a","id":"0000000000000001","trace_id":%q,"start_time":%d,"end_time":%d}`, id, clk.Now().Unix(), clk.Now().Unix()+1)
	if out, err := s.putTraceSegments(ctx, &PutTraceSegmentsRequest{TraceSegmentDocuments: []string{doc}}); err != nil || len(out.UnprocessedTraceSegments) != 0 {
		t.Fatalf("put: %+v, %v", out, err)
	}
	get := func() int {
		out, err := s.batchGetTraces(ctx, &BatchGetTracesRequest{TraceIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Traces)
	}
	clk.Advance(retention - time.Minute)
	s.sweep(slog.New(slog.DiscardHandler))
	if get() != 1 {
		t.Fatal("the trace was gone before 30 days")
	}
	clk.Advance(2 * time.Minute)
	if get() != 0 {
		t.Fatal("the trace was returned after 30 days")
	}
	s.sweep(slog.New(slog.DiscardHandler))
	recs, err := loadTrace(s.store, s.account, id)
	if err != nil || len(recs) != 0 {
		t.Fatalf("after the sweep the store holds %d segments (%v)", len(recs), err)
	}
}

// TestRecordBatches: Record queues segments, Flush writes them, and an
// invalid document is refused at once.
func TestRecordBatches(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	s := newTestService(t, clk)
	id := fmt.Sprintf("1-%08x-%024x", clk.Now().Unix(), 2)
	for i := 0; i < 300; i++ {
		doc := fmt.Sprintf(`{"name":"a","id":"%016x","trace_id":%q,"start_time":1,"end_time":2}`, i, id)
		if !s.Record([]byte(doc)) {
			t.Fatalf("segment %d refused", i)
		}
	}
	if s.Record([]byte(`{"name":"a"}`)) {
		t.Error("an invalid segment was queued")
	}
	s.Flush()
	recs, err := loadTrace(s.store, s.account, id)
	if err != nil || len(recs) != 300 {
		t.Fatalf("stored %d segments (%v); want 300", len(recs), err)
	}
}

// TestTraceSummariesPages: 150 traces come back in two pages, in trace id
// order, and a trace's time is the one in its id (TimeRangeType TraceId).
func TestTraceSummariesPages(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	s := newTestService(t, clk)
	ctx := context.Background()
	var docs []string
	for i := 0; i < 150; i++ {
		id := fmt.Sprintf("1-%08x-%024x", clk.Now().Unix(), i)
		docs = append(docs, fmt.Sprintf(`{"name":"a","id":"%016x","trace_id":%q,"start_time":1,"end_time":2}`, i+1, id))
	}
	// A trace of an hour ago is out of the range.
	docs = append(docs, fmt.Sprintf(`{"name":"a","id":"00000000000000ff","trace_id":"1-%08x-%024x","start_time":1,"end_time":2}`, clk.Now().Unix()-3600, 0))
	if _, err := s.putTraceSegments(ctx, &PutTraceSegmentsRequest{TraceSegmentDocuments: docs}); err != nil {
		t.Fatal(err)
	}
	in := &GetTraceSummariesRequest{StartTime: ptr(clk.Now().Add(-time.Minute)), EndTime: ptr(clk.Now().Add(time.Minute))}
	var ids []string
	for page := 0; ; page++ {
		out, err := s.getTraceSummaries(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, sum := range out.TraceSummaries {
			ids = append(ids, *sum.Id)
		}
		if out.NextToken == nil {
			break
		}
		if page > 2 {
			t.Fatal("too many pages")
		}
		in.NextToken = out.NextToken
	}
	if len(ids) != 150 || ids[0] != fmt.Sprintf("1-%08x-%024x", clk.Now().Unix(), 0) || ids[149] != fmt.Sprintf("1-%08x-%024x", clk.Now().Unix(), 149) {
		t.Fatalf("got %d traces, first %s", len(ids), ids[0])
	}
	if _, err := s.getTraceSummaries(ctx, &GetTraceSummariesRequest{StartTime: in.StartTime, EndTime: in.EndTime, NextToken: ptr("!!")}); err == nil {
		t.Error("a bad NextToken was accepted")
	}
}

// TestRecordQueueBytes: the documents Record queues are bounded in bytes,
// as the X-Ray daemon's buffers are, not only in number: a flood of
// large segments is dropped once maxQueuedBytes are waiting.
func TestRecordQueueBytes(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	s := newTestService(t, clk)
	pad := strings.Repeat("x", 60*1024)
	accepted := 0
	for i := range maxQueuedBytes/len(pad) + 20 {
		doc := fmt.Sprintf(`{"name":"a","id":"%016x","trace_id":"1-%08x-%024x","start_time":1,"end_time":2,"metadata":{"default":{"pad":%q}}}`,
			i+1, clk.Now().Unix(), 1, pad)
		if s.Record([]byte(doc)) {
			accepted++
		}
	}
	if got := accepted * (60*1024 + 150); got > maxQueuedBytes+64*1024 {
		t.Fatalf("accepted %d documents (%d MiB) waiting to be written", accepted, got>>20)
	}
	// Writing them frees the room.
	s.Flush()
	doc := fmt.Sprintf(`{"name":"a","id":"%016x","trace_id":"1-%08x-%024x","start_time":1,"end_time":2}`, 1, clk.Now().Unix(), 2)
	if !s.Record([]byte(doc)) {
		t.Fatal("a segment was dropped after the queue was written")
	}
}

// countingStore counts the entries its snapshots' iterators visit.
type countingStore struct {
	store.Store
	visited *int
}

func (c countingStore) NewSnapshot() store.Snapshot {
	return countingSnapshot{c.Store.NewSnapshot(), c.visited}
}

type countingSnapshot struct {
	store.Snapshot
	visited *int
}

func (c countingSnapshot) NewIter(lower, upper []byte) (store.Iterator, error) {
	it, err := c.Snapshot.NewIter(lower, upper)
	return countingIter{it, c.visited}, err
}

type countingIter struct {
	store.Iterator
	visited *int
}

func (c countingIter) First() bool { return c.count(c.Iterator.First()) }
func (c countingIter) Next() bool  { return c.count(c.Iterator.Next()) }
func (c countingIter) count(ok bool) bool {
	if ok {
		*c.visited++
	}
	return ok
}

// TestTraceSummariesPagesReadOnce: each page of GetTraceSummaries reads
// from where the previous one ended, not every trace before it again.
func TestTraceSummariesPagesReadOnce(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	s := newTestService(t, clk)
	visited := 0
	s.store = countingStore{s.store, &visited}
	ctx := context.Background()
	const traces = 5 * summariesPage
	var docs []string
	for i := range traces {
		id := fmt.Sprintf("1-%08x-%024x", clk.Now().Unix(), i)
		docs = append(docs, fmt.Sprintf(`{"name":"a","id":"%016x","trace_id":%q,"start_time":1,"end_time":2}`, i+1, id))
	}
	if _, err := s.putTraceSegments(ctx, &PutTraceSegmentsRequest{TraceSegmentDocuments: docs}); err != nil {
		t.Fatal(err)
	}
	in := &GetTraceSummariesRequest{StartTime: ptr(clk.Now().Add(-time.Minute)), EndTime: ptr(clk.Now().Add(time.Minute))}
	got := 0
	for page := 0; ; page++ {
		out, err := s.getTraceSummaries(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got += len(out.TraceSummaries)
		if out.NextToken == nil || page > 6 {
			break
		}
		in.NextToken = out.NextToken
	}
	if got != traces {
		t.Fatalf("%d summaries over the pages, want %d", got, traces)
	}
	if visited > 2*traces {
		t.Fatalf("the pages read %d segments of %d", visited, traces)
	}
}
