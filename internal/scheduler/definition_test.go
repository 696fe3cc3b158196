package scheduler

import (
	"testing"
	"time"
)

func validDefinition() definition {
	return definition{
		Expression: ptr("rate(5 minutes)"),
		Window:     &FlexibleTimeWindow{Mode: (*FlexibleTimeWindowMode)(ptr("OFF"))},
		Target:     &Target{Arn: ptr(testQueue), RoleArn: ptr(testRole)},
	}
}

func TestSchedulerDefinitionDefaults(t *testing.T) {
	t.Parallel()
	r, err := validDefinition().record("default", "d", testEpoch)
	if err != nil {
		t.Fatal(err)
	}
	if r.Timezone != "UTC" || r.State != "ENABLED" || r.ActionAfterCompletion != "NONE" || r.FlexibleMinutes != 0 ||
		r.Target.MaxEventAgeSeconds != 86400 || r.Target.MaxRetryAttempts != 185 ||
		!r.Created.Equal(testEpoch) || !r.Modified.Equal(testEpoch) {
		t.Fatalf("defaults: %+v", r)
	}
	out := r.output("arn")
	if *out.FlexibleTimeWindow.Mode != "OFF" || *out.Target.RetryPolicy.MaximumRetryAttempts != 185 || out.KmsKeyArn != nil {
		t.Fatalf("output: %+v", out)
	}
}

