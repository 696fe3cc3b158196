package e2e_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

// serviceRole creates a role that service (scheduler.amazonaws.com)
// may assume, with an inline policy when one is given, and returns its
// ARN.
func serviceRole(t *testing.T, env *e2e.Env, name, service, inline string) string {
	t.Helper()
	ctx := context.Background()
	ic := iamClient(env)
	if _, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}}`)}); err != nil {
		t.Fatal(err)
	}
	if inline != "" {
		putRolePolicy(t, env, name, inline)
	}
	return "arn:aws:iam::" + testAccount + ":role/" + name
}

// putRolePolicy sets a role's inline policy "inline".
func putRolePolicy(t *testing.T, env *e2e.Env, role, doc string) {
	t.Helper()
	if _, err := iamClient(env).PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{RoleName: aws.String(role),
		PolicyName: aws.String("inline"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
}

// allow is a policy document allowing action on resource.
func allow(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

// TestIAMEnforceSchedulerRole: under --auth iam a schedule invokes its
// target as a session of its RoleArn, which scheduler.amazonaws.com must
// be trusted to assume. Without sqs:SendMessage on the target the
// invocation fails, is not retried (a permissions error is not one a
// retry mends) and goes to the dead-letter queue, which the same role
// sends to; once the role allows it, the next occurrence arrives. A role
// that does not trust Scheduler delivers nothing.
func TestIAMEnforceSchedulerRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode, e2e.WithFakeClock())
	c := scheduler.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	targetURL, targetARN := schedQueue(t, qc, "sched-target")
	dlqURL, dlqARN := schedQueue(t, qc, "sched-dlq")
	role := serviceRole(t, env, "sched-role", "scheduler.amazonaws.com", allow("sqs:SendMessage", dlqARN))
	untrusted := serviceRole(t, env, "lambda-role", "scheduler.amazonaws.com",
		allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:"+testAccount+":*"))
	for name, r := range map[string]string{"guarded": role, "untrusted": untrusted} {
		if _, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String("rate(1 minute)"),
			FlexibleTimeWindow: schedOff, Target: &schedtypes.Target{Arn: aws.String(targetARN), RoleArn: aws.String(r), Input: schedInput(name),
				RetryPolicy:      &schedtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(3)},
				DeadLetterConfig: &schedtypes.DeadLetterConfig{Arn: aws.String(dlqARN)}}}); err != nil {
			t.Fatal(err)
		}
	}
	// Scheduler checked the role's trust at CreateSchedule; a role that
	// stops trusting it afterwards is refused at each invocation.
	if _, err := iamClient(env).UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("lambda-role"), PolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}

	occ := nextMinute(env.Clock.Now())
	env.Clock.Set(occ.Add(time.Second))
	dead := schedDrain(t, qc, dlqURL, func(ms []sqstypes.Message) bool { return len(ms) > 0 })
	if len(dead) != 1 || aws.ToString(dead[0].Body) != schedBody("guarded", occ) {
		t.Fatalf("dead letters %q", schedBodies(dead))
	}
	attrs := map[string]string{}
	for k, v := range dead[0].MessageAttributes {
		attrs[k] = aws.ToString(v.StringValue)
	}
	wantMsg := "User: arn:aws:sts::" + testAccount + ":assumed-role/sched-role/"
	if attrs["ERROR_CODE"] != "AccessDenied" || attrs["RETRY_ATTEMPTS"] != "0" || !strings.HasPrefix(attrs["ERROR_MESSAGE"], wantMsg) ||
		!strings.HasSuffix(attrs["ERROR_MESSAGE"], " is not authorized to perform: sqs:sendmessage on resource: "+targetARN+
			" because no identity-based policy allows the sqs:sendmessage action") {
		t.Errorf("dead letter's attributes %v", attrs)
	}
	schedEmpty(t, qc, targetURL)

	putRolePolicy(t, env, "sched-role", allow("sqs:SendMessage", "*"))
	occ = occ.Add(time.Minute)
	env.Clock.Set(occ.Add(time.Second))
	if got := schedWaitFor(t, qc, targetURL, schedBody("guarded", occ)); len(got) != 1 {
		t.Fatalf("target got %q", got)
	}
	// The untrusted schedule's occurrences reached neither queue.
	schedEmpty(t, qc, dlqURL)
}

// TestIAMEnforceEventBridgeTargetRole: under --auth iam a rule starts a
// state machine as a session of the target's RoleArn, which
// events.amazonaws.com must be trusted to assume: without
// states:StartExecution the event goes to the target's dead-letter queue
// (reached by the queue's policy) at once, and no execution starts; with
// it, the event starts one.
func TestIAMEnforceEventBridgeTargetRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	qc := sqs.NewFromConfig(env.Config)
	dlqURL := mkQueue(t, qc, "rule-dlq", nil)
	ruleARN := "arn:aws:events:us-east-1:" + testAccount + ":rule/to-machine"
	if _, err := qc.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &dlqURL, Attributes: map[string]string{
		"Policy": allowService("events.amazonaws.com", "sqs:SendMessage", queueARN("rule-dlq"), ruleARN)}}); err != nil {
		t.Fatal(err)
	}
	sc := sfn.NewFromConfig(env.Config)
	machineRole := serviceRole(t, env, "machine", "states.amazonaws.com", "")
	sm, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("on-event"), RoleArn: &machineRole,
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	role := serviceRole(t, env, "rule-role", "events.amazonaws.com", "")
	eb := eventbridge.NewFromConfig(env.Config)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("to-machine"), EventPattern: aws.String(`{"source":["app"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("to-machine"), Targets: []ebtypes.Target{{Id: aws.String("sm"),
		Arn: sm.StateMachineArn, RoleArn: &role, DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(queueARN("rule-dlq"))}}}}); err != nil {
		t.Fatal(err)
	}
	put := func() {
		t.Helper()
		out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("app"),
			DetailType: aws.String("thing"), Detail: aws.String(`{}`)}}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutEvents: %v %+v", err, out)
		}
	}
	executions := func() int {
		t.Helper()
		out, err := sc.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Executions)
	}
	put()
	m := receiveOne(t, qc, dlqURL)
	code, msg := aws.ToString(m.MessageAttributes["ERROR_CODE"].StringValue), aws.ToString(m.MessageAttributes["ERROR_MESSAGE"].StringValue)
	if code != "AccessDeniedException" || !strings.Contains(msg, ":assumed-role/rule-role/") ||
		!strings.Contains(msg, " is not authorized to perform: states:StartExecution on resource: "+aws.ToString(sm.StateMachineArn)) {
		t.Errorf("dead letter: %s %s", code, msg)
	}
	if n := executions(); n != 0 {
		t.Fatalf("%d executions started without states:StartExecution", n)
	}

	putRolePolicy(t, env, "rule-role", allow("states:StartExecution", aws.ToString(sm.StateMachineArn)))
	put()
	deadline := time.Now().Add(20 * time.Second)
	for executions() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("no execution started with states:StartExecution")
		}
		time.Sleep(20 * time.Millisecond) // waiting for the delivery, not timing it
	}
}

