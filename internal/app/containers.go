package app

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/virga/virga/internal/agent"
	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/ecr"
	"github.com/virga/virga/internal/ecs"
	"github.com/virga/virga/internal/iam"
	"github.com/virga/virga/internal/lambda"
)

// agentRuntime is the node agent as ECS's runtime: the containers reach
// virga at its own address (the callback), and the agent's errors are
// ECS's stopped reasons.
type agentRuntime struct {
	a      *App
	images func() *ecr.Service
}

// pullCredentials are what a task's pulls authenticate with: with an
// execution role (roles enforced), a registry token of its session, so
// that the registry authorizes the pulls for the role; nil otherwise
// (virga's own).
func (r agentRuntime) pullCredentials(spec ecs.TaskSpec) func(host string) (string, string, error) {
	role := spec.ExecutionRole
	if role == "" {
		return nil
	}
	return ownRegistryCredentials(r.a, r.images, func(e *ecr.Service) (string, string) {
		return e.RoleCredentials(role, spec.ID)
	})
}

// PullImages implements ecs.ImagePuller: the task's images, pulled
// before its containers (and their log streams) are made.
func (r agentRuntime) PullImages(ctx context.Context, spec ecs.TaskSpec) error {
	creds := r.pullCredentials(spec)
	for _, c := range spec.Containers {
		if err := r.a.containers.PullWith(ctx, c.Image, creds); err != nil {
			return stoppedReason(err)
		}
	}
	return nil
}

func (r agentRuntime) StartTask(ctx context.Context, spec ecs.TaskSpec) (ecs.RunningTask, error) {
	s := agent.TaskSpec{ID: spec.ID, Callback: strings.TrimPrefix(r.a.endpoint(), "http://"), Credentials: r.pullCredentials(spec)}
	for _, c := range spec.Containers {
		ac := agent.ContainerSpec{Name: c.Name, Image: c.Image, EntryPoint: c.EntryPoint, Command: c.Command, Env: c.Env,
			WorkingDir: c.WorkingDir, User: c.User, MemoryMiB: c.MemoryMiB, CPUUnits: c.CPUUnits, Logs: c.Logs,
			StartTimeout: c.StartTimeout, ReadonlyRootfs: c.ReadonlyRootfs}
		for _, m := range c.Mounts {
			ac.Mounts = append(ac.Mounts, agent.Mount{Volume: m.Volume, ContainerPath: m.ContainerPath, ReadOnly: m.ReadOnly})
		}
		if h := c.HealthCheck; h != nil {
			ac.HealthCheck = &agent.HealthCheck{Command: h.Command, Interval: h.Interval, Timeout: h.Timeout, Retries: h.Retries, StartPeriod: h.StartPeriod}
		}
		for _, d := range c.DependsOn {
			ac.DependsOn = append(ac.DependsOn, agent.Dependency{Container: d.Container, Condition: agent.Condition(d.Condition)})
		}
		for _, p := range c.PortMappings {
			ac.PortMappings = append(ac.PortMappings, agent.PortMapping{ContainerPort: p.ContainerPort, HostPort: p.HostPort, Protocol: p.Protocol})
		}
		s.Containers = append(s.Containers, ac)
	}
	for _, v := range spec.Volumes {
		s.Volumes = append(s.Volumes, agent.Volume{Name: v.Name, HostPath: v.HostPath, Shared: v.Shared, Autoprovision: v.Autoprovision})
	}
	t, err := r.a.containers.StartTask(ctx, s)
	if err != nil {
		return nil, stoppedReason(err)
	}
	return agentTask{t}, nil
}

// stoppedReason is an agent's error as ECS's stoppedReason.
func stoppedReason(err error) error {
	var pe *agent.PullError
	switch {
	case errors.As(err, &pe) && pe.Resolving:
		// The ECS agent's words for a manifest the registry would not
		// give (missing, or refused: "...: 403 Forbidden").
		return errors.New("CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref " +
			pe.Image + ": " + pe.Err.Error())
	case errors.Is(err, agent.ErrPull):
		return errors.New("CannotPullContainerError: " + err.Error())
	case errors.Is(err, agent.ErrDependency), errors.Is(err, context.Canceled):
		// The ECS agent's own words for a dependency that cannot be
		// met; a start cancelled by a stop keeps the stop's reason.
		return err
	}
	return errors.New("CannotStartContainerError: " + err.Error())
}

