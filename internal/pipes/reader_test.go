package pipes

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/eventsource"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

const (
	testStream = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	testFn     = "arn:aws:lambda:us-east-1:000000000000:function:f"
)

// oneShard is a Kinesis stream of one open shard holding recs.
type oneShard struct {
	mu   sync.Mutex
	recs []eventsource.StreamRecord
}

func (o *oneShard) StreamShards(arn string) ([]eventsource.StreamShard, bool) {
	return []eventsource.StreamShard{{ID: "shardId-000000000000"}}, arn == testStream
}

func (o *oneShard) StreamStart(arn, shard, position string, at time.Time) (uint64, error) {
	return 0, nil
}

func (o *oneShard) StreamRead(arn, shard string, after uint64, limit int) ([]eventsource.StreamRecord, <-chan struct{}, bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []eventsource.StreamRecord
	for _, r := range o.recs {
		if r.Seq > after && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, make(chan struct{}), false, nil
}

// heldFunction is a Lambda function whose invocations wait for release,
// whatever their context, as an invocation already running does.
type heldFunction struct {
	entered chan struct{}
	release chan struct{}
}

func (h *heldFunction) InvokeSync(ctx context.Context, fn string, payload []byte) ([]byte, string, error) {
	h.entered <- struct{}{}
	<-h.release
	return []byte(`{}`), "", nil
}

func (h *heldFunction) InvokeAsync(ctx context.Context, fn string, payload []byte) (string, error) {
	return "", nil
}

// A batch that a deleted pipe's reader finishes after DeletePipe
// answered must not leave a checkpoint behind: DeletePipe removed the
// pipe's checkpoints, and a pipe created again with the name starts at
// its own StartingPosition.
func TestDeletedPipeLeavesNoCheckpoint(t *testing.T) {
	t.Parallel()
	st, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	src := &oneShard{recs: []eventsource.StreamRecord{{Seq: 1, Shard: "shardId-000000000000", Key: "k", Data: []byte("x")}}}
	fn := &heldFunction{entered: make(chan struct{}, 1), release: make(chan struct{})}
	s, err := New(Deps{Store: st, Clock: clock.Real{}, Account: "000000000000", Region: "us-east-1",
		Kinesis: src, Functions: fn})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		s.Run(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	defer func() { cancel(); <-ran }()

	trim := PipeSourceKinesisStreamParameters{StartingPosition: ptr(KinesisStreamStartPosition("TRIM_HORIZON"))}
	name := "p"
	if _, err := s.createPipe(ctx, &CreatePipeRequest{Name: &name, Source: ptr(testStream), Target: ptr(testFn),
		RoleArn:          ptr("arn:aws:iam::000000000000:role/r"),
		SourceParameters: &PipeSourceParameters{KinesisStreamParameters: &trim}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-fn.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the pipe did not invoke its target")
	}
	if _, err := s.deletePipe(ctx, &DeletePipeRequest{Name: &name}); err != nil {
		t.Fatal(err)
	}
	close(fn.release) // the batch in flight reaches the target after the delete
	cancel()
	<-ran // every reader has returned
	if _, ok, err := loadCheckpoint(st, "000000000000", name, "shardId-000000000000"); err != nil || ok {
		t.Fatalf("a checkpoint of the deleted pipe is in the store (ok %v, err %v)", ok, err)
	}
}

// A CloudWatch Logs target whose Timestamp path gives a batch's events
// times out of order still delivers them: PutLogEvents takes a batch's
// events only in chronological order, so they are sent sorted by time.
func TestLogsTargetSortsEventsByTimestamp(t *testing.T) {
	t.Parallel()
	var got []struct {
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	call := func(ctx context.Context, service, op string, in map[string]any) (map[string]any, error) {
		if op == "PutLogEvents" {
			b, _ := json.Marshal(in["logEvents"]) // as the in-process call reads it
			json.Unmarshal(b, &got)
		}
		return map[string]any{}, nil
	}
	s := &Service{clock: clock.Real{}, call: call}
	r := &pipeRecord{Name: "p", Target: "arn:aws:logs:us-east-1:000000000000:log-group:g"}
	events := [][]byte{[]byte(`{"at":3000,"n":"c"}`), []byte(`{"at":1000,"n":"a"}`), []byte(`{"at":2000,"n":"b"}`), []byte(`{"at":1000,"n":"a2"}`)}
	if err := s.sendLogs(context.Background(), r, &PipeTargetCloudWatchLogsParameters{Timestamp: ptr("$.at")}, events, events); err != nil {
		t.Fatal(err)
	}
	var order []string
	var stamps []int64
	for _, e := range got {
		var ev struct{ N string }
		json.Unmarshal([]byte(e.Message), &ev)
		order = append(order, ev.N)
		stamps = append(stamps, e.Timestamp)
	}
	if !slices.IsSorted(stamps) || len(stamps) != 4 {
		t.Fatalf("PutLogEvents got timestamps %v, want them in order", stamps)
	}
	if want := []string{"a", "a2", "b", "c"}; !slices.Equal(order, want) {
		t.Errorf("events sent in the order %q, want %q (events of one time keep their order)", order, want)
	}
}

// A reader replaced twice in a row does not let the third start while
// the first is still delivering its batch: one reader per pipe reads a
// shard at a time, so a batch is not delivered twice at once.
func TestReplacedReadersRunOneAtATime(t *testing.T) {
	t.Parallel()
	st, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	src := &oneShard{recs: []eventsource.StreamRecord{{Seq: 1, Shard: "shardId-000000000000", Key: "k", Data: []byte("x")}}}
	fn := &heldFunction{entered: make(chan struct{}, 2), release: make(chan struct{})}
	s, err := New(Deps{Store: st, Clock: clock.Real{}, Account: "000000000000", Region: "us-east-1",
		Kinesis: src, Functions: fn})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		s.Run(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	defer func() { cancel(); <-ran }()
	released := false
	defer func() {
		if !released {
			close(fn.release)
		}
	}()

	trim := PipeSourceKinesisStreamParameters{StartingPosition: ptr(KinesisStreamStartPosition("TRIM_HORIZON"))}
	name, role := "p", ptr("arn:aws:iam::000000000000:role/r")
	if _, err := s.createPipe(ctx, &CreatePipeRequest{Name: &name, Source: ptr(testStream), Target: ptr(testFn),
		RoleArn: role, SourceParameters: &PipeSourceParameters{KinesisStreamParameters: &trim}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-fn.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the pipe did not invoke its target")
	}
	for i := range 2 {
		desc := ptr("update " + string(rune('0'+i)))
		if _, err := s.updatePipe(ctx, &UpdatePipeRequest{Name: &name, RoleArn: role, Description: desc}); err != nil {
			t.Fatal(err)
		}
	}
	// The first reader still holds its batch: a reader started now would
	// read the same record and invoke the function with it again.
	select {
	case <-fn.entered:
		t.Fatal("a replacing reader delivered the batch while the reader it replaced was still delivering it")
	case <-time.After(time.Second):
	}
	released = true
	close(fn.release)
}