// TestIAMEnforceEventSourceMappingRole: under --auth iam
// CreateEventSourceMapping checks that the function's execution role can
// read the queue (ReceiveMessage, then DeleteMessage and
// GetQueueAttributes) or stream, with Lambda's
// InvalidParameterValueException, and
// the poller reads as the role: while the role lacks them, messages stay
// on the queue and LastProcessingResult tells why.
func TestIAMEnforceEventSourceMappingRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "")
	createPythonFunction(t, lc, "consumer", "def handler(event, context):\n    return None\n", 10)
	url := mkQueue(t, qc, "work", nil)
	create := func() (*lambda.CreateEventSourceMappingOutput, error) {
		return lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"),
			EventSourceArn: aws.String(queueARN("work")), BatchSize: aws.Int32(1)})
	}
	_, err := create()
	wantLambdaError(t, "without a policy", err, "InvalidParameterValueException",
		"The function execution role does not have permissions to call ReceiveMessage on SQS")
	putRolePolicy(t, env, "lambda-exec", allow("sqs:ReceiveMessage", queueARN("work")))
	_, err = create()
	wantLambdaError(t, "with ReceiveMessage only", err, "InvalidParameterValueException",
		"The function execution role does not have permissions to call DeleteMessage on SQS")
	// A stream the role cannot read is refused too.
	stream := aws.ToString(e2e.CreateStreamTable(t, dynamodb.NewFromConfig(env.Config), "orders", ddbtypes.StreamViewTypeNewImage).
		TableDescription.LatestStreamArn)
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"),
		EventSourceArn: &stream, StartingPosition: lambdatypes.EventSourcePositionLatest})
	wantLambdaError(t, "a stream", err, "InvalidParameterValueException", "Cannot access stream "+stream+
		". Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.")

	readQueue := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes"],"Resource":"` + queueARN("work") + `"}]}`
	putRolePolicy(t, env, "lambda-exec", readQueue)
	esm, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"),
		EventSourceArn: aws.String(queueARN("work")), BatchSize: aws.Int32(1), Enabled: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}

	// The role loses its permissions before the poller starts: it reads
	// nothing, and says why.
	if _, err := iamClient(env).DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("lambda-exec"),
		PolicyName: aws.String("inline")}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: esm.UUID, Enabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: esm.UUID})
		if err != nil {
			t.Fatal(err)
		}
		// The session is named after the function, as Lambda names it.
		if r := aws.ToString(got.LastProcessingResult); strings.HasPrefix(r, "PROBLEM: ") &&
			strings.Contains(r, ":assumed-role/lambda-exec/consumer is not authorized to perform: sqs:receivemessage") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("LastProcessingResult %q", aws.ToString(got.LastProcessingResult))
		}
		time.Sleep(50 * time.Millisecond) // waiting for the poller, not timing it
	}
	send := func(body string) {
		t.Helper()
		if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	send("kept")
	if m := receiveOne(t, qc, url); aws.ToString(m.Body) != "kept" {
		t.Fatalf("received %q", aws.ToString(m.Body))
	}

	// With its permissions back, the poller consumes the queue.
	putRolePolicy(t, env, "lambda-exec", readQueue)
	send("consumed")
	for {
		out, err := qc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url,
			AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
		if err != nil {
			t.Fatal(err)
		}
		visible, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
		hidden, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
		if visible+hidden == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the mapping did not consume the message")
		}
		time.Sleep(50 * time.Millisecond) // waiting for the poller, not timing it
	}
}

