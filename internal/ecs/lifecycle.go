package ecs

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// stopRequest tells a task's lifecycle that its desired status is now
// STOPPED (the reason and code are already on the task).
type stopRequest struct{}

// defaultStopTimeout is how long containers get between SIGTERM and
// SIGKILL when their definition sets no stopTimeout: 30 seconds.
const defaultStopTimeout = 30 * time.Second

// stopSlack is how long past its containers' stop timeout a task waits
// for the runtime before it is recorded stopped anyway.
const stopSlack = 10 * time.Second

// essentialExited is the stoppedReason of a task whose essential
// container exited.
const essentialExited = "Essential container in task exited"

// drainPoll is how often a DEACTIVATING task looks at the clock for
// the end of its targets' deregistration delay (a fake clock moves
// between looks).
const drainPoll = 50 * time.Millisecond

// exit is one container's end.
type exit struct {
	name string
	code int
	err  error
}

// lifecycle drives one task from PROVISIONING (an awsvpc task) or
// PENDING (the others) to STOPPED:
//
//	PROVISIONING ─► PENDING ─► Runtime.StartTask ─┬ error ─► STOPPED (TaskFailedToStart)
//	                                               └► RUNNING ─► an essential container
//	                                                  exits, StopTask, the service
//	                                                  scheduler or Close ─► DEACTIVATING while
//	                                                  its targets drain ─► DEPROVISIONING
//	                                                  ─► RunningTask.Stop ─► STOPPED
func (s *Service) lifecycle(id string) {
	defer s.tasksWG.Done()
	defer s.nudge()
	s.mu.Lock()
	t := s.tasks[id]
	stop := s.stops[id]
	if deref(t.T.DesiredStatus) == statusStopped {
		s.finish(t, nil)
		s.mu.Unlock()
		return
	}
	if deref(t.T.LastStatus) != statusPending {
		t.T.LastStatus = ptr(statusPending)
		s.save(t)
	}
	spec := s.spec(t)
	s.mu.Unlock()

	// As the agent does: registry credentials and secrets first, then
	// the images, then each container's log stream.
	role := spec.ExecutionRole
	var err error
	spec.Volumes, err = taskVolumes(&t.Def)
	if err == nil {
		err = s.checkRegistryAuth(s.ctx, t)
	}
	if err == nil {
		err = s.addSecrets(s.ctx, t.Def, role, t.ID, &spec)
	}
	if p, ok := s.runtime.(ImagePuller); ok && err == nil {
		_, err = s.untilStopped(stop, func(ctx context.Context) (RunningTask, error) { return nil, p.PullImages(ctx, spec) })
	}
	if err == nil {
		err = s.openLogStreams(t.ID, role, t.Def)
	}
	var rt RunningTask
	if err == nil {
		rt, err = s.startContainers(spec, stop)
	}
	s.mu.Lock()
	if err != nil && deref(t.T.DesiredStatus) == statusStopped {
		// Stopped while its containers waited for their dependencies.
		s.finish(t, nil)
		s.mu.Unlock()
		return
	}
	if err != nil {
		now := s.clock.Now()
		for i := range t.T.Containers {
			t.T.Containers[i].Reason = ptr(err.Error())
		}
		t.T.StopCode = ptr(TaskStopCode("TaskFailedToStart"))
		t.T.StoppedReason = ptr(err.Error())
		t.T.DesiredStatus = ptr(statusStopped)
		t.T.StoppingAt = ptr(now)
		s.finish(t, nil)
		s.mu.Unlock()
		return
	}
	now := s.clock.Now()
	t.T.LastStatus = ptr(statusRunning)
	t.T.StartedAt = ptr(now)
	t.T.PullStartedAt, t.T.PullStoppedAt = ptr(now), ptr(now)
	bound := rt.Ports()
	t.stats, _ = rt.(StatsReporter)
	for i := range t.T.Containers {
		c := &t.T.Containers[i]
		c.LastStatus = ptr(statusRunning)
		c.RuntimeId = ptr(id + "-" + deref(c.Name))
		if d, ok := rt.(ImageDigester); ok && d.ImageDigest(deref(c.Name)) != "" {
			c.ImageDigest = ptr(d.ImageDigest(deref(c.Name)))
		}
		for _, b := range bound {
			if b.Container == deref(c.Name) {
				c.NetworkBindings = append(c.NetworkBindings, NetworkBinding{BindIP: ptr("127.0.0.1"), // where the runtime binds it
					ContainerPort: ptr(int32(b.ContainerPort)), HostPort: ptr(int32(b.HostPort)), Protocol: ptr(TransportProtocol(b.Protocol))})
			}
		}
	}
	// A service's task is registered in its target groups as it becomes
	// RUNNING, so that the scheduler never sees it running unregistered.
	if v := s.services[t.Cluster+"/"+t.Service]; t.Service != "" && v != nil && len(v.D.LoadBalancers) > 0 {
		t.Targets = s.registerTargets(t, v.D.LoadBalancers, bound)
		s.targetEvents(t, "registered", t.Targets)
	}
	hr, _ := rt.(HealthReporter)
	var healthTick <-chan time.Time
	if hr != nil && hasHealthChecks(t.Def) {
		s.updateHealth(t, hr)
		ticker := time.NewTicker(healthPoll)
		defer ticker.Stop()
		healthTick = ticker.C
	}
	s.save(t)
	grace := stopTimeout(t.Def)
	s.mu.Unlock()

	exits := make(chan exit, len(spec.Containers))
	waitCtx, cancelWaits := context.WithCancel(context.Background())
	defer cancelWaits()
	for _, c := range spec.Containers {
		go func() {
			code, err := rt.Wait(waitCtx, c.Name)
			exits <- exit{c.Name, code, err}
		}()
	}
	remaining := len(spec.Containers)
	stopping := false
	var gaveUp <-chan time.Time
	// While the task's targets drain it is DEACTIVATING: drainTick
	// looks at the clock until drainUntil.
	var drainUntil time.Time
	var drainTick <-chan time.Time
	var drainTicker *time.Ticker
	defer func() {
		if drainTicker != nil {
			drainTicker.Stop()
		}
	}()
	deprovision := func() {
		if drainTicker != nil {
			drainTicker.Stop()
			drainTicker, drainTick = nil, nil
		}
		s.mu.Lock()
		t.T.LastStatus = ptr(statusDeprovisioning)
		s.save(t)
		s.mu.Unlock()
		go func() {
			if err := rt.Stop(context.Background(), grace); err != nil {
				s.log.Warn("ecs: stopping a task", "task", t.ID, "err", err)
			}
		}()
		// A runtime that does not end the containers within their grace
		// does not hold the task (or virga's shutdown) forever.
		gaveUp = time.After(grace + s.stopSlack)
	}
	// beginStop deregisters the task's targets and, when drain is set
	// (the task is stopped, not dead), waits in DEACTIVATING for their
	// deregistration delay before the containers are stopped.
	beginStop := func(reason string, code TaskStopCode, drain bool) {
		s.mu.Lock()
		if deref(t.T.DesiredStatus) != statusStopped {
			t.T.DesiredStatus = ptr(statusStopped)
			t.T.StoppedReason = ptr(reason)
			t.T.StopCode = ptr(code)
		}
		t.T.StoppingAt = ptr(s.clock.Now())
		targets := t.Targets
		t.Targets = nil
		if len(targets) > 0 && drain {
			t.T.LastStatus = ptr(statusDeactivating)
		}
		s.save(t)
		s.mu.Unlock()
		stopping = true
		if len(targets) > 0 {
			d := s.deregisterTargets(t, targets)
			s.mu.Lock()
			s.targetEvents(t, "deregistered", targets)
			if v := s.services[t.Cluster+"/"+t.Service]; v != nil && drain && d > 0 {
				s.event(v, s.clock.Now(), "(service "+t.Service+") has begun draining connections on 1 tasks.")
			}
			s.mu.Unlock()
			if drain && d > 0 {
				drainUntil = s.clock.Now().Add(d)
				drainTicker = time.NewTicker(drainPoll)
				drainTick = drainTicker.C
				return
			}
		}
		deprovision()
	}
	closed := s.ctx.Done()
	for remaining > 0 {
		select {
		case <-gaveUp:
			s.log.Warn("ecs: a task's containers did not stop; recording it stopped", "task", t.ID)
			remaining = 0
		case e := <-exits:
			remaining--
			s.mu.Lock()
			essential := false
			for i := range t.T.Containers {
				c := &t.T.Containers[i]
				if deref(c.Name) != e.name {
					continue
				}
				c.LastStatus = ptr(statusStopped)
				c.NetworkBindings = []NetworkBinding{}
				if e.err == nil {
					c.ExitCode = ptr(int32(e.code))
					if o, ok := rt.(OOMReporter); ok && o.OOMKilled(e.name) {
						c.Reason = ptr(outOfMemory)
					}
				} else {
					c.Reason = ptr(e.err.Error())
				}
				essential = deref(t.Def.ContainerDefinitions[i].Essential)
			}
			s.save(t)
			s.mu.Unlock()
			if essential && !stopping {
				beginStop(essentialExited, TaskStopCode("EssentialContainerExited"), false)
			}
		case <-stop:
			if !stopping {
				beginStop("", TaskStopCode("UserInitiated"), true)
			}
		case <-healthTick:
			s.mu.Lock()
			if !stopping && s.updateHealth(t, hr) {
				s.save(t)
				if deref(t.T.HealthStatus) == healthUnhealthy && t.Service != "" {
					s.nudge()
				}
			}
			s.mu.Unlock()
		case <-drainTick:
			if !s.clock.Now().Before(drainUntil) {
				deprovision()
			}
		case <-closed:
			closed = nil
			if !stopping {
				beginStop(hostStopped, TaskStopCode("TerminationNotice"), false)
			} else if drainTick != nil {
				deprovision()
			}
		}
	}
	s.mu.Lock()
	if !stopping {
		t.T.StoppingAt = ptr(s.clock.Now())
	}
	s.finish(t, rt)
	s.mu.Unlock()
}

