package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

// schedRole is the execution role the tests' schedules name.
const schedRole = "arn:aws:iam::" + testAccount + ":role/scheduler-exec"

// schedOff is the flexible time window of a schedule that fires on time.
var schedOff = &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff}

// schedTimeLayout is how <aws.scheduler.scheduled-time> renders.
const schedTimeLayout = "2006-01-02T15:04:05Z"

// schedInput is a target input that names the schedule's purpose and the
// occurrence it fired for, so that tests tell occurrences apart.
func schedInput(tag string) *string {
	return aws.String(`{"tag":"` + tag + `","at":"<aws.scheduler.scheduled-time>"}`)
}

// schedBody is what schedInput(tag) delivers for the occurrence at t.
func schedBody(tag string, t time.Time) string {
	return `{"tag":"` + tag + `","at":"` + t.UTC().Format(schedTimeLayout) + `"}`
}

// schedQueue creates a queue and returns its URL and ARN.
func schedQueue(t testing.TB, c *sqs.Client, name string) (string, string) {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return *out.QueueUrl, "arn:aws:sqs:us-east-1:" + testAccount + ":" + name
}

// schedDrain polls a queue (without long polls, which wait on virga's
// clock, a fake one here) until done accepts the bodies received so far,
// deleting what it receives. The schedules fire on virga's clock; only
// the wait for their background delivery is in real time.
func schedDrain(t testing.TB, c *sqs.Client, url string, done func([]sqstypes.Message) bool) []sqstypes.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var got []sqstypes.Message
	for !done(got) {
		if time.Now().After(deadline) {
			t.Fatalf("queue %s: got %q, still not what the test waits for", url, schedBodies(got))
		}
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url,
			MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			got = append(got, m)
			if _, err := c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
		if len(out.Messages) == 0 {
			time.Sleep(20 * time.Millisecond) // waiting for background delivery, not timing it
		}
	}
	return got
}

// schedWaitFor drains a queue until it has received every body in want,
// and returns everything it received on the way.
func schedWaitFor(t testing.TB, c *sqs.Client, url string, want ...string) []string {
	t.Helper()
	return schedBodies(schedDrain(t, c, url, func(got []sqstypes.Message) bool {
		bodies := schedBodies(got)
		for _, w := range want {
			if !slices.Contains(bodies, w) {
				return false
			}
		}
		return true
	}))
}

func schedBodies(ms []sqstypes.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = aws.ToString(m.Body)
	}
	return out
}

// schedEmpty asserts that a queue holds no message now.
func schedEmpty(t testing.TB, c *sqs.Client, url string) {
	t.Helper()
	out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) > 0 {
		t.Fatalf("queue %s holds %q; want nothing", url, schedBodies(out.Messages))
	}
}

// nextMinute is the first whole minute after t.
func nextMinute(t time.Time) time.Time { return t.Truncate(time.Minute).Add(time.Minute) }

// cronAt is a cron expression for the single minute t (in t's location).
func cronAt(t time.Time) string {
	return fmt.Sprintf("cron(%d %d %d %d ? %d)", t.Minute(), t.Hour(), t.Day(), int(t.Month()), t.Year())
}

