package e2e_test

// Lambda answers compared with what AWS answers, where a first check of
// virga against AWS's documentation and observed behaviour found them
// apart: payload limits, ListFunctions' fields.

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// waitForLogMessage returns the first message of the log group that
// contains substr, or fails after a while: functions' logs, and Event
// invocations themselves, happen in the background.
func waitForLogMessage(t testing.TB, cwl *cloudwatchlogs.Client, group, substr string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := cwl.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{
			LogGroupName: aws.String(group), FilterPattern: aws.String(`"` + substr + `"`)})
		if err == nil && len(out.Events) > 0 {
			return aws.ToString(out.Events[0].Message)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message with %q in %s after 30 s (last error: %v)", substr, group, err)
		}
		time.Sleep(100 * time.Millisecond) // waiting for the background delivery, not timing it
	}
}

// TestLambdaEventPayloadLimit: an Event invocation may carry up to 1 MB
// ("For asynchronous invocations, the maximum payload size is 1 MB",
// Invoke's reference; it was 256 KB before), and its function gets it; a
// byte more is RequestEntityTooLargeException. A synchronous payload
// over 6 MB is RequestEntityTooLargeException as well, the code Lambda
// answers with.
func TestLambdaEventPayloadLimit(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	createGoFunction(t, c, "events", hostileZip(t))

	// The JSON document is exactly 1 MB: 1,048,576 bytes.
	const marker = "event-of-one-megabyte"
	doc := func(size int) []byte {
		head := `{"op":"log","message":"` + marker + `","pad":"`
		return []byte(head + strings.Repeat("p", size-len(head)-2) + `"}`)
	}
	payload := doc(1 << 20)
	if len(payload) != 1<<20 || !json.Valid(payload) {
		t.Fatalf("test payload: %d bytes", len(payload))
	}
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("events"),
		InvocationType: lambdatypes.InvocationTypeEvent, Payload: payload})
	if err != nil || out.StatusCode != 202 {
		t.Fatalf("an Event invocation of 1 MB: %v (status %d)", err, out.StatusCode)
	}
	if msg := waitForLogMessage(t, cwl, "/aws/lambda/events", marker); msg != marker+"\n" {
		t.Errorf("the function logged %q", msg)
	}

	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("events"),
		InvocationType: lambdatypes.InvocationTypeEvent, Payload: doc(1<<20 + 1)})
	if e := wantAPIError(t, err); e.Code != "RequestEntityTooLargeException" || e.Status != 413 ||
		e.Message != "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)" {
		t.Errorf("an Event invocation of 1 MB + 1 byte: %s (HTTP %d) %q", e.Code, e.Status, e.Message)
	}

	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("events"), Payload: doc(6<<20 + 1)})
	if e := wantAPIError(t, err); e.Code != "RequestEntityTooLargeException" || e.Status != 413 ||
		e.Message != "Request must be smaller than 6291456 bytes for the InvokeFunction operation" {
		t.Errorf("a RequestResponse invocation of 6 MB + 1 byte: %s (HTTP %d) %q", e.Code, e.Status, e.Message)
	}
	decodeWhoami(t, invokeJSON(t, c, "events", map[string]string{"op": "whoami"}))
}

