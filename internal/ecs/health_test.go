package ecs

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func TestHealthSpecDefaultsAndLimits(t *testing.T) {
	got := healthSpec(&HealthCheck{Command: []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}})
	want := &HealthCheckSpec{Command: []string{"/bin/sh", "-c", "curl -f http://localhost/ || exit 1"},
		Interval: 30 * time.Second, Timeout: 5 * time.Second, Retries: 3}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults: %+v, want %+v", got, want)
	}
	got = healthSpec(&HealthCheck{Command: []string{"CMD", "/probe", "-x"}, Interval: ptr(int32(1)), Timeout: ptr(int32(100)),
		Retries: ptr(int32(0)), StartPeriod: ptr(int32(900))})
	want = &HealthCheckSpec{Command: []string{"/probe", "-x"}, Interval: 5 * time.Second, Timeout: 60 * time.Second, Retries: 1, StartPeriod: 300 * time.Second}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("limits: %+v, want %+v", got, want)
	}
	if healthSpec(&HealthCheck{Command: []string{"NONE"}}) != nil || healthSpec(nil) != nil {
		t.Error("NONE or no check runs a check")
	}
}

func TestServiceReplacesUnhealthyTask(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.s.createCluster(ctx, &CreateClusterRequest{}); err != nil {
		t.Fatal(err)
	}
	check := &HealthCheck{Command: []string{"CMD", "/probe"}}
	if _, err := h.s.registerTaskDefinition(ctx, &RegisterTaskDefinitionRequest{Family: ptr("web"),
		ContainerDefinitions: []ContainerDefinition{
			{Name: ptr("app"), Image: ptr("nginx"), Memory: ptr(int32(128)), HealthCheck: check},
			{Name: ptr("side"), Image: ptr("nginx"), Memory: ptr(int32(128)), HealthCheck: check, Essential: ptr(false)},
		}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.s.createService(ctx, &CreateServiceRequest{ServiceName: ptr("svc"), TaskDefinition: ptr("web"), DesiredCount: ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	h.until("a running task", func() bool { return len(h.tasksOf("svc")[statusRunning]) == 1 })
	victim := h.tasksOf("svc")[statusRunning][0]
	if spec := h.rt.specs()[0]; spec.Containers[0].HealthCheck == nil || spec.Containers[0].HealthCheck.Interval != 30*time.Second {
		t.Fatalf("health check given to the runtime: %+v", spec.Containers[0].HealthCheck)
	}
	health := func() (task HealthStatus, app, side HealthStatus) {
		v := h.tasksOf("svc")[statusRunning]
		if len(v) == 0 {
			return "", "", ""
		}
		return deref(v[0].T.HealthStatus), deref(v[0].T.Containers[0].HealthStatus), deref(v[0].T.Containers[1].HealthStatus)
	}
	// A nonessential container's health does not count.
	h.rt.setHealth(victim.ID, "side", "UNHEALTHY")
	h.until("side UNHEALTHY", func() bool { _, _, side := health(); return side == healthUnhealthy })
	if task, _, _ := health(); task != healthUnknown {
		t.Fatalf("task health %s with app UNKNOWN", task)
	}
	h.rt.setHealth(victim.ID, "app", "HEALTHY")
	h.until("task HEALTHY", func() bool { task, app, _ := health(); return task == healthHealthy && app == healthHealthy })

	h.rt.setHealth(victim.ID, "app", "UNHEALTHY")
	h.until("the task stopped", func() bool { return len(h.tasksOf("svc")[statusStopped]) == 1 })
	stopped := h.tasksOf("svc")[statusStopped][0]
	if deref(stopped.T.StoppedReason) != failedHealthCheck || deref(stopped.T.StopCode) != "ServiceSchedulerInitiated" ||
		deref(stopped.T.HealthStatus) != healthUnhealthy {
		t.Fatalf("stopped: reason %q code %q health %q", deref(stopped.T.StoppedReason), deref(stopped.T.StopCode), deref(stopped.T.HealthStatus))
	}
	h.until("a replacement", func() bool { return len(h.tasksOf("svc")[statusRunning]) == 1 })
}

func TestStopTaskWhileContainersWait(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.s.registerTaskDefinition(ctx, &RegisterTaskDefinitionRequest{Family: ptr("wait"),
		ContainerDefinitions: []ContainerDefinition{{Name: ptr("app"), Image: ptr("waiting"), Memory: ptr(int32(128))}}}); err != nil {
		t.Fatal(err)
	}
	run, err := h.s.runTask(ctx, &RunTaskRequest{TaskDefinition: ptr("wait")})
	if err != nil {
		t.Fatal(err)
	}
	arn := deref(run.Tasks[0].TaskArn)
	status := func() (string, string, string) {
		out, err := h.s.describeTasks(ctx, &DescribeTasksRequest{Tasks: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		return deref(out.Tasks[0].LastStatus), deref(out.Tasks[0].StoppedReason), string(deref(out.Tasks[0].StopCode))
	}
	h.until("PENDING", func() bool { s, _, _ := status(); return s == statusPending })
	if _, err := h.s.stopTask(ctx, &StopTaskRequest{Task: ptr(arn), Reason: ptr("no longer needed")}); err != nil {
		t.Fatal(err)
	}
	h.until("STOPPED", func() bool { s, _, _ := status(); return s == statusStopped })
	if _, reason, code := status(); reason != "no longer needed" || code != "UserInitiated" {
		t.Fatalf("reason %q code %q", reason, code)
	}
}
