package ecs

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// fakeTargets is a load balancer's target groups: what is registered
// and each target's health, which tests set.
type fakeTargets struct {
	mu      sync.Mutex
	groups  map[string]TargetGroup
	targets map[string]map[int]bool // by group: port → registered
	health  map[int]string          // by port; "" is healthy
	drain   time.Duration
}

func newFakeTargets() *fakeTargets {
	return &fakeTargets{groups: map[string]TargetGroup{}, targets: map[string]map[int]bool{}, health: map[int]string{}}
}

func (f *fakeTargets) TargetGroup(arn string) (TargetGroup, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tg, ok := f.groups[arn]
	return tg, ok
}

func (f *fakeTargets) RegisterTarget(_ context.Context, tg, ip string, port int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.targets[tg] == nil {
		f.targets[tg] = map[int]bool{}
	}
	f.targets[tg][port] = true
	return nil
}

func (f *fakeTargets) DeregisterTarget(_ context.Context, tg, ip string, port int) (time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.targets[tg], port)
	return f.drain, nil
}

func (f *fakeTargets) TargetHealth(_ context.Context, tg, ip string, port int) (TargetHealth, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.targets[tg][port] {
		return TargetHealth{State: "unused", Reason: "Target.NotRegistered"}, nil
	}
	if st := f.health[port]; st != "" {
		return TargetHealth{State: st, Reason: "Target.ResponseCodeMismatch", Description: "Health checks failed with these codes: [500]"}, nil
	}
	return TargetHealth{State: "healthy"}, nil
}

func (f *fakeTargets) registered(tg string) []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int
	for p := range f.targets[tg] {
		out = append(out, p)
	}
	return out
}

const testTG = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef"

