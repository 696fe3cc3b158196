package ecs

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Launch backoff after tasks of a service fail in a row: ECS throttles
// a service whose tasks keep failing to start, waiting longer between
// attempts. virga waits baseBackoff after the first failure, doubling
// up to maxBackoff.
const (
	baseBackoff = 10 * time.Second
	maxBackoff  = 15 * time.Minute
	// throttleAfter failures in a row the service says so in its events.
	throttleAfter = 3
)

// Run is the service scheduler: it keeps each service at its desired
// count, rolls deployments, and forgets tasks stopped longer than an
// hour, until ctx ends.
func (s *Service) Run(ctx context.Context) {
	tick := time.NewTicker(s.tick)
	defer tick.Stop()
	for {
		s.Reconcile()
		select {
		case <-ctx.Done():
			return
		case <-s.ctx.Done():
			return
		case <-tick.C:
		case <-s.wake:
		}
	}
}

// Reconcile makes one pass of the scheduler.
func (s *Service) Reconcile() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return
	}
	now := s.clock.Now()
	keys := make([]string, 0, len(s.services))
	for k := range s.services {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := s.reconcile(s.services[k], now); err != nil {
			s.log.Error("ecs: scheduling a service", "service", k, "err", err)
		}
	}
	for id, t := range s.tasks {
		if deref(t.T.LastStatus) == statusStopped && t.T.StoppedAt != nil && now.Sub(*t.T.StoppedAt) >= stoppedRetention {
			if err := s.del(taskKey(id)); err == nil {
				delete(s.tasks, id)
			}
		}
	}
}

