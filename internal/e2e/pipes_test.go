package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	pipestypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

const pipeRole = "arn:aws:iam::000000000000:role/pipe"

// pipeConsumer prints what a pipe hands it: a JSON array of SQS records.
const pipeConsumer = `import json

def handler(event, context):
    print('TYPE %s %d' % (type(event).__name__, len(event)))
    for r in event:
        print('REC %s %s %s %s' % (r['body'], r['eventSource'], ','.join(sorted(r.keys())), r['attributes']['ApproximateReceiveCount']))
    return {'ok': True}
`

// wantPipesError checks an SDK error's code and, when msg is not empty,
// that its message contains msg.
func wantPipesError(t testing.TB, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Errorf("%s: got %s %q, want %s %q", what, ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// createPipeQueue creates a queue and returns its URL.
func createPipeQueue(t testing.TB, c *sqs.Client, name string) string {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

// receiveBodies polls a queue until it has received n messages.
func receiveBodies(t testing.TB, qc *sqs.Client, url string, n int) []string {
	t.Helper()
	var bodies []string
	deadline := time.Now().Add(30 * time.Second)
	for len(bodies) < n {
		if time.Now().After(deadline) {
			t.Fatalf("queue %s: got %d messages %q, want %d", url, len(bodies), bodies, n)
		}
		out, err := qc.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url),
			MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
			qc.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
		}
	}
	return bodies
}

func TestPipesSQSToLambda(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	pc := pipes.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	lc := lambdaClient(t, env)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	createPythonFunction(t, lc, "pipe-consumer", pipeConsumer, 3)
	url := createPipeQueue(t, qc, "pipe-src")
	const srcARN = "arn:aws:sqs:us-east-1:000000000000:pipe-src"
	const fnARN = "arn:aws:lambda:us-east-1:000000000000:function:pipe-consumer"

	created, err := pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("to-lambda"), RoleArn: aws.String(pipeRole),
		Source: aws.String(srcARN), Target: aws.String(fnARN), Tags: map[string]string{"team": "a"},
		SourceParameters: &pipestypes.PipeSourceParameters{SqsQueueParameters: &pipestypes.PipeSourceSqsQueueParameters{
			BatchSize: aws.Int32(5), MaximumBatchingWindowInSeconds: aws.Int32(1)}}})
	if err != nil {
		t.Fatal(err)
	}
	if created.CurrentState != pipestypes.PipeStateCreating || created.DesiredState != pipestypes.RequestedPipeStateRunning ||
		aws.ToString(created.Arn) != "arn:aws:pipes:us-east-1:000000000000:pipe/to-lambda" {
		t.Errorf("CreatePipe: %+v", created)
	}
	d, err := pc.DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String("to-lambda")})
	if err != nil {
		t.Fatal(err)
	}
	if d.CurrentState != pipestypes.PipeStateRunning || aws.ToString(d.Source) != srcARN || aws.ToString(d.RoleArn) != pipeRole ||
		d.Tags["team"] != "a" || aws.ToInt32(d.SourceParameters.SqsQueueParameters.BatchSize) != 5 {
		t.Errorf("DescribePipe: %+v", d)
	}

	for _, body := range []string{`{"n":1}`, `{"n":2}`, `{"n":3}`} {
		if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	lines := groupLines(t, cwl, "/aws/lambda/pipe-consumer", "REC ", func(l []string) bool { return len(l) >= 3 })
	keys := "attributes,awsRegion,body,eventSource,eventSourceARN,md5OfBody,md5OfMessageAttributes,messageAttributes,messageId,receiptHandle"
	for i, n := range []string{"1", "2", "3"} {
		if want := `REC {"n":` + n + `} aws:sqs ` + keys + ` 1`; !slices.Contains(lines, want) {
			t.Errorf("record %d: lines %q, want %q", i, lines, want)
		}
	}
	if types := groupLines(t, cwl, "/aws/lambda/pipe-consumer", "TYPE ", func(l []string) bool { return len(l) >= 1 }); !strings.HasPrefix(types[0], "TYPE list ") {
		t.Errorf("the function got %q, want a list", types)
	}
	// Processed messages are gone from the queue.
	attrs, err := qc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("queue after the pipe: %v", attrs.Attributes)
	}

	// Stop and start.
	stopped, err := pc.StopPipe(ctx, &pipes.StopPipeInput{Name: aws.String("to-lambda")})
	if err != nil || stopped.CurrentState != pipestypes.PipeStateStopping || stopped.DesiredState != pipestypes.RequestedPipeStateStopped {
		t.Fatalf("StopPipe: %+v, %v", stopped, err)
	}
	list, err := pc.ListPipes(ctx, &pipes.ListPipesInput{CurrentState: pipestypes.PipeStateStopped})
	if err != nil || len(list.Pipes) != 1 || aws.ToString(list.Pipes[0].Name) != "to-lambda" {
		t.Fatalf("ListPipes STOPPED: %+v, %v", list, err)
	}
	started, err := pc.StartPipe(ctx, &pipes.StartPipeInput{Name: aws.String("to-lambda")})
	if err != nil || started.CurrentState != pipestypes.PipeStateStarting {
		t.Fatalf("StartPipe: %+v, %v", started, err)
	}

	// Listing filters and pages.
	for _, name := range []string{"other-a", "other-b"} {
		if _, err := pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String(name), RoleArn: aws.String(pipeRole),
			Source: aws.String(srcARN), Target: aws.String("arn:aws:sqs:us-east-1:000000000000:elsewhere"),
			DesiredState: pipestypes.RequestedPipeStateStopped}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := pc.ListPipes(ctx, &pipes.ListPipesInput{NamePrefix: aws.String("other"), Limit: aws.Int32(1)})
	if err != nil || len(page.Pipes) != 1 || aws.ToString(page.Pipes[0].Name) != "other-a" || page.NextToken == nil {
		t.Fatalf("ListPipes page 1: %+v, %v", page, err)
	}
	page, err = pc.ListPipes(ctx, &pipes.ListPipesInput{NamePrefix: aws.String("other"), Limit: aws.Int32(1), NextToken: page.NextToken})
	if err != nil || len(page.Pipes) != 1 || aws.ToString(page.Pipes[0].Name) != "other-b" || page.Pipes[0].CurrentState != pipestypes.PipeStateStopped {
		t.Fatalf("ListPipes page 2: %+v, %v", page, err)
	}
	byTarget, _ := pc.ListPipes(ctx, &pipes.ListPipesInput{TargetPrefix: aws.String("arn:aws:lambda:")})
	byState, _ := pc.ListPipes(ctx, &pipes.ListPipesInput{DesiredState: pipestypes.RequestedPipeStateRunning})
	if len(byTarget.Pipes) != 1 || len(byState.Pipes) != 1 {
		t.Errorf("ListPipes by target %d, by desired state %d; want 1 and 1", len(byTarget.Pipes), len(byState.Pipes))
	}

	// Tags.
	arn := aws.ToString(created.Arn)
	if _, err := pc.TagResource(ctx, &pipes.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.UntagResource(ctx, &pipes.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := pc.ListTagsForResource(ctx, &pipes.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["env"] != "dev" {
		t.Errorf("ListTagsForResource: %+v, %v", tags, err)
	}

	// Errors.
	_, err = pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("to-lambda"), RoleArn: aws.String(pipeRole),
		Source: aws.String(srcARN), Target: aws.String(fnARN)})
	wantPipesError(t, "name taken", err, "ConflictException", "")
	_, err = pc.DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String("nope")})
	wantPipesError(t, "missing pipe", err, "NotFoundException", "")
	_, err = pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("bad name"), RoleArn: aws.String(pipeRole),
		Source: aws.String(srcARN), Target: aws.String(fnARN)})
	wantPipesError(t, "bad name", err, "ValidationException", "")
	_, err = pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("no-position"), RoleArn: aws.String(pipeRole),
		Source: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024-01-01T00:00:00.000"), Target: aws.String(fnARN)})
	wantPipesError(t, "stream without parameters", err, "ValidationException", "SourceParameters.DynamoDBStreamParameters")

	// A pipe whose queue is missing fails to be created.
	if _, err := pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("orphan"), RoleArn: aws.String(pipeRole),
		Source: aws.String("arn:aws:sqs:us-east-1:000000000000:missing"), Target: aws.String(fnARN)}); err != nil {
		t.Fatal(err)
	}
	orphan, err := pc.DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String("orphan")})
	if err != nil || orphan.CurrentState != pipestypes.PipeStateCreateFailed || aws.ToString(orphan.StateReason) == "" {
		t.Errorf("pipe of a missing queue: %+v, %v", orphan, err)
	}

	deleted, err := pc.DeletePipe(ctx, &pipes.DeletePipeInput{Name: aws.String("to-lambda")})
	if err != nil || deleted.CurrentState != pipestypes.PipeStateDeleting || deleted.DesiredState != pipestypes.RequestedPipeStateDescribeResponseDeleted {
		t.Fatalf("DeletePipe: %+v, %v", deleted, err)
	}
	_, err = pc.DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String("to-lambda")})
	wantPipesError(t, "deleted pipe", err, "NotFoundException", "")
}

