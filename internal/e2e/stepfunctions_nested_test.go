package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/e2e"
)

// TestStepFunctionsNestedExecutions starts child executions from Task
// states with states:startExecution: Request Response, .sync (the
// child's output as JSON text), .sync:2 (as JSON) and .waitForTaskToken;
// a failing or missing child fails the parent's task, and stopping a
// parent stops its .sync child.
func TestStepFunctionsNestedExecutions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := sfn.NewFromConfig(env.Config)
	ctx := context.Background()
	machine := func(name, def string) string {
		t.Helper()
		out, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: &name, RoleArn: aws.String(sfnRole), Definition: &def})
		if err != nil {
			t.Fatal(err)
		}
		return *out.StateMachineArn
	}
	child := machine("child", `{"StartAt":"Echo","States":{"Echo":{"Type":"Pass","Parameters":{"got.$":"$.x"},"End":true}}}`)
	failing := machine("failing", `{"StartAt":"No","States":{"No":{"Type":"Fail","Error":"Child.Broke","Cause":"on purpose"}}}`)
	sleeper := machine("sleeper", `{"StartAt":"Nap","States":{"Nap":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	parent := func(name, resource, target, name2 string) string {
		extra := ""
		if name2 != "" {
			extra = `,"Name":"` + name2 + `"`
		}
		return machine(name, `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::states:`+resource+`",
			"Parameters":{"StateMachineArn":"`+target+`"`+extra+`,"Input":{"x":1,"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$":"$$.Execution.Id"}},"End":true}}}`)
	}
	run := func(arn string) *sfn.DescribeExecutionOutput {
		t.Helper()
		st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn})
		if err != nil {
			t.Fatal(err)
		}
		return waitExecution(t, c, *st.ExecutionArn)
	}
	decode := func(s *string) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(aws.ToString(s)), &m); err != nil {
			t.Fatalf("%s: %v", aws.ToString(s), err)
		}
		return m
	}

	// Request Response: the child's ARN; its input names the parent.
	d := run(parent("fire", "startExecution", child, "kid"))
	out := decode(d.Output)
	if out["ExecutionArn"] != "arn:aws:states:us-east-1:000000000000:execution:child:kid" || out["StartDate"] == nil || out["SdkHttpMetadata"] == nil {
		t.Fatalf("request-response output = %v", out)
	}
	kid := waitExecution(t, c, out["ExecutionArn"].(string))
	if in := decode(kid.Input); in["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"] != aws.ToString(d.ExecutionArn) {
		t.Errorf("child input = %v", in)
	}

	// .sync: Output is the child's output as JSON text.
	d = run(parent("syncer", "startExecution.sync", child, ""))
	out = decode(d.Output)
	if out["Status"] != "SUCCEEDED" || out["Output"] != `{"got":1}` || !strings.HasPrefix(out["ExecutionArn"].(string), "arn:aws:states:us-east-1:000000000000:execution:child:") {
		t.Errorf(".sync output = %v", out)
	}
	types, evs := historyTypes(t, c, aws.ToString(d.ExecutionArn))
	want := []sfntypes.HistoryEventType{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"}
	if len(types) != len(want) {
		t.Fatalf("history = %v", types)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("history = %v", types)
		}
	}
	if r := aws.ToString(evs[2].TaskScheduledEventDetails.Resource); r != "startExecution.sync" || aws.ToString(evs[2].TaskScheduledEventDetails.ResourceType) != "states" {
		t.Errorf("TaskScheduled resource = %s", r)
	}

	// .sync:2: Output is JSON.
	d = run(parent("syncer2", "startExecution.sync:2", child, ""))
	out = decode(d.Output)
	if got, _ := out["Output"].(map[string]any); got["got"] != float64(1) {
		t.Errorf(".sync:2 output = %v", out)
	}
	if in, _ := out["Input"].(map[string]any); in["x"] != float64(1) {
		t.Errorf(".sync:2 input = %v", out)
	}

	// A failing child fails the task with States.TaskFailed.
	d = run(parent("sadparent", "startExecution.sync", failing, ""))
	if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "States.TaskFailed" {
		t.Errorf("failing child: %s %s", d.Status, aws.ToString(d.Error))
	}
	if cause := decode(d.Cause); cause["Status"] != "FAILED" || cause["Error"] != "Child.Broke" {
		t.Errorf("failing child cause = %v", cause)
	}

	// A child machine that does not exist.
	d = run(parent("lost", "startExecution", "arn:aws:states:us-east-1:000000000000:stateMachine:nope", ""))
	if aws.ToString(d.Error) != "StepFunctions.StateMachineDoesNotExistException" ||
		!strings.HasPrefix(aws.ToString(d.Cause), "State Machine Does Not Exist: 'arn:aws:states:us-east-1:000000000000:stateMachine:nope' (Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: ") {
		t.Errorf("missing child: %s %s", aws.ToString(d.Error), aws.ToString(d.Cause))
	}

	// .waitForTaskToken: the child carries the token back.
	tokenParent := machine("tokener", `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.waitForTaskToken",
		"Parameters":{"StateMachineArn":"`+child+`","Name":"tokenkid","Input":{"x.$":"$$.Task.Token"}},"End":true}}}`)
	st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &tokenParent})
	if err != nil {
		t.Fatal(err)
	}
	var token string
	for deadline := time.Now().Add(30 * time.Second); token == ""; {
		if k, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:000000000000:execution:child:tokenkid")}); err == nil {
			token, _ = decode(k.Input)["x"].(string)
		}
		if time.Now().After(deadline) {
			t.Fatal("the child did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &token, Output: aws.String(`{"back":true}`)}); err != nil {
		t.Fatal(err)
	}
	if d := waitExecution(t, c, *st.ExecutionArn); aws.ToString(d.Output) != `{"back":true}` {
		t.Errorf("waitForTaskToken output = %s (%s)", aws.ToString(d.Output), aws.ToString(d.Cause))
	}

	// Stopping the parent stops its .sync child.
	stopper := parent("stopper", "startExecution.sync", sleeper, "napkid")
	st, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &stopper})
	if err != nil {
		t.Fatal(err)
	}
	napkid := "arn:aws:states:us-east-1:000000000000:execution:sleeper:napkid"
	for deadline := time.Now().Add(30 * time.Second); ; {
		if types, _ := historyTypes2(c, napkid); len(types) >= 2 && types[len(types)-1] == sfntypes.HistoryEventTypeWaitStateEntered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child did not reach its Wait")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: st.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	if k := waitExecution(t, c, napkid); k.Status != sfntypes.ExecutionStatusAborted {
		t.Errorf("child of a stopped parent: %s", k.Status)
	}
}

// historyTypes2 is historyTypes for an execution that may not exist yet.
func historyTypes2(c *sfn.Client, arn string) ([]sfntypes.HistoryEventType, error) {
	h, err := c.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: &arn})
	if err != nil {
		return nil, err
	}
	var types []sfntypes.HistoryEventType
	for _, e := range h.Events {
		types = append(types, e.Type)
	}
	return types, nil
}

// TestStepFunctionsNestedRestart stops virga while a .sync parent waits
// for its named child: both resume, the parent's task finds its child
// still running and waits for it again.
func TestStepFunctionsNestedRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clk := clock.NewFake(time.Now())
	c, stop := startSfnVirga(t, dir, clk)
	ctx := context.Background()
	for name, def := range map[string]string{
		"napper": `{"StartAt":"Nap","States":{"Nap":{"Type":"Wait","Seconds":600,"Next":"Done"},"Done":{"Type":"Pass","Result":{"slept":true},"End":true}}}`,
		"waiter": `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
			"Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:napper","Name":"nap1","Input":{}},"End":true}}}`,
	} {
		if _, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), RoleArn: aws.String(sfnRole), Definition: aws.String(def)}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:000000000000:stateMachine:waiter")})
	if err != nil {
		t.Fatal(err)
	}
	child := "arn:aws:states:us-east-1:000000000000:execution:napper:nap1"
	for deadline := time.Now().Add(30 * time.Second); ; {
		if types, _ := historyTypes2(c, child); len(types) >= 2 && types[len(types)-1] == sfntypes.HistoryEventTypeWaitStateEntered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child did not reach its Wait")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	c, _ = startSfnVirga(t, dir, clk)
	clk.Advance(11 * time.Minute)
	d := waitExecution(t, c, *st.ExecutionArn)
	var out map[string]any
	json.Unmarshal([]byte(aws.ToString(d.Output)), &out)
	if got, _ := out["Output"].(map[string]any); d.Status != sfntypes.ExecutionStatusSucceeded || got["slept"] != true || out["ExecutionArn"] != child {
		t.Errorf("parent after restart: %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause))
	}
}
