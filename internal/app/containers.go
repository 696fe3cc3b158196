package app

import (
	"context"
	"errors"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/ecs"
)

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