// finish records a task STOPPED. s.mu is held.
func (s *Service) finish(t *task, rt RunningTask) {
	now := s.clock.Now()
	if t.T.StoppingAt == nil {
		t.T.StoppingAt = ptr(now)
	}
	t.markStopped(now, deref(t.T.StoppedReason), deref(t.T.StopCode))
	for i := range t.T.Containers {
		c := &t.T.Containers[i]
		c.LastStatus = ptr(statusStopped)
		c.NetworkBindings = []NetworkBinding{}
	}
	if len(t.Targets) > 0 {
		s.deregisterTargets(t, t.Targets)
		s.targetEvents(t, "deregistered", t.Targets)
		t.Targets = nil
	}
	s.save(t)
	delete(s.stops, t.ID)
	delete(s.secrets, t.secret)
	s.taskStopped(t)
}

// markStopped sets a task's status and timestamps to STOPPED.
func (t *task) markStopped(now time.Time, reason string, code TaskStopCode) {
	t.T.LastStatus = ptr(statusStopped)
	t.T.DesiredStatus = ptr(statusStopped)
	if reason != "" {
		t.T.StoppedReason = ptr(reason)
	}
	if code != "" {
		t.T.StopCode = ptr(code)
	}
	if t.T.StoppingAt == nil {
		t.T.StoppingAt = ptr(now)
	}
	t.T.StoppedAt = ptr(now)
	t.T.ExecutionStoppedAt = ptr(now)
	for i := range t.T.Attachments {
		if deref(t.T.Attachments[i].Type) == "ElasticNetworkInterface" {
			t.T.Attachments[i].Status = ptr("DELETED")
		}
	}
	t.T.Version = ptr(deref(t.T.Version) + 1)
}

