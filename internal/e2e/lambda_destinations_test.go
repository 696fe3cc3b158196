package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

const failsOnDemand = `def handler(event, context):
    if event.get('fail'):
        raise ValueError('asked to fail')
    return {'ok': event}
`

// receiveOne waits for one message on a queue and deletes it.
func receiveOne(t testing.TB, c *sqs.Client, url string) sqstypes.Message {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 2,
			MessageAttributeNames: []string{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			// Deleted, so that a test moving a fake clock does not see it again.
			c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: out.Messages[0].ReceiptHandle})
			return out.Messages[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message on %s", url)
		}
	}
}

type invocationRecord struct {
	Version        string
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	RequestPayload  json.RawMessage `json:"requestPayload"`
	ResponseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError"`
	} `json:"responseContext"`
	ResponsePayload json.RawMessage `json:"responsePayload"`
}

func TestLambdaAsyncDestinations(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "dest", failsOnDemand, 3)
	okq, _ := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("on-success")})
	failq, _ := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("on-failure")})

	_, err := lc.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("dest")})
	wantLambdaError(t, "no config yet", err, "ResourceNotFoundException",
		"The function arn:aws:lambda:us-east-1:000000000000:function:dest:$LATEST doesn't have an EventInvokeConfig")
	_, err = lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("dest"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{Destination: aws.String("arn:aws:s3:::bucket")}}})
	wantLambdaError(t, "an S3 destination", err, "InvalidParameterValueException",
		"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:s3:::bucket), onFailure=null) is invalid.")
	// The refusal prints the whole configuration, whichever side is wrong.
	table := "arn:aws:dynamodb:us-east-1:000000000000:table/t"
	_, err = lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("dest"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: &table}}})
	wantLambdaError(t, "a table as OnFailure destination", err, "InvalidParameterValueException",
		"The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination="+table+")) is invalid.")

	put, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String("dest"), MaximumRetryAttempts: aws.Int32(0),
		DestinationConfig: &lambdatypes.DestinationConfig{
			OnSuccess: &lambdatypes.OnSuccess{Destination: aws.String("arn:aws:sqs:us-east-1:000000000000:on-success")},
			OnFailure: &lambdatypes.OnFailure{Destination: aws.String("arn:aws:sqs:us-east-1:000000000000:on-failure")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:dest:$LATEST" || aws.ToInt32(put.MaximumRetryAttempts) != 0 {
		t.Errorf("PutFunctionEventInvokeConfig: %+v", put)
	}
	upd, err := lc.UpdateFunctionEventInvokeConfig(ctx, &lambda.UpdateFunctionEventInvokeConfigInput{FunctionName: aws.String("dest"), MaximumEventAgeInSeconds: aws.Int32(3600)})
	if err != nil || aws.ToInt32(upd.MaximumEventAgeInSeconds) != 3600 || aws.ToInt32(upd.MaximumRetryAttempts) != 0 ||
		aws.ToString(upd.DestinationConfig.OnSuccess.Destination) == "" {
		t.Errorf("UpdateFunctionEventInvokeConfig kept nothing: %+v %v", upd, err)
	}

	invoke := func(payload string) {
		t.Helper()
		out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dest"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(payload)})
		if err != nil || out.StatusCode != 202 {
			t.Fatalf("Invoke Event: %+v %v", out, err)
		}
	}
	invoke(`{"n":1}`)
	var rec invocationRecord
	m := receiveOne(t, qc, *okq.QueueUrl)
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &rec); err != nil {
		t.Fatalf("success record: %v\n%s", err, aws.ToString(m.Body))
	}
	if rec.Version != "1.0" || rec.RequestContext.Condition != "Success" || rec.RequestContext.ApproximateInvokeCount != 1 ||
		rec.RequestContext.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:dest:$LATEST" ||
		string(rec.RequestPayload) != `{"n":1}` || rec.ResponseContext.StatusCode != 200 || rec.ResponseContext.ExecutedVersion != "$LATEST" ||
		string(rec.ResponsePayload) != `{"ok": {"n": 1}}` && string(rec.ResponsePayload) != `{"ok":{"n":1}}` {
		t.Errorf("success record: %s", aws.ToString(m.Body))
	}

	invoke(`{"fail":true}`)
	m = receiveOne(t, qc, *failq.QueueUrl)
	rec = invocationRecord{}
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &rec); err != nil {
		t.Fatalf("failure record: %v", err)
	}
	if rec.RequestContext.Condition != "RetriesExhausted" || rec.ResponseContext.FunctionError != "Unhandled" ||
		string(rec.RequestPayload) != `{"fail":true}` {
		t.Errorf("failure record: %s", aws.ToString(m.Body))
	}
	var fe struct{ ErrorMessage, ErrorType string }
	if json.Unmarshal(rec.ResponsePayload, &fe) != nil || fe.ErrorMessage != "asked to fail" || fe.ErrorType != "ValueError" {
		t.Errorf("failure record's response: %s", rec.ResponsePayload)
	}

	list, err := lc.ListFunctionEventInvokeConfigs(ctx, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String("dest")})
	if err != nil || len(list.FunctionEventInvokeConfigs) != 1 {
		t.Errorf("ListFunctionEventInvokeConfigs: %+v %v", list, err)
	}
	if _, err := lc.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String("dest")}); err != nil {
		t.Fatal(err)
	}
}