// reconcile brings one service toward its desired state. s.mu is held.
func (s *Service) reconcile(v *service, now time.Time) error {
	status := deref(v.D.Status)
	if status == statusInactive {
		return nil
	}
	name := deref(v.D.ServiceName)
	byDep := map[string][]*task{}
	// stopping names the deployments with a task that is stopping (its
	// target draining): a deployment is listed until its tasks stopped.
	stopping := map[string]bool{}
	var alive, healthy int
	changed := false
	for _, t := range s.tasks {
		if t.Cluster != v.Cluster || t.Service != name || deref(t.T.LastStatus) == statusStopped {
			continue
		}
		if deref(t.T.DesiredStatus) != statusRunning {
			alive++ // stopping
			stopping[t.Deployment] = true
			continue
		}
		alive++
		if target, h, bad := s.unhealthyTarget(v, t, now); bad {
			// The load balancer found the task unhealthy after the
			// grace period: the scheduler stops and replaces it.
			s.event(v, now, "(service "+name+") (task "+t.ID+") (port "+strconv.Itoa(target.Port)+") is unhealthy in (target-group "+
				s.targetGroupName(target.TargetGroup)+") due to (reason "+h.Description+").")
			if err := s.requestStop(t, "Task failed ELB health checks in (target-group "+target.TargetGroup+")", TaskStopCode("ServiceSchedulerInitiated")); err != nil {
				return err
			}
			s.event(v, now, "(service "+name+") has stopped 1 running tasks: (task "+t.ID+").")
			changed = true
			continue
		}
		if deref(t.T.HealthStatus) == healthUnhealthy {
			// An essential container failed its health checks: the
			// scheduler stops and replaces the task.
			s.event(v, now, "(service "+name+") (task "+t.ID+") failed container health checks.")
			if err := s.requestStop(t, failedHealthCheck, TaskStopCode("ServiceSchedulerInitiated")); err != nil {
				return err
			}
			s.event(v, now, "(service "+name+") has stopped 1 running tasks: (task "+t.ID+").")
			changed = true
			continue
		}
		byDep[t.Deployment] = append(byDep[t.Deployment], t)
		if s.targetsHealthy(v, t) {
			healthy++
		}
	}
	for _, ts := range byDep {
		sort.Slice(ts, func(i, j int) bool { return deref(ts[i].T.CreatedAt).Before(deref(ts[j].T.CreatedAt)) })
	}
	if status == statusDraining {
		// Deleting scaled the service to zero: its tasks stop as any
		// scale-in stops them.
		var stopped []string
		for dep, ts := range byDep {
			for _, t := range ts {
				if err := s.requestStop(t, "Scaling activity initiated by (deployment "+dep+")", TaskStopCode("ServiceSchedulerInitiated")); err != nil {
					return err
				}
				stopped = append(stopped, t.ID)
			}
		}
		if len(stopped) > 0 {
			s.event(v, now, "(service "+name+") has stopped "+itoa(len(stopped))+" running tasks: "+taskList(stopped)+".")
			changed = true
		}
		if alive == 0 {
			v.D.Status = ptr(statusInactive)
			v.D.Deployments = []Deployment{}
			changed = true
		}
		return s.saveService(v, changed)
	}
	desired := int(deref(v.D.DesiredCount))
	maxPct := int(deref(v.D.DeploymentConfiguration.MaximumPercent))
	minPct := int(deref(v.D.DeploymentConfiguration.MinimumHealthyPercent))
	maxTotal := max(desired*maxPct/100, 1)
	if desired == 0 {
		maxTotal = 0
	}
	minHealthy := (desired*minPct + 99) / 100
	primary := &v.D.Deployments[0]
	pid := deref(primary.Id)
	mine := byDep[pid]

	// Too many tasks of the primary deployment: stop the newest.
	if len(mine) > desired {
		var stopped []string
		for _, t := range mine[desired:] {
			if err := s.requestStop(t, "Scaling activity initiated by (deployment "+pid+")", TaskStopCode("ServiceSchedulerInitiated")); err != nil {
				return err
			}
			stopped = append(stopped, t.ID)
			alive--
		}
		mine = mine[:desired]
		s.event(v, now, "(service "+name+") has stopped "+itoa(len(stopped))+" running tasks: "+taskList(stopped)+".")
		changed = true
	}
	// Too few: start what the maximum percent allows, unless throttled
	// or the circuit breaker stopped the deployment.
	failed := deref(primary.RolloutState) == DeploymentRolloutState("FAILED")
	if need := min(desired-len(mine), maxTotal-alive); need > 0 && now.UnixMilli() >= v.NextLaunch && !failed {
		r := s.findRevision(deref(primary.TaskDefinition))
		c := s.clusters[v.Cluster]
		if r != nil && c != nil {
			var started []string
			for range need {
				t, err := s.launch(launchRequest{cluster: c, rev: r, launchType: deref(v.D.LaunchType), startedBy: pid,
					group: "service:" + name, service: name, deployment: pid, network: v.D.NetworkConfiguration,
					execCommand: deref(v.D.EnableExecuteCommand)})
				if err != nil {
					return err
				}
				started = append(started, t.ID)
			}
			s.event(v, now, "(service "+name+") has started "+itoa(len(started))+" tasks: "+taskList(started)+".")
			changed = true
		}
	}
	// Old deployments drain while the healthy count stays at the
	// minimum healthy percent.
	kept := v.D.Deployments[:1]
	for _, d := range v.D.Deployments[1:] {
		old := byDep[deref(d.Id)]
		var stopped []string
		for _, t := range old {
			running := s.targetsHealthy(v, t)
			if running && healthy-1 < minHealthy {
				continue
			}
			if err := s.requestStop(t, "Scaling activity initiated by (deployment "+deref(d.Id)+")", TaskStopCode("ServiceSchedulerInitiated")); err != nil {
				return err
			}
			if running {
				healthy--
			}
			stopped = append(stopped, t.ID)
		}
		if len(stopped) > 0 {
			s.event(v, now, "(service "+name+") has stopped "+itoa(len(stopped))+" running tasks: "+taskList(stopped)+".")
			changed = true
		}
		if len(stopped) < len(old) || len(old) > 0 && s.anyAlive(old) || stopping[deref(d.Id)] {
			kept = append(kept, d)
		} else {
			changed = true
		}
	}
	v.D.Deployments = kept
	runningPrimary := 0
	for _, t := range mine {
		// Behind a load balancer a task counts once its targets are
		// healthy.
		if s.targetsHealthy(v, t) {
			runningPrimary++
		}
	}
	steady := len(kept) == 1 && runningPrimary == desired && len(mine) == desired && alive == desired
	if steady && !v.Steady {
		primary.RolloutState = ptr(DeploymentRolloutState("COMPLETED"))
		primary.RolloutStateReason = ptr("ECS deployment " + pid + " completed.")
		primary.UpdatedAt = ptr(now)
		v.Failures, v.NextLaunch = 0, 0
		if deref(primary.Status) == deploymentPrimary && !v.Completed[pid] {
			s.event(v, now, "(service "+name+") (deployment "+pid+") deployment completed.")
			if v.Completed == nil {
				v.Completed = map[string]bool{}
			}
			v.Completed[pid] = true
		}
		s.event(v, now, "(service "+name+") has reached a steady state.")
		changed = true
	}
	if steady != v.Steady {
		v.Steady = steady
		changed = true
	}
	return s.saveService(v, changed)
}

