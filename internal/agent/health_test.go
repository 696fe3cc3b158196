package agent

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func waitHealth(t *testing.T, tk Task, container string, want Health) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := tk.(HealthReporter).Health(container)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s health = %s, want %s", container, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHealthCheckRunsInContainer(t *testing.T) {
	t.Parallel()
	f := shared(t)
	check := func(code string) *HealthCheck {
		return &HealthCheck{Command: []string{"/echo", "-exit", code}, Interval: 100 * time.Millisecond, Timeout: 2 * time.Second, Retries: 2}
	}
	tk := startTask(t, f.agent, TaskSpec{ID: taskID(t), Containers: []ContainerSpec{
		{Name: "good", Image: f.image, HealthCheck: check("0")},
		{Name: "bad", Image: f.image, Command: []string{"/echo", "-port", "9090"}, HealthCheck: check("1")},
		{Name: "none", Image: f.image, Command: []string{"/echo", "-port", "9091"}},
	}})
	waitHealth(t, tk, "good", HealthHealthy)
	waitHealth(t, tk, "bad", HealthUnhealthy)
	if got := tk.(HealthReporter).Health("none"); got != HealthUnknown {
		t.Errorf("none health = %s, want UNKNOWN", got)
	}
}

func TestDependsOnConditions(t *testing.T) {
	t.Parallel()
	f := shared(t)
	// init exits 0 (SUCCESS), db becomes healthy (HEALTHY): app starts
	// after both.
	tk := startTask(t, f.agent, TaskSpec{ID: taskID(t), Containers: []ContainerSpec{
		{Name: "init", Image: f.image, Command: []string{"/echo", "-exit", "0"}},
		{Name: "db", Image: f.image, Command: []string{"/echo", "-port", "9090"},
			HealthCheck: &HealthCheck{Command: []string{"/echo", "-exit", "0"}, Interval: 100 * time.Millisecond, Timeout: 2 * time.Second, Retries: 1}},
		{Name: "app", Image: f.image, DependsOn: []Dependency{{"init", ConditionSuccess}, {"db", ConditionHealthy}}},
	}})
	if got := tk.(HealthReporter).Health("db"); got != HealthHealthy {
		t.Errorf("app started with db %s", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if code, err := tk.Wait(ctx, "init"); err != nil || code != 0 {
		t.Errorf("init: %d, %v", code, err)
	}

	// A SUCCESS dependency that exits 1 fails the task.
	_, err := f.agent.StartTask(context.Background(), TaskSpec{ID: taskID(t) + "-fail", Containers: []ContainerSpec{
		{Name: "init", Image: f.image, Command: []string{"/echo", "-exit", "1"}},
		{Name: "app", Image: f.image, DependsOn: []Dependency{{"init", ConditionSuccess}}},
	}})
	if !errors.Is(err, ErrDependency) || !strings.Contains(err.Error(), "dependency [init] for target [app] as dependency did not exit successfully") {
		t.Fatalf("err = %v", err)
	}

	// A HEALTHY dependency that never passes times out.
	start := time.Now()
	_, err = f.agent.StartTask(context.Background(), TaskSpec{ID: taskID(t) + "-sick", Containers: []ContainerSpec{
		{Name: "db", Image: f.image, StartTimeout: 500 * time.Millisecond,
			HealthCheck: &HealthCheck{Command: []string{"/echo", "-exit", "1"}, Interval: 100 * time.Millisecond, Timeout: time.Second, Retries: 1}},
		{Name: "app", Image: f.image, Command: []string{"/echo", "-port", "9090"}, DependsOn: []Dependency{{"db", ConditionHealthy}}},
	}})
	if !errors.Is(err, ErrDependency) || !strings.Contains(err.Error(), "dependency [db] for target [app] has timed out") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("timed out after %v", d)
	}
}
