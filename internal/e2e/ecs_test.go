package e2e_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
	virgaecs "github.com/virga/virga/internal/ecs"
)

// containerDouble stands in for the node agent: a task's containers run
// until stopped (exit 143) or until the test makes one exit; port
// mappings without a host port get 40000 and up.
type containerDouble struct {
	mu    sync.Mutex
	tasks map[string]*doubleTask
	port  int
}

type doubleTask struct {
	ports []virgaecs.BoundPort
	once  map[string]*sync.Once
	exits map[string]chan int
}

func newContainerDouble() *containerDouble {
	return &containerDouble{tasks: map[string]*doubleTask{}, port: 40000}
}

func (d *containerDouble) StartTask(_ context.Context, spec virgaecs.TaskSpec) (virgaecs.RunningTask, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := &doubleTask{once: map[string]*sync.Once{}, exits: map[string]chan int{}}
	for _, c := range spec.Containers {
		t.once[c.Name], t.exits[c.Name] = &sync.Once{}, make(chan int, 1)
		for _, p := range c.PortMappings {
			host := p.HostPort
			if host == 0 {
				host, d.port = d.port, d.port+1
			}
			t.ports = append(t.ports, virgaecs.BoundPort{Container: c.Name, ContainerPort: p.ContainerPort, HostPort: host, Protocol: p.Protocol})
		}
		if c.Logs != nil {
			c.Logs("stdout", []byte("hello from "+c.Name+" "+strings.Join(c.Command, " ")))
		}
	}
	d.tasks[spec.ID] = t
	return t, nil
}

func (d *containerDouble) exit(taskArn, container string, code int) {
	d.mu.Lock()
	t := d.tasks[taskArn[strings.LastIndex(taskArn, "/")+1:]]
	d.mu.Unlock()
	t.end(container, code)
}

func (t *doubleTask) end(c string, code int) { t.once[c].Do(func() { t.exits[c] <- code }) }

func (t *doubleTask) Ports() []virgaecs.BoundPort { return t.ports }

