package ecs

import (
	"time"
)

// Container health checks, as the HealthCheck API reference documents
// them: interval 5-300 s (30 by default), timeout 2-60 s (5), retries
// 1-10 (3), startPeriod 0-300 s (off). Values outside the limits are
// held to them.
const (
	healthInterval    = 30
	healthTimeout     = 5
	healthRetries     = 3
	healthUnknown     = HealthStatus("UNKNOWN")
	healthHealthy     = HealthStatus("HEALTHY")
	healthUnhealthy   = HealthStatus("UNHEALTHY")
	failedHealthCheck = "Task failed container health checks"
)

// healthSpec is a container definition's healthCheck as the runtime
// runs it: ["CMD", argv...] runs argv, ["CMD-SHELL", cmd] runs cmd
// with the container's /bin/sh. Nil when there is none to run.
func healthSpec(hc *HealthCheck) *HealthCheckSpec {
	if hc == nil || len(hc.Command) == 0 {
		return nil
	}
	var argv []string
	switch hc.Command[0] {
	case "CMD":
		argv = hc.Command[1:]
	case "CMD-SHELL":
		if len(hc.Command) > 1 {
			argv = []string{"/bin/sh", "-c", hc.Command[1]}
		}
	case "NONE":
		return nil
	default:
		argv = hc.Command
	}
	if len(argv) == 0 {
		return nil
	}
	within := func(v *int32, def, lo, hi int32) int32 {
		if v == nil {
			return def
		}
		return max(lo, min(hi, *v))
	}
	return &HealthCheckSpec{
		Command:     argv,
		Interval:    time.Duration(within(hc.Interval, healthInterval, 5, 300)) * time.Second,
		Timeout:     time.Duration(within(hc.Timeout, healthTimeout, 2, 60)) * time.Second,
		Retries:     int(within(hc.Retries, healthRetries, 1, 10)),
		StartPeriod: time.Duration(within(hc.StartPeriod, 0, 0, 300)) * time.Second,
	}
}

// taskHealth is a task's healthStatus from its containers': UNHEALTHY
// when an essential container is, HEALTHY when every essential
// container with a health check is, UNKNOWN otherwise (or when no
// essential container has one). Nonessential containers do not count.
func taskHealth(def TaskDefinition, cs []Container) HealthStatus {
	checked, healthy := 0, 0
	for i, cd := range def.ContainerDefinitions {
		if !deref(cd.Essential) || healthSpec(cd.HealthCheck) == nil || i >= len(cs) {
			continue
		}
		checked++
		switch deref(cs[i].HealthStatus) {
		case healthUnhealthy:
			return healthUnhealthy
		case healthHealthy:
			healthy++
		}
	}
	if checked > 0 && healthy == checked {
		return healthHealthy
	}
	return healthUnknown
}

// updateHealth reads the runtime's health of a task's containers into
// their healthStatus and the task's; it says whether anything changed.
// s.mu is held.
func (s *Service) updateHealth(t *task, hr HealthReporter) bool {
	changed := false
	for i := range t.T.Containers {
		c := &t.T.Containers[i]
		if i >= len(t.Def.ContainerDefinitions) || healthSpec(t.Def.ContainerDefinitions[i].HealthCheck) == nil ||
			deref(c.LastStatus) != statusRunning {
			continue
		}
		h := HealthStatus(hr.Health(deref(c.Name)))
		if h == "" {
			h = healthUnknown
		}
		if deref(c.HealthStatus) != h {
			c.HealthStatus, changed = ptr(h), true
		}
	}
	if h := taskHealth(t.Def, t.T.Containers); deref(t.T.HealthStatus) != h {
		t.T.HealthStatus, changed = ptr(h), true
	}
	return changed
}
