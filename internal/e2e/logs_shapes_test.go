package e2e_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

// DescribeLogGroups gives both forms of a group's ARN (arn with a
// trailing :*, logGroupArn without) and its class, STANDARD unless the
// group was created with another; the class also filters the listing.
func TestLogsGroupArnAndClass(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/app/std")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/app/ia"), LogGroupClass: types.LogGroupClassInfrequentAccess}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/app/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LogGroups) != 2 {
		t.Fatalf("DescribeLogGroups = %d groups", len(out.LogGroups))
	}
	ia, std := out.LogGroups[0], out.LogGroups[1]
	arn := aws.ToString(std.LogGroupArn)
	if want := "arn:aws:logs:us-east-1:" + testAccount + ":log-group:/app/std"; arn != want || aws.ToString(std.Arn) != want+":*" {
		t.Errorf("arn = %q, logGroupArn = %q, want %q with and without :*", aws.ToString(std.Arn), arn, want)
	}
	if std.LogGroupClass != types.LogGroupClassStandard || ia.LogGroupClass != types.LogGroupClassInfrequentAccess {
		t.Errorf("classes = %q, %q", std.LogGroupClass, ia.LogGroupClass)
	}
	only, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupClass: types.LogGroupClassInfrequentAccess})
	if err != nil {
		t.Fatal(err)
	}
	if len(only.LogGroups) != 1 || aws.ToString(only.LogGroups[0].LogGroupName) != "/app/ia" {
		t.Errorf("filtered by class = %+v", only.LogGroups)
	}
	// The ARN without :* is the one the tagging API takes.
	if _, err := c.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || tags.Tags["team"] != "a" {
		t.Errorf("ListTagsForResource = %v, %v", tags, err)
	}
}

// A log stream's storedBytes has been reported as zero since June 2019;
// the group's still counts what its streams hold.
func TestLogsStreamStoredBytesIsZero(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	g, s := "/app/bytes", "s"
	createLogStream(t, c, g, s)
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String(s),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String("some bytes")}}}); err != nil {
		t.Fatal(err)
	}
	streams, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(g)})
	if err != nil {
		t.Fatal(err)
	}
	if len(streams.LogStreams) != 1 || aws.ToInt64(streams.LogStreams[0].StoredBytes) != 0 || streams.LogStreams[0].LastEventTimestamp == nil {
		t.Errorf("DescribeLogStreams = %+v", streams.LogStreams)
	}
	groups, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(g)})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.LogGroups) != 1 || aws.ToInt64(groups.LogGroups[0].StoredBytes) == 0 {
		t.Errorf("group storedBytes = %+v", groups.LogGroups)
	}
}

// A stream that has had events uploaded reports its uploadSequenceToken,
// the nextSequenceToken of its last PutLogEvents, as the CLI reference's
// describe-log-streams scripts read it; a stream without uploads has none.
func TestLogsStreamUploadSequenceToken(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	g := "/app/tokens"
	createLogStream(t, c, g, "used")
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(g), LogStreamName: aws.String("unused")}); err != nil {
		t.Fatal(err)
	}
	var last string
	for i := range 2 {
		out, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String("used"),
			LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String("event")}}})
		if err != nil {
			t.Fatal(err)
		}
		next := aws.ToString(out.NextSequenceToken)
		if next == "" || next == last {
			t.Fatalf("put %d: nextSequenceToken %q after %q", i, next, last)
		}
		last = next
	}
	streams, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(g)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*string{}
	for _, st := range streams.LogStreams {
		got[aws.ToString(st.LogStreamName)] = st.UploadSequenceToken
	}
	if aws.ToString(got["used"]) != last || got["unused"] != nil {
		t.Errorf("uploadSequenceToken: used %v, unused %v; want %q and none", aws.ToString(got["used"]), got["unused"], last)
	}
}

