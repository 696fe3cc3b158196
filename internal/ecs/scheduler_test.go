package ecs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

type harness struct {
	t     *testing.T
	s     *Service
	rt    *fakeRuntime
	clock *clock.Fake
	db    store.Store
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, rt: newFakeRuntime(), clock: clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), db: db}
	h.s = h.open()
	t.Cleanup(func() { h.s.Close(); db.Close() })
	return h
}

func (h *harness) open() *Service {
	s, err := New(Deps{Store: h.db, Clock: h.clock, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1", Runtime: h.rt, Tick: time.Hour})
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// until polls cond, reconciling, until it holds or ten seconds pass.
func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		h.s.Reconcile()
		time.Sleep(5 * time.Millisecond)
	}
}

// tasksOf returns the service's tasks by last status.
func (h *harness) tasksOf(service string) map[string][]*task {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	out := map[string][]*task{}
	for _, t := range h.s.tasks {
		if t.Service == service {
			c := *t
			out[deref(t.T.LastStatus)] = append(out[deref(t.T.LastStatus)], &c)
		}
	}
	return out
}

func (h *harness) setup(image string, desired int32) {
	h.t.Helper()
	ctx := context.Background()
	if _, err := h.s.createCluster(ctx, &CreateClusterRequest{}); err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.s.registerTaskDefinition(ctx, &RegisterTaskDefinitionRequest{Family: ptr("web"),
		ContainerDefinitions: []ContainerDefinition{{Name: ptr("app"), Image: ptr(image), Memory: ptr(int32(128))}}}); err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.s.createService(ctx, &CreateServiceRequest{ServiceName: ptr("svc"), TaskDefinition: ptr("web"), DesiredCount: ptr(desired)}); err != nil {
		h.t.Fatal(err)
	}
}

func TestSchedulerReplacesExitedTasks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.setup("nginx", 2)
	h.until("two running tasks", func() bool { return len(h.tasksOf("svc")[statusRunning]) == 2 })
	victim := h.tasksOf("svc")[statusRunning][0]
	if err := h.rt.exit(victim.ID, "app", 1); err != nil {
		t.Fatal(err)
	}
	h.until("the task stopped", func() bool { return len(h.tasksOf("svc")[statusStopped]) == 1 })
	stopped := h.tasksOf("svc")[statusStopped][0]
	if deref(stopped.T.StoppedReason) != essentialExited || deref(stopped.T.StopCode) != "EssentialContainerExited" {
		t.Fatalf("stopped task: reason %q code %q", deref(stopped.T.StoppedReason), deref(stopped.T.StopCode))
	}
	if c := stopped.T.Containers[0]; deref(c.ExitCode) != 1 {
		t.Fatalf("exit code %d", deref(c.ExitCode))
	}
	// The failure throttles the next launch until the backoff passes on
	// the clock.
	for range 5 {
		h.s.Reconcile()
	}
	if n := len(h.tasksOf("svc")[statusRunning]) + len(h.tasksOf("svc")[statusPending]) + len(h.tasksOf("svc")[statusProvisioning]); n != 1 {
		t.Fatalf("%d live tasks during the backoff, want 1", n)
	}
	h.clock.Advance(baseBackoff)
	h.until("a replacement", func() bool { return len(h.tasksOf("svc")[statusRunning]) == 2 })
}

func TestSchedulerBacksOffRepeatedFailures(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.setup("failing/image", 1)
	h.until("a failed start", func() bool { return len(h.tasksOf("svc")[statusStopped]) == 1 })
	got := h.tasksOf("svc")[statusStopped][0]
	if deref(got.T.StopCode) != "TaskFailedToStart" || !strings.HasPrefix(deref(got.T.StoppedReason), "CannotPullContainerError") {
		t.Fatalf("stop code %q reason %q", deref(got.T.StopCode), deref(got.T.StoppedReason))
	}
	// Each further failure waits twice as long.
	for n, wait := 2, baseBackoff; n <= 4; n, wait = n+1, wait*2 {
		h.clock.Advance(wait - time.Second)
		h.s.Reconcile()
		if len(h.tasksOf("svc")[statusStopped]) != n-1 {
			t.Fatalf("launched before the backoff of %v passed", wait)
		}
		h.clock.Advance(time.Second)
		h.until("the next attempt", func() bool { return len(h.tasksOf("svc")[statusStopped]) == n })
	}
	h.s.mu.Lock()
	events := h.s.services[defaultCluster+"/svc"].D.Events
	h.s.mu.Unlock()
	found := false
	for _, e := range events {
		if deref(e.Message) == "(service svc) is unable to consistently start tasks successfully." {
			found = true
		}
	}
	if !found {
		t.Fatalf("no throttling event in %v", events)
	}
}