func TestPipesDynamoDBStreamFilterToSQS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	pc := pipes.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	dc := dynamodb.NewFromConfig(env.Config)
	table := e2e.CreateStreamTable(t, dc, "orders", ddbtypes.StreamViewTypeNewImage)
	streamARN := aws.ToString(table.TableDescription.LatestStreamArn)
	url := createPipeQueue(t, qc, "new-orders")
	s := func(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }
	put := func(pk, status string) {
		t.Helper()
		if _, err := dc.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"),
			Item: map[string]ddbtypes.AttributeValue{"pk": s(pk), "status": s(status)}}); err != nil {
			t.Fatal(err)
		}
	}
	put("before", "new") // before the pipe: LATEST starts after it

	_, err := pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("orders"), RoleArn: aws.String(pipeRole),
		Source: aws.String(streamARN), Target: aws.String("arn:aws:sqs:us-east-1:000000000000:new-orders"),
		SourceParameters: &pipestypes.PipeSourceParameters{
			DynamoDBStreamParameters: &pipestypes.PipeSourceDynamoDBStreamParameters{StartingPosition: pipestypes.DynamoDBStreamStartPositionLatest},
			FilterCriteria: &pipestypes.FilterCriteria{Filters: []pipestypes.Filter{{
				Pattern: aws.String(`{"eventName":["INSERT"],"dynamodb":{"NewImage":{"status":{"S":["new"]}}}}`)}}},
		},
		TargetParameters: &pipestypes.PipeTargetParameters{
			InputTemplate: aws.String(`{"order": <$.dynamodb.Keys.pk.S>, "event": "<$.eventName>", "pipe": "<aws.pipes.pipe-name>"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	put("o1", "new")
	put("o2", "draft") // filtered out
	put("o1", "new")   // a MODIFY: filtered out
	put("o3", "new")
	bodies := receiveBodies(t, qc, url, 2)
	want := []string{`{"order": "o1", "event": "INSERT", "pipe": "orders"}`, `{"order": "o3", "event": "INSERT", "pipe": "orders"}`}
	if !slices.Equal(bodies, want) {
		t.Errorf("target got %q, want %q", bodies, want)
	}
	// Nothing else arrives.
	out, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) != 0 {
		t.Errorf("extra messages: %+v, %v", out.Messages, err)
	}
}

func TestPipesSQSEnrichmentToStepFunctions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	pc := pipes.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	sc := sfn.NewFromConfig(env.Config)
	url := createPipeQueue(t, qc, "enrich-src")
	// The enrichment, an express workflow, tags each event of the batch.
	enrich, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("enrich"), RoleArn: aws.String(sfnRole),
		Type: sfntypes.StateMachineTypeExpress, Definition: aws.String(`{"StartAt":"Tag","States":{"Tag":{"Type":"Map","End":true,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true,
		"Parameters":{"id.$":"$.id","enriched":true}}}}}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	target, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("sink"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(`{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("enriched"), RoleArn: aws.String(pipeRole),
		Source: aws.String("arn:aws:sqs:us-east-1:000000000000:enrich-src"), Enrichment: enrich.StateMachineArn,
		EnrichmentParameters: &pipestypes.PipeEnrichmentParameters{InputTemplate: aws.String(`{"id": <$.body.id>}`)},
		Target:               target.StateMachineArn,
		TargetParameters: &pipestypes.PipeTargetParameters{StepFunctionStateMachineParameters: &pipestypes.PipeTargetStateMachineParameters{
			InvocationType: pipestypes.PipeTargetInvocationTypeFireAndForget}},
		SourceParameters: &pipestypes.PipeSourceParameters{SqsQueueParameters: &pipestypes.PipeSourceSqsQueueParameters{BatchSize: aws.Int32(1)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(`{"id":"a-1","secret":"x"}`)}); err != nil {
		t.Fatal(err)
	}
	var execs []sfntypes.ExecutionListItem
	for deadline := time.Now().Add(30 * time.Second); len(execs) == 0; {
		out, err := sc.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: target.StateMachineArn})
		if err != nil {
			t.Fatal(err)
		}
		execs = out.Executions
		if time.Now().After(deadline) {
			t.Fatal("no execution of the target after 30s")
		}
		time.Sleep(100 * time.Millisecond) // waiting for background delivery, not timing it
	}
	ex, err := sc.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: execs[0].ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var input any
	if err := json.Unmarshal([]byte(aws.ToString(ex.Input)), &input); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(input)
	if string(b) != `[{"enriched":true,"id":"a-1"}]` {
		t.Errorf("the target's input: %s", b)
	}
}

func TestPipesCLI(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	qc := sqs.NewFromConfig(env.Config)
	createPipeQueue(t, qc, "cli-src")
	dst := createPipeQueue(t, qc, "cli-dst")
	var created struct{ Name, CurrentState, DesiredState, Arn string }
	cliJSON(t, env.CLI(t, "pipes", "create-pipe", "--name", "cli-pipe", "--role-arn", pipeRole,
		"--source", "arn:aws:sqs:us-east-1:000000000000:cli-src", "--target", "arn:aws:sqs:us-east-1:000000000000:cli-dst",
		"--target-parameters", `{"InputTemplate": "got <$.body>"}`), &created)
	if created.Name != "cli-pipe" || created.CurrentState != "CREATING" || created.DesiredState != "RUNNING" {
		t.Errorf("create-pipe: %+v", created)
	}
	var described struct {
		CurrentState     string
		TargetParameters struct{ InputTemplate string }
	}
	cliJSON(t, env.CLI(t, "pipes", "describe-pipe", "--name", "cli-pipe"), &described)
	if described.CurrentState != "RUNNING" || described.TargetParameters.InputTemplate != "got <$.body>" {
		t.Errorf("describe-pipe: %+v", described)
	}
	if _, err := qc.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(createPipeQueue(t, qc, "cli-src")),
		MessageBody: aws.String("hello")}); err != nil {
		t.Fatal(err)
	}
	if got := receiveBodies(t, qc, dst, 1); got[0] != "got hello" {
		t.Errorf("target got %q", got)
	}
	var listed struct {
		Pipes []struct{ Name, CurrentState string }
	}
	cliJSON(t, env.CLI(t, "pipes", "list-pipes", "--name-prefix", "cli"), &listed)
	if len(listed.Pipes) != 1 || listed.Pipes[0].Name != "cli-pipe" {
		t.Errorf("list-pipes: %+v", listed)
	}
	res := env.CLI(t, "pipes", "describe-pipe", "--name", "nope")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "NotFoundException") {
		t.Errorf("describe-pipe of a missing pipe: exit %d, stderr %s", res.ExitCode, res.Stderr)
	}
}

// TestIAMEnforcePipeRole: under --auth iam a pipe reads its source and
// sends to its target as a session of its RoleArn, which
// pipes.amazonaws.com must be trusted to assume. Without sqs:SendMessage
// on the target nothing arrives and the message returns to the source
// queue; once the role allows it, the message arrives.
func TestIAMEnforcePipeRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	qc := sqs.NewFromConfig(env.Config)
	pc := pipes.NewFromConfig(env.Config)
	in := mkQueue(t, qc, "pipe-in", map[string]string{"VisibilityTimeout": "1"})
	out := mkQueue(t, qc, "pipe-out", nil)
	role := serviceRole(t, env, "pipe-role", "pipes.amazonaws.com",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage"],"Resource":"`+queueARN("pipe-in")+`"}]}`)
	if _, err := pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("guarded"), RoleArn: aws.String(role),
		Source: aws.String(queueARN("pipe-in")), Target: aws.String(queueARN("pipe-out"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(in), MessageBody: aws.String("guarded")}); err != nil {
		t.Fatal(err)
	}
	// For three seconds (three of the pipe's attempts, the queue's
	// visibility timeout being one second) nothing reaches the target,
	// and the message stays in the source queue.
	for range 3 {
		m, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(out), WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Messages) != 0 {
			t.Fatalf("the target got %q without sqs:SendMessage", aws.ToString(m.Messages[0].Body))
		}
	}
	attrs, err := qc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(in),
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := attrs.Attributes["ApproximateNumberOfMessages"] + attrs.Attributes["ApproximateNumberOfMessagesNotVisible"]; n != "10" && n != "01" {
		t.Fatalf("the source queue lost the message: %v", attrs.Attributes)
	}
	putRolePolicy(t, env, "pipe-role", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage"],"Resource":"`+queueARN("pipe-in")+`"},`+
		`{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"`+queueARN("pipe-out")+`"}]}`)
	var record struct {
		Body       string `json:"body"`
		Attributes struct{ ApproximateReceiveCount string }
	}
	if got := receiveBodies(t, qc, out, 1); json.Unmarshal([]byte(got[0]), &record) != nil || record.Body != "guarded" ||
		record.Attributes.ApproximateReceiveCount == "1" {
		t.Errorf("the target got %q, want the SQS record of a message received again after the failures", got)
	}
}