func TestSchedulerDefinitionValidation(t *testing.T) {
	t.Parallel()
	sixMinutesAgo := testEpoch.Add(-6 * time.Minute)
	for _, tc := range []struct {
		name    string
		change  func(*definition)
		message string // "" accepts the definition
	}{
		{"invalid expression", func(d *definition) { d.Expression = ptr("rate(10 seconds)") },
			"Invalid Schedule Expression rate(10 seconds)."},
		{"rule-only spacing", func(d *definition) { d.Expression = ptr(" rate(5 minutes)") },
			"Invalid Schedule Expression  rate(5 minutes)."},
		{"unknown time zone", func(d *definition) { d.Timezone = ptr("Mars/Olympus_Mons") },
			"Invalid ScheduleExpressionTimezone Mars/Olympus_Mons."},
		{"the host's zone", func(d *definition) { d.Timezone = ptr("Local") },
			"Invalid ScheduleExpressionTimezone Local."},
		{"time zone", func(d *definition) { d.Timezone = ptr("Asia/Kolkata") }, ""},
		{"start date long past", func(d *definition) { d.StartDate = &sixMinutesAgo },
			"The StartDate you specify cannot be earlier than 5 minutes ago."},
		{"start date just past", func(d *definition) { d.StartDate = ptr(testEpoch.Add(-4 * time.Minute)) }, ""},
		{"one-time ignores its dates", func(d *definition) {
			d.Expression, d.StartDate, d.EndDate = ptr("at(2020-01-01T00:00:00)"), &sixMinutesAgo, ptr(sixMinutesAgo.Add(-time.Hour))
		}, ""},
		{"end before start", func(d *definition) { d.StartDate, d.EndDate = ptr(testEpoch.Add(time.Hour)), ptr(testEpoch) },
			"The EndDate you specify must be after the StartDate."},
		{"flexible without a window", func(d *definition) { d.Window.Mode = (*FlexibleTimeWindowMode)(ptr("FLEXIBLE")) },
			"MaximumWindowInMinutes is required when the FlexibleTimeWindow Mode is FLEXIBLE."},
		{"off with a window", func(d *definition) { d.Window.MaximumWindowInMinutes = ptr(int32(5)) },
			"MaximumWindowInMinutes must not be set when the FlexibleTimeWindow Mode is OFF."},
		{"universal target", func(d *definition) {
			d.Target.Arn, d.Target.Input = ptr("arn:aws:scheduler:::aws-sdk:sqs:sendMessage"), ptr(`{"QueueUrl":"q","MessageBody":"b"}`)
		}, ""},
		{"universal target without input", func(d *definition) { d.Target.Arn = ptr("arn:aws:scheduler:::aws-sdk:sqs:createQueue") }, ""},
		{"universal read-only action", func(d *definition) { d.Target.Arn = ptr("arn:aws:scheduler:::aws-sdk:sqs:getQueueURL") },
			"Read-only API actions are not supported as universal targets: arn:aws:scheduler:::aws-sdk:sqs:getQueueURL."},
		{"universal batchGet action", func(d *definition) { d.Target.Arn = ptr("arn:aws:scheduler:::aws-sdk:dynamodb:batchGetItem") },
			"Read-only API actions are not supported as universal targets: arn:aws:scheduler:::aws-sdk:dynamodb:batchGetItem."},
		{"universal target without an action", func(d *definition) { d.Target.Arn = ptr("arn:aws:scheduler:::aws-sdk:sqs") },
			"Invalid universal target ARN arn:aws:scheduler:::aws-sdk:sqs: it must be arn:aws:scheduler:::aws-sdk:service:apiAction."},
		{"universal input not an object", func(d *definition) {
			d.Target.Arn, d.Target.Input = ptr("arn:aws:scheduler:::aws-sdk:sqs:sendMessage"), ptr(`"text"`)
		}, "The Input of universal target arn:aws:scheduler:::aws-sdk:sqs:sendMessage must be a JSON object of the request parameters of its API action."},
		{"other templated target", func(d *definition) { d.Target.Arn = ptr("arn:aws:firehose:us-east-1:000000000000:deliverystream/s") },
			"Target arn:aws:firehose:us-east-1:000000000000:deliverystream/s is not supported in this version of virga: templated targets are Amazon SQS queues, Lambda functions, Amazon SNS topics, EventBridge event buses, Step Functions state machines, Kinesis data streams and Amazon ECS clusters."},
		{"kinesis without parameters", func(d *definition) { d.Target.Arn = ptr("arn:aws:kinesis:us-east-1:000000000000:stream/s") },
			"KinesisParameters are required for a Kinesis data stream target."},
		{"kinesis target", func(d *definition) {
			d.Target.Arn = ptr("arn:aws:kinesis:us-east-1:000000000000:stream/s")
			d.Target.KinesisParameters = &KinesisParameters{PartitionKey: ptr("k")}
		}, ""},
		{"kinesis parameters on a queue", func(d *definition) { d.Target.KinesisParameters = &KinesisParameters{PartitionKey: ptr("k")} },
			"KinesisParameters are only valid for a Kinesis data stream target."},
		{"state machine target", func(d *definition) { d.Target.Arn = ptr("arn:aws:states:us-east-1:000000000000:stateMachine:m") }, ""},
		{"not an ARN", func(d *definition) { d.Target.Arn = ptr("my-queue") }, "Invalid target ARN my-queue."},
		{"lambda target", func(d *definition) { d.Target.Arn = ptr("arn:aws:lambda:us-east-1:000000000000:function:f") }, ""},
		{"sqs parameters on a function", func(d *definition) {
			d.Target.Arn = ptr("arn:aws:lambda:us-east-1:000000000000:function:f")
			d.Target.SqsParameters = &SqsParameters{MessageGroupId: ptr("g")}
		}, "SqsParameters are only valid for an Amazon SQS target."},
		{"fifo without a group", func(d *definition) { d.Target.Arn = ptr(testQueue + ".fifo") },
			"MessageGroupId is required in SqsParameters for the FIFO queue " + testQueue + ".fifo."},
		{"fifo with a group", func(d *definition) {
			d.Target.Arn = ptr(testQueue + ".fifo")
			d.Target.SqsParameters = &SqsParameters{MessageGroupId: ptr("g")}
		}, ""},
		{"event bus without parameters", func(d *definition) { d.Target.Arn = ptr("arn:aws:events:us-east-1:000000000000:event-bus/default") },
			"EventBridgeParameters are required for an EventBridge event bus target."},
		{"event parameters on a queue", func(d *definition) {
			d.Target.EventBridgeParameters = &EventBridgeParameters{DetailType: ptr("t"), Source: ptr("s")}
		}, "EventBridgeParameters are only valid for an EventBridge event bus target."},
		{"aws source", func(d *definition) {
			d.Target.Arn = ptr("arn:aws:events:us-east-1:000000000000:event-bus/default")
			d.Target.EventBridgeParameters = &EventBridgeParameters{DetailType: ptr("t"), Source: ptr("aws.ec2")}
		}, "1 validation error detected: Value 'aws.ec2' at 'target.eventBridgeParameters.source' failed to satisfy constraint: Member must not start with 'aws.'"},
		{"ecs parameters", func(d *definition) { d.Target.EcsParameters = &EcsParameters{TaskDefinitionArn: ptr("td")} },
			"EcsParameters are only valid for an Amazon ECS target."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := validDefinition()
			tc.change(&d)
			r, err := d.record("default", "d", testEpoch)
			if tc.message == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if _, err := newPlan(r, "arn"); err != nil {
					t.Fatalf("accepted, but its plan fails: %v", err)
				}
				return
			}
			wantCode(t, err, "ValidationException", tc.message)
		})
	}
}

