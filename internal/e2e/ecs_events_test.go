package e2e_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// TestECSTaskStateChangeEvents: a rule on the default bus for aws.ecs's
// "ECS Task State Change" events sees a task run and stop, each event's
// detail the task (ISO timestamps, updatedAt, its version, no
// healthStatus) and its resource the task's ARN.
func TestECSTaskStateChangeEvents(t *testing.T) {
	t.Parallel()
	rt := newContainerDouble()
	env := e2e.Start(t, e2e.WithContainerRuntime(rt))
	ctx := context.Background()
	c, eb, qc := ecs.NewFromConfig(env.Config), eventbridge.NewFromConfig(env.Config), sqs.NewFromConfig(env.Config)
	queue := newQueue(t, qc, "task-events")
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("tasks"), EventPattern: aws.String(
		`{"source":["aws.ecs"],"detail-type":["ECS Task State Change"],"detail":{"lastStatus":["RUNNING","STOPPED"],"clusterArn":[{"suffix":"/jobs"}]}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("tasks"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String(queueARN("task-events"))}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("jobs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("job"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("work"), Image: aws.String("busybox"), Memory: aws.Int32(64)}}}); err != nil {
		t.Fatal(err)
	}
	run, err := c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("jobs"), TaskDefinition: aws.String("job"), StartedBy: aws.String("batch")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(run.Tasks[0].TaskArn)
	waitTask(t, c, "jobs", arn, "RUNNING")
	if _, err := c.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String("jobs"), Task: aws.String(arn), Reason: aws.String("done")}); err != nil {
		t.Fatal(err)
	}
	waitTask(t, c, "jobs", arn, "STOPPED")

	type detail struct {
		LastStatus, DesiredStatus, StopCode, StoppedReason, StartedBy string
		TaskArn, ClusterArn, CreatedAt, StoppedAt, UpdatedAt          string
		Version                                                       int64
		HealthStatus                                                  *string
		Containers                                                    []struct {
			Name, LastStatus string
			ExitCode         *int
		}
	}
	var got []detail
	deadline := time.Now().Add(30 * time.Second)
	for len(got) == 0 || got[len(got)-1].LastStatus != "STOPPED" {
		if time.Now().After(deadline) {
			t.Fatalf("events: %+v", got)
		}
		out, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			var ev struct {
				Source     string `json:"source"`
				DetailType string `json:"detail-type"`
				Resources  []string
				Detail     detail
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.Source != "aws.ecs" || ev.DetailType != "ECS Task State Change" || len(ev.Resources) != 1 || ev.Resources[0] != arn {
				t.Errorf("event %s", aws.ToString(m.Body))
			}
			got = append(got, ev.Detail)
		}
	}
	first, last := got[0], got[len(got)-1]
	if first.LastStatus != "RUNNING" || first.DesiredStatus != "RUNNING" || first.StartedBy != "batch" || first.TaskArn != arn ||
		len(first.Containers) != 1 || first.Containers[0].LastStatus != "RUNNING" {
		t.Errorf("the RUNNING event: %+v", first)
	}
	if last.StopCode != "UserInitiated" || last.StoppedReason != "done" || last.Version <= first.Version || last.HealthStatus != nil ||
		last.Containers[0].LastStatus != "STOPPED" || last.Containers[0].ExitCode == nil {
		t.Errorf("the STOPPED event: %+v", last)
	}
	for _, ts := range []string{last.CreatedAt, last.StoppedAt, last.UpdatedAt} {
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", ts); err != nil {
			t.Errorf("timestamp %q: %v", ts, err)
		}
	}
}
