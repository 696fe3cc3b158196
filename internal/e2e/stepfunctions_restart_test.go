package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/app"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// startSfnVirga runs virga on a data directory and a clock the test
// owns, and returns a Step Functions client and a function that stops
// it.
func startSfnVirga(t *testing.T, dir string, clk *clock.Fake) (*sfn.Client, func()) {
	t.Helper()
	cfg := config.Default()
	cfg.Listen, cfg.DataDir, cfg.InMemory = "127.0.0.1:0", dir, false
	a, err := app.New(cfg, app.Options{Clock: clk})
	if err != nil {
		t.Fatalf("starting virga on %s: %v", dir, err)
	}
	if err := a.Start(); err != nil {
		t.Fatalf("starting virga on %s: %v", dir, err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("stopping virga: %v", err)
		}
	}
	t.Cleanup(stop)
	return sfn.NewFromConfig(e2e.ClientConfig("http://"+a.Addr(), cfg.Region, "test", "test", "")), stop
}

// TestStepFunctionsRestart stops virga while a standard execution waits
// in a Wait state and starts it again: the execution resumes there, keeps
// its variables and ends when the wait's original deadline has passed.
func TestStepFunctionsRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clk := clock.NewFake(time.Now())
	c, stop := startSfnVirga(t, dir, clk)
	ctx := context.Background()
	def := `{"QueryLanguage":"JSONata","StartAt":"Remember","States":{
		"Remember":{"Type":"Pass","Assign":{"who":"{% $states.input.who %}"},"Next":"Sleep"},
		"Sleep":{"Type":"Wait","Seconds":3600,"Next":"Greet"},
		"Greet":{"Type":"Pass","Output":"{% 'hello ' & $who %}","End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("napper"), Definition: aws.String(def), RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("nap"), Input: aws.String(`{"who":"ann"}`)})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, ReverseOrder: true, MaxResults: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Events) == 1 && h.Events[0].Type == sfntypes.HistoryEventTypeWaitStateEntered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the execution did not reach its Wait state")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	clk.Advance(30 * time.Minute)
	c, _ = startSfnVirga(t, dir, clk)
	if d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn}); err != nil || d.Status != sfntypes.ExecutionStatusRunning {
		t.Fatalf("after the restart: %v %+v", err, d)
	}
	clk.Advance(30 * time.Minute)
	d := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `"hello ann"` {
		t.Errorf("resumed execution: %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause))
	}
}

// TestStepFunctionsMapRunRestart stops virga while a Distributed Map
// state's children wait and starts it again: the execution goes on
// with the same Map Run (one ARN in ListMapRuns and in each
// MapRunStarted, its first start date), which ends SUCCEEDED.
func TestStepFunctionsMapRunRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clk := clock.NewFake(time.Now())
	c, stop := startSfnVirga(t, dir, clk)
	ctx := context.Background()
	def := `{"StartAt":"Each","States":{"Each":{"Type":"Map",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Sleep","States":{
			"Sleep":{"Type":"Wait","Seconds":3600,"End":true}}},"End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("sleepers"), Definition: aws.String(def), RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`[1,2]`)})
	if err != nil {
		t.Fatal(err)
	}
	// waitChildren waits for the Map Run's two children to run.
	waitChildren := func(c *sfn.Client) sfntypes.MapRunListItem {
		r, _ := waitMapRun(t, c, aws.ToString(start.ExecutionArn), func(d *sfn.DescribeMapRunOutput) bool {
			return d.Status == sfntypes.MapRunStatusRunning && d.ExecutionCounts.Running == 2
		})
		return r
	}
	before := waitChildren(c)
	stop()
	clk.Advance(time.Minute)
	c, _ = startSfnVirga(t, dir, clk)
	// The children run again from their start, and wait an hour (which
	// a child may begin just after the clock moves: it moves again).
	waitChildren(c)
	deadline := time.Now().Add(60 * time.Second)
	for {
		clk.Advance(2 * time.Hour)
		d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			if d.Status != sfntypes.ExecutionStatusSucceeded {
				t.Fatalf("resumed execution: %s %s", d.Status, aws.ToString(d.Cause))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the resumed execution did not end")
		}
		time.Sleep(20 * time.Millisecond)
	}
	list, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: start.ExecutionArn})
	if err != nil || len(list.MapRuns) != 1 || aws.ToString(list.MapRuns[0].MapRunArn) != aws.ToString(before.MapRunArn) ||
		!list.MapRuns[0].StartDate.Equal(aws.ToTime(before.StartDate)) {
		t.Fatalf("Map Runs after the restart: %v %+v, want only %s", err, list, aws.ToString(before.MapRunArn))
	}
	d, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: before.MapRunArn})
	if err != nil || d.Status != sfntypes.MapRunStatusSucceeded || d.ExecutionCounts.Succeeded != 2 || d.ExecutionCounts.Aborted != 0 {
		t.Fatalf("resumed Map Run: %v %+v", err, d)
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range h.Events {
		if e.Type == sfntypes.HistoryEventTypeMapRunStarted && aws.ToString(e.MapRunStartedEventDetails.MapRunArn) != aws.ToString(before.MapRunArn) {
			t.Errorf("MapRunStarted mapRunArn %s, want %s", aws.ToString(e.MapRunStartedEventDetails.MapRunArn), aws.ToString(before.MapRunArn))
		}
	}
}
