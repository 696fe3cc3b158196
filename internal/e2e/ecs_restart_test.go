package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// runningServiceTasks waits until the service runs n tasks and returns
// their ARNs.
func runningServiceTasks(t *testing.T, c *ecs.Client, cluster, service string, n int) []string {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, err := c.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(cluster), ServiceName: aws.String(service)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.TaskArns) == n {
			d, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: out.TaskArns})
			if err != nil {
				t.Fatal(err)
			}
			running := 0
			for _, task := range d.Tasks {
				if aws.ToString(task.LastStatus) == "RUNNING" {
					running++
				}
			}
			if running == n {
				return out.TaskArns
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("service %s never ran %d tasks: %v", service, n, out.TaskArns)
		}
	}
}

func TestECSSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onDisk := e2e.WithConfig(func(c *config.Config) { c.InMemory, c.DataDir = false, dir })
	env := e2e.Start(t, onDisk, e2e.WithContainerRuntime(newContainerDouble()))
	c := ecs.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("durable")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("svc"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(64)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("durable"), ServiceName: aws.String("api"),
		TaskDefinition: aws.String("svc"), DesiredCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	before := runningServiceTasks(t, c, "durable", "api", 1)
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := env.App.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}

	env = e2e.Start(t, onDisk, e2e.WithContainerRuntime(newContainerDouble()))
	c = ecs.NewFromConfig(env.Config)
	old, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("durable"), Tasks: before})
	if err != nil {
		t.Fatal(err)
	}
	if task := old.Tasks[0]; aws.ToString(task.LastStatus) != "STOPPED" || !strings.HasPrefix(aws.ToString(task.StoppedReason), "Host EC2 (instance virga) stopped") {
		t.Fatalf("the previous process's task: %s %q", aws.ToString(task.LastStatus), aws.ToString(task.StoppedReason))
	}
	after := runningServiceTasks(t, c, "durable", "api", 1)
	if after[0] == before[0] {
		t.Fatalf("no replacement: %v", after)
	}
}