// pipePartial prints each record's body and reports those whose body
// starts with "fail" as partial batch failures.
const pipePartial = `def handler(event, context):
    failures = []
    for r in event:
        print('GOT %s' % r['body'])
        if r['body'].startswith('fail'):
            failures.append({'itemIdentifier': r['messageId']})
    return {'batchItemFailures': failures}
`

// TestPipesPartialBatchFailure: a Lambda target that names failed
// records gets them again (until the queue's redrive policy moves them
// to its dead-letter queue), and the others are deleted after one
// delivery.
func TestPipesPartialBatchFailure(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	pc, qc := pipes.NewFromConfig(env.Config), sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	createPythonFunction(t, lambdaClient(t, env), "partial-target", pipePartial, 3)
	dlq := createPipeQueue(t, qc, "partial-dlq")
	in, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("partial-in"), Attributes: map[string]string{
		// Longer than the function's cold start, so that a batch is
		// settled before its messages could be received again.
		"VisibilityTimeout": "3",
		"RedrivePolicy":     `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:partial-dlq","maxReceiveCount":2}`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := qc.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: in.QueueUrl, Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("ok-1")}, {Id: aws.String("b"), MessageBody: aws.String("fail-1")},
		{Id: aws.String("c"), MessageBody: aws.String("ok-2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("partial"), RoleArn: aws.String(pipeRole),
		Source: aws.String("arn:aws:sqs:us-east-1:000000000000:partial-in"),
		Target: aws.String("arn:aws:lambda:us-east-1:000000000000:function:partial-target"),
	}); err != nil {
		t.Fatal(err)
	}
	if got := receiveBodies(t, qc, dlq, 1); got[0] != "fail-1" {
		t.Errorf("dead-letter queue: %q", got)
	}
	lines := groupLines(t, cwl, "/aws/lambda/partial-target", "GOT ", func(l []string) bool { return len(l) >= 4 })
	count := map[string]int{}
	for _, l := range lines {
		count[strings.TrimPrefix(l, "GOT ")]++
	}
	if count["ok-1"] != 1 || count["ok-2"] != 1 || count["fail-1"] != 2 {
		t.Errorf("deliveries: %v", count)
	}
}