func TestSchedulerInvocationInput(t *testing.T) {
	t.Parallel()
	at := time.Date(2022, 3, 22, 18, 59, 43, 0, time.UTC)
	for _, tc := range []struct{ input, want string }{
		// No Input: the default notification, its detail a string.
		{"", `{"version":"0","id":"7f2a9c1e-0b6d-4e3a-9f1c-2d8e5b4a6c30","detail-type":"Scheduled Event","source":"aws.scheduler",` +
			`"account":"111122223333","time":"2022-03-22T18:59:43Z","region":"eu-west-1",` +
			`"resources":["arn:aws:scheduler:eu-west-1:111122223333:schedule/default/s"],"detail":"{}"}`},
		{`{"k":1}`, `{"k":1}`},
		{`<aws.scheduler.schedule-arn>|<aws.scheduler.scheduled-time>|<aws.scheduler.execution-id>|<aws.scheduler.attempt-number>`,
			"arn:aws:scheduler:eu-west-1:111122223333:schedule/default/s|2022-03-22T18:59:43Z|d32c5kddcf5bb8c3|2"},
		{`<aws.scheduler.unknown> <aws.scheduler.attempt-number`, `<aws.scheduler.unknown> <aws.scheduler.attempt-number`},
	} {
		tr := targetRecord{Arn: testQueue}
		if tc.input != "" {
			tr.Input = ptr(tc.input)
		}
		inv := invocation{scheduleARN: "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/s", target: tr, scheduled: at,
			executionID: "d32c5kddcf5bb8c3", attempt: 2, eventID: "7f2a9c1e-0b6d-4e3a-9f1c-2d8e5b4a6c30"}
		if got := inv.input(); got != tc.want {
			t.Errorf("input %q: %q; want %q", tc.input, got, tc.want)
		}
	}
}

func TestSchedulerInvocationMessage(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 6, 3, 10, 0, 0, 0, time.UTC)
	fifo := invocation{scheduleARN: "arn:s", target: targetRecord{Arn: testQueue + ".fifo", MessageGroupID: "g"}, scheduled: at}
	// The group, and no deduplication id: the queue deduplicates on
	// content, as AWS requires of a schedule's FIFO queue.
	if m := fifo.message(); m.GroupID != "g" || m.DeduplicationID != "" {
		t.Fatalf("FIFO message %+v", m)
	}
	bus := invocation{scheduleARN: "arn:s", target: targetRecord{Arn: "arn:aws:events:us-east-1:000000000000:event-bus/b", Source: "app", DetailType: "tick", Input: ptr("{}")}, scheduled: at}
	if m := bus.message(); m.Source != "app" || m.DetailType != "tick" || len(m.Resources) != 1 || m.Resources[0] != "arn:s" || string(m.Body) != "{}" {
		t.Fatalf("event %+v", m)
	}
}
