package eventsource

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Sets started one after another, some stopped before they run, never
// run two readers at once; the last set runs until stopped.
func TestRelayOneSetAtATime(t *testing.T) {
	t.Parallel()
	var (
		r       Relay
		wg      sync.WaitGroup
		running atomic.Int32
		most    atomic.Int32
		ran     atomic.Int32
	)
	reader := func(ctx context.Context) {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		ran.Add(1)
		// Finish the batch in hand even when told to stop.
		<-ctx.Done()
		runtime.Gosched()
		running.Add(-1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	for range 20 {
		r.Stop()
		r.Start(ctx, &wg, reader, reader)
	}
	if !r.Running() {
		t.Fatal("the last set is not running")
	}
	deadline := time.Now().Add(10 * time.Second)
	for ran.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if ran.Load() < 2 {
		t.Fatal("the last set did not run within 10s")
	}
	r.Stop()
	cancel()
	wg.Wait()
	if most.Load() > 2 {
		t.Errorf("%d readers ran at once, want at most one set's 2", most.Load())
	}
	if r.Running() {
		t.Error("running after Stop")
	}
}
