package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

func TestLambdaInvokeGoFunction(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	createGoFunction(t, c, "gofn", goFunctionZip(t, "bootstrap"), func(in *lambda.CreateFunctionInput) {
		in.MemorySize = aws.Int32(256)
		in.Environment = &lambdatypes.Environment{Variables: map[string]string{"GREETING": "hello"}}
	})

	out := invokeJSON(t, c, "gofn", map[string]any{"op": "echo", "n": 1})
	if out.StatusCode != 200 || !sameJSON(out.Payload, `{"op":"echo","n":1}`) || aws.ToString(out.ExecutedVersion) != "$LATEST" || out.FunctionError != nil {
		t.Errorf("echo: %d %s %s %v", out.StatusCode, out.Payload, aws.ToString(out.ExecutedVersion), out.FunctionError)
	}

	// The environment as AWS sets it, then the user's.
	out = invokeJSON(t, c, "gofn", map[string]any{"op": "env", "names": []string{
		"GREETING", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME", "_HANDLER", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID"}})
	var seen struct {
		Env                                       map[string]string
		FunctionName, FunctionVersion, InvokedArn string
		MemoryLimitInMB                           int
		MsToDeadline                              int64
	}
	if err := json.Unmarshal(out.Payload, &seen); err != nil {
		t.Fatalf("env: %v: %s", err, out.Payload)
	}
	if e := seen.Env; e["GREETING"] != "hello" || e["AWS_REGION"] != "us-east-1" || e["AWS_DEFAULT_REGION"] != "us-east-1" ||
		e["AWS_LAMBDA_FUNCTION_NAME"] != "gofn" || e["AWS_LAMBDA_FUNCTION_VERSION"] != "$LATEST" || e["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] != "256" ||
		e["AWS_LAMBDA_LOG_GROUP_NAME"] != "/aws/lambda/gofn" || e["_HANDLER"] != "bootstrap" || e["AWS_ENDPOINT_URL"] != env.Endpoint ||
		!strings.HasPrefix(e["AWS_ACCESS_KEY_ID"], "ASIA") {
		t.Errorf("environment seen by the function: %v", e)
	}
	if seen.FunctionName != "gofn" || seen.MemoryLimitInMB != 256 || seen.MsToDeadline <= 0 || seen.MsToDeadline > 30000 ||
		seen.InvokedArn != "arn:aws:lambda:us-east-1:"+testAccount+":function:gofn" {
		t.Errorf("context seen by the function: %+v", seen)
	}

	// A handler error is a function error.
	out = invokeJSON(t, c, "gofn", map[string]any{"op": "fail", "message": "it broke"})
	var fe struct{ ErrorMessage, ErrorType string }
	json.Unmarshal(out.Payload, &fe)
	if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" || fe.ErrorMessage != "it broke" || fe.ErrorType != "errorString" {
		t.Errorf("fail: %d %v %s", out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
	}

	// LogType Tail: the end of the invocation's log.
	out = invokeJSON(t, c, "gofn", map[string]any{"op": "log", "message": "a line to find"}, func(in *lambda.InvokeInput) { in.LogType = lambdatypes.LogTypeTail })
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil || !strings.Contains(string(tail), "a line to find") || !strings.Contains(string(tail), "REPORT RequestId:") || len(tail) > 4096 {
		t.Errorf("LogResult: %v %q", err, tail)
	}

	// DryRun and Event.
	dry, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("gofn"), InvocationType: lambdatypes.InvocationTypeDryRun})
	if err != nil || dry.StatusCode != 204 {
		t.Errorf("DryRun: %+v, %v", dry, err)
	}
	ev, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("gofn"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`{"op":"echo"}`)})
	if err != nil || ev.StatusCode != 202 || len(ev.Payload) != 0 {
		t.Errorf("Event: %+v, %v", ev, err)
	}

	// Calls to AWS from inside the function reach virga, with the role's
	// credentials.
	out = invokeJSON(t, c, "gofn", map[string]string{"op": "sts"})
	var who struct{ Arn, Account string }
	if err := json.Unmarshal(out.Payload, &who); err != nil || who.Account != testAccount || !strings.HasPrefix(who.Arn, "arn:aws:sts::"+testAccount+":assumed-role/lambda-exec/") {
		t.Errorf("GetCallerIdentity from the function: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}

	// Versions and aliases run their own code.
	if _, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("gofn")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("gofn"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("gofn"), ZipFile: zipOf(t, zipEntry{name: "nothing", body: []byte("x")})}); err != nil {
		t.Fatal(err)
	}
	out = invokeJSON(t, c, "gofn", map[string]any{"op": "echo"}, func(in *lambda.InvokeInput) { in.Qualifier = aws.String("live") })
	if aws.ToString(out.ExecutedVersion) != "1" || string(out.Payload) != `{"op":"echo"}` {
		t.Errorf("through the alias: %s %s", aws.ToString(out.ExecutedVersion), out.Payload)
	}
	// $LATEST now has no bootstrap: Lambda's error for that, and version
	// 1 is unaffected.
	out = invokeJSON(t, c, "gofn", map[string]any{"op": "echo"})
	json.Unmarshal(out.Payload, &fe)
	if aws.ToString(out.FunctionError) != "Unhandled" || fe.ErrorType != "Runtime.InvalidEntrypoint" {
		t.Errorf("without a bootstrap: %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
	out = invokeJSON(t, c, "gofn:1", map[string]any{"op": "echo"})
	if out.FunctionError != nil {
		t.Errorf("version 1 after $LATEST broke: %s", out.Payload)
	}
}

func TestLambdaGo1xRuntime(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	createGoFunction(t, c, "legacy", goFunctionZip(t, "handler"), func(in *lambda.CreateFunctionInput) {
		in.Runtime, in.Handler = lambdatypes.RuntimeGo1x, aws.String("handler")
	})
	out := invokeJSON(t, c, "legacy", map[string]string{"op": "echo"})
	if out.FunctionError != nil || string(out.Payload) != `{"op":"echo"}` {
		t.Errorf("go1.x: %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

func TestLambdaReservedConcurrencyThrottles(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	createGoFunction(t, c, "limited", goFunctionZip(t, "bootstrap"))
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("limited"), ReservedConcurrentExecutions: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	results := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("limited"), Payload: []byte(`{"op":"sleep","ms":1000}`)})
			key := "ok"
			var throttled *lambdatypes.TooManyRequestsException
			if errorsAs(err, &throttled) {
				key = string(throttled.Reason)
			} else if err != nil {
				key = err.Error()
			}
			mu.Lock()
			results[key]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if results["ok"] < 2 || results["ok"]+results[string(lambdatypes.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded)] != 8 {
		t.Errorf("8 concurrent invocations with 2 reserved: %v", results)
	}
	// The next one succeeds.
	out := invokeJSON(t, c, "limited", map[string]string{"op": "echo"})
	if out.FunctionError != nil {
		t.Errorf("after the burst: %s", out.Payload)
	}
}

func TestLambdaAsyncInvocationRuns(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	ddb := dynamodb.NewFromConfig(env.Config)
	if _, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("marks"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}
	createGoFunction(t, c, "bg", goFunctionZip(t, "bootstrap"))
	// The function marks a table when it runs: the event is delivered
	// without anyone waiting for it.
	if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("bg"), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"op":"mark","table":"marks","id":"async"}`)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("marks"), ConsistentRead: aws.Bool(true),
			Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "async"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Item != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the asynchronous invocation did not run within 30 s")
		}
		time.Sleep(20 * time.Millisecond) // waiting for the background delivery, not timing it
	}
}

func TestLambdaPythonAndNodeFunctions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	for _, tc := range []struct {
		tool, runtime, handler, file, code string
	}{
		{"python3", "python3.12", "app.handler", "app.py", "import os\n\ndef handler(event, context):\n    return {'got': event, 'fn': context.function_name, 'region': os.environ['AWS_REGION']}\n"},
		{"node", "nodejs22.x", "index.handler", "index.mjs", "export const handler = async (event, context) => ({got: event, fn: context.functionName, region: process.env.AWS_REGION});\n"},
	} {
		t.Run(tc.runtime, func(t *testing.T) {
			testenv.Tool(t, tc.tool)
			name := "fn-" + strings.NewReplacer(".", "-").Replace(tc.runtime)
			if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
				FunctionName: aws.String(name), Runtime: lambdatypes.Runtime(tc.runtime), Handler: aws.String(tc.handler),
				Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: tc.file, body: []byte(tc.code)})},
			}); err != nil {
				t.Fatal(err)
			}
			out := invokeJSON(t, c, name, map[string]int{"x": 1})
			var got struct {
				Got    map[string]int
				Fn     string
				Region string
			}
			if err := json.Unmarshal(out.Payload, &got); err != nil || out.FunctionError != nil || got.Got["x"] != 1 || got.Fn != name || got.Region != "us-east-1" {
				t.Errorf("%s: %v %s", tc.runtime, aws.ToString(out.FunctionError), out.Payload)
			}
		})
	}
}
