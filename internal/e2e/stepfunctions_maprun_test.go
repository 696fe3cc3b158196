package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// TestStepFunctionsMapRuns: a Distributed Map state's run is a Map Run
// that ListMapRuns lists for its execution and DescribeMapRun describes
// (status, dates, item and execution counts, settings) while it runs and
// after; UpdateMapRun raises its MaxConcurrency (children held back at
// one at a time then all run) and its tolerated failure count (a
// failure no longer fails it), and refuses a Map Run that has ended.
// The history's MapRunStarted carries the same ARN, and the aws CLI
// lists and describes it too.
func TestStepFunctionsMapRuns(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	act, err := c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("item")})
	if err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Each","States":{"Each":{"Type":"Map","Label":"each","MaxConcurrency":1,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Work","States":{
			"Work":{"Type":"Task","Resource":"` + aws.ToString(act.ActivityArn) + `","End":true}}},
		"End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("runs"), Definition: aws.String(def),
		RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`[1,2,3]`)})
	if err != nil {
		t.Fatal(err)
	}
	first := pollTask(t, c, aws.ToString(act.ActivityArn))

	// The Map Run, listed for its execution, runs one child of three.
	r, d := waitMapRun(t, c, aws.ToString(start.ExecutionArn), func(d *sfn.DescribeMapRunOutput) bool { return d.ItemCounts.Running == 1 })
	arn := aws.ToString(r.MapRunArn)
	if aws.ToString(r.StateMachineArn) != aws.ToString(sm.StateMachineArn)+"/each" || aws.ToString(r.ExecutionArn) != aws.ToString(start.ExecutionArn) ||
		r.StopDate != nil || !strings.HasPrefix(arn, "arn:aws:states:us-east-1:000000000000:mapRun:runs/each:") {
		t.Fatalf("listed %s for %s (state machine %s, stopped %v)", arn, aws.ToString(r.ExecutionArn), aws.ToString(r.StateMachineArn), r.StopDate)
	}
	if d.Status != sfntypes.MapRunStatusRunning || d.MaxConcurrency != 1 || d.ItemCounts.Pending != 2 || d.ItemCounts.Total != 3 ||
		d.ExecutionCounts.Running != 1 || aws.ToString(d.ExecutionArn) != aws.ToString(start.ExecutionArn) || d.StopDate != nil {
		t.Fatalf("running Map Run: status %s, maxConcurrency %d, items %+v, executions %+v", d.Status, d.MaxConcurrency, *d.ItemCounts, *d.ExecutionCounts)
	}

	if _, err := c.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: &arn, MaxConcurrency: aws.Int32(3), ToleratedFailureCount: aws.Int64(1)}); err != nil {
		t.Fatal(err)
	}
	// The two children held back now run too.
	second := pollTask(t, c, aws.ToString(act.ActivityArn))
	third := pollTask(t, c, aws.ToString(act.ActivityArn))
	for _, tok := range []*string{first.TaskToken, second.TaskToken} {
		if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: tok, Output: aws.String(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: third.TaskToken, Error: aws.String("Bad")}); err != nil {
		t.Fatal(err)
	}
	done := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	if done.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s (%s %s), want SUCCEEDED within the updated threshold", done.Status, aws.ToString(done.Error), aws.ToString(done.Cause))
	}
	d, err = c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	want := sfntypes.MapRunItemCounts{Succeeded: 2, Failed: 1, Total: 3}
	if d.Status != sfntypes.MapRunStatusSucceeded || d.StopDate == nil || d.MaxConcurrency != 3 || d.ToleratedFailureCount != 1 ||
		*d.ItemCounts != want || d.ExecutionCounts.Succeeded != 2 || d.ExecutionCounts.Failed != 1 {
		t.Errorf("ended Map Run: status %s, maxConcurrency %d, toleratedFailureCount %d, items %+v, executions %+v",
			d.Status, d.MaxConcurrency, d.ToleratedFailureCount, *d.ItemCounts, *d.ExecutionCounts)
	}
	_, events := historyTypes(t, c, aws.ToString(start.ExecutionArn))
	for _, e := range events {
		if e.Type == sfntypes.HistoryEventTypeMapRunStarted && aws.ToString(e.MapRunStartedEventDetails.MapRunArn) != arn {
			t.Errorf("MapRunStarted mapRunArn %s, want %s", aws.ToString(e.MapRunStartedEventDetails.MapRunArn), arn)
		}
	}

	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"UpdateMapRun of an ended Map Run", func() error {
			_, err := c.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: &arn, MaxConcurrency: aws.Int32(5)})
			return err
		}, "ValidationException"},
		{"DescribeMapRun of an unknown Map Run", func() error {
			_, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(arn[:strings.LastIndex(arn, ":")+1] + "0d5e6c2c-2d6b-4c56-9a31-5d2f0b0e8e11")})
			return err
		}, "ResourceNotFound"},
		{"DescribeMapRun of an execution ARN", func() error {
			_, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: start.ExecutionArn})
			return err
		}, "InvalidArn"},
		{"ListMapRuns of an unknown execution", func() error {
			_, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: aws.String(aws.ToString(start.ExecutionArn) + "x")})
			return err
		}, "ExecutionDoesNotExist"},
	} {
		if code := apiCode(tc.call()); !strings.HasPrefix(code, tc.code+":") {
			t.Errorf("%s: %q, want %s", tc.name, code, tc.code)
		}
	}

	// The aws CLI, as users would look.
	var listed struct {
		MapRuns []struct{ MapRunArn, StateMachineArn string }
	}
	cliJSON(t, env.CLI(t, "stepfunctions", "list-map-runs", "--execution-arn", aws.ToString(start.ExecutionArn)), &listed)
	if len(listed.MapRuns) != 1 || listed.MapRuns[0].MapRunArn != arn {
		t.Errorf("aws stepfunctions list-map-runs: %+v", listed)
	}
	var described struct {
		Status     string
		ItemCounts struct{ Succeeded, Failed, Total int }
	}
	cliJSON(t, env.CLI(t, "stepfunctions", "describe-map-run", "--map-run-arn", arn), &described)
	if described.Status != "SUCCEEDED" || described.ItemCounts.Succeeded != 2 || described.ItemCounts.Failed != 1 || described.ItemCounts.Total != 3 {
		t.Errorf("aws stepfunctions describe-map-run: %+v", described)
	}
}

// waitMapRun waits for an execution's only Map Run to be as ready says,
// and returns it as ListMapRuns and DescribeMapRun answer it.
func waitMapRun(t *testing.T, c *sfn.Client, execution string, ready func(*sfn.DescribeMapRunOutput) bool) (sfntypes.MapRunListItem, *sfn.DescribeMapRunOutput) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		list, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: &execution})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.MapRuns) == 1 {
			d, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: list.MapRuns[0].MapRunArn})
			if err != nil {
				t.Fatal(err)
			}
			if ready(d) {
				return list.MapRuns[0], d
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Map Runs of %s: %+v", execution, list.MapRuns)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
