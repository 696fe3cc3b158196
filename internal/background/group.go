// Package background runs the goroutines a service starts on behalf of a
// request (an export, an API destination call) so that the service can
// stop them cleanly: its Run waits for them before it returns, because
// the store is closed after Run returns, and from then on none starts.
//
//	var g background.Group
//	if !g.Go(func() { export() }) {
//		return ErrInternal // shutting down
//	}
//	...
//	g.Stop() // in Run, as it returns
package background

import "sync"

// Group counts the goroutines started through it. Its zero value is
// ready; it must not be copied.
type Group struct {
	mu      sync.Mutex
	stopped bool
	wg      sync.WaitGroup
}

// Add reserves a place for one goroutine, which the caller ends with
// Done; it reports false, and reserves nothing, once Stop has begun. A
// caller that must do something before it can start the goroutine (store
// a record) reserves first, so that Stop waits for that too.
func (g *Group) Add() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return false
	}
	g.wg.Add(1)
	return true
}

// Done ends a place Add reserved.
func (g *Group) Done() { g.wg.Done() }

// Go runs f in a goroutine Stop waits for; it reports false, and does not
// run f, once Stop has begun. What f does must end on its own.
func (g *Group) Go(f func()) bool {
	if !g.Add() {
		return false
	}
	go func() {
		defer g.Done()
		f()
	}()
	return true
}

// Stop refuses new goroutines and waits for those started to end.
func (g *Group) Stop() {
	g.mu.Lock()
	g.stopped = true
	g.mu.Unlock()
	g.wg.Wait()
}
