package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// runningTask waits for the one task of cluster whose desired status is
// RUNNING and answers it once it runs.
func runningTask(t *testing.T, c *ecs.Client, cluster string) ecstypes.Task {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		l, err := c.ListTasks(context.Background(), &ecs.ListTasksInput{Cluster: aws.String(cluster), DesiredStatus: ecstypes.DesiredStatusRunning})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.TaskArns) == 1 {
			return waitTask(t, c, cluster, l.TaskArns[0], "RUNNING")
		}
		if time.Now().After(deadline) {
			t.Fatalf("tasks running in %s: %v", cluster, l.TaskArns)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStepFunctionsECSRunTask runs ECS tasks from a state machine with
// ecs:runTask.sync (the task's description is the output; an essential
// container's non-zero exit is States.TaskFailed; StopExecution stops
// the task) and ecs:runTask.waitForTaskToken.
func TestStepFunctionsECSRunTask(t *testing.T) {
	t.Parallel()
	rt := newContainerDouble()
	env := e2e.Start(t, e2e.WithContainerRuntime(rt))
	ctx := context.Background()
	ec := ecs.NewFromConfig(env.Config)
	c := sfn.NewFromConfig(env.Config)
	if _, err := ec.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("jobs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ec.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("job"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("busybox")},
			{Name: aws.String("sidecar"), Image: aws.String("busybox"), Essential: aws.Bool(false)}}}); err != nil {
		t.Fatal(err)
	}
	subnet := env.DefaultNetwork(t).Subnets[0]
	mk := func(name, resource, overrides string) *string {
		def := `{"StartAt":"Run","States":{"Run":{"Type":"Task","Resource":"` + resource + `","Parameters":{
			"Cluster":"jobs","TaskDefinition":"job","LaunchType":"FARGATE",
			"NetworkConfiguration":{"AwsvpcConfiguration":{"Subnets":["` + subnet + `"],"AssignPublicIp":"ENABLED"}},
			"Overrides":{"ContainerOverrides":[{"Name":"app",` + overrides + `}]}},"ResultPath":"$.task","End":true}}}`
		sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(sfnRole)})
		if err != nil {
			t.Fatal(err)
		}
		return sm.StateMachineArn
	}
	syncMachine := mk("ecs-sync", "arn:aws:states:::ecs:runTask.sync", `"Command.$":"$.cmd"`)
	start := func(machine *string, input string) *string {
		out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: machine, Input: aws.String(input)})
		if err != nil {
			t.Fatal(err)
		}
		return out.ExecutionArn
	}

	// The container exits 0: the output is the stopped task.
	exec := start(syncMachine, `{"cmd":["work","1"]}`)
	task := runningTask(t, ec, "jobs")
	if got := task.Overrides.ContainerOverrides[0].Command; strings.Join(got, " ") != "work 1" {
		t.Errorf("command override %v", got)
	}
	rt.exit(aws.ToString(task.TaskArn), "app", 0)
	d := waitExecution(t, c, aws.ToString(exec))
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("sync run: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	var out struct {
		Task struct {
			TaskArn, LastStatus, StopCode string
			StoppedAt                     json.Number
			Containers                    []struct {
				Name     string
				ExitCode *int
			}
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil {
		t.Fatal(err)
	}
	if out.Task.TaskArn != aws.ToString(task.TaskArn) || out.Task.LastStatus != "STOPPED" || out.Task.StopCode != "EssentialContainerExited" ||
		strings.Contains(out.Task.StoppedAt.String(), ".") || len(out.Task.StoppedAt.String()) != 13 {
		t.Errorf("output %s", aws.ToString(d.Output))
	}
	types, evs := historyTypes(t, c, aws.ToString(exec))
	if got := strings.Join(func() []string {
		var s []string
		for _, ty := range types {
			s = append(s, string(ty))
		}
		return s
	}(), " "); got != "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSubmitted TaskSucceeded TaskStateExited ExecutionSucceeded" {
		t.Errorf("history %s", got)
	}
	if s := evs[2].TaskScheduledEventDetails; s == nil || aws.ToString(s.ResourceType) != "ecs" || aws.ToString(s.Resource) != "runTask.sync" {
		t.Errorf("TaskScheduled %+v", s)
	}
	if s := evs[4].TaskSubmittedEventDetails; s == nil || !strings.Contains(aws.ToString(s.Output), `"Failures":[]`) || !strings.Contains(aws.ToString(s.Output), `"Tasks":[{`) {
		t.Errorf("TaskSubmitted %+v", s)
	}

	// A non-zero exit fails the task with States.TaskFailed.
	exec = start(syncMachine, `{"cmd":["work","2"]}`)
	task = runningTask(t, ec, "jobs")
	rt.exit(aws.ToString(task.TaskArn), "app", 2)
	d = waitExecution(t, c, aws.ToString(exec))
	if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "States.TaskFailed" ||
		!strings.Contains(aws.ToString(d.Cause), `"ExitCode":2`) || !strings.Contains(aws.ToString(d.Cause), aws.ToString(task.TaskArn)) {
		t.Errorf("failed run: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}

	// StopExecution stops the task.
	exec = start(syncMachine, `{"cmd":["work","3"]}`)
	task = runningTask(t, ec, "jobs")
	if _, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: exec}); err != nil {
		t.Fatal(err)
	}
	waitTask(t, ec, "jobs", aws.ToString(task.TaskArn), "STOPPED")

	// Request Response answers RunTask's response; an ECS error is
	// ECS.<Code>.
	request := mk("ecs-request", "arn:aws:states:::ecs:runTask", `"Command":["x"]`)
	d = waitExecution(t, c, aws.ToString(start(request, `{}`)))
	var resp struct {
		Task struct {
			Tasks    []struct{ TaskArn, LastStatus string }
			Failures []any
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &resp); err != nil || d.Status != sfntypes.ExecutionStatusSucceeded ||
		len(resp.Task.Tasks) != 1 || resp.Task.Failures == nil {
		t.Fatalf("request response: %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause))
	}
	if _, err := ec.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("jobs"), Task: aws.String(resp.Task.Tasks[0].TaskArn)}); err != nil {
		t.Fatal(err)
	}
	waitTask(t, ec, "jobs", resp.Task.Tasks[0].TaskArn, "STOPPED")
	if _, err := ec.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("job:1")}); err != nil {
		t.Fatal(err)
	}
	d = waitExecution(t, c, aws.ToString(start(request, `{}`)))
	if d.Status != sfntypes.ExecutionStatusFailed || !strings.HasPrefix(aws.ToString(d.Error), "ECS.") || !strings.Contains(aws.ToString(d.Cause), "(Service: AmazonECS, Status Code: 400, Error Code: ") {
		t.Errorf("ECS error: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}

	// .waitForTaskToken: the container gets the token and answers.
	if _, err := ec.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("job"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("busybox")}}}); err != nil {
		t.Fatal(err)
	}
	tokenMachine := mk("ecs-token", "arn:aws:states:::ecs:runTask.waitForTaskToken", `"Environment":[{"Name":"TASK_TOKEN","Value.$":"$$.Task.Token"}]`)
	exec = start(tokenMachine, `{}`)
	task = runningTask(t, ec, "jobs")
	var token string
	for _, kv := range task.Overrides.ContainerOverrides[0].Environment {
		if aws.ToString(kv.Name) == "TASK_TOKEN" {
			token = aws.ToString(kv.Value)
		}
	}
	if token == "" {
		t.Fatalf("no token in %+v", task.Overrides)
	}
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"done":true}`)}); err != nil {
		t.Fatal(err)
	}
	d = waitExecution(t, c, aws.ToString(exec))
	if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"task":{"done":true}}` {
		t.Errorf("token run: %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause))
	}
	rt.exit(aws.ToString(task.TaskArn), "app", 0)
}
