package app

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/ecr"
	"github.com/virga/virga/internal/ecs"
)

// registryRef is virga's ECR for those made before it: Lambda resolves
// image functions' ImageUri through it, and the node agent answers the
// registry's challenges with the tokens it mints.
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

// credentials implements agent.Options.Credentials: a token for virga's
// own registry, asked by its host name or on loopback; other registries
// get none.
func (r *registryRef) credentials(host string) (user, secret string, err error) {
	s := r.p.Load()
	if s == nil {
		return "", "", errors.New("no registry")
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	if ip := net.ParseIP(name); name != s.RegistryHost() && name != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", "", nil
	}
	user, secret = s.PullCredentials()
	return user, secret, nil
}

// noContainerRuntime is ECS's runtime until a node agent runs
// containers: every task fails to start, saying why.
type noContainerRuntime struct{}

func (noContainerRuntime) StartTask(context.Context, ecs.TaskSpec) (ecs.RunningTask, error) {
	return nil, errors.New("no container runtime: this virga has no node agent to run containers (containerd)")
}

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