func TestSchedulerRollingDeploymentKeepsMinimumHealthy(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.setup("nginx", 2)
	h.until("two running tasks", func() bool { return len(h.tasksOf("svc")[statusRunning]) == 2 })
	ctx := context.Background()
	if _, err := h.s.registerTaskDefinition(ctx, &RegisterTaskDefinitionRequest{Family: ptr("web"),
		ContainerDefinitions: []ContainerDefinition{{Name: ptr("app"), Image: ptr("nginx:2"), Memory: ptr(int32(128))}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.s.updateService(ctx, &UpdateServiceRequest{Service: ptr("svc"), TaskDefinition: ptr("web:2")}); err != nil {
		t.Fatal(err)
	}
	// Until the new tasks run, the two old ones keep running (minimum
	// healthy 100%).
	h.until("the rollout", func() bool {
		running := h.tasksOf("svc")[statusRunning]
		old := 0
		for _, t := range running {
			if strings.HasSuffix(deref(t.T.TaskDefinitionArn), ":1") {
				old++
			}
		}
		if len(running) < 2 {
			h.t.Fatalf("only %d tasks running during the rollout", len(running))
		}
		return old == 0 && len(running) == 2
	})
	h.until("one deployment", func() bool {
		h.s.mu.Lock()
		defer h.s.mu.Unlock()
		d := h.s.services[defaultCluster+"/svc"].D.Deployments
		return len(d) == 1 && deref(d[0].RolloutState) == "COMPLETED"
	})
}

func TestRestartStopsOrphanedTasks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.setup("nginx", 1)
	h.until("a running task", func() bool { return len(h.tasksOf("svc")[statusRunning]) == 1 })
	// A new process over the same store: the old one's task is gone.
	h.s = h.open()
	got := h.tasksOf("svc")
	if len(got[statusStopped]) != 1 || deref(got[statusStopped][0].T.StoppedReason) != hostStopped {
		t.Fatalf("after restart: %v", got)
	}
	h.until("a replacement", func() bool { return len(h.tasksOf("svc")[statusRunning]) == 1 })
}

func TestStoppedTasksAreForgottenAfterAnHour(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.s.registerTaskDefinition(ctx, &RegisterTaskDefinitionRequest{Family: ptr("job"), ContainerDefinitions: []ContainerDefinition{container("a", 64)}}); err != nil {
		t.Fatal(err)
	}
	run, err := h.s.runTask(ctx, &RunTaskRequest{TaskDefinition: ptr("job"), Tags: []Tag{{Key: ptr("k"), Value: ptr("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := deref(run.Tasks[0].TaskArn)
	describe := func() *DescribeTasksResponse {
		out, err := h.s.describeTasks(ctx, &DescribeTasksRequest{Tasks: []string{arn}, Include: []TaskField{"TAGS"}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	h.until("RUNNING", func() bool { return deref(describe().Tasks[0].LastStatus) == statusRunning })
	if tags := describe().Tasks[0].Tags; len(tags) != 1 {
		t.Fatalf("tags %v", tags)
	}
	stop, err := h.s.stopTask(ctx, &StopTaskRequest{Task: ptr(arn), Reason: ptr("done here")})
	if err != nil || deref(stop.Task.DesiredStatus) != statusStopped {
		t.Fatalf("StopTask: %+v %v", stop, err)
	}
	h.until("STOPPED", func() bool { return deref(describe().Tasks[0].LastStatus) == statusStopped })
	got := describe().Tasks[0]
	if deref(got.StoppedReason) != "done here" || deref(got.StopCode) != "UserInitiated" || len(got.Tags) != 0 ||
		deref(got.Containers[0].ExitCode) != 143 || got.StoppingAt == nil || got.StoppedAt == nil {
		t.Fatalf("stopped task %+v", got)
	}
	h.clock.Advance(stoppedRetention - time.Second)
	h.s.Reconcile()
	if len(describe().Tasks) != 1 {
		t.Fatal("forgotten before an hour")
	}
	h.clock.Advance(time.Second)
	h.s.Reconcile()
	if out := describe(); len(out.Tasks) != 0 || len(out.Failures) != 1 || deref(out.Failures[0].Reason) != "MISSING" {
		t.Fatalf("after an hour: %+v", out)
	}
}

func TestCircuitBreakerRollsBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	h.setup("nginx", 1)
	if _, err := h.s.updateService(ctx, &UpdateServiceRequest{Service: ptr("svc"), DeploymentConfiguration: &DeploymentConfiguration{
		DeploymentCircuitBreaker: &DeploymentCircuitBreaker{Enable: ptr(true), Rollback: ptr(true)}}}); err != nil {
		t.Fatal(err)
	}
	h.until("the first deployment", func() bool { return len(h.tasksOf("svc")[statusRunning]) == 1 })
	if _, err := h.s.registerTaskDefinition(ctx, &RegisterTaskDefinitionRequest{Family: ptr("web"),
		ContainerDefinitions: []ContainerDefinition{{Name: ptr("app"), Image: ptr("failing"), Memory: ptr(int32(64))}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.s.updateService(ctx, &UpdateServiceRequest{Service: ptr("svc"), TaskDefinition: ptr("web:2")}); err != nil {
		t.Fatal(err)
	}
	// Three failures (the minimum threshold), each after its backoff.
	for n, wait := 1, time.Duration(0); n <= minFailedThreshold; n, wait = n+1, backoff(n) {
		h.clock.Advance(wait)
		h.until("a failure", func() bool { return len(h.tasksOf("svc")[statusStopped]) == n })
	}
	h.s.mu.Lock()
	v := h.s.services[defaultCluster+"/svc"]
	deps := clone(v.D.Deployments)
	events := clone(v.D.Events)
	h.s.mu.Unlock()
	if len(deps) != 2 || !strings.HasSuffix(deref(deps[0].TaskDefinition), ":1") || deref(deps[0].Status) != deploymentPrimary ||
		deref(deps[1].RolloutState) != "FAILED" || deref(deps[1].RolloutStateReason) != "ECS deployment circuit breaker: tasks failed to start." ||
		deref(deps[1].FailedTasks) != 3 {
		t.Fatalf("deployments after the breaker %+v", deps)
	}
	if deref(events[0].Message) != "(service svc) rolling back to deployment "+deref(deps[0].Id)+"." ||
		deref(events[1].Message) != "(service svc) (deployment "+deref(deps[1].Id)+") deployment failed: tasks failed to start." {
		t.Fatalf("events %q %q", deref(events[0].Message), deref(events[1].Message))
	}
	h.until("the rollback to settle", func() bool {
		h.s.mu.Lock()
		defer h.s.mu.Unlock()
		d := h.s.services[defaultCluster+"/svc"].D.Deployments
		return len(d) == 1 && deref(d[0].RolloutState) == "COMPLETED"
	})
}

func TestTaskStoppedWhenRuntimeDoesNotStopIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.s.stopSlack = 10 * time.Millisecond
	ctx := context.Background()
	if _, err := h.s.registerTaskDefinition(ctx, &RegisterTaskDefinitionRequest{Family: ptr("stuck"),
		ContainerDefinitions: []ContainerDefinition{{Name: ptr("a"), Image: ptr("stubborn"), Memory: ptr(int32(64)), StopTimeout: ptr(int32(0))}}}); err != nil {
		t.Fatal(err)
	}
	run, err := h.s.runTask(ctx, &RunTaskRequest{TaskDefinition: ptr("stuck")})
	if err != nil {
		t.Fatal(err)
	}
	arn := deref(run.Tasks[0].TaskArn)
	status := func() string {
		out, err := h.s.describeTasks(ctx, &DescribeTasksRequest{Tasks: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		return deref(out.Tasks[0].LastStatus)
	}
	h.until("RUNNING", func() bool { return status() == statusRunning })
	if _, err := h.s.stopTask(ctx, &StopTaskRequest{Task: ptr(arn)}); err != nil {
		t.Fatal(err)
	}
	h.until("STOPPED despite the runtime", func() bool { return status() == statusStopped })
}
