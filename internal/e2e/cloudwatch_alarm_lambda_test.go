package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/e2e"
)

const alarmHandler = `import json
def handler(event, context):
    print("EVENT " + json.dumps(event))
`

// An alarm invokes a Lambda function among its actions with CloudWatch's
// alarm event, once the function's resource policy allows
// lambda.alarms.cloudwatch.amazonaws.com for the alarm.
func TestCloudWatchAlarmLambdaAction(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	cw := cloudwatch.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	createPythonFunction(t, lc, "on-alarm", alarmHandler, 10)
	fn := functionARN("on-alarm")
	alarmARN := "arn:aws:cloudwatch:us-east-1:000000000000:alarm:api-errors"
	if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("api-errors"), AlarmDescription: aws.String("too many errors"), Namespace: aws.String("App"), MetricName: aws.String("Errors"),
		Dimensions: []cwtypes.Dimension{dim("Api", "orders")}, Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(5), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		AlarmActions: []string{fn}, OKActions: []string{fn},
	}); err != nil {
		t.Fatal(err)
	}
	set := func(state cwtypes.StateValue, reason string) {
		t.Helper()
		if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("api-errors"), StateValue: state, StateReason: aws.String(reason)}); err != nil {
			t.Fatal(err)
		}
	}
	// Without a permission for CloudWatch, the action does not run.
	set(cwtypes.StateValueAlarm, "first")
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("on-alarm"), StatementId: aws.String("AlarmAction"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("lambda.alarms.cloudwatch.amazonaws.com"),
		SourceAccount: aws.String("000000000000"), SourceArn: aws.String(alarmARN)}); err != nil {
		t.Fatal(err)
	}
	set(cwtypes.StateValueOk, "second")
	set(cwtypes.StateValueAlarm, "third")
	lines := groupLines(t, cwl, "/aws/lambda/on-alarm", "EVENT ", func(l []string) bool { return len(l) >= 2 })
	if len(lines) != 2 {
		t.Fatalf("events %q, want two", lines)
	}
	type state struct{ Value, Reason, Timestamp string }
	var ev struct {
		Source, AlarmArn, AccountId, Time, Region string
		AlarmData                                 struct {
			AlarmName            string
			State, PreviousState state
			Configuration        struct {
				Description string
				Metrics     []struct {
					Id         string
					ReturnData bool
					MetricStat struct {
						Metric struct {
							Namespace, Name string
							Dimensions      map[string]string
						}
						Period int
						Stat   string
					}
				}
			}
		}
	}
	var first, second = lines[0], lines[1]
	if strings.Contains(first, `"third"`) {
		first, second = second, first
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(first, "EVENT ")), &ev); err != nil {
		t.Fatal(err)
	}
	d := ev.AlarmData
	if ev.Source != "aws.cloudwatch" || ev.AlarmArn != alarmARN || ev.AccountId != "000000000000" || ev.Region != "us-east-1" || len(ev.Time) != 28 ||
		d.AlarmName != "api-errors" || d.State.Value != "OK" || d.State.Reason != "second" || d.PreviousState.Value != "ALARM" || d.PreviousState.Reason != "first" ||
		d.Configuration.Description != "too many errors" || len(d.Configuration.Metrics) != 1 || !d.Configuration.Metrics[0].ReturnData ||
		d.Configuration.Metrics[0].MetricStat.Metric.Name != "Errors" || d.Configuration.Metrics[0].MetricStat.Metric.Dimensions["Api"] != "orders" ||
		d.Configuration.Metrics[0].MetricStat.Stat != "Sum" || d.Configuration.Metrics[0].MetricStat.Period != 60 {
		t.Errorf("event %s", first)
	}
	if !strings.Contains(second, `"value": "ALARM", "reason": "third"`) && !strings.Contains(second, `"reason": "third"`) {
		t.Errorf("second event %s", second)
	}
}
