package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/virga/virga/internal/e2e"
)

func TestLogsCommandPrintsAFunctionsLog(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	group := "/aws/lambda/hello"
	c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")})
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{
			{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String("hello from the function")},
			{Timestamp: aws.Int64(time.Now().UnixMilli() + 1), Message: aws.String("ERROR something")},
		}}); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		cmd := newRootCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(args)
		if err := cmd.ExecuteContext(ctx); err != nil {
			t.Fatalf("virga %v: %v", args, err)
		}
		return out.String()
	}
	out := run("logs", "hello", "--endpoint-url", env.Endpoint)
	if !strings.Contains(out, "hello from the function") || !strings.Contains(out, "ERROR something") {
		t.Errorf("virga logs printed:\n%s", out)
	}
	out = run("logs", "hello", "--endpoint", env.Endpoint, "--filter-pattern", "ERROR")
	if strings.Contains(out, "hello from the function") || !strings.Contains(out, "ERROR something") {
		t.Errorf("virga logs --filter-pattern ERROR printed:\n%s", out)
	}
}

// TestLogsCommandFormatAndFollow: virga logs prints times to the
// millisecond as aws logs tail does, trims the trailing tab of Lambda's
// REPORT lines, says what a missing log group means, and with --follow
// waits for a function that has not logged yet.
func TestLogsCommandFormatAndFollow(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	put := func(group string, ts int64, msg string) {
		t.Helper()
		c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
		c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")})
		if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"),
			LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(ts), Message: aws.String(msg)}}}); err != nil {
			t.Fatal(err)
		}
	}
	// 620 ms past a whole second: printed as .620, not .62.
	at := time.Now().Add(-time.Minute).Truncate(time.Second).Add(620 * time.Millisecond)
	put("/aws/lambda/fmt", at.UnixMilli(), "REPORT RequestId: r\tDuration: 1.00 ms\t")
	run := func(args ...string) (string, error) {
		cmd := newRootCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(args)
		err := cmd.ExecuteContext(ctx)
		return out.String(), err
	}
	out, err := run("logs", "fmt", "--endpoint-url", env.Endpoint)
	want := at.UTC().Format("2006-01-02T15:04:05") + ".620Z s REPORT RequestId: r\tDuration: 1.00 ms\n"
	if err != nil || out != want {
		t.Errorf("virga logs fmt: %v\n got %q\nwant %q", err, out, want)
	}
	_, err = run("logs", "nothing-yet", "--endpoint", env.Endpoint)
	if err == nil || !strings.Contains(err.Error(), "log group /aws/lambda/nothing-yet does not exist") {
		t.Errorf("virga logs of a function that never logged: %v", err)
	}

	// --follow before the function's first log line.
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var followed syncBuffer
	done := make(chan error, 1)
	go func() {
		cmd := newRootCommand()
		cmd.SetOut(&followed)
		cmd.SetErr(&followed)
		cmd.SetArgs([]string{"logs", "later", "-f", "--endpoint", env.Endpoint})
		done <- cmd.ExecuteContext(fctx)
	}()
	put("/aws/lambda/later", time.Now().UnixMilli(), "first line")
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(followed.String(), " s first line\n") {
		select {
		case err := <-done:
			t.Fatalf("virga logs -f ended before the first line: %v; printed %q", err, followed.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("virga logs -f printed %q after 20 s", followed.String())
		}
		time.Sleep(50 * time.Millisecond) // polling the command's output, not timing it
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("virga logs -f after interruption: %v", err)
	}
	if n := strings.Count(followed.String(), "first line"); n != 1 {
		t.Errorf("virga logs -f printed the line %d times: %q", n, followed.String())
	}
}

