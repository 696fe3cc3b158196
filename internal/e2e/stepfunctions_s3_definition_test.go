package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// s3DefinitionTemplate makes two state machines from definitions in
// S3, as aws cloudformation package leaves them: a SAM DefinitionUri
// {Bucket, Key} (a YAML file) and a DefinitionS3Location (a JSON file),
// both with DefinitionSubstitutions.
const s3DefinitionTemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  FromSam:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: {Bucket: defs, Key: flow.yaml}
      DefinitionSubstitutions: {Word: sam}
      Role: arn:aws:iam::000000000000:role/states
  Plain:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::000000000000:role/states
      DefinitionS3Location: {Bucket: defs, Key: flow.json}
      DefinitionSubstitutions: {Word: plain}
Outputs:
  FromSam:
    Value: !Ref FromSam
  Plain:
    Value: !Ref Plain
`

// TestStateMachineDefinitionFromS3 creates state machines whose
// definitions CloudFormation reads from S3 (DefinitionS3Location, and a
// SAM DefinitionUri that names an object), JSON or YAML, with their
// substitutions and a "ResultPath": null, and runs them.
func TestStateMachineDefinitionFromS3(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("defs")}); err != nil {
		t.Fatal(err)
	}
	for key, body := range map[string]string{
		"flow.json": `{"StartAt":"Say","States":{"Say":{"Type":"Pass","Result":"${Word}","ResultPath":"$.said","Next":"Keep"},
			"Keep":{"Type":"Pass","Result":"dropped","ResultPath":null,"End":true}}}`,
		"flow.yaml": "StartAt: Say\nStates:\n  Say:\n    Type: Pass\n    Result: ${Word}\n    ResultPath: $.said\n    Next: Keep\n" +
			"  Keep:\n    Type: Pass\n    Result: dropped\n    ResultPath: null\n    End: true\n",
	} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("defs"), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	cf := cloudformation.NewFromConfig(env.Config)
	_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("s3defs"), TemplateBody: aws.String(s3DefinitionTemplate),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}})
	if err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "s3defs")
	c := sfn.NewFromConfig(env.Config)
	want := map[string]string{"FromSam": `{"said":"sam"}`, "Plain": `{"said":"plain"}`}
	for key, machine := range outs {
		start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Input: aws.String(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		done := waitExecution(t, c, aws.ToString(start.ExecutionArn))
		if done.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(done.Output) != want[key] {
			t.Errorf("%s: %s, output %s (%s)", key, done.Status, aws.ToString(done.Output), aws.ToString(done.Cause))
		}
	}
}