// newLBHarness is a harness whose ECS registers tasks in lbs, with one
// ip target group that a load balancer uses, and a web task definition
// (awsvpc, container app on port 8080).
func newLBHarness(t *testing.T) (*harness, *fakeTargets) {
	h := newHarness(t)
	lbs := newFakeTargets()
	lbs.groups[testTG] = TargetGroup{Name: "web", TargetType: "ip", HasLoadBalancer: true}
	lbs.groups["tg-alone"] = TargetGroup{Name: "alone", TargetType: "ip"}
	lbs.groups["tg-instance"] = TargetGroup{Name: "inst", TargetType: "instance", HasLoadBalancer: true}
	h.s.lbs = lbs
	ctx := context.Background()
	if _, err := h.s.createCluster(ctx, &CreateClusterRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.s.registerTaskDefinition(ctx, &RegisterTaskDefinitionRequest{Family: ptr("web"), NetworkMode: ptr(modeAwsvpc),
		ContainerDefinitions: []ContainerDefinition{{Name: ptr("app"), Image: ptr("nginx"), Memory: ptr(int32(128)),
			PortMappings: []PortMapping{{ContainerPort: ptr(int32(8080))}}}}}); err != nil {
		t.Fatal(err)
	}
	return h, lbs
}

func lbService(desired int32, tg, container string, port int32) *CreateServiceRequest {
	return &CreateServiceRequest{ServiceName: ptr("svc"), TaskDefinition: ptr("web"), DesiredCount: ptr(desired),
		NetworkConfiguration: &NetworkConfiguration{AwsvpcConfiguration: &AwsVpcConfiguration{Subnets: []string{"subnet-1"}}},
		LoadBalancers:        []LoadBalancer{{TargetGroupArn: ptr(tg), ContainerName: ptr(container), ContainerPort: ptr(port)}}}
}

func TestCreateServiceChecksLoadBalancers(t *testing.T) {
	t.Parallel()
	h, _ := newLBHarness(t)
	for _, c := range []struct {
		in   *CreateServiceRequest
		want string
	}{
		{lbService(1, "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/nope/1", "app", 8080), "Unable to assume role and validate the specified targetGroupArn."},
		{lbService(1, "tg-alone", "app", 8080), "The target group with targetGroupArn tg-alone does not have an associated load balancer."},
		{lbService(1, "tg-instance", "app", 8080), "The provided target group tg-instance has target type instance, which is incompatible with the awsvpc network mode specified in the task definition."},
		{lbService(1, testTG, "web", 8080), "The container web does not exist in the task definition."},
		{lbService(1, testTG, "app", 80), "The container app did not have a container port 80 defined."},
	} {
		_, err := h.s.createService(context.Background(), c.in)
		e := apierr.As(err)
		if e == nil || e.Code != "InvalidParameterException" || !strings.HasPrefix(e.Message, c.want) {
			t.Errorf("got %v, want InvalidParameterException %q", err, c.want)
		}
	}
}

func TestServiceTasksRegisterAndDrain(t *testing.T) {
	t.Parallel()
	h, lbs := newLBHarness(t)
	lbs.drain = 300 * time.Second
	if _, err := h.s.createService(context.Background(), lbService(2, testTG, "app", 8080)); err != nil {
		t.Fatal(err)
	}
	h.until("two registered targets", func() bool { return len(lbs.registered(testTG)) == 2 })
	h.until("a steady state", func() bool {
		h.s.mu.Lock()
		defer h.s.mu.Unlock()
		return h.s.services[defaultCluster+"/svc"].Steady
	})
	if _, err := h.s.updateService(context.Background(), &UpdateServiceRequest{Service: ptr("svc"), DesiredCount: ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	h.until("one task deactivating", func() bool { return len(h.tasksOf("svc")[statusDeactivating]) == 1 })
	if n := len(lbs.registered(testTG)); n != 1 {
		t.Fatalf("%d targets registered while one drains, want 1", n)
	}
	// The task stays DEACTIVATING until the deregistration delay passes
	// on the clock.
	for range 5 {
		h.s.Reconcile()
		time.Sleep(5 * time.Millisecond)
	}
	if len(h.tasksOf("svc")[statusDeactivating]) != 1 {
		t.Fatal("the task stopped before its target drained")
	}
	h.clock.Advance(300 * time.Second)
	h.until("the drained task stopped", func() bool { return len(h.tasksOf("svc")[statusStopped]) == 1 })
	h.s.mu.Lock()
	events := h.s.services[defaultCluster+"/svc"].D.Events
	h.s.mu.Unlock()
	var msgs []string
	for _, e := range events {
		msgs = append(msgs, deref(e.Message))
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"(service svc) registered 1 targets in (target-group " + testTG + ")",
		"(service svc) deregistered 1 targets in (target-group " + testTG + ")",
		"(service svc) has begun draining connections on 1 tasks."} {
		if !strings.Contains(all, want) {
			t.Errorf("no event %q in\n%s", want, all)
		}
	}
}

func TestUnhealthyTargetIsReplaced(t *testing.T) {
	t.Parallel()
	h, lbs := newLBHarness(t)
	in := lbService(1, testTG, "app", 8080)
	in.HealthCheckGracePeriodSeconds = ptr(int32(60))
	if _, err := h.s.createService(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	h.until("a registered target", func() bool { return len(lbs.registered(testTG)) == 1 })
	port := lbs.registered(testTG)[0]
	lbs.mu.Lock()
	lbs.health[port] = "unhealthy"
	lbs.mu.Unlock()
	// Within the grace period the scheduler ignores the load balancer.
	for range 5 {
		h.s.Reconcile()
	}
	if len(h.tasksOf("svc")[statusRunning]) != 1 {
		t.Fatal("the task was stopped within the health check grace period")
	}
	h.clock.Advance(60 * time.Second)
	h.until("the unhealthy task stopped", func() bool { return len(h.tasksOf("svc")[statusStopped]) == 1 })
	stopped := h.tasksOf("svc")[statusStopped][0]
	if got := deref(stopped.T.StoppedReason); got != "Task failed ELB health checks in (target-group "+testTG+")" {
		t.Fatalf("stoppedReason %q", got)
	}
	h.until("a healthy replacement", func() bool {
		ps := lbs.registered(testTG)
		return len(h.tasksOf("svc")[statusRunning]) == 1 && len(ps) == 1 && ps[0] != port
	})
	h.s.mu.Lock()
	events := h.s.services[defaultCluster+"/svc"].D.Events
	h.s.mu.Unlock()
	want := "(service svc) (task " + stopped.ID + ") (port " + itoa(port) + ") is unhealthy in (target-group web) due to (reason Health checks failed with these codes: [500])."
	found := false
	for _, e := range events {
		found = found || deref(e.Message) == want
	}
	if !found {
		t.Fatalf("no event %q", want)
	}
}

func TestRollingDeploymentWaitsForHealthyTargets(t *testing.T) {
	t.Parallel()
	h, lbs := newLBHarness(t)
	if _, err := h.s.createService(context.Background(), lbService(1, testTG, "app", 8080)); err != nil {
		t.Fatal(err)
	}
	h.until("a registered target", func() bool { return len(lbs.registered(testTG)) == 1 })
	old := lbs.registered(testTG)[0]
	// New targets stay in their initial health checks.
	lbs.mu.Lock()
	for p := old + 1; p < old+10; p++ {
		lbs.health[p] = "initial"
	}
	lbs.mu.Unlock()
	if _, err := h.s.updateService(context.Background(), &UpdateServiceRequest{Service: ptr("svc"), ForceNewDeployment: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	h.until("the new task registered", func() bool { return len(lbs.registered(testTG)) == 2 })
	for range 20 {
		h.s.Reconcile()
		time.Sleep(5 * time.Millisecond)
		if ps := lbs.registered(testTG); len(ps) != 2 || len(h.tasksOf("svc")[statusRunning]) != 2 {
			t.Fatalf("the old task stopped before the new one's target was healthy: targets %v", ps)
		}
	}
	lbs.mu.Lock()
	clear(lbs.health)
	lbs.mu.Unlock()
	h.until("the old task stopped", func() bool {
		ps := lbs.registered(testTG)
		return len(ps) == 1 && ps[0] != old
	})
}

func TestRestartDeregistersOrphanedTargets(t *testing.T) {
	t.Parallel()
	h, lbs := newLBHarness(t)
	if _, err := h.s.createService(context.Background(), lbService(1, testTG, "app", 8080)); err != nil {
		t.Fatal(err)
	}
	h.until("a registered target", func() bool { return len(lbs.registered(testTG)) == 1 })
	old := lbs.registered(testTG)[0]
	// A new process over the same store: the old one's container, and
	// the port its target names, are gone.
	s, err := New(Deps{Store: h.db, Clock: h.clock, IDs: h.s.ids, Account: "000000000000", Region: "us-east-1", Runtime: h.rt,
		LoadBalancers: lbs, Tick: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	h.s = s
	t.Cleanup(func() { s.Close() })
	if ps := lbs.registered(testTG); len(ps) != 0 {
		t.Fatalf("after restart the orphan's target is registered: %v", ps)
	}
	h.until("a replacement registered", func() bool {
		ps := lbs.registered(testTG)
		return len(ps) == 1 && ps[0] != old
	})
}

func TestChangingLoadBalancersStartsADeployment(t *testing.T) {
	t.Parallel()
	h, lbs := newLBHarness(t)
	const other = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/other/fedcba9876543210"
	lbs.groups[other] = TargetGroup{Name: "other", TargetType: "ip", HasLoadBalancer: true}
	if _, err := h.s.createService(context.Background(), lbService(1, testTG, "app", 8080)); err != nil {
		t.Fatal(err)
	}
	h.until("a registered target", func() bool { return len(lbs.registered(testTG)) == 1 })
	out, err := h.s.updateService(context.Background(), &UpdateServiceRequest{Service: ptr("svc"),
		LoadBalancers: []LoadBalancer{{TargetGroupArn: ptr(other), ContainerName: ptr("app"), ContainerPort: ptr(int32(8080))}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.Service.Deployments); n != 2 {
		t.Fatalf("%d deployments after changing the load balancers, want 2", n)
	}
	h.until("the task moved to the other group", func() bool {
		return len(lbs.registered(testTG)) == 0 && len(lbs.registered(other)) == 1
	})
}

// TestOldDeploymentListedWhileItsTargetsDrain checks that a rolling
// deployment's old deployment stays in the service's deployments while
// its tasks' targets drain, and leaves once they stopped, so that a
// services-stable waiter (one deployment, running = desired) waits for it.
func TestOldDeploymentListedWhileItsTargetsDrain(t *testing.T) {
	t.Parallel()
	h, lbs := newLBHarness(t)
	lbs.drain = 300 * time.Second
	if _, err := h.s.createService(context.Background(), lbService(1, testTG, "app", 8080)); err != nil {
		t.Fatal(err)
	}
	h.until("a steady state", func() bool {
		h.s.mu.Lock()
		defer h.s.mu.Unlock()
		return h.s.services[defaultCluster+"/svc"].Steady
	})
	if _, err := h.s.updateService(context.Background(), &UpdateServiceRequest{Service: ptr("svc"), ForceNewDeployment: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	deployments := func() int {
		h.s.mu.Lock()
		defer h.s.mu.Unlock()
		return len(h.s.services[defaultCluster+"/svc"].D.Deployments)
	}
	h.until("the old task deactivating", func() bool { return len(h.tasksOf("svc")[statusDeactivating]) == 1 })
	for range 5 {
		h.s.Reconcile()
		time.Sleep(5 * time.Millisecond)
	}
	if n := deployments(); n != 2 {
		t.Fatalf("%d deployments while the old task's target drains, want 2", n)
	}
	h.clock.Advance(300 * time.Second)
	h.until("the old deployment gone", func() bool { return deployments() == 1 })
	if len(h.tasksOf("svc")[statusStopped]) != 1 {
		t.Fatal("the old deployment left before its task stopped")
	}
}
