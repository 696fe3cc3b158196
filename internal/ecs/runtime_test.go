package ecs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
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

// TestNetworkBindingsNameLoopback checks that a published port is
// described at the address it is bound to: 127.0.0.1, as the runtime
// binds it.
func TestNetworkBindingsNameLoopback(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.s.registerTaskDefinition(ctx, &RegisterTaskDefinitionRequest{Family: ptr("web"),
		ContainerDefinitions: []ContainerDefinition{{Name: ptr("app"), Image: ptr("web"), Memory: ptr(int32(128)),
			PortMappings: []PortMapping{{ContainerPort: ptr(int32(8080))}}}}}); err != nil {
		t.Fatal(err)
	}
	run, err := h.s.runTask(ctx, &RunTaskRequest{TaskDefinition: ptr("web")})
	if err != nil {
		t.Fatal(err)
	}
	arn := deref(run.Tasks[0].TaskArn)
	var nb []NetworkBinding
	h.until("the task to run", func() bool {
		h.s.mu.Lock()
		defer h.s.mu.Unlock()
		for _, x := range h.s.tasks {
			if deref(x.T.TaskArn) == arn && deref(x.T.LastStatus) == statusRunning {
				nb = x.T.Containers[0].NetworkBindings
				return true
			}
		}
		return false
	})
	if len(nb) != 1 || deref(nb[0].BindIP) != "127.0.0.1" || deref(nb[0].HostPort) != 32768 || deref(nb[0].ContainerPort) != 8080 {
		t.Fatalf("networkBindings %+v", nb)
	}
}

// TestAwsvpcTaskHasNetworkInterface checks RunTask's network checks and
// that an awsvpc task is described with its elastic network interface,
// as ECS describes one: an ElasticNetworkInterface attachment, ATTACHED
// while the task runs and DELETED once it stopped, and each container's
// networkInterfaces.
func TestAwsvpcTaskHasNetworkInterface(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.s.registerTaskDefinition(ctx, &RegisterTaskDefinitionRequest{Family: ptr("web"), NetworkMode: ptr(NetworkMode("awsvpc")),
		ContainerDefinitions: []ContainerDefinition{{Name: ptr("app"), Image: ptr("web"), Memory: ptr(int32(128)),
			PortMappings: []PortMapping{{ContainerPort: ptr(int32(8080))}}}}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		nc   *NetworkConfiguration
		want string
	}{
		{nil, "Network Configuration must be provided when networkMode 'awsvpc' is specified."},
		{&NetworkConfiguration{AwsvpcConfiguration: &AwsVpcConfiguration{Subnets: []string{}}}, "subnets can not be empty."},
	} {
		_, err := h.s.runTask(ctx, &RunTaskRequest{TaskDefinition: ptr("web"), NetworkConfiguration: c.nc})
		if ae := apierr.As(err); ae == nil || ae.Code != "InvalidParameterException" || ae.Message != c.want {
			t.Errorf("RunTask with %+v: %v, want InvalidParameterException %q", c.nc, err, c.want)
		}
	}
	run, err := h.s.runTask(ctx, &RunTaskRequest{TaskDefinition: ptr("web"),
		NetworkConfiguration: &NetworkConfiguration{AwsvpcConfiguration: &AwsVpcConfiguration{Subnets: []string{"subnet-a", "subnet-b"}}}})
	if err != nil {
		t.Fatal(err)
	}
	task := run.Tasks[0]
	if len(task.Attachments) != 1 {
		t.Fatalf("attachments %+v", task.Attachments)
	}
	a := task.Attachments[0]
	details := map[string]string{}
	for _, d := range a.Details {
		details[deref(d.Name)] = deref(d.Value)
	}
	if deref(a.Type) != "ElasticNetworkInterface" || deref(a.Status) != "ATTACHED" || deref(a.Id) == "" ||
		details["subnetId"] != "subnet-a" || details["privateIPv4Address"] != "127.0.0.1" ||
		len(details["networkInterfaceId"]) != len("eni-")+17 || len(details["macAddress"]) != 17 {
		t.Fatalf("attachment %+v, details %v", a, details)
	}
	ni := task.Containers[0].NetworkInterfaces
	if len(ni) != 1 || deref(ni[0].AttachmentId) != deref(a.Id) || deref(ni[0].PrivateIpv4Address) != "127.0.0.1" {
		t.Fatalf("networkInterfaces %+v", ni)
	}
	if _, err := h.s.stopTask(ctx, &StopTaskRequest{Task: task.TaskArn}); err != nil {
		t.Fatal(err)
	}
	h.until("the task to stop", func() bool {
		h.s.mu.Lock()
		defer h.s.mu.Unlock()
		x := h.s.tasks[lastSegment(deref(task.TaskArn))]
		return deref(x.T.LastStatus) == statusStopped && deref(x.T.Attachments[0].Status) == "DELETED"
	})
}