func (t *doubleTask) Wait(ctx context.Context, c string) (int, error) {
	select {
	case code := <-t.exits[c]:
		return code, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (t *doubleTask) Stop(context.Context, time.Duration) error {
	for c := range t.exits {
		t.end(c, 143)
	}
	return nil
}

// waitTask polls DescribeTasks until the task reaches status.
func waitTask(t *testing.T, c *ecs.Client, cluster, arn, status string) ecstypes.Task {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.DescribeTasks(context.Background(), &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tasks) == 1 && aws.ToString(out.Tasks[0].LastStatus) == status {
			return out.Tasks[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s never reached %s: %+v", arn, status, out.Tasks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return ""
}

func TestECSTasksAndServices(t *testing.T) {
	t.Parallel()
	rt := newContainerDouble()
	env := e2e.Start(t, e2e.WithContainerRuntime(rt))
	network := env.DefaultNetwork(t)
	c := ecs.NewFromConfig(env.Config)
	ctx := context.Background()

	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("apps")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("bad"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("1024"), Memory: aws.String("1024"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx")}}})
	if got := apiCode(err); got != "ClientException: No Fargate configuration exists for given values: 1024 CPU, 1024 memory. See the Amazon ECS documentation for the valid values." {
		t.Fatalf("Fargate combination: %v", err)
	}
	reg, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("0.25 vCPU"), Memory: aws.String("512"),
		ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/exec"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}},
			LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
				"awslogs-group": "/ecs/web", "awslogs-stream-prefix": "web", "awslogs-create-group": "true"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if td := reg.TaskDefinition; aws.ToString(td.Cpu) != "256" || td.Revision != 1 || td.Status != ecstypes.TaskDefinitionStatusActive {
		t.Fatalf("registered %+v", td)
	}

	_, err = c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("apps"), TaskDefinition: aws.String("web"), LaunchType: ecstypes.LaunchTypeFargate})
	if got := apiCode(err); got != "InvalidParameterException: Network Configuration must be provided when networkMode 'awsvpc' is specified." {
		t.Fatalf("awsvpc without a network configuration: %v", err)
	}
	run, err := c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("apps"), TaskDefinition: aws.String("web"), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: network.Subnets[:1]}},

		StartedBy: aws.String("me"), Overrides: &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String("app"), Command: []string{"serve"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(run.Tasks[0].TaskArn)
	if id := arn[strings.LastIndex(arn, "/")+1:]; len(id) != 32 {
		t.Fatalf("task id %q is not 32 hex digits", id)
	}
	if !strings.HasPrefix(arn, "arn:aws:ecs:us-east-1:000000000000:task/apps/") || aws.ToString(run.Tasks[0].LastStatus) != "PROVISIONING" {
		t.Fatalf("RunTask gave %s, %s", arn, aws.ToString(run.Tasks[0].LastStatus))
	}
	task := waitTask(t, c, "apps", arn, "RUNNING")
	// An awsvpc task's port is published on a free host port of the
	// node (on AWS each such task has an address of its own).
	if nb := task.Containers[0].NetworkBindings; len(nb) != 1 || aws.ToInt32(nb[0].ContainerPort) != 80 || aws.ToInt32(nb[0].HostPort) == 0 {
		t.Fatalf("bindings %+v", nb)
	}
	list, err := c.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("apps"), StartedBy: aws.String("me")})
	if err != nil || len(list.TaskArns) != 1 {
		t.Fatalf("ListTasks: %v %v", list, err)
	}
	rt.exit(arn, "app", 3)
	task = waitTask(t, c, "apps", arn, "STOPPED")
	if aws.ToString(task.StoppedReason) != "Essential container in task exited" || task.StopCode != ecstypes.TaskStopCodeEssentialContainerExited ||
		aws.ToInt32(task.Containers[0].ExitCode) != 3 || task.StoppedAt == nil || task.StartedAt == nil {
		t.Fatalf("stopped task %+v", task)
	}

	svc, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("apps"), ServiceName: aws.String("site"),
		TaskDefinition: aws.String("web:1"), DesiredCount: aws.Int32(2), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: network.Subnets[:1]}}})
	if err != nil {
		t.Fatal(err)
	}
	if d := svc.Service.Deployments; len(d) != 1 || aws.ToString(d[0].Status) != "PRIMARY" {
		t.Fatalf("deployments %+v", d)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("apps"), Services: []string{"site"}})
		if err != nil {
			t.Fatal(err)
		}
		s := out.Services[0]
		if s.RunningCount == 2 && len(s.Events) > 0 && strings.Contains(aws.ToString(s.Events[0].Message), "has reached a steady state") {
			var msgs []string
			for _, e := range s.Events {
				msgs = append(msgs, aws.ToString(e.Message))
			}
			if len(msgs) != 3 || msgs[1] != "(service site) (deployment "+aws.ToString(s.Deployments[0].Id)+") deployment completed." ||
				!strings.HasPrefix(msgs[2], "(service site) has started 2 tasks: (task ") || s.Deployments[0].RolloutState != ecstypes.DeploymentRolloutStateCompleted {
				t.Fatalf("events %q, deployments %+v", msgs, s.Deployments)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("service never steady: %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cl, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"apps"}})
	if err != nil || cl.Clusters[0].RunningTasksCount != 2 || cl.Clusters[0].ActiveServicesCount != 1 {
		t.Fatalf("DescribeClusters: %+v %v", cl, err)
	}
	if _, err := c.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("apps")}); !strings.HasPrefix(apiCode(err), "ClusterContainsServicesException") {
		t.Fatalf("DeleteCluster with a service: %v", err)
	}
	if _, err := c.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("apps"), Service: aws.String("site")}); apiCode(err) != "InvalidParameterException: The service cannot be stopped while it is scaled above 0." {
		t.Fatalf("DeleteService scaled: %v", err)
	}
	if _, err := c.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("apps"), Service: aws.String("site"), Force: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
}

