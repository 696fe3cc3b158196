package ecs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// fakeRuntime behaves like a container runtime: a task's containers run
// until they are stopped or told to exit, images named "fail..." do not
// start, and ports without a host port get one from 32768 up.
type fakeRuntime struct {
	mu       sync.Mutex
	tasks    map[string]*fakeTask
	nextPort int
	started  []TaskSpec
}

func newFakeRuntime() *fakeRuntime {
	return &fakeRuntime{tasks: map[string]*fakeTask{}, nextPort: 32768}
}

type fakeTask struct {
	// stubborn tasks ("stubborn..." images) ignore Stop.
	stubborn bool
	ports    []BoundPort
	mu       sync.Mutex
	exits    map[string]chan int // closed after the code is sent
	done     map[string]bool
	health   map[string]string
}

// Health implements HealthReporter: what setHealth said, UNKNOWN before.
func (t *fakeTask) Health(container string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if h := t.health[container]; h != "" {
		return h
	}
	return "UNKNOWN"
}

// setHealth sets a container's health as its health check would.
func (r *fakeRuntime) setHealth(taskID, container, health string) {
	r.mu.Lock()
	t := r.tasks[taskID]
	r.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.health[container] = health
}

func (r *fakeRuntime) StartTask(ctx context.Context, spec TaskSpec) (RunningTask, error) {
	for _, c := range spec.Containers {
		if strings.HasPrefix(c.Image, "waiting") {
			// A container waiting for a dependency that never gets there.
			<-ctx.Done()
			return nil, ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	t := &fakeTask{exits: map[string]chan int{}, done: map[string]bool{}, health: map[string]string{}}
	for _, c := range spec.Containers {
		if strings.HasPrefix(c.Image, "fail") {
			return nil, fmt.Errorf("CannotPullContainerError: pull image %s: not found", c.Image)
		}
		t.exits[c.Name] = make(chan int, 1)
		t.stubborn = t.stubborn || strings.HasPrefix(c.Image, "stubborn")
		for _, p := range c.PortMappings {
			host := p.HostPort
			if host == 0 {
				host = r.nextPort
				r.nextPort++
			}
			t.ports = append(t.ports, BoundPort{Container: c.Name, ContainerPort: p.ContainerPort, HostPort: host, Protocol: p.Protocol})
		}
		if c.Logs != nil {
			c.Logs("stdout", []byte("started "+c.Name))
		}
	}
	r.tasks[spec.ID] = t
	r.started = append(r.started, spec)
	return t, nil
}

// exit makes a container of a task exit with code.
func (r *fakeRuntime) exit(taskID, container string, code int) error {
	r.mu.Lock()
	t := r.tasks[taskID]
	r.mu.Unlock()
	if t == nil {
		return errors.New("no such task")
	}
	t.end(container, code)
	return nil
}

func (r *fakeRuntime) specs() []TaskSpec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]TaskSpec{}, r.started...)
}

func (t *fakeTask) end(container string, code int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done[container] {
		return
	}
	t.done[container] = true
	t.exits[container] <- code
}

func (t *fakeTask) Ports() []BoundPort { return t.ports }

func (t *fakeTask) Wait(ctx context.Context, container string) (int, error) {
	t.mu.Lock()
	ch := t.exits[container]
	t.mu.Unlock()
	select {
	case code := <-ch:
		return code, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Stop ends every container as SIGTERM does: exit code 143.
func (t *fakeTask) Stop(context.Context, time.Duration) error {
	if t.stubborn {
		return errors.New("the containers ignore SIGTERM and SIGKILL")
	}
	for name := range t.exits {
		t.end(name, 143)
	}
	return nil
}
