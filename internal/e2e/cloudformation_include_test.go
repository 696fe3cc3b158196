package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

const includeTemplate = `Transform:
  Name: AWS::Include
  Parameters:
    Location: s3://snippets/outputs.yaml
Resources:
  One:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: inc-one
      Fn::Transform:
        Name: AWS::Include
        Parameters:
          Location: s3://snippets/queue-props.json
  Two:
    Fn::Transform:
      Name: AWS::Include
      Parameters:
        Location: LOCATION
`

// TestCloudFormationInclude expands AWS::Include from virga's S3: as a
// whole value, among a mapping's keys and in the Transform section, by
// s3:// URI and https URL, and refuses what CloudFormation refuses.
func TestCloudFormationInclude(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	sc := s3Client(env)
	putObject(t, sc, "snippets", "queue-props.json", []byte(`{"VisibilityTimeout": 45, "DelaySeconds": 3}`))
	putObject(t, sc, "snippets", "dir/two.yaml", []byte("Type: AWS::SQS::Queue\nProperties:\n  QueueName: !Sub \"${AWS::StackName}-two\"\n"))
	putObject(t, sc, "snippets", "outputs.yaml", []byte("Outputs:\n  OneName:\n    Value: !GetAtt One.QueueName\n  TwoName:\n    Value: !GetAtt Two.QueueName\n"))
	putObject(t, sc, "snippets", "nested.yaml", []byte("Fn::Transform:\n  Name: AWS::Include\n  Parameters:\n    Location: s3://snippets/dir/two.yaml\n"))
	putObject(t, sc, "snippets", "list.yaml", []byte("- a\n- b\n"))
	body := strings.Replace(includeTemplate, "LOCATION", "https://snippets.s3.amazonaws.com/dir/two.yaml", 1)

	// CreateStack needs CAPABILITY_AUTO_EXPAND; a change set does not.
	_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("inc"), TemplateBody: aws.String(body)})
	if e := expectAPIError(t, err, "InsufficientCapabilitiesException", 400); e.Message != "Requires capabilities : [CAPABILITY_AUTO_EXPAND]" {
		t.Errorf("capabilities: %q", e.Message)
	}
	// The capability is asked for before any snippet is read.
	_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("inc"),
		TemplateBody: aws.String(strings.Replace(includeTemplate, "LOCATION", "s3://snippets/missing.yaml", 1))})
	expectAPIError(t, err, "InsufficientCapabilitiesException", 400)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("inc"), TemplateBody: aws.String(body),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	st := settleStack(t, cf, "inc")
	if st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("stack: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	outs := map[string]string{}
	for _, o := range st.Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if outs["OneName"] != "inc-one" || outs["TwoName"] != "inc-two" {
		t.Errorf("outputs %v", outs)
	}
	q := sqs.NewFromConfig(env.Config)
	url, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("inc-one")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil || attrs.Attributes["VisibilityTimeout"] != "45" || attrs.Attributes["DelaySeconds"] != "3" {
		t.Errorf("included properties: %v %v", attrs, err)
	}
	processed, err := cf.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("inc"), TemplateStage: cftypes.TemplateStageProcessed})
	if err != nil || strings.Contains(aws.ToString(processed.TemplateBody), "Fn::Transform") || strings.Contains(aws.ToString(processed.TemplateBody), "AWS::Include") {
		t.Errorf("processed template: %v %v", aws.ToString(processed.TemplateBody), err)
	}
	original, err := cf.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("inc")})
	if err != nil || aws.ToString(original.TemplateBody) != body {
		t.Errorf("original template: %v", err)
	}

	// A change set expands the includes without the capability.
	if _, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("inc-cs"), ChangeSetName: aws.String("cs"),
		ChangeSetType: cftypes.ChangeSetTypeCreate, TemplateBody: aws.String(strings.ReplaceAll(body, "inc-one", "inc-cs-one"))}); err != nil {
		t.Fatal(err)
	}

	// What CloudFormation refuses, in its words.
	for loc, want := range map[string]string{
		"s3://snippets/missing.yaml":                  "Transform AWS::Include failed with: The specified key does not exist.",
		"s3://no-such-bucket/x.yaml":                  "Transform AWS::Include failed with: The specified bucket does not exist",
		"./two.yaml":                                  "Transform AWS::Include failed with: The location parameter is not a valid S3 uri.",
		"https://example.com/two.yaml":                "Transform AWS::Include failed with: The location parameter is not a valid S3 uri.",
		"s3://snippets/nested.yaml":                   "Transform AWS::Include failed with: The specified S3 object's content should be valid Yaml/JSON.",
		"https://s3.amazonaws.com/snippets/list.yaml": "",
	} {
		_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("bad"), TemplateBody: aws.String(strings.Replace(includeTemplate, "LOCATION", loc, 1)),
			Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityAutoExpand}})
		if want == "" {
			// A list where a resource belongs is a template error, not the include's.
			if e := expectAPIError(t, err, "ValidationError", 400); strings.HasPrefix(e.Message, "Transform") {
				t.Errorf("%s: %q", loc, e.Message)
			}
			continue
		}
		if e := expectAPIError(t, err, "ValidationError", 400); e.Message != want {
			t.Errorf("%s: %q, want %q", loc, e.Message, want)
		}
	}
}