// TestECSUnreachableRegistry: with the node agent as the runtime, an
// image whose registry does not answer stops the task with
// CannotPullContainerError (TaskFailedToStart); on a machine without
// containerd the agent cannot start and the reason says so.
func TestECSUnreachableRegistry(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ecs.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("job"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("main"), Image: aws.String("127.0.0.1:1/nothing:latest"), Memory: aws.Int32(64)}}}); err != nil {
		t.Fatal(err)
	}
	// No cluster named: the default cluster is made on first use.
	run, err := c.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("job")})
	if err != nil {
		t.Fatal(err)
	}
	task := waitTask(t, c, "default", aws.ToString(run.Tasks[0].TaskArn), "STOPPED")
	want := "CannotPullContainerError: "
	if _, err := exec.LookPath("containerd"); err != nil || os.Geteuid() != 0 {
		want = "CannotStartContainerError: "
	}
	if task.StopCode != ecstypes.TaskStopCodeTaskFailedToStart || !strings.HasPrefix(aws.ToString(task.StoppedReason), want) ||
		aws.ToString(task.Containers[0].Reason) != aws.ToString(task.StoppedReason) {
		t.Fatalf("task stopped with %s %q, container reason %q", task.StopCode, aws.ToString(task.StoppedReason), aws.ToString(task.Containers[0].Reason))
	}
}

