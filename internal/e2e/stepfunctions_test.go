package e2e_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

const sfnRole = "arn:aws:iam::000000000000:role/states"

// waitExecution polls an execution until it is no longer RUNNING.
func waitExecution(t testing.TB, c *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := c.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: &arn})
		if err != nil {
			t.Fatalf("DescribeExecution: %v", err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still running", arn)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStepFunctionsLambdaAndDynamoDB runs a standard state machine that
// invokes a real function through lambda:invoke and writes its answer
// to a table through dynamodb:putItem.
func TestStepFunctionsLambdaAndDynamoDB(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	db := dynamodb.NewFromConfig(env.Config)
	c := sfn.NewFromConfig(env.Config)
	createPythonFunction(t, lc, "worker", failsOnDemand, 10)
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("results"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest}); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Work","States":{
		"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"worker","Payload.$":"$"},
			"ResultSelector":{"answer.$":"$.Payload.ok","status.$":"$.StatusCode"},"ResultPath":"$.work",
			"Catch":[{"ErrorEquals":["ValueError"],"ResultPath":"$.error","Next":"Failed"}],"Next":"Save"},
		"Save":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem",
			"Parameters":{"TableName":"results","Item":{"pk":{"S.$":"$.id"},"answer":{"S.$":"States.JsonToString($.work.answer)"}}},
			"ResultPath":null,"Next":"Done"},
		"Failed":{"Type":"Fail","ErrorPath":"$.error.Error","CausePath":"$.error.Cause"},
		"Done":{"Type":"Succeed"}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("pipeline"), Definition: aws.String(def),
		RoleArn: aws.String(sfnRole), Tags: []sfntypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:states:us-east-1:000000000000:stateMachine:pipeline"; aws.ToString(sm.StateMachineArn) != want {
		t.Errorf("arn = %s", aws.ToString(sm.StateMachineArn))
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("run-1"),
		Input: aws.String(`{"id":"k1","n":2}`)})
	if err != nil {
		t.Fatal(err)
	}
	// The same name and input while it runs (or not) is answered: the
	// same request again, or ExecutionAlreadyExists once it has ended.
	done := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	if done.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status %s: %s %s", done.Status, aws.ToString(done.Error), aws.ToString(done.Cause))
	}
	if got := aws.ToString(done.Output); got != `{"id":"k1","n":2,"work":{"answer":{"id":"k1","n":2},"status":200}}` {
		t.Errorf("output = %s", got)
	}
	item, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("results"), Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "k1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := item.Item["answer"].(*ddbtypes.AttributeValueMemberS); !ok || a.Value != `{"id":"k1","n":2}` {
		t.Errorf("item = %#v", item.Item)
	}
	hist, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i, e := range hist.Events {
		types = append(types, string(e.Type))
		if e.Id != int64(i+1) || (i > 0 && e.PreviousEventId != int64(i)) {
			t.Errorf("event %d: id %d previous %d", i, e.Id, e.PreviousEventId)
		}
	}
	want := "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited SucceedStateEntered SucceedStateExited ExecutionSucceeded"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
	if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("run-1"),
		Input: aws.String(`{"id":"k1","n":2}`)}); err == nil {
		t.Error("a finished execution's name was reused")
	} else {
		expectAPIError(t, err, "ExecutionAlreadyExists", 400)
	}

	// A function error is caught by name, and the Fail state reports it.
	failed, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"id":"k2","fail":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	fd := waitExecution(t, c, aws.ToString(failed.ExecutionArn))
	if fd.Status != sfntypes.ExecutionStatusFailed || aws.ToString(fd.Error) != "ValueError" || !strings.Contains(aws.ToString(fd.Cause), `"errorMessage": "asked to fail"`) && !strings.Contains(aws.ToString(fd.Cause), `"errorMessage":"asked to fail"`) {
		t.Errorf("failed execution: %s %s %s", fd.Status, aws.ToString(fd.Error), aws.ToString(fd.Cause))
	}

	list, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn, StatusFilter: sfntypes.ExecutionStatusSucceeded})
	if err != nil || len(list.Executions) != 1 || aws.ToString(list.Executions[0].Name) != "run-1" {
		t.Errorf("ListExecutions: %v %+v", err, list)
	}
	tags, err := c.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: sm.StateMachineArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Errorf("tags: %v %+v", err, tags)
	}
}

