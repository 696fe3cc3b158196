package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	out := run("logs", "hello", "--endpoint", env.Endpoint)
	if !strings.Contains(out, "hello from the function") || !strings.Contains(out, "ERROR something") {
		t.Errorf("virga logs printed:\n%s", out)
	}
	out = run("logs", "hello", "--endpoint", env.Endpoint, "--filter-pattern", "ERROR")
	if strings.Contains(out, "hello from the function") || !strings.Contains(out, "ERROR something") {
		t.Errorf("virga logs --filter-pattern ERROR printed:\n%s", out)
	}
}
