package e2e_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// alarmNotification is the part of an alarm's SNS message the test reads.
type alarmNotification struct {
	AlarmName, NewStateValue, OldStateValue, NewStateReason, AlarmArn, AWSAccountId, Region string
	Trigger                                                                                 struct {
		MetricName, Namespace, Statistic, ComparisonOperator string
		Period, EvaluationPeriods                            int
		Threshold                                            float64
	}
}

// An alarm moves with the fake clock: a breaching minute puts it in
// ALARM, a minute without data (notBreaching) back to OK, and each move
// is announced to its SNS topic actions.
func TestCloudWatchAlarmFakeClock(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	base := nextMinute(env.Clock.Now()).UTC()
	env.Clock.Set(base.Add(5 * time.Second))
	cw := cloudwatch.NewFromConfig(env.Config)
	sn := sns.NewFromConfig(env.Config)
	sq := sqs.NewFromConfig(env.Config)

	topic, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("alerts-inbox")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(queueARN("alerts-inbox")), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	_, err = cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("errors-high"), Namespace: aws.String("App"), MetricName: aws.String("Errors"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(5),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("notBreaching"),
		AlarmActions: []string{*topic.TopicArn}, OKActions: []string{*topic.TopicArn},
		Tags: []cwtypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	state := func(want cwtypes.StateValue) cwtypes.MetricAlarm {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"errors-high"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.MetricAlarms) == 1 && out.MetricAlarms[0].StateValue == want {
				return out.MetricAlarms[0]
			}
			if time.Now().After(deadline) {
				t.Fatalf("alarm %+v, want state %s", out.MetricAlarms, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	notification := func() alarmNotification {
		t.Helper()
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 20})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("notification: %v %+v", err, out)
		}
		sq.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle})
		var n alarmNotification
		if err := json.Unmarshal([]byte(*out.Messages[0].Body), &n); err != nil {
			t.Fatalf("notification %q: %v", *out.Messages[0].Body, err)
		}
		return n
	}
	a := state(cwtypes.StateValueInsufficientData)
	if aws.ToString(a.StateReason) != "Unchecked: Initial alarm creation" || aws.ToString(a.AlarmArn) != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors-high" {
		t.Errorf("new alarm %+v", a)
	}

	if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("Errors"), Value: aws.Float64(7)}}}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(base.Add(65 * time.Second))
	a = state(cwtypes.StateValueAlarm)
	want := "Threshold Crossed: 1 out of the last 1 datapoints [7.0 (" + base.Format("02/01/06 15:04:05") + ")] was greater than the threshold (5.0) (minimum 1 datapoint for INSUFFICIENT_DATA -> ALARM transition)."
	if aws.ToString(a.StateReason) != want {
		t.Errorf("reason %q\nwant   %q", aws.ToString(a.StateReason), want)
	}
	n := notification()
	if n.AlarmName != "errors-high" || n.NewStateValue != "ALARM" || n.OldStateValue != "INSUFFICIENT_DATA" || n.NewStateReason != want ||
		n.AWSAccountId != "000000000000" || n.Region != "US East (N. Virginia)" || n.Trigger.MetricName != "Errors" ||
		n.Trigger.Statistic != "SUM" || n.Trigger.Threshold != 5 || n.Trigger.Period != 60 || n.Trigger.ComparisonOperator != "GreaterThanThreshold" {
		t.Errorf("ALARM notification %+v", n)
	}

	env.Clock.Set(base.Add(125 * time.Second))
	state(cwtypes.StateValueOk)
	if n := notification(); n.NewStateValue != "OK" || n.OldStateValue != "ALARM" {
		t.Errorf("OK notification %+v", n)
	}

	// SetAlarmState moves it at once, with actions disabled: no notification.
	if _, err := cw.DisableAlarmActions(ctx, &cloudwatch.DisableAlarmActionsInput{AlarmNames: []string{"errors-high"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("errors-high"),
		StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("testing")}); err != nil {
		t.Fatal(err)
	}
	if a := state(cwtypes.StateValueAlarm); aws.ToString(a.StateReason) != "testing" || aws.ToBool(a.ActionsEnabled) {
		t.Errorf("after SetAlarmState %+v", a)
	}
	_, err = cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("nope"), StateValue: cwtypes.StateValueOk, StateReason: aws.String("x")})
	expectAPIError(t, err, "ResourceNotFound", 404)

	hist, err := cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("errors-high"), HistoryItemType: cwtypes.HistoryItemTypeStateUpdate})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.AlarmHistoryItems) != 3 || aws.ToString(hist.AlarmHistoryItems[0].HistorySummary) != "Alarm updated from OK to ALARM" {
		t.Errorf("history %+v", hist.AlarmHistoryItems)
	}

	tags, err := cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: a.AlarmArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Errorf("tags %v %+v", err, tags)
	}
	forMetric, err := cw.DescribeAlarmsForMetric(ctx, &cloudwatch.DescribeAlarmsForMetricInput{Namespace: aws.String("App"), MetricName: aws.String("Errors")})
	if err != nil || len(forMetric.MetricAlarms) != 1 {
		t.Errorf("DescribeAlarmsForMetric %v %+v", err, forMetric)
	}

	// The aws CLI (awsQuery) sees the same alarm.
	var cli struct {
		MetricAlarms []struct{ AlarmName, StateValue string }
	}
	cliJSON(t, env.CLI(t, "cloudwatch", "describe-alarms", "--alarm-name-prefix", "errors"), &cli)
	if len(cli.MetricAlarms) != 1 || cli.MetricAlarms[0].StateValue != "ALARM" {
		t.Errorf("CLI describe-alarms %+v", cli)
	}

	// A name that matches no alarm does not keep the others from going.
	if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"no-such-alarm", "errors-high"}}); err != nil {
		t.Fatal(err)
	}
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil || len(out.MetricAlarms) != 0 {
		t.Errorf("after delete %v %+v", err, out)
	}
}

