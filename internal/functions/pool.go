package functions

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// pool is the execution environments of one function version (one
// Spec.Key): it scales out on demand up to its limit, reuses the most
// recently used idle environment first (LIFO keeps few environments warm
// and lets the others age out), and replaces environments that end.
//
// With provisioned concurrency it also keeps that many environments
// initialized ahead of invocations (started without one, never reaped,
// replaced when they end): an invocation takes an idle provisioned
// environment first, and an on-demand one only when none is idle.
type pool struct {
	m       *Pools
	key     string
	spec    Spec
	rt      runtimeInfo
	version string // for START lines and stream names
	group   string // /aws/lambda/NAME
	limit   int
	// extensions are the file names of the executables under
	// /opt/extensions, found once when the pool is made (extensions.go).
	extensions []string
	// stats counts the function's invocations (shared by its versions'
	// pools); set once, updated with atomics.
	stats *functionStats

	mu       sync.Mutex
	idle     []*environment // on-demand, LIFO
	warm     []*environment // provisioned, LIFO; used before idle
	all      map[*environment]struct{}
	starting int
	retired  bool
	lastUsed time.Time

	// provisioned is how many environments are wanted ahead of
	// invocations; provLive how many provisioned environments are
	// initialized (idle in warm, or busy), provStarting how many are
	// initializing (counted in starting too). provFailure is why the last
	// provisioned init failed, until one succeeds or Provision is called
	// again.
	provisioned  int
	provLive     int
	provStarting int
	provFailure  string
}

// errRetired sends Invoke to a fresh pool: this one was retired between
// lookup and acquire.
var errRetired = errors.New("functions: pool retired")

// acquire takes the most recently used idle provisioned environment,
// else the most recently used idle on-demand one, or reserves a slot for
// a new one (cold), or refuses at limit, which becomes the pool's limit.
func (p *pool) acquire(limit int) (e *environment, cold bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.retired {
		return nil, false, errRetired
	}
	p.limit = limit
	p.lastUsed = p.m.clock.Now()
	if n := len(p.warm); n > 0 {
		e = p.warm[n-1]
		p.warm[n-1] = nil
		p.warm = p.warm[:n-1]
		e.state = envBusy
		return e, false, nil
	}
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

// release returns an environment after an invocation: to its idle stack
// if it serves on, else it is closed (and a provisioned one replaced).
func (p *pool) release(e *environment, out outcome) {
	select {
	case <-e.runtimeEnded():
		out = outcomeDead // ended just after answering
	default:
	}
	p.mu.Lock()
	if out != outcomeHealthy || p.retired || e.provisioned && p.provLive > p.provisioned {
		start := p.removeLocked(e)
		p.mu.Unlock()
		e.close()
		p.spawn(start)
		return
	}
	e.state = envIdle
	e.lastUsed = p.m.clock.Now()
	if e.provisioned {
		p.warm = append(p.warm, e)
	} else {
		p.idle = append(p.idle, e)
	}
	p.mu.Unlock()
}

// removeLocked takes e, which is not in an idle stack, out of the pool
// for good, and returns how many provisioned environments to start to
// make up for it.
func (p *pool) removeLocked(e *environment) (start int) {
	e.state = envDead
	delete(p.all, e)
	if !e.provisioned {
		return 0
	}
	p.provLive--
	return p.fillLocked()
}

// ended takes an idle environment whose process has ended out of the
// pool. A busy one is its invoker's to release.
func (p *pool) ended(e *environment) {
	p.mu.Lock()
	if e.state != envIdle {
		p.mu.Unlock()
		return
	}
	stack := &p.idle
	if e.provisioned {
		stack = &p.warm
	}
	for i, x := range *stack {
		if x == e {
			*stack = append((*stack)[:i], (*stack)[i+1:]...)
			break
		}
	}
	start := p.removeLocked(e)
	p.mu.Unlock()
	e.close()
	p.spawn(start)
}

// fillLocked reserves slots for the provisioned environments missing,
// within the pool's limit, and returns how many to start (see spawn).
func (p *pool) fillLocked() int {
	if p.retired {
		return 0
	}
	n := min(p.provisioned-p.provLive-p.provStarting, p.limit-len(p.all)-p.starting)
	if n <= 0 {
		return 0
	}
	p.provStarting += n
	p.starting += n
	return n
}

// spawn starts n provisioned environments, whose slots fillLocked
// reserved, each in its own goroutine.
func (p *pool) spawn(n int) {
	for range n {
		go p.startProvisioned()
	}
}

// startProvisioned initializes one environment ahead of invocations and
// puts it in the warm stack, or records why it could not start.
func (p *pool) startProvisioned() {
	e, res, err := p.start(context.Background(), nil)
	if e != nil {
		e.out.flush()
		e.logInitDone(e.started.Add(e.initDuration), e.initDuration, statusSuccess, "")
		e.out.settleInit()
	}
	p.mu.Lock()
	p.starting--
	p.provStarting--
	if e == nil {
		p.provFailure = initFailure(res, err)
		p.mu.Unlock()
		return
	}
	if p.retired || p.provLive >= p.provisioned {
		e.state = envDead
		p.mu.Unlock()
		e.close()
		return
	}
	e.state = envIdle
	e.lastUsed = p.m.clock.Now()
	p.all[e] = struct{}{}
	p.provLive++
	p.provFailure = ""
	p.warm = append(p.warm, e)
	p.mu.Unlock()
}

// initFailure is why an environment could not start, in a sentence.
func initFailure(res *Result, err error) string {
	if err != nil {
		return err.Error()
	}
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if json.Unmarshal(res.Payload, &doc) != nil || doc.ErrorMessage == "" {
		return string(res.Payload)
	}
	if doc.ErrorType == "" {
		return doc.ErrorMessage
	}
	return doc.ErrorType + ": " + doc.ErrorMessage
}

// provision sets how many environments the pool keeps initialized ahead
// of invocations: idle provisioned environments beyond n end now (busy
// ones when released), and missing ones start.
func (p *pool) provision(n, limit int) (victims []*environment, start int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.retired {
		return nil, 0, errRetired
	}
	p.limit = limit
	p.provisioned = n
	p.provFailure = ""
	for p.provLive > n && len(p.warm) > 0 {
		e := p.warm[len(p.warm)-1]
		p.warm[len(p.warm)-1] = nil
		p.warm = p.warm[:len(p.warm)-1]
		p.removeLocked(e)
		victims = append(victims, e)
	}
	return victims, p.fillLocked(), nil
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
	empty = len(p.all) == 0 && p.starting == 0 && p.provisioned == 0 && p.lastUsed.Before(cutoff)
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
	idle := append(p.idle, p.warm...)
	p.idle, p.warm = nil, nil
	p.provisioned, p.provLive = 0, 0
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

// size is how many environments the pool has, and how many are idle
// (provisioned or not).
func (p *pool) size() (live, idle int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.all) + p.starting, len(p.idle) + len(p.warm)
}