// pipeEnricher returns, for the batch it gets, one event per record with
// its body upper-cased, and an extra event.
const pipeEnricher = `def handler(event, context):
    out = [{'id': r['messageId'], 'text': r['body'].upper()} for r in event]
    out.append({'id': 'extra', 'text': 'EXTRA'})
    return out
`

// TestPipesLambdaEnrichment: a Lambda enrichment is invoked
// synchronously with the batch, and each element of the array it
// returns goes on to the target as an event.
func TestPipesLambdaEnrichment(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	pc, qc := pipes.NewFromConfig(env.Config), sqs.NewFromConfig(env.Config)
	createPythonFunction(t, lambdaClient(t, env), "enricher", pipeEnricher, 3)
	in := createPipeQueue(t, qc, "enrich-in")
	out := createPipeQueue(t, qc, "enrich-out")
	if _, err := pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("lambda-enriched"), RoleArn: aws.String(pipeRole),
		Source:     aws.String("arn:aws:sqs:us-east-1:000000000000:enrich-in"),
		Enrichment: aws.String("arn:aws:lambda:us-east-1:000000000000:function:enricher"),
		Target:     aws.String("arn:aws:sqs:us-east-1:000000000000:enrich-out"),
		TargetParameters: &pipestypes.PipeTargetParameters{
			InputTemplate: aws.String(`<$.text> from <aws.pipes.enrichment-arn>`)},
		SourceParameters: &pipestypes.PipeSourceParameters{SqsQueueParameters: &pipestypes.PipeSourceSqsQueueParameters{BatchSize: aws.Int32(1)}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(in), MessageBody: aws.String("hello")}); err != nil {
		t.Fatal(err)
	}
	got := receiveBodies(t, qc, out, 2)
	slices.Sort(got)
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:enricher"
	if want := []string{"EXTRA from " + fn, "HELLO from " + fn}; !slices.Equal(got, want) {
		t.Errorf("the target got %q, want %q", got, want)
	}
}