// taskEndpoint is virga's URL as a task's containers reach it: the
// callback makes virga's port answer on the task's own loopback,
// whichever host address virga listens on.
func (a *App) taskEndpoint() string {
	_, port, err := net.SplitHostPort(strings.TrimPrefix(a.endpoint(), "http://"))
	if err != nil {
		return a.endpoint()
	}
	return "http://" + net.JoinHostPort("127.0.0.1", port)
}

// agentTask is an agent's task as ECS's RunningTask (and OOMReporter).
type agentTask struct{ agent.Task }

func (t agentTask) Ports() []ecs.BoundPort {
	var out []ecs.BoundPort
	for _, p := range t.Task.Ports() {
		out = append(out, ecs.BoundPort{Container: p.Container, ContainerPort: p.ContainerPort, HostPort: p.HostPort, Protocol: p.Protocol})
	}
	return out
}

func (t agentTask) ImageDigest(container string) string {
	if d, ok := t.Task.(agent.ImageDigester); ok {
		return d.ImageDigest(container)
	}
	return ""
}

func (t agentTask) Health(container string) string {
	if h, ok := t.Task.(agent.HealthReporter); ok {
		return string(h.Health(container))
	}
	return "UNKNOWN"
}

func (t agentTask) Stats(ctx context.Context, container string) (ecs.ContainerStats, error) {
	r, ok := t.Task.(agent.StatsReporter)
	if !ok {
		return ecs.ContainerStats{}, errors.New("no stats")
	}
	st, err := r.Stats(ctx, container)
	if err != nil {
		return ecs.ContainerStats{}, err
	}
	cpu := func(c agent.CPUStats) ecs.CPUStats {
		return ecs.CPUStats{Total: c.Total, Kernel: c.Kernel, User: c.User, PerCPU: c.PerCPU, System: c.System,
			OnlineCPUs: c.OnlineCPUs, Periods: c.Periods, ThrottledPeriods: c.ThrottledPeriods, ThrottledTime: c.ThrottledTime}
	}
	return ecs.ContainerStats{Read: st.Read, PreRead: st.PreRead, CPU: cpu(st.CPU), PreCPU: cpu(st.PreCPU),
		MemoryUsage: st.Memory.Usage, MemoryMaxUsage: st.Memory.MaxUsage, MemoryLimit: st.Memory.Limit,
		MemoryCounters: st.Memory.Stats, Pids: st.Pids.Current, PidsLimit: st.Pids.Limit}, nil
}

func (t agentTask) OOMKilled(container string) bool {
	o, ok := t.Task.(agent.OOMReporter)
	return ok && o.OOMKilled(container)
}

// registryRef is virga's ECR for those made before it: Lambda resolves
// image functions' ImageUri through it, and the node agent answers the
// registry's challenges with the tokens it mints (registryCredentials).
type registryRef struct{ p atomic.Pointer[ecr.Service] }

func (r *registryRef) set(s *ecr.Service) { r.p.Store(s) }

// ImageDigest implements lambda.Images.
func (r *registryRef) ImageDigest(repo, reference string) (string, error) {
	s := r.p.Load()
	if s == nil {
		return "", nil
	}
	return s.ImageDigest(repo, reference)
}

// registryCredentials answers the registry's challenge for virga's own
// registry (on virga's port, at a loopback or *.localhost name) with a
// token ECR minted, as an ECS agent would use GetAuthorizationToken.
// Other registries get no credentials.
func registryCredentials(a *App, images func() *ecr.Service) func(host string) (string, string, error) {
	return ownRegistryCredentials(a, images, (*ecr.Service).RegistryCredentials)
}

// ownRegistryCredentials answers the challenge of virga's own registry
// with what mint gives, and other registries' with none.
func ownRegistryCredentials(a *App, images func() *ecr.Service, mint func(*ecr.Service) (string, string)) func(host string) (string, string, error) {
	return func(host string) (string, string, error) {
		name, port, err := net.SplitHostPort(host)
		_, own, _ := net.SplitHostPort(strings.TrimPrefix(a.endpoint(), "http://"))
		ip := net.ParseIP(name)
		local := name == "localhost" || strings.HasSuffix(name, ".localhost") || (ip != nil && ip.IsLoopback())
		if err != nil || port != own || !local || images() == nil {
			return "", "", nil
		}
		user, pass := mint(images())
		return user, pass, nil
	}
}