// TestIAMEnforceDestinationRole: under --auth iam Lambda sends an
// asynchronous invocation's record to its destination as the function's
// execution role: PutFunctionEventInvokeConfig refuses a destination the
// role may not send to, and a record the role can no longer send is
// dropped and counted in DestinationDeliveryFailures.
func TestIAMEnforceDestinationRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "")
	createPythonFunction(t, lc, "async-fn", "def handler(event, context):\n    return event\n", 10)
	url := mkQueue(t, qc, "records", nil)
	put := func() error {
		_, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("async-fn"),
			DestinationConfig: &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{Destination: aws.String(queueARN("records"))}}})
		return err
	}
	wantLambdaError(t, "without a policy", put(), "InvalidParameterValueException",
		"The function's execution role does not have permissions to call SendMessage on "+queueARN("records"))
	putRolePolicy(t, env, "lambda-exec", allow("sqs:SendMessage", queueARN("records")))
	if err := put(); err != nil {
		t.Fatal(err)
	}
	invoke := func(payload string) {
		t.Helper()
		if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("async-fn"), InvocationType: lambdatypes.InvocationTypeEvent,
			Payload: []byte(payload)}); err != nil {
			t.Fatal(err)
		}
	}
	invoke(`{"n":1}`)
	if m := receiveOne(t, qc, url); !strings.Contains(aws.ToString(m.Body), `"responsePayload":{"n":1}`) {
		t.Fatalf("record %s", aws.ToString(m.Body))
	}

	if _, err := iamClient(env).DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("lambda-exec"),
		PolicyName: aws.String("inline")}); err != nil {
		t.Fatal(err)
	}
	invoke(`{"n":2}`)
	wantNoMessage(t, qc, url)
}

