package background

import (
	"sync/atomic"
	"testing"
)

// TestGroupStopWaitsAndRefuses: Stop waits for a goroutine still running
// and for a reserved place, and nothing starts once it has begun.
func TestGroupStopWaitsAndRefuses(t *testing.T) {
	t.Parallel()
	var g Group
	var ran atomic.Int32
	release := make(chan struct{})
	if !g.Go(func() { <-release; ran.Add(1) }) {
		t.Fatal("Go refused before Stop")
	}
	if !g.Add() {
		t.Fatal("Add refused before Stop")
	}
	stopped := make(chan struct{})
	go func() {
		g.Stop()
		close(stopped)
	}()
	close(release)
	g.Done()
	<-stopped
	if ran.Load() != 1 {
		t.Errorf("Stop returned before its goroutine ended")
	}
	if g.Go(func() { ran.Add(1) }) || g.Add() {
		t.Errorf("a goroutine was admitted after Stop")
	}
	if ran.Load() != 1 {
		t.Errorf("f ran after Stop")
	}
}