// anyAlive says whether any of the tasks has not stopped yet.
func (s *Service) anyAlive(ts []*task) bool {
	for _, t := range ts {
		if deref(t.T.LastStatus) != statusStopped {
			return true
		}
	}
	return false
}

func (s *Service) saveService(v *service, changed bool) error {
	if !changed {
		return nil
	}
	return s.put(serviceKey(v.Cluster, deref(v.D.ServiceName)), v)
}

// taskStopped counts a service task's failure toward the launch
// backoff. s.mu is held.
func (s *Service) taskStopped(t *task) {
	if t.Service == "" {
		return
	}
	v := s.services[t.Cluster+"/"+t.Service]
	if v == nil {
		return
	}
	code := deref(t.T.StopCode)
	if code != TaskStopCode("TaskFailedToStart") && code != TaskStopCode("EssentialContainerExited") {
		return
	}
	now := s.clock.Now()
	v.Failures++
	v.NextLaunch = now.Add(backoff(v.Failures)).UnixMilli()
	v.Steady = false
	if v.Failures == throttleAfter {
		s.event(v, now, "(service "+t.Service+") is unable to consistently start tasks successfully.")
	}
	s.countFailure(v, t.Deployment, now)
	if err := s.saveService(v, true); err != nil {
		s.log.Error("ecs: saving a service", "service", t.Service, "err", err)
	}
}

// backoff is how long the scheduler waits before the next launch after
// n failures in a row.
func backoff(n int) time.Duration {
	d := baseBackoff
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// event records a service event, newest first.
func (s *Service) event(v *service, now time.Time, msg string) {
	e := ServiceEvent{Id: ptr(s.ids.UUID()), CreatedAt: ptr(now), Message: ptr(msg)}
	v.D.Events = append([]ServiceEvent{e}, v.D.Events...)
	if len(v.D.Events) > maxServiceEvents {
		v.D.Events = v.D.Events[:maxServiceEvents]
	}
}

// taskList is task ids as service events list them: "(task a) (task b)".
func taskList(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "(task " + id + ")"
	}
	return strings.Join(parts, " ")
}

func itoa(n int) string { return revisionString(int32(n)) }

// Circuit breaker limits: a deployment fails after half its desired
// count of tasks failed, at least 3 and at most 200, as the deployment
// circuit breaker's threshold is documented.
const (
	minFailedThreshold = 3
	maxFailedThreshold = 200
)

// countFailure adds a failed task to its deployment and, when the
// service's deployment circuit breaker is on and the PRIMARY deployment
// reaches its threshold, fails the deployment; with rollback the
// previous deployment becomes PRIMARY again. s.mu is held.
func (s *Service) countFailure(v *service, deployment string, now time.Time) {
	name := deref(v.D.ServiceName)
	for i := range v.D.Deployments {
		d := &v.D.Deployments[i]
		if deref(d.Id) != deployment {
			continue
		}
		d.FailedTasks = ptr(deref(d.FailedTasks) + 1)
		cb := v.D.DeploymentConfiguration.DeploymentCircuitBreaker
		if i != 0 || cb == nil || !deref(cb.Enable) || deref(d.RolloutState) != DeploymentRolloutState("IN_PROGRESS") {
			return
		}
		threshold := min(max(int(deref(d.DesiredCount))/2, minFailedThreshold), maxFailedThreshold)
		if int(deref(d.FailedTasks)) < threshold {
			return
		}
		d.RolloutState = ptr(DeploymentRolloutState("FAILED"))
		d.RolloutStateReason = ptr("ECS deployment circuit breaker: tasks failed to start.")
		d.UpdatedAt = ptr(now)
		s.event(v, now, "(service "+name+") (deployment "+deref(d.Id)+") deployment failed: tasks failed to start.")
		if !deref(cb.Rollback) || len(v.D.Deployments) < 2 {
			return
		}
		back := v.D.Deployments[1]
		s.event(v, now, "(service "+name+") rolling back to deployment "+deref(back.Id)+".")
		back.Status = ptr(deploymentPrimary)
		back.DesiredCount = v.D.DesiredCount
		back.RolloutState = ptr(DeploymentRolloutState("IN_PROGRESS"))
		back.RolloutStateReason = ptr("ECS deployment " + deref(back.Id) + " in progress.")
		back.UpdatedAt = ptr(now)
		d.Status = ptr(deploymentActive)
		v.D.Deployments = append([]Deployment{back, *d}, v.D.Deployments[2:]...)
		v.D.TaskDefinition = back.TaskDefinition
		v.Failures, v.NextLaunch = 0, 0
		return
	}
}