func TestSchedulerScheduleCRUD(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := scheduler.NewFromConfig(env.Config)
	ctx := context.Background()
	target := "arn:aws:sqs:us-east-1:" + testAccount + ":crud"
	before := time.Now().Add(-time.Second)

	g, err := c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("team"),
		Tags: []schedtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:scheduler:us-east-1:" + testAccount + ":schedule-group/team"; aws.ToString(g.ScheduleGroupArn) != want {
		t.Fatalf("ScheduleGroupArn %s; want %s", aws.ToString(g.ScheduleGroupArn), want)
	}
	for _, in := range []*scheduler.CreateScheduleInput{
		{Name: aws.String("nightly"), ScheduleExpression: aws.String("cron(0 2 * * ? *)"), FlexibleTimeWindow: schedOff,
			Description: aws.String("every night"), ScheduleExpressionTimezone: aws.String("Europe/Paris"),
			Target: &schedtypes.Target{Arn: aws.String(target), RoleArn: aws.String(schedRole), Input: aws.String(`{"k":1}`)}},
		{Name: aws.String("often"), ScheduleExpression: aws.String("rate(5 minutes)"), FlexibleTimeWindow: schedOff,
			State:  schedtypes.ScheduleStateDisabled,
			Target: &schedtypes.Target{Arn: aws.String(target), RoleArn: aws.String(schedRole)}},
		{Name: aws.String("nightly"), GroupName: aws.String("team"), ScheduleExpression: aws.String("at(2030-01-01T00:00:00)"),
			FlexibleTimeWindow:    &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeFlexible, MaximumWindowInMinutes: aws.Int32(15)},
			ActionAfterCompletion: schedtypes.ActionAfterCompletionDelete,
			Target: &schedtypes.Target{Arn: aws.String(target), RoleArn: aws.String(schedRole),
				RetryPolicy:      &schedtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(3), MaximumEventAgeInSeconds: aws.Int32(600)},
				DeadLetterConfig: &schedtypes.DeadLetterConfig{Arn: aws.String(target + "-dlq")}}},
	} {
		out, err := c.CreateSchedule(ctx, in)
		if err != nil {
			t.Fatalf("CreateSchedule %s: %v", *in.Name, err)
		}
		group := aws.ToString(in.GroupName)
		if group == "" {
			group = "default"
		}
		if want := "arn:aws:scheduler:us-east-1:" + testAccount + ":schedule/" + group + "/" + *in.Name; aws.ToString(out.ScheduleArn) != want {
			t.Fatalf("ScheduleArn %s; want %s", aws.ToString(out.ScheduleArn), want)
		}
	}

	got, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("nightly")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.GroupName) != "default" || aws.ToString(got.ScheduleExpression) != "cron(0 2 * * ? *)" ||
		aws.ToString(got.ScheduleExpressionTimezone) != "Europe/Paris" || got.State != schedtypes.ScheduleStateEnabled ||
		got.ActionAfterCompletion != schedtypes.ActionAfterCompletionNone || aws.ToString(got.Description) != "every night" ||
		got.FlexibleTimeWindow.Mode != schedtypes.FlexibleTimeWindowModeOff || aws.ToString(got.Target.Input) != `{"k":1}` ||
		aws.ToString(got.Target.RoleArn) != schedRole || got.CreationDate.Before(before) || got.StartDate != nil {
		t.Fatalf("GetSchedule: %+v", got)
	}
	nightlyCreated := *got.CreationDate
	if rp := got.Target.RetryPolicy; rp == nil || aws.ToInt32(rp.MaximumEventAgeInSeconds) != 86400 || aws.ToInt32(rp.MaximumRetryAttempts) != 185 {
		t.Fatalf("default retry policy: %+v", rp)
	}
	got, err = c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("nightly"), GroupName: aws.String("team")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ScheduleExpressionTimezone) != "UTC" || got.ActionAfterCompletion != schedtypes.ActionAfterCompletionDelete ||
		aws.ToInt32(got.FlexibleTimeWindow.MaximumWindowInMinutes) != 15 || aws.ToInt32(got.Target.RetryPolicy.MaximumRetryAttempts) != 3 ||
		aws.ToString(got.Target.DeadLetterConfig.Arn) != target+"-dlq" {
		t.Fatalf("GetSchedule in a group: %+v", got)
	}

	// A name is unique within its group; a retry of the call that took it
	// (same ClientToken) succeeds.
	dup := &scheduler.CreateScheduleInput{Name: aws.String("often"), ScheduleExpression: aws.String("rate(1 hour)"),
		FlexibleTimeWindow: schedOff, Target: &schedtypes.Target{Arn: aws.String(target), RoleArn: aws.String(schedRole)}}
	_, err = c.CreateSchedule(ctx, dup)
	if e := expectAPIError(t, err, "ConflictException", 409); e.Message != "Schedule often already exists." {
		t.Fatalf("message %q", e.Message)
	}
	dup.Name, dup.ClientToken = aws.String("idempotent"), aws.String("token-1")
	first, err := c.CreateSchedule(ctx, dup)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateSchedule(ctx, dup)
	if err != nil || aws.ToString(again.ScheduleArn) != aws.ToString(first.ScheduleArn) {
		t.Fatalf("retry with the same ClientToken: %v %v", again, err)
	}

	// Listing: everything, by group, by prefix, by state, a page at a time.
	list := func(in *scheduler.ListSchedulesInput) []string {
		t.Helper()
		var names []string
		p := scheduler.NewListSchedulesPaginator(c, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range out.Schedules {
				names = append(names, aws.ToString(s.GroupName)+"/"+aws.ToString(s.Name))
				if aws.ToString(s.Target.Arn) != target {
					t.Fatalf("summary %+v", s)
				}
			}
		}
		return names
	}
	for _, tc := range []struct {
		in   *scheduler.ListSchedulesInput
		want []string
	}{
		{&scheduler.ListSchedulesInput{}, []string{"default/idempotent", "default/nightly", "default/often", "team/nightly"}},
		{&scheduler.ListSchedulesInput{MaxResults: aws.Int32(1)}, []string{"default/idempotent", "default/nightly", "default/often", "team/nightly"}},
		{&scheduler.ListSchedulesInput{GroupName: aws.String("team")}, []string{"team/nightly"}},
		{&scheduler.ListSchedulesInput{NamePrefix: aws.String("n"), MaxResults: aws.Int32(1)}, []string{"default/nightly", "team/nightly"}},
		{&scheduler.ListSchedulesInput{State: schedtypes.ScheduleStateDisabled}, []string{"default/often"}},
	} {
		if got := list(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("ListSchedules %+v: %q; want %q", tc.in, got, tc.want)
		}
	}
	_, err = c.ListSchedules(ctx, &scheduler.ListSchedulesInput{GroupName: aws.String("nobody")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Schedule group nobody does not exist." {
		t.Fatalf("message %q", e.Message)
	}

	// UpdateSchedule replaces the whole schedule: what it leaves out is
	// gone.
	_, err = c.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{Name: aws.String("nightly"), ScheduleExpression: aws.String("cron(30 3 * * ? *)"),
		FlexibleTimeWindow: schedOff, State: schedtypes.ScheduleStateDisabled,
		Target: &schedtypes.Target{Arn: aws.String(target), RoleArn: aws.String(schedRole)}})
	if err != nil {
		t.Fatal(err)
	}
	updated, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("nightly")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(updated.ScheduleExpression) != "cron(30 3 * * ? *)" || updated.Description != nil || updated.Target.Input != nil ||
		aws.ToString(updated.ScheduleExpressionTimezone) != "UTC" || updated.State != schedtypes.ScheduleStateDisabled ||
		!updated.CreationDate.Equal(nightlyCreated) || updated.LastModificationDate.Before(nightlyCreated) {
		t.Fatalf("after UpdateSchedule: %+v", updated)
	}
	_, err = c.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{Name: aws.String("absent"), ScheduleExpression: aws.String("rate(1 hour)"),
		FlexibleTimeWindow: schedOff, Target: &schedtypes.Target{Arn: aws.String(target), RoleArn: aws.String(schedRole)}})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Schedule absent does not exist." {
		t.Fatalf("message %q", e.Message)
	}

	if _, err := c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("often")}); err != nil {
		t.Fatal(err)
	}
	for _, op := range []func() error{
		func() error {
			_, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("often")})
			return err
		},
		func() error {
			_, err := c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("often")})
			return err
		},
	} {
		if e := expectAPIError(t, op(), "ResourceNotFoundException", 404); e.Message != "Schedule often does not exist." {
			t.Fatalf("message %q", e.Message)
		}
	}

	// Groups: the default one always exists; tags belong to groups.
	dg, err := c.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String("default")})
	if err != nil || dg.State != schedtypes.ScheduleGroupStateActive || aws.ToString(dg.Arn) != "arn:aws:scheduler:us-east-1:"+testAccount+":schedule-group/default" {
		t.Fatalf("default group: %+v %v", dg, err)
	}
	groups, err := c.ListScheduleGroups(ctx, &scheduler.ListScheduleGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range groups.ScheduleGroups {
		names = append(names, aws.ToString(g.Name))
	}
	if !slices.Equal(names, []string{"default", "team"}) {
		t.Fatalf("ListScheduleGroups: %q", names)
	}
	teamARN := aws.ToString(g.ScheduleGroupArn)
	if _, err := c.TagResource(ctx, &scheduler.TagResourceInput{ResourceArn: aws.String(teamARN),
		Tags: []schedtypes.Tag{{Key: aws.String("owner"), Value: aws.String("ops")}, {Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &scheduler.UntagResourceInput{ResourceArn: aws.String(teamARN), TagKeys: []string{"owner"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &scheduler.ListTagsForResourceInput{ResourceArn: aws.String(teamARN)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" || aws.ToString(tags.Tags[0].Value) != "prod" {
		t.Fatalf("tags: %+v %v", tags, err)
	}
	_, err = c.ListTagsForResource(ctx, &scheduler.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:scheduler:us-east-1:" + testAccount + ":schedule-group/gone")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Schedule group gone does not exist." {
		t.Fatalf("message %q", e.Message)
	}
	_, err = c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("team")})
	if e := expectAPIError(t, err, "ConflictException", 409); e.Message != "Schedule group team already exists." {
		t.Fatalf("message %q", e.Message)
	}
	_, err = c.DeleteScheduleGroup(ctx, &scheduler.DeleteScheduleGroupInput{Name: aws.String("default")})
	expectAPIError(t, err, "ValidationException", 400)

	// Deleting a group deletes its schedules.
	if _, err := c.DeleteScheduleGroup(ctx, &scheduler.DeleteScheduleGroupInput{Name: aws.String("team")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String("team")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Schedule group team does not exist." {
		t.Fatalf("message %q", e.Message)
	}
	_, err = c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("nightly"), GroupName: aws.String("team")})
	expectAPIError(t, err, "ResourceNotFoundException", 404)
	if got := list(&scheduler.ListSchedulesInput{}); !slices.Equal(got, []string{"default/idempotent", "default/nightly"}) {
		t.Fatalf("after deleting the group: %q", got)
	}
}

func TestSchedulerValidationErrors(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := scheduler.NewFromConfig(env.Config)
	ctx := context.Background()
	valid := func() *scheduler.CreateScheduleInput {
		return &scheduler.CreateScheduleInput{Name: aws.String("v"), ScheduleExpression: aws.String("rate(1 hour)"), FlexibleTimeWindow: schedOff,
			Target: &schedtypes.Target{Arn: aws.String("arn:aws:sqs:us-east-1:" + testAccount + ":q"), RoleArn: aws.String(schedRole)}}
	}
	for _, tc := range []struct {
		name       string
		change     func(*scheduler.CreateScheduleInput)
		code       string
		status     int
		message    string
		messageHas string
	}{
		{"expression", func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("rate(1 fortnight)") },
			"ValidationException", 400, "Invalid Schedule Expression rate(1 fortnight).", ""},
		{"cron with both days", func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("cron(0 12 * * MON *)") },
			"ValidationException", 400, "Invalid Schedule Expression cron(0 12 * * MON *).", ""},
		{"time zone", func(in *scheduler.CreateScheduleInput) { in.ScheduleExpressionTimezone = aws.String("Mars/Olympus") },
			"ValidationException", 400, "Invalid ScheduleExpressionTimezone Mars/Olympus.", ""},
		{"name pattern", func(in *scheduler.CreateScheduleInput) { in.Name = aws.String("no spaces") },
			"ValidationException", 400, "1 validation error detected: Value 'no spaces' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$", ""},
		{"retry range", func(in *scheduler.CreateScheduleInput) {
			in.Target.RetryPolicy = &schedtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(186)}
		}, "ValidationException", 400, "", "Member must have value less than or equal to 185"},
		{"window range", func(in *scheduler.CreateScheduleInput) {
			in.FlexibleTimeWindow = &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeFlexible, MaximumWindowInMinutes: aws.Int32(1441)}
		}, "ValidationException", 400, "", "Member must have value less than or equal to 1440"},
		{"role pattern", func(in *scheduler.CreateScheduleInput) { in.Target.RoleArn = aws.String("not-a-role") },
			"ValidationException", 400, "", "at 'target.roleArn' failed to satisfy constraint"},
		// Scheduler's model allows only an SQS queue as a dead-letter
		// queue.
		{"topic as dead-letter queue", func(in *scheduler.CreateScheduleInput) {
			in.Target.DeadLetterConfig = &schedtypes.DeadLetterConfig{Arn: aws.String("arn:aws:sns:us-east-1:" + testAccount + ":t")}
		}, "ValidationException", 400, "1 validation error detected: Value 'arn:aws:sns:us-east-1:" + testAccount + ":t' at 'target.deadLetterConfig.arn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws(-[a-z]+)?:sqs:[a-z0-9\\-]+:\\d{12}:[a-zA-Z0-9\\-_]+$", ""},
		{"start date past", func(in *scheduler.CreateScheduleInput) { in.StartDate = aws.Time(time.Now().Add(-time.Hour)) },
			"ValidationException", 400, "The StartDate you specify cannot be earlier than 5 minutes ago.", ""},
		{"universal read-only action", func(in *scheduler.CreateScheduleInput) {
			in.Target.Arn = aws.String("arn:aws:scheduler:::aws-sdk:sqs:getQueueURL")
		}, "ValidationException", 400, "Read-only API actions are not supported as universal targets: arn:aws:scheduler:::aws-sdk:sqs:getQueueURL.", ""},
		{"universal target of a service virga lacks", func(in *scheduler.CreateScheduleInput) {
			in.Target.Arn = aws.String("arn:aws:scheduler:::aws-sdk:rds:stopDBInstance")
		}, "ValidationException", 400, "", "not supported in this version of virga"},
		{"missing group", func(in *scheduler.CreateScheduleInput) { in.GroupName = aws.String("nope") },
			"ResourceNotFoundException", 404, "Schedule group nope does not exist.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := valid()
			tc.change(in)
			_, err := c.CreateSchedule(ctx, in)
			e := expectAPIError(t, err, tc.code, tc.status)
			if tc.message != "" && e.Message != tc.message || !strings.Contains(e.Message, tc.messageHas) {
				t.Fatalf("message %q", e.Message)
			}
		})
	}
	_, err := c.TagResource(ctx, &scheduler.TagResourceInput{ResourceArn: aws.String("arn:aws:scheduler:us-east-1:" + testAccount + ":schedule/default/v"),
		Tags: []schedtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if e := expectAPIError(t, err, "ValidationException", 400); !strings.Contains(e.Message, "at 'resourceArn' failed to satisfy constraint") {
		t.Fatalf("tagging a schedule: %q", e.Message)
	}
	_, err = c.ListSchedules(ctx, &scheduler.ListSchedulesInput{NextToken: aws.String("made-up")})
	expectAPIError(t, err, "ValidationException", 400)
}

func TestSchedulerRateAndCronFireIntoSQS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := scheduler.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	url, arn := schedQueue(t, qc, "fired")
	now := env.Clock.Now().UTC()
	cronTime := nextMinute(now).Add(3 * time.Minute)
	for name, expr := range map[string]string{"rate": "rate(1 minute)", "cron": cronAt(cronTime)} {
		_, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String(expr),
			FlexibleTimeWindow: schedOff, Target: &schedtypes.Target{Arn: aws.String(arn), RoleArn: aws.String(schedRole), Input: schedInput(name)}})
		if err != nil {
			t.Fatalf("CreateSchedule %s: %v", expr, err)
		}
	}
	// A rate schedule without StartDate fires at once, on the next whole
	// minute, and every minute after it.
	first := nextMinute(now)
	for i := range 4 {
		occ := first.Add(time.Duration(i) * time.Minute)
		env.Clock.Set(occ.Add(5 * time.Second))
		want := []string{schedBody("rate", occ)}
		if occ.Equal(cronTime) {
			want = append(want, schedBody("cron", cronTime))
		}
		got := schedWaitFor(t, qc, url, want...)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("minute %d: %q; want %q", i, got, want)
		}
	}
	schedEmpty(t, qc, url)
}

