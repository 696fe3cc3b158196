package main

import (
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// killMidLoad is the load of the kill -9 tests: writers goroutines each
// call write(w, i) for i = 0, 1, … (at most 100,000) until the kill.
// write reports whether the server acknowledged that write; killed
// tells it whether the server may already be gone (a failure is then
// expected). Once killAfter writes are acknowledged, or after bound if
// the load is slow, p gets SIGKILL. killMidLoad returns when every writer
// has stopped, with the number of acknowledged writes, and fails the test
// if there was none (what names them in that message).
func killMidLoad(t *testing.T, p *proc, writers int, killAfter int64, bound time.Duration, what string,
	write func(w, i int, killed func() bool) bool) int64 {
	t.Helper()
	var acks atomic.Int64
	var stop atomic.Bool
	reached := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load() && i < 100000; i++ {
				if write(w, i, stop.Load) && acks.Add(1) == killAfter {
					close(reached)
				}
			}
		}()
	}
	select {
	case <-reached:
	case <-time.After(bound):
	}
	stop.Store(true) // first: from now on, writes may fail for want of a server
	p.signal(t, syscall.SIGKILL)
	if code := p.wait(t, 20*time.Second); code != -1 {
		t.Fatalf("after SIGKILL: exit %d", code)
	}
	wg.Wait()
	if acks.Load() == 0 {
		t.Fatalf("no %s was acknowledged before the kill", what)
	}
	return acks.Load()
}
