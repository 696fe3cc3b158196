package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/cio"
)

// HealthCheck is a command the agent runs inside a running container
// (a containerd exec) to learn whether it is healthy, as Docker's
// HEALTHCHECK does: every Interval, each run cut off after Timeout; a
// run that exits 0 makes the container healthy, Retries failures in a
// row make it unhealthy, and failures during StartPeriod do not count
// until the container was healthy once. The first run is an Interval
// after the container starts.
type HealthCheck struct {
	Command     []string // the process's argv, such as ["/bin/sh", "-c", "curl -f localhost"]
	Interval    time.Duration
	Timeout     time.Duration
	Retries     int
	StartPeriod time.Duration
}

// Health is a container's health.
type Health string

// A container without a health check, or whose check has not yet
// decided, is HealthUnknown.
const (
	HealthUnknown   Health = "UNKNOWN"
	HealthHealthy   Health = "HEALTHY"
	HealthUnhealthy Health = "UNHEALTHY"
)

// HealthReporter is implemented by the agent's tasks (kept apart from
// Task as OOMReporter is): Health is a container's health now.
type HealthReporter interface {
	Health(container string) Health
}

// Condition is what a container waits for of one it depends on.
type Condition string

// The conditions of Dependency: the dependency started; it exited; it
// exited 0; its health check passed.
const (
	ConditionStart    Condition = "START"
	ConditionComplete Condition = "COMPLETE"
	ConditionSuccess  Condition = "SUCCESS"
	ConditionHealthy  Condition = "HEALTHY"
)

// Dependency makes a container start only once an earlier container of
// its task reached Condition. A dependency that can no longer reach it
// (SUCCESS after a non-zero exit), or has not within its StartTimeout,
// fails StartTask with a DependencyError.
type Dependency struct {
	Container string
	Condition Condition
}

// health is a container's health check state, guarded by its mutex.
type health struct {
	mu       sync.Mutex
	status   Health
	failures int
	changed  chan struct{} // closed and replaced on each change
}

func newHealth() *health {
	return &health{status: HealthUnknown, changed: make(chan struct{})}
}

func (h *health) get() (Health, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.status, h.changed
}

// record takes one run's result.
func (h *health) record(ok, inStartPeriod bool, retries int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	prev := h.status
	switch {
	case ok:
		h.status, h.failures = HealthHealthy, 0
	case inStartPeriod && h.status != HealthHealthy:
	default:
		h.failures++
		if h.failures >= retries {
			h.status = HealthUnhealthy
		}
	}
	if h.status != prev {
		close(h.changed)
		h.changed = make(chan struct{})
	}
}

// Health implements HealthReporter.
func (t *task) Health(container string) Health {
	c := t.container(container)
	if c == nil {
		return HealthUnknown
	}
	s, _ := c.health.get()
	return s
}

// checkHealth runs a container's health check until it exits.
func (t *task) checkHealth(ctx context.Context, rc *runningContainer, hc HealthCheck) {
	if hc.Retries < 1 {
		hc.Retries = 1
	}
	started := time.Now()
	tick := time.NewTicker(hc.Interval)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-rc.exited:
			return
		case <-tick.C:
		}
		ok := t.probe(ctx, rc, hc, n)
		rc.health.record(ok, time.Since(started) < hc.StartPeriod, hc.Retries)
	}
}

// probe runs the check's command once in the container: true when it
// exits 0 within the timeout.
func (t *task) probe(ctx context.Context, rc *runningContainer, hc HealthCheck, n int) bool {
	t.mu.Lock()
	tk := rc.task
	t.mu.Unlock()
	if tk == nil {
		return false
	}
	spec, err := rc.container.Spec(ctx)
	if err != nil || spec.Process == nil {
		return false
	}
	ps := *spec.Process
	ps.Args = hc.Command
	ps.Terminal = false
	p, err := tk.Exec(ctx, fmt.Sprintf("health-%d", n), &ps, cio.NullIO)
	if err != nil {
		return false
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_, _ = p.Delete(dctx, containerd.WithProcessKill)
	}()
	statusC, err := p.Wait(ctx)
	if err != nil {
		return false
	}
	if err := p.Start(ctx); err != nil {
		return false
	}
	timer := time.NewTimer(hc.Timeout)
	defer timer.Stop()
	select {
	case st := <-statusC:
		return st.ExitCode() == 0
	case <-timer.C:
		_ = p.Kill(ctx, syscall.SIGKILL)
		return false
	case <-rc.exited:
		return false
	}
}