// save writes a task through, logging a failure: the lifecycle has no
// caller to answer. s.mu is held.
func (s *Service) save(t *task) {
	t.T.Version = ptr(deref(t.T.Version) + 1)
	if err := s.put(taskKey(t.ID), t); err != nil {
		s.log.Error("ecs: saving a task", "task", t.ID, "err", err)
	}
	s.taskStateChanged(t)
}

// stopTimeout is the longest stopTimeout of a task's containers.
func stopTimeout(def TaskDefinition) time.Duration {
	d := defaultStopTimeout
	for i, c := range def.ContainerDefinitions {
		if c.StopTimeout != nil {
			if v := time.Duration(*c.StopTimeout) * time.Second; i == 0 || v > d {
				d = v
			}
		}
	}
	return d
}

// healthPoll is how often a running task's containers' health is read
// from the runtime, which runs the checks on their own intervals.
const healthPoll = 200 * time.Millisecond

// hasHealthChecks says whether any container of def has a health check.
func hasHealthChecks(def TaskDefinition) bool {
	for _, cd := range def.ContainerDefinitions {
		if healthSpec(cd.HealthCheck) != nil {
			return true
		}
	}
	return false
}

// startContainers starts a task's containers; a stop requested meanwhile
// (while containers wait for their dependencies) cancels the start,
// and one requested as it succeeds is passed on to the lifecycle.
func (s *Service) startContainers(spec TaskSpec, stop chan stopRequest) (RunningTask, error) {
	return s.untilStopped(stop, func(ctx context.Context) (RunningTask, error) { return s.runtime.StartTask(ctx, spec) })
}