// PutLogEvents reports events older than 14 days as too old and younger
// ones that precede the group's retention period as expired, each by the
// exclusive end of its run; the events after them are stored.
func TestLogsPutExpiredEvents(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	g, s := "/app/retained", "s"
	createLogStream(t, c, g, s)
	if _, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(g), RetentionInDays: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	put := func(ts ...time.Time) *types.RejectedLogEventsInfo {
		t.Helper()
		var evs []types.InputLogEvent
		for _, x := range ts {
			evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(x.UnixMilli()), Message: aws.String("m")})
		}
		out, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String(s), LogEvents: evs})
		if err != nil {
			t.Fatal(err)
		}
		return out.RejectedLogEventsInfo
	}
	pastRetention := now.Add(-25 * time.Hour)
	r := put(pastRetention, pastRetention.Add(time.Millisecond), now.Add(-2*time.Hour))
	if r == nil || aws.ToInt32(r.ExpiredLogEventEndIndex) != 2 || r.TooOldLogEventEndIndex != nil || r.TooNewLogEventStartIndex != nil {
		t.Errorf("past retention: rejected = %+v", r)
	}
	old := now.Add(-15 * 24 * time.Hour)
	r = put(old, old.Add(time.Millisecond))
	if r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 2 || r.ExpiredLogEventEndIndex != nil {
		t.Errorf("past 14 days: rejected = %+v", r)
	}
	got, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String(s), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 1 {
		t.Errorf("stored %d events, want the one inside the retention period", len(got.Events))
	}
}

// The 24-hour span of a PutLogEvents batch counts only the events that
// can be stored: a batch whose too-old and too-new events lie further
// apart is accepted, and those events are reported. A single event may
// be up to 1 MB.
func TestLogsPutSpanCountsValidEvents(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	g, s := "/app/span", "s"
	createLogStream(t, c, g, s)
	now := time.Now()
	ev := func(at time.Time, m string) types.InputLogEvent {
		return types.InputLogEvent{Timestamp: aws.Int64(at.UnixMilli()), Message: aws.String(m)}
	}
	old := now.Add(-15 * 24 * time.Hour)
	out, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String(s), LogEvents: []types.InputLogEvent{
		ev(old, "old"), ev(old.Add(time.Millisecond), "old"), ev(now, strings.Repeat("x", 300*1024)), ev(now.Add(3*time.Hour), "new"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := out.RejectedLogEventsInfo
	if r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 2 || aws.ToInt32(r.TooNewLogEventStartIndex) != 3 {
		t.Errorf("rejected = %+v", r)
	}
	// Two storable events more than 24 hours apart still fail the batch.
	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String(s), LogEvents: []types.InputLogEvent{
		ev(now.Add(-25*time.Hour), "a"), ev(now, "b"),
	}})
	if e := wantAPIError(t, err); e.Code != "InvalidParameterException" {
		t.Errorf("a 25-hour batch: %v", err)
	}
	got, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String(s)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 1 || len(aws.ToString(got.Events[0].Message)) != 300*1024 {
		t.Errorf("stored %d events", len(got.Events))
	}
}

// DescribeLogStreams, GetLogEvents and FilterLogEvents take the group by
// logGroupIdentifier (its name or its ARN without :*, which the model's
// pattern refuses) instead of logGroupName; both together are refused.
func TestLogsGroupIdentifier(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	const group, stream = "/app/by-id", "s1"
	createLogStream(t, c, group, stream)
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String("hello by id")}}}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:logs:us-east-1:" + testAccount + ":log-group:" + group
	for _, id := range []string{group, arn} {
		ds, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupIdentifier: aws.String(id)})
		if err != nil || len(ds.LogStreams) != 1 {
			t.Errorf("DescribeLogStreams(%s) = %v, %v", id, ds, err)
		}
		ge, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupIdentifier: aws.String(id), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true)})
		if err != nil || len(ge.Events) != 1 {
			t.Errorf("GetLogEvents(%s) = %v, %v", id, ge, err)
		}
		fe, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupIdentifier: aws.String(id), FilterPattern: aws.String("hello")})
		// searchedLogStreams is still sent, as the empty list it has been
		// since May 2020.
		if err != nil || len(fe.Events) != 1 || fe.SearchedLogStreams == nil || len(fe.SearchedLogStreams) != 0 {
			t.Errorf("FilterLogEvents(%s) = %v, %v", id, fe, err)
		}
	}
	_, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group), LogGroupIdentifier: aws.String(arn)})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" || ae.ErrorMessage() != "LogGroup name and LogGroup ARN are mutually exclusive parameters." {
		t.Errorf("both name and identifier: %v", err)
	}
	if _, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupIdentifier: aws.String(arn + "-missing")}); !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" {
		t.Errorf("a missing group by ARN: %v", err)
	}
}

// createLogStream creates a log group and a stream in it.
func createLogStream(t *testing.T, c *cloudwatchlogs.Client, group, stream string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		t.Fatal(err)
	}
}
