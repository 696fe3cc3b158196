package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/clock"
)

// activityMachine is a Task on the activity, with its timeouts.
func activityMachine(arn, extra string) string {
	return `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"` + arn + `"` + extra + `,"End":true}}}`
}

// pollTask calls GetActivityTask until it hands out a task.
func pollTask(t *testing.T, c *sfn.Client, arn string) *sfn.GetActivityTaskOutput {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.GetActivityTask(context.Background(), &sfn.GetActivityTaskInput{ActivityArn: &arn, WorkerName: aws.String("worker-1")})
		if err != nil {
			t.Fatal(err)
		}
		if out.TaskToken != nil {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatal("no activity task")
		}
	}
}

func historyTypes(t *testing.T, c *sfn.Client, arn string) ([]sfntypes.HistoryEventType, []sfntypes.HistoryEvent) {
	t.Helper()
	h, err := c.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	var types []sfntypes.HistoryEventType
	for _, e := range h.Events {
		types = append(types, e.Type)
	}
	return types, h.Events
}

// TestStepFunctionsActivities runs Task states on an activity: a worker
// takes each task with GetActivityTask and answers with SendTaskSuccess
// or SendTaskFailure; a task not heartbeaten within HeartbeatSeconds,
// or not done within TimeoutSeconds, times out; a poll with no task
// answers empty after 60 seconds. Activities and a waiting task outlive
// a restart.
func TestStepFunctionsActivities(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clk := clock.NewFake(time.Now())
	c, stop := startSfnVirga(t, dir, clk)
	ctx := context.Background()

	a, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("resize")})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("resize")})
	if err != nil || aws.ToString(again.ActivityArn) != aws.ToString(a.ActivityArn) || !aws.ToTime(again.CreationDate).Equal(aws.ToTime(a.CreationDate)) {
		t.Fatalf("CreateActivity again = %+v, %v", again, err)
	}
	arn := aws.ToString(a.ActivityArn)
	if arn != "arn:aws:states:us-east-1:000000000000:activity:resize" {
		t.Fatalf("activity ARN = %s", arn)
	}
	_, err = c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("bad name")})
	if ae := expectAPIError(t, err, "InvalidName", 400); ae.Message != "Invalid Name: 'bad name'" {
		t.Errorf("message = %s", ae.Message)
	}
	if _, err := c.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: &arn, Tags: []sfntypes.Tag{{Key: aws.String("team"), Value: aws.String("img")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: &arn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "img" {
		t.Errorf("activity tags = %+v, %v", tags, err)
	}
	list, err := c.ListActivities(ctx, &sfn.ListActivitiesInput{})
	if err != nil || len(list.Activities) != 1 || aws.ToString(list.Activities[0].Name) != "resize" {
		t.Fatalf("ListActivities = %+v, %v", list, err)
	}

	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("act"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(activityMachine(arn, `,"HeartbeatSeconds":30,"TimeoutSeconds":300`))})
	if err != nil {
		t.Fatal(err)
	}
	start := func(name, input string) string {
		t.Helper()
		st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: &name, Input: &input})
		if err != nil {
			t.Fatal(err)
		}
		return *st.ExecutionArn
	}

	// Success, with a heartbeat.
	ok := start("ok", `{"size":3}`)
	task := pollTask(t, c, arn)
	if aws.ToString(task.Input) != `{"size":3}` {
		t.Errorf("task input = %s", aws.ToString(task.Input))
	}
	if _, err := c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: task.TaskToken}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{"done":true}`)}); err != nil {
		t.Fatal(err)
	}
	if d := waitExecution(t, c, ok); d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"done":true}` {
		t.Errorf("execution = %s %s", d.Status, aws.ToString(d.Output))
	}
	types, evs := historyTypes(t, c, ok)
	want := []sfntypes.HistoryEventType{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"}
	if len(types) != len(want) {
		t.Fatalf("history = %v", types)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("history = %v", types)
		}
	}
	if d := evs[2].ActivityScheduledEventDetails; d == nil || aws.ToString(d.Resource) != arn || aws.ToInt64(d.HeartbeatInSeconds) != 30 ||
		aws.ToInt64(d.TimeoutInSeconds) != 300 || aws.ToString(d.Input) != `{"size":3}` {
		t.Errorf("ActivityScheduled = %+v", evs[2].ActivityScheduledEventDetails)
	}
	if d := evs[3].ActivityStartedEventDetails; d == nil || aws.ToString(d.WorkerName) != "worker-1" {
		t.Errorf("ActivityStarted = %+v", evs[3].ActivityStartedEventDetails)
	}
	_, err = c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{}`)})
	expectAPIError(t, err, "TaskTimedOut", 400)

	// Failure: the worker's error names the failure.
	failed := start("failed", `{}`)
	task = pollTask(t, c, arn)
	if _, err := c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: task.TaskToken, Error: aws.String("Resize.TooBig"), Cause: aws.String("3 > 2")}); err != nil {
		t.Fatal(err)
	}
	if d := waitExecution(t, c, failed); d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "Resize.TooBig" || aws.ToString(d.Cause) != "3 > 2" {
		t.Errorf("failed execution = %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	if types, _ := historyTypes(t, c, failed); types[4] != "ActivityFailed" {
		t.Errorf("history = %v", types)
	}

	// No heartbeat within 30 seconds of taking the task.
	quiet := start("quiet", `{}`)
	pollTask(t, c, arn)
	clk.Advance(31 * time.Second)
	if d := waitExecution(t, c, quiet); aws.ToString(d.Error) != "States.HeartbeatTimeout" {
		t.Errorf("quiet execution = %s %s", d.Status, aws.ToString(d.Error))
	}
	if types, evs := historyTypes(t, c, quiet); types[4] != "ActivityTimedOut" || aws.ToString(evs[4].ActivityTimedOutEventDetails.Error) != "States.HeartbeatTimeout" {
		t.Errorf("history = %v", types)
	}

	// Never taken: TimeoutSeconds counts from when it was scheduled.
	untaken := start("untaken", `{}`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if types, _ := historyTypes(t, c, untaken); len(types) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the task was not scheduled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	clk.Advance(301 * time.Second)
	if d := waitExecution(t, c, untaken); aws.ToString(d.Error) != "States.Timeout" {
		t.Errorf("untaken execution = %s %s", d.Status, aws.ToString(d.Error))
	}

	// A poll with nothing to hand out answers empty after 60 seconds.
	done := make(chan *sfn.GetActivityTaskOutput, 1)
	go func() {
		out, err := c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: &arn})
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	// The clock moves on until the poll, whenever it started, answers.
	for deadline := time.Now().Add(30 * time.Second); ; {
		clk.Advance(61 * time.Second)
		var out *sfn.GetActivityTaskOutput
		select {
		case out = <-done:
		case <-time.After(20 * time.Millisecond):
		}
		if out != nil {
			if out.TaskToken != nil || out.Input != nil {
				t.Errorf("empty poll = %+v", out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("GetActivityTask did not answer after 60 seconds")
		}
	}

	// A task waiting for a worker when virga stops is scheduled again
	// when it starts.
	waiting := start("waiting", `{"n":1}`)
	for deadline := time.Now().Add(30 * time.Second); ; {
		if types, _ := historyTypes(t, c, waiting); len(types) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the task was not scheduled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	c, _ = startSfnVirga(t, dir, clk)
	task = pollTask(t, c, arn)
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`"again"`)}); err != nil {
		t.Fatal(err)
	}
	if d := waitExecution(t, c, waiting); aws.ToString(d.Output) != `"again"` {
		t.Errorf("resumed execution = %s %s", d.Status, aws.ToString(d.Output))
	}

	if _, err := c.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: &arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: &arn}); err != nil {
		t.Fatalf("deleting a deleted activity: %v", err)
	}
	_, err = c.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: &arn})
	if ae := expectAPIError(t, err, "ActivityDoesNotExist", 400); ae.Message != "Activity Does Not Exist: '"+arn+"'" {
		t.Errorf("message = %s", ae.Message)
	}
	_, err = c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: &arn})
	expectAPIError(t, err, "ActivityDoesNotExist", 400)
}