// untilStopped runs start (pulling or starting a task's containers)
// with a context a stop requested meanwhile cancels; a stop requested
// as it succeeds is passed on to the lifecycle.
func (s *Service) untilStopped(stop chan stopRequest, start func(context.Context) (RunningTask, error)) (RunningTask, error) {
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	done := make(chan struct{})
	stopped := make(chan bool, 1)
	go func() {
		select {
		case <-stop:
			cancel()
			stopped <- true
		case <-done:
			stopped <- false
		}
	}()
	rt, err := start(ctx)
	close(done)
	if <-stopped && err == nil {
		select {
		case stop <- stopRequest{}:
		default: // another request is already waiting
		}
	}
	return rt, err
}

// spec is what the runtime starts for a task: its containers with the
// task's overrides applied. s.mu is held.
func (s *Service) spec(t *task) TaskSpec {
	spec := TaskSpec{ID: t.ID}
	for i, cd := range t.Def.ContainerDefinitions {
		c := ContainerSpec{Name: deref(cd.Name), Image: deref(cd.Image), EntryPoint: cd.EntryPoint, Command: cd.Command,
			WorkingDir: deref(cd.WorkingDirectory), User: deref(cd.User), CPUUnits: int64(deref(cd.Cpu)),
			Mounts: containerMounts(&t.Def, i), ReadonlyRootfs: deref(cd.ReadonlyRootFilesystem)}
		if cd.Memory != nil {
			c.MemoryMiB = int64(*cd.Memory)
		}
		env := map[string]string{}
		var order []string
		setEnv := func(kv []KeyValuePair) {
			for _, p := range kv {
				k := deref(p.Name)
				if _, ok := env[k]; !ok {
					order = append(order, k)
				}
				env[k] = deref(p.Value)
			}
		}
		setEnv(s.taskEnv(t, c.Name))
		setEnv(cd.Environment)
		if t.T.Overrides != nil {
			for _, o := range t.T.Overrides.ContainerOverrides {
				if deref(o.Name) != c.Name {
					continue
				}
				if o.Command != nil {
					c.Command = o.Command
				}
				setEnv(o.Environment)
				if o.Cpu != nil {
					c.CPUUnits = int64(*o.Cpu)
				}
				if o.Memory != nil {
					c.MemoryMiB = int64(*o.Memory)
				}
			}
		}
		for _, k := range order {
			c.Env = append(c.Env, k+"="+env[k])
		}
		for _, p := range cd.PortMappings {
			host := int(deref(p.HostPort))
			if deref(t.Def.NetworkMode) == modeAwsvpc {
				// On AWS each awsvpc task has its own address, so tasks
				// share port numbers; on virga's one node each task's
				// port is published on a free host port instead.
				host = 0
			}
			c.PortMappings = append(c.PortMappings, PublishedPort{ContainerPort: int(deref(p.ContainerPort)),
				HostPort: host, Protocol: string(deref(p.Protocol))})
		}
		c.Logs = s.logWriter(t.ID, c.Name, cd.LogConfiguration)
		c.HealthCheck = healthSpec(cd.HealthCheck)
		for _, d := range cd.DependsOn {
			c.DependsOn = append(c.DependsOn, DependencySpec{Container: deref(d.ContainerName), Condition: string(deref(d.Condition))})
		}
		if cd.StartTimeout != nil {
			c.StartTimeout = time.Duration(*cd.StartTimeout) * time.Second
		}
		spec.Containers = append(spec.Containers, c)
	}
	spec.Containers = startOrder(spec.Containers, t.Def.ContainerDefinitions)
	if s.execCheck != nil {
		spec.ExecutionRole = executionRole(t)
	}
	return spec
}

