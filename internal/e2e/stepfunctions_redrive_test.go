package e2e_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// flakyOnDemand fails for the items its FAIL variable lists and answers
// the item with its VER variable, so that an output tells which
// configuration ran it.
const flakyOnDemand = `import os
def handler(event, context):
    n = str(event.get('n'))
    if n in os.environ.get('FAIL', '').split(','):
        raise ValueError('item ' + n + ' fails')
    return {'n': n, 'v': os.environ.get('VER')}
`

// TestStepFunctionsRedrive redrives an execution twice: first from a
// Map state one of whose iterations failed (only that iteration runs
// again), then from a Task state that failed after it (the Map state
// does not run again). The ARN, input and history are kept, and
// ExecutionRedriven marks each redrive.
func TestStepFunctionsRedrive(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	c := sfn.NewFromConfig(env.Config)
	createPythonFunction(t, lc, "flaky", flakyOnDemand, 10)
	configure := func(fail, v string) {
		t.Helper()
		if _, err := lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("flaky"),
			Environment: &lambdatypes.Environment{Variables: map[string]string{"FAIL": fail, "VER": v}}}); err != nil {
			t.Fatal(err)
		}
	}
	configure("2", "1")
	fn := "arn:aws:lambda:us-east-1:000000000000:function:flaky"
	def := `{"StartAt":"Prep","States":{
		"Prep":{"Type":"Pass","Next":"Each"},
		"Each":{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.each","ItemProcessor":{"StartAt":"Work","States":{
			"Work":{"Type":"Task","Resource":"` + fn + `","End":true}}},"Next":"Last"},
		"Last":{"Type":"Task","Resource":"` + fn + `","Parameters":{"n":"last"},"ResultPath":"$.last","End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("redrives"), Definition: aws.String(def), RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("r1"),
		Input: aws.String(`{"items":[{"n":1},{"n":2},{"n":3}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := start.ExecutionArn
	d := waitExecution(t, c, aws.ToString(arn))
	if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "ValueError" || d.RedriveStatus != sfntypes.ExecutionRedriveStatusRedrivable {
		t.Fatalf("first run: %s %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause), d.RedriveStatus)
	}
	if _, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(aws.ToString(arn) + "x")}); err == nil {
		t.Error("redrive of a missing execution")
	} else {
		expectAPIError(t, err, "ExecutionDoesNotExist", 400)
	}

	// Redrive 1: item 2 now succeeds, the Last task fails.
	configure("last", "2")
	r1, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: arn, ClientToken: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: arn, ClientToken: aws.String("first")})
	if err != nil || !aws.ToTime(again.RedriveDate).Equal(aws.ToTime(r1.RedriveDate)) {
		t.Errorf("the same client token again: %v %v, want %v", err, again, r1.RedriveDate)
	}
	d = waitExecution(t, c, aws.ToString(arn))
	if d.Status != sfntypes.ExecutionStatusFailed || !strings.Contains(aws.ToString(d.Cause), "item last fails") ||
		aws.ToInt32(d.RedriveCount) != 1 || !aws.ToTime(d.RedriveDate).Equal(aws.ToTime(r1.RedriveDate)) {
		t.Fatalf("after redrive 1: %s %s count %v date %v", d.Status, aws.ToString(d.Cause), aws.ToInt32(d.RedriveCount), d.RedriveDate)
	}

	// Redrive 2: only Last runs; the Map state's output is the one it had.
	configure("", "3")
	if _, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: arn}); err != nil {
		t.Fatal(err)
	}
	d = waitExecution(t, c, aws.ToString(arn))
	want := `{"each":[{"n":"1","v":"1"},{"n":"2","v":"2"},{"n":"3","v":"1"}],"items":[{"n":1},{"n":2},{"n":3}],"last":{"n":"last","v":"3"}}`
	if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != want || aws.ToInt32(d.RedriveCount) != 2 ||
		d.RedriveStatus != sfntypes.ExecutionRedriveStatusNotRedrivable || aws.ToString(d.RedriveStatusReason) != "Execution is SUCCEEDED and cannot be redriven" ||
		aws.ToString(d.ExecutionArn) != aws.ToString(arn) {
		t.Fatalf("after redrive 2: %s %s %s count %d %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause), aws.ToInt32(d.RedriveCount),
			d.RedriveStatus, aws.ToString(d.RedriveStatusReason))
	}
	if _, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: arn, ClientToken: aws.String("third")}); err == nil {
		t.Error("a SUCCEEDED execution was redriven")
	} else if e := expectAPIError(t, err, "ExecutionNotRedrivable", 400); e.Message != "Execution is SUCCEEDED and cannot be redriven" {
		t.Errorf("message %q", e.Message)
	}

	// One history: ExecutionRedriven follows each ExecutionFailed; Prep
	// ran once, item 2 (index 1) alone ran again, the Map state not at
	// the second redrive.
	types, evs := historyTypes(t, c, aws.ToString(arn))
	var segs [][]string
	seg := []string{}
	for i, ev := range evs {
		if ev.Id != int64(i+1) {
			t.Errorf("event %d has id %d", i, ev.Id)
		}
		if ev.Type == sfntypes.HistoryEventTypeExecutionRedriven {
			segs = append(segs, seg)
			seg = []string{}
			if ev.ExecutionRedrivenEventDetails == nil || aws.ToInt32(ev.ExecutionRedrivenEventDetails.RedriveCount) != int32(len(segs)) ||
				ev.PreviousEventId != ev.Id-1 || evs[i-1].Type != sfntypes.HistoryEventTypeExecutionFailed {
				t.Errorf("ExecutionRedriven event %+v", ev)
			}
			continue
		}
		s := string(ev.Type)
		if ev.MapIterationStartedEventDetails != nil {
			s += "#" + strconv.Itoa(int(ev.MapIterationStartedEventDetails.Index))
		}
		seg = append(seg, s)
	}
	segs = append(segs, seg)
	if len(segs) != 3 {
		t.Fatalf("history %v", types)
	}
	count := func(seg []string, ty string) int {
		n := 0
		for _, s := range seg {
			if s == ty {
				n++
			}
		}
		return n
	}
	if count(segs[0], "PassStateEntered") != 1 || count(segs[1], "PassStateEntered")+count(segs[2], "PassStateEntered") != 0 {
		t.Errorf("Prep ran again: %v", segs)
	}
	if count(segs[1], "MapIterationStarted#1") != 1 || count(segs[1], "MapIterationStarted#0")+count(segs[1], "MapIterationStarted#2") != 0 ||
		count(segs[1], "MapStateEntered") != 1 || segs[1][0] != "MapStateEntered" {
		t.Errorf("redrive 1: %v", segs[1])
	}
	if count(segs[2], "MapStateEntered") != 0 || segs[2][0] != "TaskStateEntered" || segs[2][len(segs[2])-1] != "ExecutionSucceeded" {
		t.Errorf("redrive 2: %v", segs[2])
	}

	// ListExecutions filters by redrive.
	other, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"items":[]}`)})
	if err != nil {
		t.Fatal(err)
	}
	waitExecution(t, c, aws.ToString(other.ExecutionArn))
	for filter, name := range map[sfntypes.ExecutionRedriveFilter]string{
		sfntypes.ExecutionRedriveFilterRedriven:    "r1",
		sfntypes.ExecutionRedriveFilterNotRedriven: aws.ToString(other.ExecutionArn)[strings.LastIndex(aws.ToString(other.ExecutionArn), ":")+1:],
	} {
		l, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn, RedriveFilter: filter})
		if err != nil || len(l.Executions) != 1 || aws.ToString(l.Executions[0].Name) != name {
			t.Errorf("redriveFilter %s: %v %+v", filter, err, l)
			continue
		}
		if it := l.Executions[0]; (filter == sfntypes.ExecutionRedriveFilterRedriven) != (aws.ToInt32(it.RedriveCount) == 2 && it.RedriveDate != nil) {
			t.Errorf("redriveFilter %s: count %v date %v", filter, it.RedriveCount, it.RedriveDate)
		}
	}
}

// TestStepFunctionsRedriveParallel redrives a Parallel state whose
// second branch failed (after the first had succeeded): the first
// branch's output is kept (it saw redrive count 0), the second runs
// again and now succeeds.
func TestStepFunctionsRedriveParallel(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	def := `{"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[
		{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"a.$":"$$.Execution.RedriveCount"},"End":true}}},
		{"StartAt":"B","States":{"B":{"Type":"Choice","Choices":[{"Variable":"$$.Execution.RedriveCount","NumericEquals":0,"Next":"Later"}],"Default":"Ok"},
			"Later":{"Type":"Wait","Seconds":10,"Next":"Fails"},
			"Fails":{"Type":"Fail","Error":"NotYet"},
			"Ok":{"Type":"Pass","Parameters":{"b.$":"$$.Execution.RedriveCount"},"End":true}}}]}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("parallel"), Definition: aws.String(def), RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	// Branch B fails once branch A has succeeded.
	deadline := time.Now().Add(10 * time.Second)
	for {
		types, _ := historyTypes(t, c, aws.ToString(start.ExecutionArn))
		n := 0
		for _, ty := range types {
			if ty == sfntypes.HistoryEventTypePassStateExited || ty == sfntypes.HistoryEventTypeWaitStateEntered {
				n++
			}
		}
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("history %v", types)
		}
		time.Sleep(10 * time.Millisecond)
	}
	env.Clock.Advance(10 * time.Second)
	if d := waitExecution(t, c, aws.ToString(start.ExecutionArn)); d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "NotYet" {
		t.Fatalf("first run: %s %s", d.Status, aws.ToString(d.Error))
	}
	if _, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: start.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	d := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `[{"a":0},{"b":1}]` {
		t.Fatalf("redriven: %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause))
	}
}