func TestSchedulerCronInTimeZone(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := scheduler.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	url, arn := schedQueue(t, qc, "zoned")
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// A New York wall-clock minute six hours ahead; read as UTC, the
	// same reading is four or five hours earlier.
	real := nextMinute(env.Clock.Now()).Add(6 * time.Hour).In(ny)
	wall := time.Date(real.Year(), real.Month(), real.Day(), real.Hour(), real.Minute(), 0, 0, time.UTC)
	create := func(name, expr, tz string) {
		t.Helper()
		_, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String(expr),
			ScheduleExpressionTimezone: aws.String(tz), FlexibleTimeWindow: schedOff,
			Target: &schedtypes.Target{Arn: aws.String(arn), RoleArn: aws.String(schedRole), Input: schedInput(name)}})
		if err != nil {
			t.Fatalf("CreateSchedule %s: %v", expr, err)
		}
	}
	create("new-york", cronAt(real), "America/New_York")
	create("utc-control", cronAt(wall), "UTC")

	env.Clock.Set(wall.Add(5 * time.Second))
	got := schedWaitFor(t, qc, url, schedBody("utc-control", wall))
	env.Clock.Set(real.Add(5 * time.Second))
	got = append(got, schedWaitFor(t, qc, url, schedBody("new-york", real))...)
	if want := []string{schedBody("utc-control", wall), schedBody("new-york", real)}; !slices.Equal(got, want) {
		t.Fatalf("fired %q; want %q (New York %s is %s UTC)", got, want, real.Format(time.DateTime), real.UTC().Format(time.DateTime))
	}
	schedEmpty(t, qc, url)
}