// taskRoles issues ECS task roles' credentials through the cache
// functions use.
type taskRoles struct{ c *roleCache }

func (r taskRoles) AssumeRole(ctx context.Context, role, session string) (ecs.Credentials, error) {
	c, err := r.c.credentials(role, session)
	if err != nil {
		return ecs.Credentials{}, err
	}
	return ecs.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration}, nil
}

// stateLogs writes Step Functions' execution logs to CloudWatch Logs
// through the buffered stream writers access logs use: its streams are
// made by CreateLogStream, so a group that does not exist gets none.
type stateLogs struct{ c containerLogs }

func (l stateLogs) OpenStream(group, stream string) error {
	return l.c.OpenStream(group, stream, false)
}

func (l stateLogs) Write(group, stream string, at time.Time, message string) error {
	return l.c.k.Write(group, stream, at, message)
}

func (l stateLogs) CloseStream(group, stream string) { l.c.k.closeStream(group, stream) }

// containerLogs writes ECS containers' awslogs output to CloudWatch Logs
// through the buffered stream writers access logs use. Without
// awslogs-create-group a task's streams are made by CreateLogStream,
// which fails when the group is missing; with it, the writers create
// both.
type containerLogs struct {
	k *accessLogSink
	a *App
}

func (c containerLogs) OpenStream(group, stream string, createGroup bool) error {
	if createGroup {
		return nil
	}
	_, err := c.a.call(context.Background(), "logs", "CreateLogStream", map[string]any{"logGroupName": group, "logStreamName": stream})
	if e := apierr.As(err); e != nil && e.Code == "ResourceAlreadyExistsException" {
		return nil
	}
	return err
}

func (c containerLogs) WriteLog(group, stream string, _ bool, at time.Time, line string) error {
	return c.k.Write(group, stream, at, line)
}

// lambdaImageAccess decides whether Lambda may read repo for the
// function functionARN, as Lambda's developer guide describes it for
// an image in the function's own account: the repository policy must
// let lambda.amazonaws.com perform ecr:BatchGetImage and
// ecr:GetDownloadUrlForLayer; if it does not, Lambda adds that
// statement itself when the caller may ecr:GetRepositoryPolicy and
// ecr:SetRepositoryPolicy on the repository, and otherwise refuses with
// AccessDeniedException.
func lambdaImageAccess(ctx context.Context, authz *iam.Authorizer, images *ecr.Service, ecrAPI *awsproto.Service,
	region, account, functionARN, repo string) error {
	repoARN := "arn:aws:ecr:" + region + ":" + account + ":repository/" + repo
	allowed := true
	for _, action := range []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"} {
		ok, err := authz.AllowsService(ctx, ecrAPI, "lambda.amazonaws.com", action, repoARN, functionARN, account)
		if err != nil {
			return err
		}
		allowed = allowed && ok
	}
	if allowed {
		return nil
	}
	c := awsproto.CallFrom(ctx)
	if c == nil {
		return lambda.ErrImageAccessDenied
	}
	for _, action := range []string{"ecr:GetRepositoryPolicy", "ecr:SetRepositoryPolicy"} {
		if err := authz.AuthorizeCaller(ctx, &c.Caller, nil, region, ecrAPI, action, repoARN, nil); err != nil {
			if e := apierr.As(err); e != nil && e.Code == iam.ErrDenied.Code {
				return lambda.ErrImageAccessDenied
			}
			return err
		}
	}
	// The added statement must make the difference: a policy that
	// denies Lambda explicitly still does.
	ok, err := images.AllowLambdaPull(repo, func(doc string) bool {
		for _, action := range []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"} {
			if !authz.PolicyAllowsService(doc, "lambda.amazonaws.com", action, repoARN, functionARN, account) {
				return false
			}
		}
		return true
	})
	if err == nil && !ok {
		err = lambda.ErrImageAccessDenied
	}
	return err
}