// TestStepFunctionsDefinitionErrors checks InvalidDefinition's wording.
func TestStepFunctionsDefinitionErrors(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := sfn.NewFromConfig(env.Config)
	_, err := c.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: aws.String("bad"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(`{"StartAt":"pass1","States":{"pass1":{"Type":"Pass","Next":"pass3"},"pass2":{"Type":"Pass","End":true}}}`)})
	ae := expectAPIError(t, err, "InvalidDefinition", 400)
	if want := `Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2'`; ae.Message != want {
		t.Errorf("message = %s", ae.Message)
	}
	_, err = c.DescribeStateMachine(context.Background(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:000000000000:stateMachine:nope")})
	expectAPIError(t, err, "StateMachineDoesNotExist", 400)
}

// TestStepFunctionsSyncExpress runs an express machine with
// StartSyncExecution, which the SDK sends to the sync- host.
func TestStepFunctionsSyncExpress(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cfg := env.Config.Copy()
	addr := strings.TrimPrefix(env.Endpoint, "http://")
	var hosts []string
	cfg.HTTPClient = &http.Client{Transport: e2e.ReadOnlyBodies{Next: &http.Transport{
		DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			hosts = append(hosts, a)
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}}}
	c := sfn.NewFromConfig(cfg)
	ctx := context.Background()
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("quick"), RoleArn: aws.String(sfnRole), Type: sfntypes.StateMachineTypeExpress,
		Definition: aws.String(`{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":"States.MathAdd($, 1)"},"End":true}}},"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"xs":[1,2]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != sfntypes.SyncExecutionStatusSucceeded || aws.ToString(out.Output) != `[{"v":2},{"v":3}]` {
		t.Errorf("sync execution: %s %s %s", out.Status, aws.ToString(out.Output), aws.ToString(out.Cause))
	}
	if !strings.HasPrefix(aws.ToString(out.ExecutionArn), "arn:aws:states:us-east-1:000000000000:express:quick:") {
		t.Errorf("arn = %s", aws.ToString(out.ExecutionArn))
	}
	sawSync := false
	for _, h := range hosts {
		sawSync = sawSync || strings.HasPrefix(h, "sync-")
	}
	if !sawSync {
		t.Errorf("no request went to the sync- host: %v", hosts)
	}
}

// TestStepFunctionsTaskToken sends a task token through SQS
// (sqs:sendMessage.waitForTaskToken): SendTaskSuccess resumes the
// execution, which then waits an hour on the fake clock; an unanswered
// token fails the task after HeartbeatSeconds.
func TestStepFunctionsTaskToken(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	qc := sqs.NewFromConfig(env.Config)
	c := sfn.NewFromConfig(env.Config)
	url := newQueue(t, qc, "asks")
	def := `{"StartAt":"Ask","States":{
		"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":60,"TimeoutSeconds":300,
			"Parameters":{"QueueUrl":"` + url + `","MessageBody":{"token.$":"$$.Task.Token","n.$":"$.n"}},"Next":"Pause"},
		"Pause":{"Type":"Wait","Seconds":3600,"End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("asker"), Definition: aws.String(def), RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	token := func() string {
		m := receiveOne(t, qc, url)
		var body struct {
			Token string `json:"token"`
			N     int    `json:"n"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &body); err != nil || body.Token == "" || body.N != 7 {
			t.Fatalf("message %s: %v", aws.ToString(m.Body), err)
		}
		return body.Token
	}

	ok, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"n":7}`)})
	if err != nil {
		t.Fatal(err)
	}
	tok := token()
	if _, err := c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: &tok}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &tok, Output: aws.String(`{"answer":42}`)}); err != nil {
		t.Fatal(err)
	}
	// A token answered already is TaskTimedOut, as AWS says of a closed
	// task; one virga never handed out is InvalidToken.
	_, err = c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &tok, Output: aws.String(`{}`)})
	expectAPIError(t, err, "TaskTimedOut", 400)
	if !strings.Contains(err.Error(), "Task Timed Out: 'Provided task does not exist anymore'") {
		t.Errorf("SendTaskSuccess of an answered token: %v", err)
	}
	_, err = c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: &tok, Error: aws.String("Late")})
	expectAPIError(t, err, "TaskTimedOut", 400)
	_, err = c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("no-such-token"), Output: aws.String(`{}`)})
	expectAPIError(t, err, "InvalidToken", 400)
	// The execution reaches the Wait state, which ends when the clock
	// has moved an hour.
	deadline := time.Now().Add(30 * time.Second)
	for {
		h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ok.ExecutionArn, ReverseOrder: true, MaxResults: 1})
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
	env.Clock.Advance(3599 * time.Second)
	if d, _ := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ok.ExecutionArn}); d.Status != sfntypes.ExecutionStatusRunning {
		t.Fatalf("status before the hour = %s", d.Status)
	}
	env.Clock.Advance(time.Second)
	if d := waitExecution(t, c, aws.ToString(ok.ExecutionArn)); d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"answer":42}` {
		t.Errorf("execution: %s %s", d.Status, aws.ToString(d.Output))
	}

	late, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"n":7}`)})
	if err != nil {
		t.Fatal(err)
	}
	token()
	env.Clock.Advance(61 * time.Second)
	if d := waitExecution(t, c, aws.ToString(late.ExecutionArn)); d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "States.HeartbeatTimeout" {
		t.Errorf("unanswered execution: %s %s", d.Status, aws.ToString(d.Error))
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: late.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range h.Events {
		types = append(types, string(e.Type))
	}
	if got := strings.Join(types, " "); got != "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSubmitted TaskTimedOut ExecutionFailed" {
		t.Errorf("history: %s", got)
	}
}