func TestECSCLI(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	rt := newContainerDouble()
	env := e2e.Start(t, e2e.WithContainerRuntime(rt))
	input := filepath.Join(t.TempDir(), "td.json")
	if err := os.WriteFile(input, []byte(`{"family":"cli","containerDefinitions":[{"name":"app","image":"nginx","memory":128,
		"portMappings":[{"containerPort":8080}],"environment":[{"name":"A","value":"1"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var reg struct {
		TaskDefinition struct{ TaskDefinitionArn string }
	}
	cliJSON(t, env.CLI(t, "ecs", "register-task-definition", "--cli-input-json", "file://"+input), &reg)
	if reg.TaskDefinition.TaskDefinitionArn != "arn:aws:ecs:us-east-1:000000000000:task-definition/cli:1" {
		t.Fatalf("registered %+v", reg)
	}
	var run struct{ Tasks []struct{ TaskArn string } }
	cliJSON(t, env.CLI(t, "ecs", "run-task", "--task-definition", "cli"), &run)
	arn := run.Tasks[0].TaskArn
	deadline := time.Now().Add(10 * time.Second)
	for {
		var out struct {
			Tasks []struct {
				LastStatus string
				Containers []struct{ NetworkBindings []struct{ HostPort int } }
			}
		}
		cliJSON(t, env.CLI(t, "ecs", "describe-tasks", "--tasks", arn), &out)
		if out.Tasks[0].LastStatus == "RUNNING" {
			if nb := out.Tasks[0].Containers[0].NetworkBindings; len(nb) != 1 || nb[0].HostPort < 40000 {
				t.Fatalf("bindings %+v", nb)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never RUNNING: %+v", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The CLI's waiters read the same answers.
	if res := env.CLI(t, "ecs", "wait", "tasks-running", "--tasks", arn); res.ExitCode != 0 {
		t.Fatalf("wait tasks-running: %s", res.Stderr)
	}
	if res := env.CLI(t, "ecs", "stop-task", "--task", arn, "--reason", "bye"); res.ExitCode != 0 {
		t.Fatalf("stop-task: %s", res.Stderr)
	}
	for {
		var out struct {
			Tasks []struct{ LastStatus, StoppedReason, StopCode string }
		}
		cliJSON(t, env.CLI(t, "ecs", "describe-tasks", "--tasks", arn), &out)
		if out.Tasks[0].LastStatus == "STOPPED" {
			if out.Tasks[0].StoppedReason != "bye" || out.Tasks[0].StopCode != "UserInitiated" {
				t.Fatalf("stopped %+v", out.Tasks[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never RUNNING: %+v", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestECSAwslogs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithContainerRuntime(newContainerDouble()))
	c := ecs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	register := func(family, create string) {
		t.Helper()
		if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(family),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("busybox"), Memory: aws.Int32(64),
				LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
					"awslogs-group": "/ecs/" + family, "awslogs-stream-prefix": "pre", "awslogs-create-group": create}}}}}); err != nil {
			t.Fatal(err)
		}
	}
	register("made", "true")
	register("missing", "false")

	run, err := c.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("made"),
		Overrides: &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String("app"), Command: []string{"hi"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(run.Tasks[0].TaskArn)
	waitTask(t, c, "default", arn, "RUNNING")
	stream := "pre/app/" + arn[strings.LastIndex(arn, "/")+1:]
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, err := cwl.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/ecs/made"), LogStreamName: aws.String(stream)})
		if err == nil && len(out.Events) == 1 && aws.ToString(out.Events[0].Message) == "hello from app hi" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log events of %s: %+v %v", stream, out, err)
		}
	}

	run, err = c.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("missing")})
	if err != nil {
		t.Fatal(err)
	}
	task := waitTask(t, c, "default", aws.ToString(run.Tasks[0].TaskArn), "STOPPED")
	const want = "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1"
	if aws.ToString(task.StoppedReason) != want || task.StopCode != ecstypes.TaskStopCodeTaskFailedToStart {
		t.Fatalf("without the group: %q %s", aws.ToString(task.StoppedReason), task.StopCode)
	}
}

func TestECSRollingUpdate(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithContainerRuntime(newContainerDouble()))
	c := ecs.NewFromConfig(env.Config)
	ctx := context.Background()
	for _, image := range []string{"app:1", "app:2"} {
		if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("roll"),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String(image), Memory: aws.Int32(64)}}}); err != nil {
			t.Fatal(err)
		}
	}
	svc, err := c.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("roller"), TaskDefinition: aws.String("roll:1"), DesiredCount: aws.Int32(3),
		DeploymentConfiguration: &ecstypes.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(100), MaximumPercent: aws.Int32(200)},
		Tags:                    []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	runningServiceTasks(t, c, "default", "roller", 3)
	up, err := c.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("roller"), TaskDefinition: aws.String("roll:2")})
	if err != nil {
		t.Fatal(err)
	}
	if d := up.Service.Deployments; len(d) != 2 || aws.ToString(d[0].Status) != "PRIMARY" || aws.ToString(d[1].Status) != "ACTIVE" ||
		!strings.HasSuffix(aws.ToString(d[0].TaskDefinition), ":2") {
		t.Fatalf("deployments after the update: %+v", d)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		out, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Services: []string{"roller"}})
		if err != nil {
			t.Fatal(err)
		}
		s := out.Services[0]
		// New tasks come up before old ones stop: never fewer than three run.
		if s.RunningCount < 3 {
			t.Fatalf("%d tasks running during the rollout", s.RunningCount)
		}
		if len(s.Deployments) == 1 && s.Deployments[0].RolloutState == ecstypes.DeploymentRolloutStateCompleted && s.RunningCount == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rollout never completed: %+v", s.Deployments)
		}
	}
	arns := runningServiceTasks(t, c, "default", "roller", 3)
	d, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: arns})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range d.Tasks {
		if !strings.HasSuffix(aws.ToString(task.TaskDefinitionArn), ":2") || aws.ToString(task.Group) != "service:roller" {
			t.Fatalf("task after the rollout: %s %s", aws.ToString(task.TaskDefinitionArn), aws.ToString(task.Group))
		}
	}
	arn := svc.Service.ServiceArn
	if _, err := c.TagResource(ctx, &ecs.TagResourceInput{ResourceArn: arn, Tags: []ecstypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &ecs.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &ecs.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Fatalf("tags %+v %v", tags, err)
	}
}