// TestClientCommandsWithoutVirga: invoke, logs and deploy, pointed at an
// address where nothing listens, say so and how to point elsewhere,
// instead of the SDK's retry chain.
func TestClientCommandsWithoutVirga(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String()
	ln.Close()
	template := filepath.Join(t.TempDir(), "template.yaml")
	os.WriteFile(template, []byte("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"), 0o644)
	for _, args := range [][]string{
		{"invoke", "hello"},
		{"logs", "hello"},
		{"deploy", "-t", template, "--stack-name", "q"},
	} {
		cmd := newRootCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append(args, "--endpoint-url", endpoint))
		err := cmd.ExecuteContext(context.Background())
		want := "cannot reach virga at " + endpoint + ": is `virga up` running there?"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("virga %s: %v, want %q", args[0], err, want)
		}
	}
}

// stackFunctionTemplate is a stack with a function that names its own log
// group, and a queue.
const stackFunctionTemplate = `{
  "Resources": {
    "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/custom/hello"}},
    "Queue": {"Type": "AWS::SQS::Queue"},
    "HelloFunction": {"Type": "AWS::Lambda::Function", "Properties": {
      "Runtime": "python3.12", "Handler": "index.handler",
      "Role": "arn:aws:iam::000000000000:role/fn",
      "LoggingConfig": {"LogGroup": {"Ref": "Logs"}},
      "Code": {"ZipFile": "def handler(event, context):\n    print('hello', event['who'])\n    return {'hi': event['who']}\n"}}}
  }
}`

// TestFunctionCommandsByLogicalID: with --stack-name, virga invoke and
// virga logs take a function's logical ID, as sam remote invoke and
// sam logs -n do, and logs read the log group the function names.
func TestFunctionCommandsByLogicalID(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cfn := cloudformation.NewFromConfig(env.Config)
	if _, err := cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("app"),
		TemplateBody: aws.String(stackFunctionTemplate)}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cfn).Wait(ctx,
		&cloudformation.DescribeStacksInput{StackName: aws.String("app")}, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		cmd := newRootCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append(args, "--endpoint-url", env.Endpoint))
		err := cmd.ExecuteContext(ctx)
		return out.String(), err
	}
	out, err := run("invoke", "HelloFunction", "--stack-name", "app", "--payload", `{"who":"world"}`)
	if err != nil || !strings.Contains(out, `{"hi": "world"}`) {
		t.Fatalf("virga invoke HelloFunction --stack-name app: %v\n%s", err, out)
	}
	// sam remote invoke's --event and --event-file.
	event := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(event, []byte(`{"who":"file"}`), 0o644)
	if out, err := run("invoke", "HelloFunction", "--stack-name", "app", "--event-file", event); err != nil || !strings.Contains(out, `{"hi": "file"}`) {
		t.Errorf("virga invoke --event-file: %v\n%s", err, out)
	}
	if out, err := run("invoke", "HelloFunction", "--stack-name", "app", "--event", `{"who":"flag"}`); err != nil || !strings.Contains(out, `{"hi": "flag"}`) {
		t.Errorf("virga invoke --event: %v\n%s", err, out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err = run("logs", "HelloFunction", "--stack-name", "app")
		if err == nil && strings.Contains(out, "hello world") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("virga logs HelloFunction --stack-name app: %v\n%s", err, out)
		}
		time.Sleep(100 * time.Millisecond) // polling for the log line, not timing it
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"invoke", "Nope", "--stack-name", "app"}, "Resource Nope does not exist for stack app"},
		{[]string{"logs", "Queue", "--stack-name", "app"}, "Queue in stack app is not a function but AWS::SQS::Queue"},
		{[]string{"invoke", "HelloFunction", "--stack-name", "gone"}, "does not exist"},
	} {
		if _, err := run(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("virga %v: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
}

// TestLogsTailFlag: sam logs's --tail (-t) is virga logs's --follow.
func TestLogsTailFlag(t *testing.T) {
	t.Parallel()
	for _, flag := range []string{"--tail", "-t", "--follow", "-f"} {
		cmd := newLogsCommand()
		if err := cmd.Flags().Parse([]string{flag}); err != nil {
			t.Fatalf("%s: %v", flag, err)
		}
		if v := cmd.Flags().Lookup("follow").Value.String(); v != "true" {
			t.Errorf("%s: follow = %s", flag, v)
		}
	}
}