// TestLambdaDeadLetterQueue checks that an event that fails every attempt
// goes to the function's DeadLetterConfig queue, with Lambda's attributes.
func TestLambdaDeadLetterQueue(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	dlq, _ := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("fn-dlq")})
	_, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("dl"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String(lambdaRole), Timeout: aws.Int32(3),
		DeadLetterConfig: &lambdatypes.DeadLetterConfig{TargetArn: aws.String("arn:aws:sqs:us-east-1:000000000000:fn-dlq")},
		Code:             &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.py", body: []byte(failsWith)})},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("dl"), MaximumRetryAttempts: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dl"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`{"fail":true,"id":7}`)})
	if err != nil {
		t.Fatal(err)
	}
	requestID, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	m := receiveOne(t, qc, *dlq.QueueUrl)
	if aws.ToString(m.Body) != `{"fail":true,"id":7}` {
		t.Errorf("dead letter body: %s", aws.ToString(m.Body))
	}
	// "RequestID (String) – The ID of the invocation request. ErrorCode
	// (Number) – The 3-digit HTTP status code. ErrorMessage (String) – The
	// first 1 KB of the error message."
	want := map[string][2]string{
		"RequestID":    {"String", requestID},
		"ErrorCode":    {"Number", "200"},
		"ErrorMessage": {"String", "asked to fail"},
	}
	wantAttrs := func(a map[string]sqstypes.MessageAttributeValue) {
		t.Helper()
		if len(a) != len(want) {
			t.Errorf("dead letter attributes: %d, want %d", len(a), len(want))
		}
		for name, w := range want {
			if got := [2]string{aws.ToString(a[name].DataType), aws.ToString(a[name].StringValue)}; got != w {
				t.Errorf("dead letter attribute %s = %q, want %q", name, got, w)
			}
		}
	}
	wantAttrs(m.MessageAttributes)

	// A long error message is cut to its first kilobyte.
	long := strings.Repeat("é", 600)
	out, err = lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dl"), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"fail":"` + long + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	requestID, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	want["RequestID"] = [2]string{"String", requestID}
	want["ErrorMessage"] = [2]string{"String", long[:1024]}
	wantAttrs(receiveOne(t, qc, *dlq.QueueUrl).MessageAttributes)
}

// failsWith raises the error its event's "fail" member names.
const failsWith = `def handler(event, context):
    fail = event.get('fail')
    if fail:
        raise ValueError(fail if isinstance(fail, str) else 'asked to fail')
    return {'ok': event}
`

// The deprecated InvokeAsync queues an Event invocation as Invoke does:
// 202, then the function runs and its record reaches the OnSuccess
// destination with InvokeAsync's request id and payload. Bad JSON and a
// missing function are refused before anything is queued.
func TestLambdaInvokeAsync(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "legacy", failsOnDemand, 3)
	q, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("legacy-done")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("legacy"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{Destination: aws.String(queueARN("legacy-done"))}}}); err != nil {
		t.Fatal(err)
	}
	out, err := lc.InvokeAsync(ctx, &lambda.InvokeAsyncInput{FunctionName: aws.String("legacy"), InvokeArgs: strings.NewReader(`{"n":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != 202 {
		t.Errorf("status %d, want 202", out.Status)
	}
	requestID, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	var rec invocationRecord
	if err := json.Unmarshal([]byte(aws.ToString(receiveOne(t, qc, aws.ToString(q.QueueUrl)).Body)), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.RequestContext.Condition != "Success" || rec.RequestContext.RequestID != requestID || string(rec.RequestPayload) != `{"n":1}` {
		t.Errorf("record %+v, payload %s; want Success for request %s", rec.RequestContext, rec.RequestPayload, requestID)
	}

	_, err = lc.InvokeAsync(ctx, &lambda.InvokeAsyncInput{FunctionName: aws.String("legacy"), InvokeArgs: strings.NewReader(`{bad`)})
	expectAPIError(t, err, "InvalidRequestContentException", 400)
	_, err = lc.InvokeAsync(ctx, &lambda.InvokeAsyncInput{FunctionName: aws.String("missing"), InvokeArgs: strings.NewReader(`{}`)})
	wantLambdaError(t, "a missing function", err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing")
}