// ErrDependency: a container's dependency can never reach its
// condition, or did not within its start timeout.
var ErrDependency = errors.New("container dependency not met")

// DependencyError is an ErrDependency: Container waited for Dependency.
type DependencyError struct {
	Container, Dependency string
	Condition             Condition
	TimedOut              bool
}

func (e *DependencyError) Error() string {
	if e.TimedOut {
		return fmt.Sprintf("dependency graph: container ordering dependency [%s] for target [%s] has timed out.", e.Dependency, e.Container)
	}
	return fmt.Sprintf("dependency graph: failed to resolve container ordering dependency [%s] for target [%s] as dependency did not exit successfully.", e.Dependency, e.Container)
}

func (e *DependencyError) Is(target error) bool { return target == ErrDependency }

// defaultStartTimeout is how long a dependency may take to reach its
// condition when its container sets no StartTimeout.
const defaultStartTimeout = 3 * time.Minute

// awaitDependencies blocks until every dependency of c reached its
// condition.
func (t *task) awaitDependencies(ctx context.Context, c ContainerSpec, specs map[string]ContainerSpec) error {
	for _, d := range c.DependsOn {
		dep := t.container(d.Container)
		var startedAt time.Time
		t.mu.Lock()
		started := dep != nil && dep.task != nil
		if started {
			startedAt = dep.startedAt
		}
		t.mu.Unlock()
		if !started {
			return &StartError{Container: c.Name, Err: fmt.Errorf("dependency %s has not started (dependencies start first)", d.Container)}
		}
		if d.Condition == ConditionStart || d.Condition == "" {
			continue
		}
		timeout := specs[d.Container].StartTimeout
		if timeout <= 0 {
			timeout = defaultStartTimeout
		}
		deadline := time.NewTimer(time.Until(startedAt.Add(timeout)))
		err := t.awaitCondition(ctx, dep, d.Condition, deadline.C)
		deadline.Stop()
		switch {
		case errors.Is(err, errTimedOut):
			return &DependencyError{Container: c.Name, Dependency: d.Container, Condition: d.Condition, TimedOut: true}
		case errors.Is(err, errNeverMet):
			return &DependencyError{Container: c.Name, Dependency: d.Container, Condition: d.Condition}
		case err != nil:
			return err
		}
	}
	return nil
}

var (
	errTimedOut = errors.New("timed out")
	errNeverMet = errors.New("never met")
)

func (t *task) awaitCondition(ctx context.Context, dep *runningContainer, cond Condition, deadline <-chan time.Time) error {
	for {
		var changed <-chan struct{}
		switch cond {
		case ConditionComplete:
			select {
			case <-dep.exited:
				return nil
			default:
			}
		case ConditionSuccess:
			select {
			case <-dep.exited:
				if dep.waitErr != nil || dep.code != 0 {
					return errNeverMet
				}
				return nil
			default:
			}
		case ConditionHealthy:
			var s Health
			s, changed = dep.health.get()
			if s == HealthHealthy {
				return nil
			}
		default:
			return fmt.Errorf("unknown dependency condition %q", cond)
		}
		select {
		case <-dep.exited:
			if cond == ConditionHealthy {
				// An exited container never becomes healthy; it is
				// waited for until its start timeout, as on ECS.
				select {
				case <-deadline:
					return errTimedOut
				case <-ctx.Done():
					return ctx.Err()
				case <-t.stopping:
					return errors.New("task stopped")
				}
			}
		case <-changed:
		case <-deadline:
			return errTimedOut
		case <-ctx.Done():
			return ctx.Err()
		case <-t.stopping:
			return errors.New("task stopped")
		}
	}
}