func TestSchedulerOneTimeScheduleDeletesItself(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := scheduler.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	url, arn := schedQueue(t, qc, "once")
	at := nextMinute(env.Clock.Now()).Add(2 * time.Minute).UTC()
	for name, action := range map[string]schedtypes.ActionAfterCompletion{"deleted": schedtypes.ActionAfterCompletionDelete, "kept": ""} {
		_, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(name),
			ScheduleExpression: aws.String("at(" + at.Format("2006-01-02T15:04:05") + ")"), ActionAfterCompletion: action,
			FlexibleTimeWindow: schedOff, Target: &schedtypes.Target{Arn: aws.String(arn), RoleArn: aws.String(schedRole), Input: schedInput(name)}})
		if err != nil {
			t.Fatal(err)
		}
	}
	env.Clock.Set(at.Add(-time.Minute))
	env.Clock.Set(at.Add(10 * time.Second))
	schedWaitFor(t, qc, url, schedBody("deleted", at), schedBody("kept", at))
	_, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("deleted")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 404); e.Message != "Schedule deleted does not exist." {
		t.Fatalf("message %q", e.Message)
	}
	if _, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("kept")}); err != nil {
		t.Fatalf("ActionAfterCompletion NONE keeps the schedule: %v", err)
	}
	env.Clock.Set(at.Add(30 * time.Second))
	env.Clock.Set(at.Add(2 * time.Minute))
	out, err := c.ListSchedules(ctx, &scheduler.ListSchedulesInput{})
	if err != nil || len(out.Schedules) != 1 {
		t.Fatalf("ListSchedules: %+v %v", out, err)
	}
	schedEmpty(t, qc, url)
}

