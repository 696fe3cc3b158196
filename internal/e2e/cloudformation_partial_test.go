package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/virga/virga/internal/e2e"
)

// TestCloudFormationRollbackDeletesPartlyMadeResources: a resource whose
// creation failed after the service had made it (a bucket whose
// notification configuration S3 refused, an alias whose provisioned
// concurrency Lambda refused, a log group whose retention CloudWatch Logs
// refused, a role whose managed policy does not exist) is deleted by the
// rollback, as on AWS: the
// stack ends ROLLBACK_COMPLETE and nothing of it is left behind.
func TestCloudFormationRollbackDeletesPartlyMadeResources(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, "/usr/bin/python3")
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	settle := func(name string) string {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
			if err != nil {
				t.Fatal(err)
			}
			if s := string(out.Stacks[0].StackStatus); !strings.HasSuffix(s, "_IN_PROGRESS") || time.Now().After(deadline) {
				return s
			}
		}
	}
	stacks := map[string]string{
		"refused-notification": `Resources:
  Drop:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: partly-made-drop
      NotificationConfiguration:
        QueueConfigurations:
          - Event: s3:ObjectCreated:*
            Queue: arn:aws:sqs:us-east-1:` + testAccount + `:nowhere
`,
		"refused-concurrency": `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: partly-made-fn
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::` + testAccount + `:role/any
      Code:
        ZipFile: "def handler(e, c):\n    return 1\n"
  Pinned:
    Type: AWS::Lambda::Version
    Properties:
      FunctionName: !Ref Fn
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 1
  Live:
    Type: AWS::Lambda::Alias
    Properties:
      FunctionName: !Ref Fn
      FunctionVersion: !GetAtt Pinned.Version
      Name: live
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 1
`,
		"refused-retention": `Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: partly-made-logs
      RetentionInDays: 2
`,
		"refused-policy": `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: partly-made-role
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::` + testAccount + `:policy/nothing
`,
	}
	for name, body := range stacks {
		if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(body),
			Capabilities: []types.Capability{types.CapabilityCapabilityNamedIam}}); err != nil {
			t.Fatal(err)
		}
	}
	for name := range stacks {
		if got := settle(name); got != "ROLLBACK_COMPLETE" {
			t.Errorf("%s: %s, want ROLLBACK_COMPLETE", name, got)
		}
	}
	if _, err := s3Client(env).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("partly-made-drop")}); err == nil {
		t.Error("the bucket whose notification configuration was refused is still there")
	}
	if _, err := lambda.NewFromConfig(env.Config).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("partly-made-fn")}); err == nil {
		t.Error("the function is still there: its alias kept its version")
	}
	groups, err := cloudwatchlogs.NewFromConfig(env.Config).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("partly-made-logs")})
	if err != nil {
		t.Fatal(err)
	} else if len(groups.LogGroups) != 0 {
		t.Error("the log group whose retention was refused is still there")
	}
	if _, err := iam.NewFromConfig(env.Config).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("partly-made-role")}); err == nil {
		t.Error("the role whose managed policy does not exist is still there")
	}
}
