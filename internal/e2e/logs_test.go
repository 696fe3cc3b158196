package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func TestLogsGroupsStreamsEvents(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	group := "/aws/lambda/orders"
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	if code, _ := apiCode(t, err); code != "ResourceAlreadyExistsException" {
		t.Errorf("second CreateLogGroup: %s", code)
	}
	for _, s := range []string{"2026/01/01/[$LATEST]aaaa", "2026/01/01/[$LATEST]bbbb"} {
		if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s)}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UnixMilli()
	put := func(stream string, msgs ...string) {
		var evs []types.InputLogEvent
		for i, m := range msgs {
			evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(now + int64(i)), Message: aws.String(m)})
		}
		if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs}); err != nil {
			t.Fatal(err)
		}
	}
	put("2026/01/01/[$LATEST]aaaa", "START RequestId: 1", "ERROR boom", `{"level":"error","latency":250}`)
	put("2026/01/01/[$LATEST]bbbb", "WARN slow", `{"level":"info","latency":5,"path":"/api/v1/x?[a]"}`)

	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("2026/01/01/[$LATEST]aaaa"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(now + 10), Message: aws.String("b")}, {Timestamp: aws.Int64(now), Message: aws.String("a")}}})
	if code, msg := apiCode(t, err); code != "InvalidParameterException" || !strings.Contains(msg, "chronological order") {
		t.Errorf("unordered batch: %s: %s", code, msg)
	}

	get, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("2026/01/01/[$LATEST]aaaa"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(get.Events) != 3 || aws.ToString(get.Events[1].Message) != "ERROR boom" {
		t.Fatalf("GetLogEvents = %d events", len(get.Events))
	}
	again, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("2026/01/01/[$LATEST]aaaa"), NextToken: get.NextForwardToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Events) != 0 || aws.ToString(again.NextForwardToken) != aws.ToString(get.NextForwardToken) {
		t.Errorf("reading past the end: %d events, token changed %v", len(again.Events), aws.ToString(again.NextForwardToken) != aws.ToString(get.NextForwardToken))
	}

	for pattern, want := range map[string]int{
		"":                                      5,
		"ERROR":                                 1,
		"?ERROR ?WARN":                          2,
		`"RequestId: 1"`:                        1,
		"-START":                                4,
		`{ $.level = "error" }`:                 1,
		`{ $.latency > 100 || $.latency < 10 }`: 2,
		`{ $.level = "inf*" }`:                  1,
		`{ $.path = "/api/*" }`:                 1,
		`{ $.path = "*?[a]" }`:                  1,
	} {
		f, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String(pattern)})
		if err != nil {
			t.Fatalf("pattern %q: %v", pattern, err)
		}
		if len(f.Events) != want {
			t.Errorf("pattern %q matched %d events, want %d", pattern, len(f.Events), want)
		}
	}
	streams, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group), OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(streams.LogStreams) != 2 || streams.LogStreams[0].LastEventTimestamp == nil {
		t.Errorf("DescribeLogStreams = %+v", streams.LogStreams)
	}
	if _, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(group), RetentionInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(group), RetentionInDays: aws.Int32(2)})
	wantSQSError(t, "a retention of 2 days", err, "InvalidParameterException",
		"1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: "+
			"[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")
	groups, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.LogGroups) != 1 || aws.ToInt32(groups.LogGroups[0].RetentionInDays) != 7 {
		t.Errorf("DescribeLogGroups = %+v", groups.LogGroups)
	}
	if _, err := c.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("x")})
	if code, msg := apiCode(t, err); code != "ResourceNotFoundException" || msg != "The specified log group does not exist." {
		t.Errorf("deleted group: %s: %s", code, msg)
	}
}

func TestLogsTailWithTheCLI(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	group := "/aws/lambda/tailme"
	c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1")})
	var evs []types.InputLogEvent
	for i := 0; i < 3; i++ {
		evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(time.Now().UnixMilli() + int64(i)), Message: aws.String(fmt.Sprintf("line %d", i))})
	}
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1"), LogEvents: evs}); err != nil {
		t.Fatal(err)
	}
	res := env.CLI(t, "logs", "tail", group, "--since", "5m")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "line 0") || !strings.Contains(res.Stdout, "line 2") {
		t.Errorf("aws logs tail: exit %d\nstdout: %s\nstderr: %s", res.ExitCode, res.Stdout, res.Stderr)
	}
}