// startOrder puts each container after the containers its dependsOn
// names, keeping the definition's order otherwise; a cycle leaves the
// rest in the definition's order.
func startOrder(cs []ContainerSpec, defs []ContainerDefinition) []ContainerSpec {
	deps := map[string][]string{}
	for _, d := range defs {
		for _, on := range d.DependsOn {
			deps[deref(d.Name)] = append(deps[deref(d.Name)], deref(on.ContainerName))
		}
	}
	placed := map[string]bool{}
	out := make([]ContainerSpec, 0, len(cs))
	for len(out) < len(cs) {
		progress := false
		for _, c := range cs {
			if placed[c.Name] {
				continue
			}
			ready := true
			for _, on := range deps[c.Name] {
				if !placed[on] {
					ready = false
				}
			}
			if ready {
				out, placed[c.Name], progress = append(out, c), true, true
			}
		}
		if !progress {
			for _, c := range cs {
				if !placed[c.Name] {
					out, placed[c.Name] = append(out, c), true
				}
			}
		}
	}
	return out
}

// awslogsStream is where a container's awslogs output goes: group
// awslogs-group, stream awslogs-stream-prefix/CONTAINER/TASK_ID (the
// prefix may be absent), and whether the group may be created.
func awslogsStream(taskID, container string, lc *LogConfiguration) (group, stream string, create, ok bool) {
	if lc == nil || deref(lc.LogDriver) != LogDriver("awslogs") || lc.Options["awslogs-group"] == "" {
		return "", "", false, false
	}
	stream = container + "/" + taskID
	if p := lc.Options["awslogs-stream-prefix"]; p != "" {
		stream = p + "/" + stream
	}
	create, _ = strconv.ParseBool(lc.Options["awslogs-create-group"])
	return lc.Options["awslogs-group"], stream, create, true
}

// openLogStreams opens the awslogs streams of a task's containers before
// they start; a failure fails the task as the awslogs driver does on
// ECS.
func (s *Service) openLogStreams(taskID, role string, def TaskDefinition) error {
	if s.logs == nil {
		return nil
	}
	for _, cd := range def.ContainerDefinitions {
		group, stream, create, ok := awslogsStream(taskID, deref(cd.Name), cd.LogConfiguration)
		if !ok {
			continue
		}
		err := s.checkLogStream(s.ctx, role, taskID, group, stream, create)
		if err == nil {
			err = s.logs.OpenStream(group, stream, create)
		}
		if err != nil {
			return fmt.Errorf("ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: %v : exit status 1", err)
		}
	}
	return nil
}

// logWriter sends a container's lines to CloudWatch Logs when its log
// driver is awslogs: group awslogs-group, stream
// awslogs-stream-prefix/container/task id.
func (s *Service) logWriter(taskID, container string, lc *LogConfiguration) func(string, []byte) {
	group, stream, create, ok := awslogsStream(taskID, container, lc)
	if s.logs == nil || !ok {
		return nil
	}
	return func(_ string, line []byte) {
		if err := s.logs.WriteLog(group, stream, create, s.clock.Now(), string(line)); err != nil {
			s.log.Warn("ecs: awslogs", "group", group, "stream", stream, "err", err)
		}
	}
}
