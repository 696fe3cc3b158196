package eventsource

import (
	"context"
	"sync"
)

// Relay runs the readers of one consumer of a source (a Lambda event
// source mapping's pollers, a pipe's reader) one set at a time: a set
// started to replace another, stopped by a disable, an update or a
// stop, waits until every reader of that set has returned before any of
// its own reads, so that two readers never read the same shard or
// deliver the same batch together. A set waits for the one before it
// even when it is itself stopped before it runs, or a set started after
// it would not wait for the one before and run beside it.
//
// A Relay holds no lock: its owner guards it with its own (the mapping's
// or pipe's), and keeps its own account of what a stopped reader may
// still write (checkpoints after a delete).
type Relay struct {
	cancel context.CancelFunc // stops the running set; nil when none runs
	done   chan struct{}      // closed once the set last started returned
}

// Start starts a set of readers, one goroutine for each of runs, under
// parent, once the set before it (if any) has returned; wg counts them
// until they return, for the owner's shutdown to wait on. A set is
// stopped by Stop, or when parent ends.
func (r *Relay) Start(parent context.Context, wg *sync.WaitGroup, runs ...func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(parent)
	prev, done := r.done, make(chan struct{})
	r.cancel, r.done = cancel, done
	var set sync.WaitGroup
	for _, run := range runs {
		wg.Add(1)
		set.Add(1)
		go func() {
			defer wg.Done()
			defer set.Done()
			if prev != nil {
				<-prev
			}
			if ctx.Err() != nil {
				return
			}
			run(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		set.Wait()
		cancel()
		close(done)
	}()
}

// Stop stops the running set, if there is one; it does not wait for its
// readers to return (the next Start does).
func (r *Relay) Stop() {
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
}

// Done is closed once the set last started has returned; nil before
// any started.
func (r *Relay) Done() <-chan struct{} { return r.done }

// Running reports whether a set was started and not stopped since.
func (r *Relay) Running() bool { return r.cancel != nil }