// TestStepFunctionsStopAndList stops running executions, lists them a
// page at a time and checks InvalidArn's wording.
func TestStepFunctionsStopAndList(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("sleeper"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100000,"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, name := range []string{"a", "b", "c"} {
		out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String(name), Input: aws.String(`{"k":1}`)})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, aws.ToString(out.ExecutionArn))
	}
	// The same name and input while it runs is the same request.
	again, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("a"), Input: aws.String(`{"k":1}`)})
	if err != nil || aws.ToString(again.ExecutionArn) != arns[0] {
		t.Errorf("StartExecution again: %v %v", err, again)
	}
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("a"), Input: aws.String(`{"k":2}`)})
	if ae := expectAPIError(t, err, "ExecutionAlreadyExists", 400); ae.Message != "Execution Already Exists: '"+arns[0]+"'" {
		t.Errorf("message = %s", ae.Message)
	}
	// Stop it once it waits: its history then holds ExecutionStarted,
	// WaitStateEntered and ExecutionAborted.
	for deadline := time.Now().Add(10 * time.Second); ; {
		h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: &arns[1]})
		if err == nil && len(h.Events) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution never entered its Wait state: %v %+v", err, h)
		}
		time.Sleep(10 * time.Millisecond) // polling for the state, not timing it
	}
	stop, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: &arns[1], Error: aws.String("Manual"), Cause: aws.String("enough")})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &arns[1]})
	if err != nil || d.Status != sfntypes.ExecutionStatusAborted || aws.ToString(d.Error) != "Manual" || !d.StopDate.Equal(aws.ToTime(stop.StopDate)) {
		t.Errorf("stopped execution: %v %+v", err, d)
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: &arns[1]})
	if err != nil || len(h.Events) != 3 || h.Events[2].Type != sfntypes.HistoryEventTypeExecutionAborted ||
		aws.ToString(h.Events[2].ExecutionAbortedEventDetails.Cause) != "enough" {
		t.Errorf("history: %v %+v", err, h)
	}
	var names []string
	var token *string
	for {
		page, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn, StatusFilter: sfntypes.ExecutionStatusRunning,
			MaxResults: 1, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Executions {
			names = append(names, aws.ToString(e.Name))
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if len(names) != 2 {
		t.Errorf("running executions: %v", names)
	}
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: &arns[0]})
	if ae := expectAPIError(t, err, "InvalidArn", 400); ae.Message != "Invalid Arn: 'Resource type not valid in this context: execution'" {
		t.Errorf("message = %s", ae.Message)
	}
	// Deleting the machine stops what still runs.
	if _, err := c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: sm.StateMachineArn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &arns[0]})
	expectAPIError(t, err, "ExecutionDoesNotExist", 400)
}