// A metric alarm reports when its state last changed
// (StateTransitionedTimestamp) apart from when its state was last
// updated (StateUpdatedTimestamp), which a new reason alone moves.
func TestCloudWatchAlarmStateTransitioned(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	cw := cloudwatch.NewFromConfig(env.Config)
	start := env.Clock.Now().UTC().Truncate(time.Millisecond)
	if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("cpu-mon"), Namespace: aws.String("AWS/EC2"), MetricName: aws.String("CPUUtilization"),
		Statistic: cwtypes.StatisticAverage, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(2), Threshold: aws.Float64(70),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
	}); err != nil {
		t.Fatal(err)
	}
	describe := func() cwtypes.MetricAlarm {
		t.Helper()
		out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"cpu-mon"}})
		if err != nil || len(out.MetricAlarms) != 1 {
			t.Fatalf("DescribeAlarms: %+v, %v", out, err)
		}
		return out.MetricAlarms[0]
	}
	setState := func(reason string) {
		t.Helper()
		if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("cpu-mon"),
			StateValue: cwtypes.StateValueOk, StateReason: aws.String(reason)}); err != nil {
			t.Fatal(err)
		}
	}
	times := func(a cwtypes.MetricAlarm) (updated, transitioned time.Time) {
		t.Helper()
		if a.StateUpdatedTimestamp == nil || a.StateTransitionedTimestamp == nil {
			t.Fatalf("alarm %+v lacks a state timestamp", a)
		}
		return *a.StateUpdatedTimestamp, *a.StateTransitionedTimestamp
	}
	if u, tr := times(describe()); !u.Equal(start) || !tr.Equal(start) {
		t.Errorf("new alarm: updated %v, transitioned %v, want both %v", u, tr, start)
	}
	env.Clock.Set(start.Add(time.Minute))
	setState("initializing")
	env.Clock.Set(start.Add(2 * time.Minute))
	setState("still fine")
	if u, tr := times(describe()); !u.Equal(start.Add(2*time.Minute)) || !tr.Equal(start.Add(time.Minute)) {
		t.Errorf("after OK twice: updated %v, transitioned %v, want %v and %v", u, tr, start.Add(2*time.Minute), start.Add(time.Minute))
	}
}
