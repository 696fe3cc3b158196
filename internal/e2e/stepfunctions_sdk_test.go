package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// TestStepFunctionsAWSSDKIntegration runs AWS SDK integrations
// (arn:aws:states:::aws-sdk:SERVICE:apiAction): a DynamoDB
// transactWriteItems whose condition holds the first time, and whose
// cancellation the second execution catches by the SDK integration's
// error name (DynamoDb.TransactionCanceledException); a getItem whose
// output is the operation's alone; and Step Functions' own
// listExecutions.
func TestStepFunctionsAWSSDKIntegration(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(env.Config)
	c := sfn.NewFromConfig(env.Config)
	createIDTable(t, db, "locks")
	def := `{"StartAt":"Lock","States":{
		"Lock":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:dynamodb:transactWriteItems",
			"Parameters":{"TransactItems":[{"Put":{"TableName":"locks","Item":{"id":{"S.$":"$.id"},"owner":{"S.$":"$$.Execution.Name"}},
				"ConditionExpression":"attribute_not_exists(id)"}}]},
			"ResultPath":"$.lock","Next":"Read",
			"Catch":[{"ErrorEquals":["DynamoDb.TransactionCanceledException"],"ResultPath":"$.error","Next":"Read"}]},
		"Read":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:dynamodb:getItem",
			"Parameters":{"TableName":"locks","Key":{"id":{"S.$":"$.id"}}},"ResultPath":"$.read","Next":"List"},
		"List":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:sfn:listExecutions",
			"Parameters":{"StateMachineArn.$":"$$.StateMachine.Id"},
			"ResultSelector":{"count.$":"States.ArrayLength($.Executions)"},"ResultPath":"$.list","End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("locker"), Definition: aws.String(def),
		RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	type output struct {
		Lock  map[string]any
		Read  map[string]any
		Error struct{ Error, Cause string }
		List  struct{ Count int }
	}
	run := func(name string) output {
		t.Helper()
		start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn,
			Name: aws.String(name), Input: aws.String(`{"id":"job-1"}`)})
		if err != nil {
			t.Fatal(err)
		}
		done := waitExecution(t, c, aws.ToString(start.ExecutionArn))
		if done.Status != sfntypes.ExecutionStatusSucceeded {
			t.Fatalf("%s: status %s: %s %s", name, done.Status, aws.ToString(done.Error), aws.ToString(done.Cause))
		}
		var out output
		if err := json.Unmarshal([]byte(aws.ToString(done.Output)), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}

	first := run("first")
	if first.Lock == nil || first.Error.Error != "" {
		t.Fatalf("first execution did not take the lock: %+v", first)
	}
	item, _ := first.Read["Item"].(map[string]any)
	owner, _ := item["owner"].(map[string]any)
	if owner["S"] != "first" {
		t.Errorf("getItem output %v, want the item written by the first execution", first.Read)
	}
	if _, ok := first.Read["SdkHttpMetadata"]; ok {
		t.Errorf("getItem through the AWS SDK integration carries SdkHttpMetadata: %v", first.Read)
	}
	if first.List.Count != 1 {
		t.Errorf("listExecutions saw %d executions, want 1 (itself)", first.List.Count)
	}

	second := run("second")
	if second.Error.Error != "DynamoDb.TransactionCanceledException" || second.Error.Cause == "" {
		t.Errorf("second execution's caught error %+v, want DynamoDb.TransactionCanceledException with a cause", second.Error)
	}
	if second.List.Count != 2 {
		t.Errorf("listExecutions saw %d executions, want 2", second.List.Count)
	}
}

// TestStepFunctionsAWSSDKS3Objects writes and reads S3 objects through
// the AWS SDK integrations, as workflows commonly do: putObject's Body
// given as text is stored as it is, given as a JSON value ("Body.$": "$")
// as its JSON text, and getObject answers the object's Body as text.
func TestStepFunctionsAWSSDKS3Objects(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	sc := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("results")}); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Text","States":{
		"Text":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:putObject",
			"Parameters":{"Bucket":"results","Key":"note.txt","Body":"hello world"},"ResultPath":null,"Next":"Json"},
		"Json":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:putObject",
			"Parameters":{"Bucket":"results","Key":"run.json","Body.$":"$.result","ContentType":"application/json"},
			"ResultSelector":{"etag.$":"$.ETag"},"ResultPath":"$.put","Next":"Read"},
		"Read":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:getObject",
			"Parameters":{"Bucket":"results","Key":"note.txt"},
			"ResultSelector":{"body.$":"$.Body","type.$":"$.ContentType"},"ResultPath":"$.read","End":true}}}`
	done := runSucceeding(t, sfn.NewFromConfig(env.Config), "archiver", def, `{"result":{"items":[1,2],"ok":true}}`)
	var out struct {
		Put  struct{ Etag string }
		Read struct{ Body, Type string }
	}
	if err := json.Unmarshal([]byte(aws.ToString(done.Output)), &out); err != nil {
		t.Fatal(err)
	}
	if out.Read.Body != "hello world" || out.Put.Etag == "" {
		t.Errorf("output: %s", aws.ToString(done.Output))
	}
	got, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("results"), Key: aws.String("run.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	var stored map[string]any
	if err := json.NewDecoder(got.Body).Decode(&stored); err != nil || stored["ok"] != true || aws.ToString(got.ContentType) != "application/json" {
		t.Errorf("stored object: %v %v %s", stored, err, aws.ToString(got.ContentType))
	}
}

// TestStepFunctionsAWSSDKLambdaPayload: aws-sdk:lambda:invoke takes its
// Payload as the event's JSON text, or as a JSON value it sends as its
// text, as workflows write it ("Payload": "{...}", "Payload.$": "$").
func TestStepFunctionsAWSSDKLambdaPayload(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	createPythonFunction(t, lambda.NewFromConfig(env.Config), "strict", `
def handler(event, context):
    if event != {"n": 1, "s": "x"}:
        raise ValueError("unexpected event %r" % (event,))
    return "ok"
`, 30)
	c := sfn.NewFromConfig(env.Config)
	def := `{"StartAt":"Text","States":{
		"Text":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:lambda:invoke",
			"Parameters":{"FunctionName":"strict","Payload":"{\"n\":1,\"s\":\"x\"}"},"ResultPath":"$.text","Next":"Value"},
		"Value":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:lambda:invoke",
			"Parameters":{"FunctionName":"strict","Payload.$":"$.event"},"ResultPath":"$.value","End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("payloads"), Definition: aws.String(def),
		RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn,
		Input: aws.String(`{"event":{"n":1,"s":"x"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	d := waitExecution(t, c, aws.ToString(start.ExecutionArn))
	var out struct {
		Text, Value struct {
			StatusCode    int
			FunctionError *string
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil || d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s (%s: %s)", d.Status, aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	for name, r := range map[string]struct {
		StatusCode    int
		FunctionError *string
	}{"text": out.Text, "value": out.Value} {
		if r.StatusCode != 200 || r.FunctionError != nil {
			t.Errorf("%s payload: %s", name, aws.ToString(d.Output))
		}
	}
}