// TestStepFunctionsJSONata runs a JSONata machine: Arguments to a real
// function through lambda:invoke, a variable, Output from the result.
func TestStepFunctionsJSONata(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	createPythonFunction(t, lambdaClient(t, env), "echo", failsOnDemand, 10)
	c := sfn.NewFromConfig(env.Config)
	def := `{"QueryLanguage":"JSONata","StartAt":"Call","States":{
		"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
			"Arguments":{"FunctionName":"echo","Payload":{"who":"{% $uppercase($states.input.who) %}"}},
			"Assign":{"status":"{% $states.result.StatusCode %}"},
			"Output":"{% $states.result.Payload.ok %}","Next":"Done"},
		"Done":{"Type":"Pass","Output":"{% $merge([$states.input, {'status': $status}]) %}","End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("jsonata"), Definition: aws.String(def), RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"who":"ann"}`)})
	if err != nil {
		t.Fatal(err)
	}
	d := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"status":200,"who":"ANN"}` {
		t.Errorf("execution: %s %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	// The history shows what each state assigned, as JSON text, when it
	// exits; a state that assigns nothing shows no variables.
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	exited := map[string]*sfntypes.StateExitedEventDetails{}
	for _, ev := range h.Events {
		if d := ev.StateExitedEventDetails; d != nil {
			exited[aws.ToString(d.Name)] = d
		}
	}
	if d := exited["Call"]; d == nil || !reflect.DeepEqual(d.AssignedVariables, map[string]string{"status": "200"}) ||
		d.AssignedVariablesDetails == nil || d.AssignedVariablesDetails.Truncated {
		t.Errorf("Call's TaskStateExited: %+v", d)
	}
	if d := exited["Done"]; d == nil || d.AssignedVariables != nil || d.AssignedVariablesDetails != nil {
		t.Errorf("Done's PassStateExited: %+v", d)
	}

	// A function that calls itself without end fails its execution,
	// not virga (its evaluation runs in a worker process).
	loop, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("recursion"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(`{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass",
			"Output":"{% ( $f := function($x){ $f($x) + 1 }; $f(1) ) %}","End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	start, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: loop.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	d = waitExecution(t, c, aws.ToString(start.ExecutionArn))
	if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "States.QueryEvaluationError" {
		t.Errorf("recursing execution: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
}

// TestStepFunctionsNameReuse: an execution's name is taken for 90 days;
// then it may be used again, with a history of its own.
func TestStepFunctionsNameReuse(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("daily")})
	if err != nil {
		t.Fatal(err)
	}
	waitExecution(t, c, aws.ToString(first.ExecutionArn))
	env.Clock.Advance(89 * 24 * time.Hour)
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("daily")})
	expectAPIError(t, err, "ExecutionAlreadyExists", 400)
	env.Clock.Advance(24 * time.Hour)
	// A machine whose definition is now shorter: the new history must
	// not keep the old one's extra events.
	if _, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: sm.StateMachineArn,
		Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`)}); err != nil {
		t.Fatal(err)
	}
	again, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("daily")})
	if err != nil {
		t.Fatal(err)
	}
	waitExecution(t, c, aws.ToString(again.ExecutionArn))
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: again.ExecutionArn})
	if err != nil || len(h.Events) != 4 {
		t.Errorf("history of the reused name: %v %d events", err, len(h.Events))
	}
}

// TestStepFunctionsExecutionTimeout: a machine's TimeoutSeconds ends a
// standard execution TIMED_OUT, on the fake clock.
func TestStepFunctionsExecutionTimeout(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("slow"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(`{"TimeoutSeconds":10,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(11 * time.Second)
	d := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	if d.Status != sfntypes.ExecutionStatusTimedOut || aws.ToString(d.Error) != "States.Timeout" {
		t.Errorf("execution: %s %s", d.Status, aws.ToString(d.Error))
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, ReverseOrder: true, MaxResults: 1})
	if err != nil || len(h.Events) != 1 || h.Events[0].Type != sfntypes.HistoryEventTypeExecutionTimedOut {
		t.Errorf("last event: %v %+v", err, h)
	}
}

// TestStepFunctionsHistoryQuota runs a machine that loops for ever:
// StopExecution ends it at a transition, and otherwise AWS
// fails it when its history reaches 25,000 events, the last of them
// ExecutionFailed.
func TestStepFunctionsHistoryQuota(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("spin"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"C"},` +
			`"C":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"E"},{"Variable":"$.slow","IsPresent":true,"Next":"W"}],"Default":"P"},` +
			`"W":{"Type":"Wait","Seconds":1,"Next":"P"},"E":{"Type":"Succeed"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	// StopExecution ends a running loop. (A loop that waits on nothing
	// would race the quota below; asl's TestStopEndsBusyLoop covers it.)
	spin, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"slow":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: spin.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	if d := waitExecution(t, c, aws.ToString(spin.ExecutionArn)); d.Status != sfntypes.ExecutionStatusAborted {
		t.Errorf("stopped execution: %s", d.Status)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"spin":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	d := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	const cause = "The execution reached the maximum number of history events (25000)."
	if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "States.Runtime" || aws.ToString(d.Cause) != cause {
		t.Fatalf("execution: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, ReverseOrder: true, MaxResults: 2})
	if err != nil || len(h.Events) != 2 {
		t.Fatalf("history: %v %+v", err, h)
	}
	// The first event names event 0 as its previous one, as AWS's
	// histories do (the SDK's int64 cannot tell 0 from absent).
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	r := do(t, env, rawRequest{Method: "POST", Body: `{"executionArn":"` + aws.ToString(start.ExecutionArn) + `","maxResults":1}`,
		Sign: &creds, Service: "states", Headers: map[string]string{"X-Amz-Target": "AWSStepFunctions.GetExecutionHistory", "Content-Type": "application/x-amz-json-1.0"}})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"previousEventId":0`) {
		t.Errorf("first event: %d %s", r.Status, r.Body)
	}
	// A page token virga did not hand out: "HTTP 400 InvalidToken".
	_, err = c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, NextToken: aws.String("bogus")})
	expectAPIError(t, err, "InvalidToken", 400)
	last, prev := h.Events[0], h.Events[1]
	if last.Id != 25000 || last.PreviousEventId != 24999 || last.Type != sfntypes.HistoryEventTypeExecutionFailed ||
		aws.ToString(last.ExecutionFailedEventDetails.Cause) != cause || prev.Id != 24999 {
		t.Errorf("last events: %+v %+v", last, prev)
	}
}