func TestSchedulerDisabledScheduleDoesNotFire(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := scheduler.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	url, arn := schedQueue(t, qc, "paused")
	target := &schedtypes.Target{Arn: aws.String(arn), RoleArn: aws.String(schedRole)}
	for name, state := range map[string]schedtypes.ScheduleState{"paused": schedtypes.ScheduleStateDisabled, "control": schedtypes.ScheduleStateEnabled} {
		tgt := *target
		tgt.Input = schedInput(name)
		if _, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String("rate(1 minute)"),
			State: state, FlexibleTimeWindow: schedOff, Target: &tgt}); err != nil {
			t.Fatal(err)
		}
	}
	// Both would fire in the same turn of the loop; the control schedule's
	// messages show the turns happened.
	first := nextMinute(env.Clock.Now())
	for i := range 2 {
		occ := first.Add(time.Duration(i) * time.Minute)
		env.Clock.Set(occ.Add(time.Second))
		if got := schedWaitFor(t, qc, url, schedBody("control", occ)); len(got) != 1 {
			t.Fatalf("minute %d: %q", i, got)
		}
	}
	schedEmpty(t, qc, url)
	// Enabled again, it fires from then on.
	tgt := *target
	tgt.Input = schedInput("paused")
	if _, err := c.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{Name: aws.String("paused"), ScheduleExpression: aws.String("rate(1 minute)"),
		State: schedtypes.ScheduleStateEnabled, FlexibleTimeWindow: schedOff, Target: &tgt}); err != nil {
		t.Fatal(err)
	}
	occ := first.Add(2 * time.Minute)
	env.Clock.Set(occ.Add(time.Second))
	got := schedWaitFor(t, qc, url, schedBody("control", occ), schedBody("paused", occ))
	if len(got) != 2 {
		t.Fatalf("after enabling: %q", got)
	}
}

