package functions

import (
	"os"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestOutputLateUnterminatedLine: output without a final newline that
// reaches the pipe after an invocation ended (a runtime still draining
// its writes) stays a line of its own; the next invocation's first line
// does not join it.
func TestOutputLateUnterminatedLine(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	var live sync.WaitGroup
	q := newLogQueue(func() (LogStream, error) { return sink.Stream("g", "s") }, &live)
	o := newOutput(r, nil, time.Now, q, defaultMaxLogBytes, logConfig{})

	o.begin(false)
	w.WriteString("first\n")
	o.flush()
	o.end()
	w.WriteString("late, no newline") // after the end, as a slow writer's rest
	waitPipeEmpty(t, o)
	o.begin(false)
	w.WriteString("second\n")
	o.flush()
	o.end()
	w.Close()
	<-o.eof
	q.close()
	live.Wait()

	got := sink.streams["s"].events
	want := []string{"first\n", "late, no newline\n", "second\n"}
	if !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

// waitPipeEmpty waits until the reader has taken everything written.
func waitPipeEmpty(t *testing.T, o *output) {
	t.Helper()
	rc, err := o.sources[0].r.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		avail := 0
		rc.Control(func(fd uintptr) { avail = pipeAvailable(int(fd)) })
		if avail == 0 && !o.sources[0].inflight.Load() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the pipe was not drained")
}
