package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// sfnStatusEvent is a "Step Functions Execution Status Change" event.
type sfnStatusEvent struct {
	DetailType string   `json:"detail-type"`
	Source     string   `json:"source"`
	Resources  []string `json:"resources"`
	Detail     struct {
		ExecutionArn        string           `json:"executionArn"`
		StateMachineArn     string           `json:"stateMachineArn"`
		Name                string           `json:"name"`
		Status              string           `json:"status"`
		StartDate           int64            `json:"startDate"`
		StopDate            *int64           `json:"stopDate"`
		Input               *string          `json:"input"`
		InputDetails        *json.RawMessage `json:"inputDetails"`
		Output              *string          `json:"output"`
		OutputDetails       *json.RawMessage `json:"outputDetails"`
		Error               *string          `json:"error"`
		Cause               *string          `json:"cause"`
		RedriveCount        int              `json:"redriveCount"`
		RedriveStatus       string           `json:"redriveStatus"`
		RedriveStatusReason *string          `json:"redriveStatusReason"`
	} `json:"detail"`
}

// TestStepFunctionsStatusChangeEvents: standard executions put "Step
// Functions Execution Status Change" events from aws.states on the
// default bus as they start and end, which a rule sends to a queue;
// express executions put none.
func TestStepFunctionsStatusChangeEvents(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	queue := ruleToQueue(t, env, "sfn-status", `{"source":["aws.states"],"detail-type":["Step Functions Execution Status Change"]}`)
	machine := func(name, def string, typ sfntypes.StateMachineType) *string {
		t.Helper()
		out, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def),
			RoleArn: aws.String(sfnRole), Type: typ})
		if err != nil {
			t.Fatal(err)
		}
		return out.StateMachineArn
	}
	express := machine("quick", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, sfntypes.StateMachineTypeExpress)
	ok := machine("works", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"done":true},"End":true}}}`, sfntypes.StateMachineTypeStandard)
	bad := machine("breaks", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Oops","Cause":"it broke"}}}`, sfntypes.StateMachineTypeStandard)

	// The express execution goes first: the events are sent in order,
	// so any it put would arrive before the others.
	if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: express, Input: aws.String(`{}`)}); err != nil {
		t.Fatal(err)
	}
	okRun, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: ok, Name: aws.String("ok-1"), Input: aws.String(`{"n":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	badRun, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: bad, Name: aws.String("bad-1"), Input: aws.String(`{"n":2}`)})
	if err != nil {
		t.Fatal(err)
	}

	got := map[string]sfnStatusEvent{} // by execution ARN and status
	for _, body := range queuedEvents(t, env, queue, 4) {
		var ev sfnStatusEvent
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatalf("event %s: %v", body, err)
		}
		if ev.Detail.StateMachineArn == aws.ToString(express) {
			t.Fatalf("an express execution put an event: %s", body)
		}
		got[ev.Detail.ExecutionArn+" "+ev.Detail.Status] = ev
	}

	started, ok1 := got[aws.ToString(okRun.ExecutionArn)+" RUNNING"]
	succeeded, ok2 := got[aws.ToString(okRun.ExecutionArn)+" SUCCEEDED"]
	failed, ok3 := got[aws.ToString(badRun.ExecutionArn)+" FAILED"]
	if !ok1 || !ok2 || !ok3 {
		t.Fatalf("events %v", got)
	}
	for _, ev := range []sfnStatusEvent{started, succeeded, failed} {
		if ev.Source != "aws.states" || ev.DetailType != "Step Functions Execution Status Change" ||
			len(ev.Resources) != 1 || ev.Resources[0] != ev.Detail.ExecutionArn || ev.Detail.StartDate == 0 ||
			ev.Detail.InputDetails == nil || string(*ev.Detail.InputDetails) != `{"included":true}` {
			t.Fatalf("event %+v", ev)
		}
	}
	d := started.Detail
	if d.StateMachineArn != aws.ToString(ok) || d.Name != "ok-1" || aws.ToString(d.Input) != `{"n":1}` || d.StopDate != nil ||
		d.Output != nil || d.OutputDetails != nil || d.Error != nil || d.RedriveStatus != "NOT_REDRIVABLE" ||
		aws.ToString(d.RedriveStatusReason) != "Execution is RUNNING and cannot be redriven" {
		t.Fatalf("RUNNING detail %+v", d)
	}
	d = succeeded.Detail
	if d.StopDate == nil || *d.StopDate < d.StartDate || aws.ToString(d.Output) != `{"done":true}` ||
		d.OutputDetails == nil || string(*d.OutputDetails) != `{"included":true}` || d.Error != nil ||
		aws.ToString(d.RedriveStatusReason) != "Execution is SUCCEEDED and cannot be redriven" {
		t.Fatalf("SUCCEEDED detail %+v", d)
	}
	d = failed.Detail
	if d.StopDate == nil || d.Output != nil || aws.ToString(d.Error) != "Oops" || aws.ToString(d.Cause) != "it broke" ||
		d.RedriveStatus != "REDRIVABLE" || d.RedriveStatusReason != nil || d.RedriveCount != 0 {
		t.Fatalf("FAILED detail %+v", d)
	}
}
