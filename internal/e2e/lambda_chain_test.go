package e2e_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

const caller = `import json
import boto3

def handler(event, context):
    c = boto3.client('lambda')
    r = c.invoke(FunctionName='callee', Payload=json.dumps({'x': event['x']}))
    sync = json.loads(r['Payload'].read())
    a = c.invoke(FunctionName='callee', InvocationType='Event', Payload=json.dumps({'async': event['x']}))
    return {'sync': sync, 'asyncStatus': a['StatusCode']}
`

const callee = `def handler(event, context):
    print('CALLEE %s' % sorted(event.items()))
    return {'echo': event}
`

// TestFunctionInvokesFunction: a Python function calls another through
// the boto3 the host provides, synchronously and with Event, as on AWS.
func TestFunctionInvokesFunction(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	createPythonFunction(t, lc, "callee", callee, 3)
	createPythonFunction(t, lc, "caller", caller, 10)
	out := invokeJSON(t, lc, "caller", map[string]any{"x": 7})
	if out.FunctionError != nil {
		t.Fatalf("caller failed: %s", out.Payload)
	}
	var res struct {
		Sync        struct{ Echo map[string]int } `json:"sync"`
		AsyncStatus int                           `json:"asyncStatus"`
	}
	if err := json.Unmarshal(out.Payload, &res); err != nil || res.Sync.Echo["x"] != 7 || res.AsyncStatus != 202 {
		t.Errorf("caller's answer: %s", out.Payload)
	}
	groupLines(t, cwl, "/aws/lambda/callee", "CALLEE ", func(l []string) bool {
		return hasLine(l, "CALLEE [('x', 7)]") && hasLine(l, "CALLEE [('async', 7)]")
	})
}

// TestAsyncRetriesThenOnFailure: an Event invocation of a function that
// always fails runs three times, a minute and then two minutes apart, and
// then its record goes to the OnFailure destination.
func TestAsyncRetriesThenOnFailure(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	failures := newQueue(t, qc, "async-failures")
	createPythonFunction(t, lc, "flaky", `def handler(event, context):
    print('ATTEMPT')
    raise RuntimeError('always')
`, 3)
	if _, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("flaky"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String(queueARN("async-failures"))}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("flaky"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`{"n":1}`)}); err != nil {
		t.Fatal(err)
	}
	attempts := func(n int) {
		t.Helper()
		groupLines(t, cwl, "/aws/lambda/flaky", "ATTEMPT", func(l []string) bool { return len(l) >= n })
	}
	// retried moves the clock on two seconds at a time until the function
	// has run n times. A retry counts from when virga saw the attempt
	// fail, which on a loaded machine can come after the test saw the
	// attempt's log line and moved the clock: stepping keeps the test
	// right either way, and no retry can come before its delay.
	retried := func(n int) {
		t.Helper()
		for step := 0; step < 40; step++ {
			env.Clock.Advance(2 * time.Second)
			if _, ok := groupLinesWithin(cwl, "/aws/lambda/flaky", "ATTEMPT", func(l []string) bool { return len(l) >= n }, 2*time.Second); ok {
				return
			}
		}
		attempts(n)
	}
	attempts(1)
	env.Clock.Advance(59 * time.Second)
	noMessage(t, qc, failures)
	retried(2)
	env.Clock.Advance(119 * time.Second)
	retried(3)
	m := receiveOne(t, qc, failures)
	var rec invocationRecord
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.RequestContext.Condition != "RetriesExhausted" || rec.RequestContext.ApproximateInvokeCount != 3 || string(rec.RequestPayload) != `{"n":1}` {
		t.Errorf("failure record: %s", aws.ToString(m.Body))
	}
	if lines := groupLines(t, cwl, "/aws/lambda/flaky", "ATTEMPT", func([]string) bool { return true }); len(lines) != 3 {
		t.Errorf("%d attempts, want 3", len(lines))
	}
}
