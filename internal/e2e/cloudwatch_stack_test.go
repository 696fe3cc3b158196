package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/virga/virga/internal/e2e"
)

const alarmTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Threshold:
    Type: Number
    Default: "3"
Resources:
  Alerts:
    Type: AWS::SNS::Topic
  ErrorsAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: too many errors
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: checkout
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 2
      DatapointsToAlarm: 1
      Threshold: !Ref Threshold
      ComparisonOperator: GreaterThanOrEqualToThreshold
      TreatMissingData: notBreaching
      AlarmActions: [!Ref Alerts]
      Tags:
        - Key: team
          Value: core
Outputs:
  Name:
    Value: !Ref ErrorsAlarm
  Arn:
    Value: !GetAtt ErrorsAlarm.Arn
`

// A template with an AWS::CloudWatch::Alarm deploys; its Ref is the
// alarm's name and GetAtt Arn its ARN; an update changes it in place
// and deleting the stack deletes it.
func TestCloudFormationCloudWatchAlarm(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	ctx := context.Background()
	cw := cloudwatch.NewFromConfig(env.Config)
	outs := deployWithCLI(t, env, "alarms", alarmTemplate)
	name := outs["Name"]
	if name == "" || outs["Arn"] != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:"+name {
		t.Fatalf("outputs %v", outs)
	}
	got, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil || len(got.MetricAlarms) != 1 {
		t.Fatalf("DescribeAlarms: %v %+v", err, got)
	}
	a := got.MetricAlarms[0]
	if aws.ToFloat64(a.Threshold) != 3 || aws.ToInt32(a.EvaluationPeriods) != 2 || len(a.AlarmActions) != 1 || len(a.Dimensions) != 1 ||
		aws.ToString(a.AlarmDescription) != "too many errors" {
		t.Errorf("alarm %+v", a)
	}
	tags, err := cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: a.AlarmArn})
	// The template's tag and CloudFormation's three aws:cloudformation: tags.
	if err != nil || len(tags.Tags) != 4 {
		t.Errorf("tags %v %+v", err, tags)
	}

	file := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(file, []byte(alarmTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	// The CLI names change sets by the second (see awaitNextSecond).
	awaitNextSecond()
	if res := env.CLI(t, "cloudformation", "deploy", "--stack-name", "alarms", "--template-file", file,
		"--parameter-overrides", "Threshold=10"); res.ExitCode != 0 {
		t.Fatalf("update: %s %s", res.Stdout, res.Stderr)
	}
	got, err = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil || len(got.MetricAlarms) != 1 || aws.ToFloat64(got.MetricAlarms[0].Threshold) != 10 {
		t.Errorf("after update: %v %+v", err, got)
	}
	if res := env.CLI(t, "cloudformation", "delete-stack", "--stack-name", "alarms"); res.ExitCode != 0 {
		t.Fatal(res.Stderr)
	}
	if res := env.CLI(t, "cloudformation", "wait", "stack-delete-complete", "--stack-name", "alarms"); res.ExitCode != 0 {
		t.Fatal(res.Stderr)
	}
	got, err = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil || len(got.MetricAlarms) != 0 {
		t.Errorf("after delete: %v %+v", err, got)
	}
}