// TestIAMEnforceStepFunctionsIntegrationsRole: under --auth iam a state
// machine's optimized integrations (here DynamoDB and SQS), the
// executions it starts and the functions it invokes asynchronously run
// as a session of its role: without the
// permission each task fails with the service's AccessDenied error,
// named as the integration names its errors, which Catch sees; with
// them, the tasks succeed.
func TestIAMEnforceStepFunctionsIntegrationsRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	createTableT(t, dynamodb.NewFromConfig(env.Config))
	qc := sqs.NewFromConfig(env.Config)
	mkQueue(t, qc, "from-machine", nil)
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "") // Lambda must be able to assume it
	createPythonFunction(t, lambdaClient(t, env), "async-target", "def handler(event, context):\n    return None\n", 10)
	sc := sfn.NewFromConfig(env.Config)
	role := serviceRole(t, env, "machine", "states.amazonaws.com", "")
	child, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("child"), RoleArn: &role,
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	branch := func(name, resource, params string) string {
		return `{"StartAt":"` + name + `","States":{"` + name + `":{"Type":"Task","Resource":"` + resource + `","Parameters":` + params +
			`,"ResultSelector":{"ok":true},"Catch":[{"ErrorEquals":["States.ALL"],"Next":"` + name + `Caught"}],"End":true},` +
			`"` + name + `Caught":{"Type":"Pass","End":true}}}`
	}
	def := `{"StartAt":"All","States":{"All":{"Type":"Parallel","End":true,"Branches":[` +
		branch("Put", "arn:aws:states:::dynamodb:putItem", `{"TableName":"tbl","Item":{"pk":{"S":"a"}}}`) + `,` +
		branch("Send", "arn:aws:states:::sqs:sendMessage", `{"QueueUrl":"`+env.Endpoint+`/`+testAccount+`/from-machine","MessageBody":"hi"}`) + `,` +
		branch("Start", "arn:aws:states:::states:startExecution", `{"StateMachineArn":"`+aws.ToString(child.StateMachineArn)+`"}`) + `,` +
		branch("Async", "arn:aws:states:::lambda:invoke", `{"FunctionName":"async-target","InvocationType":"Event"}`) + `]}}}`
	sm, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("integrations"), RoleArn: &role, Definition: &def})
	if err != nil {
		t.Fatal(err)
	}
	run := func(name string) []map[string]any {
		t.Helper()
		start, err := sc.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		out := waitExecution(t, sc, aws.ToString(start.ExecutionArn))
		var got []map[string]any
		if err := json.Unmarshal([]byte(aws.ToString(out.Output)), &got); err != nil || len(got) != 4 {
			t.Fatalf("%s: %s %s %s", name, out.Status, aws.ToString(out.Cause), aws.ToString(out.Output))
		}
		return got
	}

	denied := run("denied")
	for i, want := range []struct{ name, action, resource string }{
		{"DynamoDB.AmazonDynamoDBException", "dynamodb:PutItem", tableARN}, // an error the AWS SDK for Java does not model
		{"SQS.AccessDenied", "sqs:sendmessage", queueARN("from-machine")},  // SQS spells its actions in lower case
		{"StepFunctions.AccessDeniedException", "states:StartExecution", aws.ToString(child.StateMachineArn)},
		{"Lambda.AWSLambdaException", "lambda:InvokeFunction", functionARN("async-target")},
	} {
		cause, _ := denied[i]["Cause"].(string)
		if denied[i]["Error"] != want.name || !strings.Contains(cause, ":assumed-role/machine/") ||
			!strings.Contains(cause, " is not authorized to perform: "+want.action+" on resource: "+want.resource) {
			t.Errorf("branch %d without a policy: %v", i, denied[i])
		}
	}

	putRolePolicy(t, env, "machine", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":"dynamodb:PutItem","Resource":"`+tableARN+`"},`+
		`{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"`+queueARN("from-machine")+`"},`+
		`{"Effect":"Allow","Action":"states:StartExecution","Resource":"`+aws.ToString(child.StateMachineArn)+`"},`+
		`{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"`+functionARN("async-target")+`"}]}`)
	for i, got := range run("allowed") {
		if got["ok"] != true {
			t.Errorf("branch %d with the policy: %v", i, got)
		}
	}
}

// TestIAMEnforceEventBusTargetRole: under --auth iam a rule sends to
// another event bus as its target's RoleArn, which needs events:PutEvents
// on that bus; until it has it the event goes to the target's
// dead-letter queue, and then it reaches the bus and its rule's queue.
func TestIAMEnforceEventBusTargetRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	qc := sqs.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	bus, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("other")})
	if err != nil {
		t.Fatal(err)
	}
	forwardARN := "arn:aws:events:us-east-1:" + testAccount + ":rule/forward"
	landARN := "arn:aws:events:us-east-1:" + testAccount + ":rule/other/land"
	dlqURL := mkQueue(t, qc, "forward-dlq", map[string]string{
		"Policy": allowService("events.amazonaws.com", "sqs:SendMessage", queueARN("forward-dlq"), forwardARN)})
	landedURL := mkQueue(t, qc, "landed", map[string]string{
		"Policy": allowService("events.amazonaws.com", "sqs:SendMessage", queueARN("landed"), landARN)})
	role := serviceRole(t, env, "forwarder", "events.amazonaws.com", "")
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("land"), EventBusName: aws.String("other"),
		EventPattern: aws.String(`{"source":["app"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("land"), EventBusName: aws.String("other"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN("landed"))}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("forward"), EventPattern: aws.String(`{"source":["app"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("forward"), Targets: []ebtypes.Target{{Id: aws.String("bus"),
		Arn: bus.EventBusArn, RoleArn: &role, DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(queueARN("forward-dlq"))}}}}); err != nil {
		t.Fatal(err)
	}
	put := func() {
		t.Helper()
		out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("app"),
			DetailType: aws.String("thing"), Detail: aws.String(`{}`)}}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutEvents: %v %+v", err, out)
		}
	}
	put()
	m := receiveOne(t, qc, dlqURL)
	if msg := aws.ToString(m.MessageAttributes["ERROR_MESSAGE"].StringValue); !strings.Contains(msg,
		" is not authorized to perform: events:PutEvents on resource: "+aws.ToString(bus.EventBusArn)) {
		t.Errorf("dead letter: %s", msg)
	}
	wantNoMessage(t, qc, landedURL)

	putRolePolicy(t, env, "forwarder", allow("events:PutEvents", aws.ToString(bus.EventBusArn)))
	put()
	receiveOne(t, qc, landedURL)
}
