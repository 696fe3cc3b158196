package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// A composite alarm follows its AlarmRule over other alarms' states,
// runs its actions when it moves, and DescribeAlarms lists it by
// AlarmTypes, children and parents.
func TestCloudWatchCompositeAlarm(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cw := cloudwatch.NewFromConfig(env.Config)
	sn := sns.NewFromConfig(env.Config)
	sq := sqs.NewFromConfig(env.Config)
	topic, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("composite-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("composite-inbox")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(queueARN("composite-inbox")), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"cpu", "disk"} {
		if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(n), Namespace: aws.String("App"), MetricName: aws.String(n),
			Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("both"), AlarmRule: aws.String("ALARM(cpu) AND ALARM(disk) AND NOT"),
		AlarmActions: []string{*topic.TopicArn}})
	expectAPIError(t, err, "ValidationError", 400)
	if _, err := cw.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("both"), AlarmDescription: aws.String("cpu and disk"),
		AlarmRule: aws.String(`ALARM(cpu) AND ALARM("disk")`), AlarmActions: []string{*topic.TopicArn}, OKActions: []string{*topic.TopicArn}}); err != nil {
		t.Fatal(err)
	}
	composite := func() cwtypes.CompositeAlarm {
		t.Helper()
		out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}})
		if err != nil || len(out.CompositeAlarms) != 1 || len(out.MetricAlarms) != 0 {
			t.Fatalf("DescribeAlarms composites: %v %+v", err, out)
		}
		return out.CompositeAlarms[0]
	}
	if c := composite(); c.StateValue != cwtypes.StateValueOk || aws.ToString(c.AlarmRule) != `ALARM(cpu) AND ALARM("disk")` ||
		aws.ToString(c.AlarmArn) != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:both" {
		t.Errorf("new composite %+v", c)
	}
	note := func() map[string]any {
		t.Helper()
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 20})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("notification: %v %+v", err, out)
		}
		sq.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle})
		var m map[string]any
		if err := json.Unmarshal([]byte(*out.Messages[0].Body), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if n := note(); n["NewStateValue"] != "OK" || n["OldStateValue"] != "INSUFFICIENT_DATA" || n["AlarmRule"] != `ALARM(cpu) AND ALARM("disk")` {
		t.Errorf("first notification %v", n)
	}
	set := func(name string, st cwtypes.StateValue) {
		t.Helper()
		if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: st, StateReason: aws.String("test")}); err != nil {
			t.Fatal(err)
		}
	}
	set("cpu", cwtypes.StateValueAlarm)
	if c := composite(); c.StateValue != cwtypes.StateValueOk {
		t.Errorf("one child in ALARM: %s", c.StateValue)
	}
	set("disk", cwtypes.StateValueAlarm)
	if c := composite(); c.StateValue != cwtypes.StateValueAlarm {
		t.Errorf("both children in ALARM: %s", c.StateValue)
	}
	if n := note(); n["NewStateValue"] != "ALARM" || n["AlarmName"] != "both" {
		t.Errorf("ALARM notification %v", n)
	}
	set("cpu", cwtypes.StateValueOk)
	if c := composite(); c.StateValue != cwtypes.StateValueOk {
		t.Errorf("back: %s", c.StateValue)
	}

	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil || len(out.MetricAlarms) != 2 || len(out.CompositeAlarms) != 0 {
		t.Errorf("DescribeAlarms without AlarmTypes: %v %+v", err, out)
	}
	out, err = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{ChildrenOfAlarmName: aws.String("both"),
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil || len(out.MetricAlarms) != 2 || len(out.CompositeAlarms) != 0 {
		t.Errorf("children: %v %+v", err, out)
	}
	out, err = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{ParentsOfAlarmName: aws.String("disk"),
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}})
	if err != nil || len(out.CompositeAlarms) != 1 || aws.ToString(out.CompositeAlarms[0].AlarmName) != "both" {
		t.Errorf("parents: %v %+v", err, out)
	}
	hist, err := cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("both"), HistoryItemType: cwtypes.HistoryItemTypeStateUpdate})
	if err != nil || len(hist.AlarmHistoryItems) != 3 || hist.AlarmHistoryItems[0].AlarmType != cwtypes.AlarmTypeCompositeAlarm {
		t.Errorf("history: %v %+v", err, hist)
	}
}
