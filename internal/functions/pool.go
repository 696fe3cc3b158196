package functions

import (
	"errors"
	"sync"
	"time"
)

// pool is the execution environments of one function version (one
// Spec.Key): it scales out on demand up to its limit, reuses the most
// recently used idle environment first (LIFO keeps few environments warm
// and lets the others age out), and replaces environments that end.
type pool struct {
	m       *Pools
	key     string
	spec    Spec
	rt      runtimeInfo
	version string // for START lines and stream names
	group   string // /aws/lambda/NAME
	limit   int

	mu       sync.Mutex
	idle     []*environment // LIFO
	all      map[*environment]struct{}
	starting int
	retired  bool
	lastUsed time.Time
}

// errRetired sends Invoke to a fresh pool: this one was retired between
// lookup and acquire.
var errRetired = errors.New("functions: pool retired")

// acquire takes the most recently used idle environment, or reserves a
// slot for a new one (cold), or refuses at the limit.
func (p *pool) acquire() (e *environment, cold bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.retired {
		return nil, false, errRetired
	}
	p.lastUsed = p.m.clock.Now()
	if n := len(p.idle); n > 0 {
		e = p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		e.state = envBusy
		return e, false, nil
	}
	if len(p.all)+p.starting >= p.limit {
		return nil, false, ErrTooManyRequests
	}
	p.starting++
	return nil, true, nil
}

// started settles a reserved slot: e is the new environment, or nil if
// none could start.
func (p *pool) started(e *environment) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.starting--
	if e != nil {
		e.state = envBusy
		p.all[e] = struct{}{}
	}
}

// release returns an environment after an invocation: to the idle stack
// if it serves on, else it is closed.
func (p *pool) release(e *environment, out outcome) {
	select {
	case <-e.proc.Done():
		out = outcomeDead // ended just after answering
	default:
	}
	p.mu.Lock()
	if out != outcomeHealthy || p.retired {
		e.state = envDead
		delete(p.all, e)
		p.mu.Unlock()
		e.close()
		return
	}
	e.state = envIdle
	e.lastUsed = p.m.clock.Now()
	p.idle = append(p.idle, e)
	p.mu.Unlock()
}

// ended takes an idle environment whose process has ended out of the
// pool. A busy one is its invoker's to release.
func (p *pool) ended(e *environment) {
	p.mu.Lock()
	if e.state != envIdle {
		p.mu.Unlock()
		return
	}
	for i, x := range p.idle {
		if x == e {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			break
		}
	}
	e.state = envDead
	delete(p.all, e)
	p.mu.Unlock()
	e.close()
}

// reap closes environments idle since before cutoff, and reports
// whether the pool is now empty and unused since then (it is then
// retired, for the caller to drop).
func (p *pool) reap(cutoff time.Time) (empty bool) {
	p.mu.Lock()
	var victims []*environment
	keep := p.idle[:0]
	for _, e := range p.idle {
		if e.lastUsed.Before(cutoff) {
			e.state = envDead
			delete(p.all, e)
			victims = append(victims, e)
		} else {
			keep = append(keep, e)
		}
	}
	clear(p.idle[len(keep):])
	p.idle = keep
	empty = len(p.all) == 0 && p.starting == 0 && p.lastUsed.Before(cutoff)
	if empty {
		p.retired = true
	}
	p.mu.Unlock()
	for _, e := range victims {
		e.close()
	}
	return empty
}

// retire stops the pool: idle environments close now, busy ones when
// their invocation finishes, or are killed now too if force (their
// invokers still release them). It returns the environments it ended.
func (p *pool) retire(force bool) []*environment {
	p.mu.Lock()
	p.retired = true
	idle := p.idle
	p.idle = nil
	var busy []*environment
	for _, e := range idle {
		e.state = envDead
		delete(p.all, e)
	}
	if force {
		for e := range p.all {
			busy = append(busy, e)
		}
	}
	p.mu.Unlock()
	for _, e := range idle {
		e.close()
	}
	for _, e := range busy {
		e.kill()
	}
	return append(idle, busy...)
}

// size is how many environments the pool has, and how many are idle.
func (p *pool) size() (live, idle int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.all) + p.starting, len(p.idle)
}
