package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/virga/virga/internal/e2e"
)

// TestCloudFormationRotationScheduleAndLogStream: a stack's
// RotationSchedule turns rotation on with its function and rules and
// rotates the secret at once; its LogStream is created in its group and
// named by Ref. Deleting the stack removes both.
func TestCloudFormationRotationScheduleAndLogStream(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	e2e.RequireTool(t, "/usr/bin/python3")
	env := e2e.Start(t)
	ctx := context.Background()
	code := "          " + strings.ReplaceAll(strings.TrimSpace(rotator), "\n", "\n          ")
	outs := deployWithCLI(t, env, "rotating", `Resources:
  Db:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: rotating-db
      SecretString: first
  Rotator:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: rotating-fn
      Runtime: python3.12
      Handler: index.handler
      Timeout: 30
      Role: arn:aws:iam::`+testAccount+`:role/rotator
      Code:
        ZipFile: |
`+code+`
  Schedule:
    Type: AWS::SecretsManager::RotationSchedule
    Properties:
      SecretId: !Ref Db
      RotationLambdaARN: !GetAtt Rotator.Arn
      RotationRules:
        AutomaticallyAfterDays: 30
  Trail:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: rotating-trail
  Audit:
    Type: AWS::Logs::LogStream
    Properties:
      LogGroupName: !Ref Trail
Outputs:
  Schedule:
    Value: !Ref Schedule
  Audit:
    Value: !Ref Audit
`)
	sm := secretsmanager.NewFromConfig(env.Config)
	desc, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("rotating-db")})
	if err != nil {
		t.Fatal(err)
	}
	if outs["Schedule"] != aws.ToString(desc.ARN) || !aws.ToBool(desc.RotationEnabled) ||
		aws.ToInt64(desc.RotationRules.AutomaticallyAfterDays) != 30 || !strings.HasSuffix(aws.ToString(desc.RotationLambdaARN), ":function:rotating-fn") {
		t.Errorf("rotation %+v, Ref %s", desc, outs["Schedule"])
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		v, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("rotating-db")})
		if err == nil && aws.ToString(v.SecretString) != "first" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the secret was not rotated: %v", err)
		}
	}
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	streams, err := cwl.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("rotating-trail")})
	if err != nil || len(streams.LogStreams) != 1 || aws.ToString(streams.LogStreams[0].LogStreamName) != outs["Audit"] || outs["Audit"] == "" {
		t.Errorf("log streams %+v %v, Ref %q", streams, err, outs["Audit"])
	}

	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("rotating")}); err != nil {
		t.Fatal(err)
	}
	if res := env.CLI(t, "cloudformation", "wait", "stack-delete-complete", "--stack-name", "rotating"); res.ExitCode != 0 {
		t.Fatalf("stack not deleted: %s", res.Stderr)
	}
	if _, err := cwl.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("rotating-trail")}); err == nil {
		t.Error("the log group is still there")
	}
}