// schedEchoFunction prints the event it gets.
const schedEchoFunction = `import json

def handler(event, context):
    print('EVENT ' + json.dumps(event, sort_keys=True, separators=(',', ':')))
    return event
`

func TestSchedulerInvokesLambda(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	lc := lambdaClient(t, env)
	c := scheduler.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "scheduled", schedEchoFunction, 10)
	fn := "arn:aws:lambda:us-east-1:" + testAccount + ":function:scheduled"
	out, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("to-lambda"), ScheduleExpression: aws.String("rate(1 minute)"),
		FlexibleTimeWindow: schedOff, Target: &schedtypes.Target{Arn: aws.String(fn), RoleArn: aws.String(schedRole),
			Input: aws.String(`{"from":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>","attempt":"<aws.scheduler.attempt-number>"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	occ := nextMinute(env.Clock.Now())
	env.Clock.Set(occ.Add(2 * time.Second))
	event, _ := json.Marshal(map[string]string{"at": occ.UTC().Format(schedTimeLayout), "attempt": "1", "from": aws.ToString(out.ScheduleArn)})
	want := "EVENT " + string(event)
	groupLines(t, cwl, "/aws/lambda/scheduled", "EVENT ", func(lines []string) bool { return slices.Contains(lines, want) })
}

func TestSchedulerFailedTargetGoesToDeadLetterQueue(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := scheduler.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	targetURL, targetARN := schedQueue(t, qc, "doomed")
	dlqURL, dlqARN := schedQueue(t, qc, "schedule-dlq")
	out, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("failing"), ScheduleExpression: aws.String("rate(1 minute)"),
		FlexibleTimeWindow: schedOff, Target: &schedtypes.Target{Arn: aws.String(targetARN), RoleArn: aws.String(schedRole), Input: schedInput("failing"),
			RetryPolicy:      &schedtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(3)},
			DeadLetterConfig: &schedtypes.DeadLetterConfig{Arn: aws.String(dlqARN)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := qc.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &targetURL}); err != nil {
		t.Fatal(err)
	}
	occ := nextMinute(env.Clock.Now())
	env.Clock.Set(occ.Add(time.Second))
	// A queue that does not exist is not worth a retry: the invocation
	// goes to the dead-letter queue at once.
	dead := schedDrain(t, qc, dlqURL, func(ms []sqstypes.Message) bool { return len(ms) > 0 })
	if len(dead) != 1 || aws.ToString(dead[0].Body) != schedBody("failing", occ) {
		t.Fatalf("dead letters %q", schedBodies(dead))
	}
	attrs := map[string]string{}
	for k, v := range dead[0].MessageAttributes {
		attrs[k] = aws.ToString(v.StringValue)
	}
	want := map[string]string{
		"ERROR_CODE": "QueueDoesNotExist", "ERROR_MESSAGE": "The specified queue does not exist.",
		"IS_PAYLOAD_TRUNCATED": "false", "RETRY_ATTEMPTS": "0",
		"SCHEDULED_TIME": occ.UTC().Format(schedTimeLayout), "SCHEDULE_ARN": aws.ToString(out.ScheduleArn), "TARGET_ARN": targetARN,
	}
	for k, v := range want {
		if attrs[k] != v {
			t.Errorf("%s = %q; want %q", k, attrs[k], v)
		}
	}
	if len(attrs["EXECUTION_ID"]) != 16 {
		t.Errorf("EXECUTION_ID %q", attrs["EXECUTION_ID"])
	}
}

// schedCLISchedule is get-schedule's output, as far as the test reads it.
type schedCLISchedule struct {
	Arn, Name, GroupName       string
	ScheduleExpression         string
	ScheduleExpressionTimezone string
	State                      string
	FlexibleTimeWindow         struct{ Mode string }
	Target                     struct {
		Arn, RoleArn, Input string
		RetryPolicy         struct{ MaximumEventAgeInSeconds, MaximumRetryAttempts int }
	}
}

func TestSchedulerCLI(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	target := "arn:aws:sqs:us-east-1:" + testAccount + ":cli-target"
	var created struct{ ScheduleArn string }
	cliJSON(t, env.CLI(t, "scheduler", "create-schedule", "--name", "cli-schedule",
		"--schedule-expression", "cron(0 8 ? * MON-FRI *)", "--schedule-expression-timezone", "Europe/Berlin",
		"--flexible-time-window", `{"Mode":"OFF"}`,
		"--target", `{"Arn":"`+target+`","RoleArn":"`+schedRole+`","Input":"{\"k\":\"v\"}"}`), &created)
	if want := "arn:aws:scheduler:us-east-1:" + testAccount + ":schedule/default/cli-schedule"; created.ScheduleArn != want {
		t.Fatalf("ScheduleArn %q; want %q", created.ScheduleArn, want)
	}
	var got schedCLISchedule
	cliJSON(t, env.CLI(t, "scheduler", "get-schedule", "--name", "cli-schedule"), &got)
	if got.Arn != created.ScheduleArn || got.GroupName != "default" || got.ScheduleExpression != "cron(0 8 ? * MON-FRI *)" ||
		got.ScheduleExpressionTimezone != "Europe/Berlin" || got.State != "ENABLED" || got.FlexibleTimeWindow.Mode != "OFF" ||
		got.Target.Arn != target || got.Target.RoleArn != schedRole || got.Target.Input != `{"k":"v"}` ||
		got.Target.RetryPolicy.MaximumRetryAttempts != 185 || got.Target.RetryPolicy.MaximumEventAgeInSeconds != 86400 {
		t.Fatalf("get-schedule: %+v", got)
	}
	var listed struct {
		Schedules []struct{ Name, State string }
	}
	cliJSON(t, env.CLI(t, "scheduler", "list-schedules", "--name-prefix", "cli"), &listed)
	if len(listed.Schedules) != 1 || listed.Schedules[0].Name != "cli-schedule" {
		t.Fatalf("list-schedules: %+v", listed)
	}
	if res := env.CLI(t, "scheduler", "delete-schedule", "--name", "cli-schedule"); res.ExitCode != 0 {
		t.Fatalf("delete-schedule: exit %d: %s", res.ExitCode, res.Stderr)
	}
	res := env.CLI(t, "scheduler", "get-schedule", "--name", "cli-schedule")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "ResourceNotFoundException") || !strings.Contains(res.Stderr, "Schedule cli-schedule does not exist.") {
		t.Fatalf("get-schedule after delete: exit %d: %s", res.ExitCode, res.Stderr)
	}
	res = env.CLI(t, "scheduler", "create-schedule", "--name", "bad", "--schedule-expression", "rate(0 minutes)",
		"--flexible-time-window", `{"Mode":"OFF"}`, "--target", `{"Arn":"`+target+`","RoleArn":"`+schedRole+`"}`)
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "ValidationException") || !strings.Contains(res.Stderr, "Invalid Schedule Expression rate(0 minutes).") {
		t.Fatalf("create-schedule with a bad expression: exit %d: %s", res.ExitCode, res.Stderr)
	}
}
