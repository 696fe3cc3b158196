package app

import (
	"context"
	"errors"
	"time"

	"github.com/virga/virga/internal/ecs"
)

// noContainerRuntime is ECS's runtime until a node agent runs
// containers: every task fails to start, saying why.
type noContainerRuntime struct{}

func (noContainerRuntime) StartTask(context.Context, ecs.TaskSpec) (ecs.RunningTask, error) {
	return nil, errors.New("no container runtime: this virga has no node agent to run containers (containerd)")
}

// containerLogs writes ECS containers' awslogs output to CloudWatch Logs
// through the buffered stream writers access logs use. The group is
// created when missing, whatever awslogs-create-group says.
type containerLogs struct{ k *accessLogSink }

func (c containerLogs) WriteLog(group, stream string, _ bool, at time.Time, line string) error {
	return c.k.Write(group, stream, at, line)
}