// TestLambdaCLIListAndPayloadErrors drives Debian's aws CLI: list-functions
// shows the subset of fields ListFunctions returns (no State or
// LastUpdateStatus: "To get the additional fields ... use GetFunction"),
// and invoke with a payload over 6 MB prints Lambda's error.
func TestLambdaCLIListAndPayloadErrors(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	createGoFunction(t, c, "listed", hostileZip(t))

	var list struct{ Functions []map[string]any }
	res := env.CLI(t, "lambda", "list-functions")
	if res.ExitCode != 0 {
		t.Fatalf("list-functions: exit %d: %s", res.ExitCode, res.Stderr)
	}
	cliJSON(t, res, &list)
	if len(list.Functions) != 1 {
		t.Fatalf("list-functions: %s", res.Stdout)
	}
	fn := list.Functions[0]
	for _, field := range []string{"State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode"} {
		if _, ok := fn[field]; ok {
			t.Errorf("list-functions shows %s: %s", field, res.Stdout)
		}
	}
	for _, field := range []string{"FunctionName", "FunctionArn", "Runtime", "CodeSha256", "LastModified", "Version", "PackageType"} {
		if _, ok := fn[field]; !ok {
			t.Errorf("list-functions lacks %s: %s", field, res.Stdout)
		}
	}
	var cfg struct{ State, LastUpdateStatus string }
	res = env.CLI(t, "lambda", "get-function-configuration", "--function-name", "listed")
	cliJSON(t, res, &cfg)
	if cfg.State != "Active" || cfg.LastUpdateStatus != "Successful" {
		t.Errorf("get-function-configuration: %s", res.Stdout)
	}

	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, []byte(`"`+strings.Repeat("x", 6<<20)+`"`), 0o644); err != nil {
		t.Fatal(err)
	}
	res = env.CLI(t, "lambda", "invoke", "--function-name", "listed", "--payload", "fileb://"+big, filepath.Join(dir, "out.json"))
	// (The CLI's retry count, set to one attempt here, sits between the
	// operation and the message.)
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "An error occurred (RequestEntityTooLargeException) when calling the Invoke operation") ||
		!strings.Contains(res.Stderr, ": Request must be smaller than 6291456 bytes for the InvokeFunction operation") {
		t.Errorf("invoke with 6 MB + 2 bytes: exit %d, stderr %s", res.ExitCode, res.Stderr)
	}
}

// TestLambdaCLIFilterPatterns: filter-log-events through Debian's aws CLI
// with the regular-expression and space-delimited filter patterns
// CloudWatch Logs documents, on a function's own log lines (REPORT lines
// are tab-separated, and match space-delimited patterns as on AWS).
func TestLambdaCLIFilterPatterns(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	createGoFunction(t, c, "patterns", hostileZip(t))
	for _, m := range []string{"order-17 shipped", "order-18 failed"} {
		decodeWhoami(t, invokeJSON(t, c, "patterns", map[string]string{"op": "log", "message": m}))
	}
	waitForLogMessage(t, cwl, "/aws/lambda/patterns", "order-18")
	filter := func(pattern string) []string {
		t.Helper()
		var out struct{ Events []struct{ Message string } }
		cliJSON(t, env.CLI(t, "logs", "filter-log-events", "--log-group-name", "/aws/lambda/patterns", "--filter-pattern", pattern), &out)
		var msgs []string
		for _, e := range out.Events {
			msgs = append(msgs, e.Message)
		}
		return msgs
	}
	if got := filter("%order-[0-9]+ f%"); len(got) != 1 || got[0] != "order-18 failed\n" {
		t.Errorf("%%order-[0-9]+ f%%: %q", got)
	}
	if got := filter("[id=order-*, status=shipped]"); len(got) != 1 || got[0] != "order-17 shipped\n" {
		t.Errorf("[id=order-*, status=shipped]: %q", got)
	}
	reports := filter(`[type=REPORT, rid_label="RequestId:", rid, duration_label="Duration:", duration>=0, unit=ms, ...]`)
	if len(reports) != 2 || !strings.HasPrefix(reports[0], "REPORT RequestId: ") || !strings.HasPrefix(reports[1], "REPORT RequestId: ") {
		t.Errorf("REPORT lines by a space-delimited pattern: %q", reports)
	}
	res := env.CLI(t, "logs", "filter-log-events", "--log-group-name", "/aws/lambda/patterns", "--filter-pattern", "[a, b")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "InvalidParameterException") {
		t.Errorf("an unterminated pattern: exit %d, %s", res.ExitCode, res.Stderr)
	}
}
