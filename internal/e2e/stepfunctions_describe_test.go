package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// TestStepFunctionsDescribeRedrive checks DescribeExecution's redrive
// fields, as AWS reports them for executions never redriven, and that
// the version and alias ARNs are absent for an execution started from
// the machine itself.
func TestStepFunctionsDescribeRedrive(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	mk := func(name, def string) *string {
		sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), RoleArn: aws.String(sfnRole), Definition: aws.String(def)})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"a":1}`)})
		if err != nil {
			t.Fatal(err)
		}
		return out.ExecutionArn
	}
	running := mk("waits", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100000,"End":true}}}`)
	succeeded := mk("passes", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)
	failed := mk("fails", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"c"}}}`)
	for _, tc := range []struct {
		arn    *string
		status sfntypes.ExecutionRedriveStatus
		reason string
	}{
		{running, sfntypes.ExecutionRedriveStatusNotRedrivable, "Execution is RUNNING and cannot be redriven"},
		{succeeded, sfntypes.ExecutionRedriveStatusNotRedrivable, "Execution is SUCCEEDED and cannot be redriven"},
		{failed, sfntypes.ExecutionRedriveStatusRedrivable, ""},
	} {
		var d *sfn.DescribeExecutionOutput
		if tc.arn == running {
			var err error
			if d, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: tc.arn}); err != nil {
				t.Fatal(err)
			}
		} else {
			d = waitExecution(t, c, aws.ToString(tc.arn))
		}
		if d.RedriveCount == nil || *d.RedriveCount != 0 || d.RedriveStatus != tc.status || aws.ToString(d.RedriveStatusReason) != tc.reason ||
			d.RedriveDate != nil || d.StateMachineVersionArn != nil || d.StateMachineAliasArn != nil {
			t.Errorf("%s (%s): redriveCount %v, redriveStatus %q, reason %q, redriveDate %v, version %v, alias %v", aws.ToString(d.Name), d.Status,
				d.RedriveCount, d.RedriveStatus, aws.ToString(d.RedriveStatusReason), d.RedriveDate, d.StateMachineVersionArn, d.StateMachineAliasArn)
		}
	}

	// includeExecutionData false leaves the input and output out of
	// every event.
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: succeeded, IncludeExecutionData: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range h.Events {
		var data *string
		switch {
		case ev.ExecutionStartedEventDetails != nil:
			data = ev.ExecutionStartedEventDetails.Input
		case ev.StateEnteredEventDetails != nil:
			data = ev.StateEnteredEventDetails.Input
		case ev.StateExitedEventDetails != nil:
			data = ev.StateExitedEventDetails.Output
		case ev.ExecutionSucceededEventDetails != nil:
			data = ev.ExecutionSucceededEventDetails.Output
		}
		if data != nil {
			t.Errorf("event %d %s carries %q without includeExecutionData", aws.ToInt64(&ev.Id), ev.Type, *data)
		}
	}
	h, err = c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: succeeded})
	if err != nil || len(h.Events) != 4 || aws.ToString(h.Events[0].ExecutionStartedEventDetails.Input) != `{"a":1}` ||
		aws.ToString(h.Events[3].ExecutionSucceededEventDetails.Output) != `{"a":1}` {
		t.Errorf("history with data: %v %+v", err, h)
	}
}
