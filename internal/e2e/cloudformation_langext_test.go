package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// langextTemplate uses the AWS::LanguageExtensions transform before
// SAM's: a queue per name of a list parameter (Fn::ForEach, with &{} in
// the logical IDs), outputs made by a loop, Fn::Length, and a
// DeletionPolicy given by Fn::If.
const langextTemplate = `Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Parameters:
  Names:
    Type: CommaDelimitedList
    Default: "orders,payment-events"
  Stage:
    Type: String
    Default: prod
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Fn::ForEach::Queues:
    - Name
    - !Ref Names
    - Queue&{Name}:
        Type: AWS::SQS::Queue
        DeletionPolicy: !If [IsProd, Retain, Delete]
        Properties:
          QueueName: !Sub "le-${Name}"
Outputs:
  Count:
    Value: !Length [a, b, c]
  Fn::ForEach::Urls:
    - Name
    - !Ref Names
    - Url&{Name}:
        Value: !Ref Queue&{Name}
`

// TestCloudFormationLanguageExtensions: a template with the
// AWS::LanguageExtensions transform deploys its loops' resources and
// outputs, and its DeletionPolicy given by Fn::If keeps the queues when
// the stack is deleted.
func TestCloudFormationLanguageExtensions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("le"), TemplateBody: aws.String(langextTemplate),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "le")
	if outs["Count"] != "3" || outs["Urlorders"] != env.Endpoint+"/000000000000/le-orders" ||
		outs["Urlpaymentevents"] != env.Endpoint+"/000000000000/le-payment-events" {
		t.Fatalf("outputs %v", outs)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("le")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("le")}, 60e9); err != nil {
		t.Fatal(err)
	}
	if _, err := sqs.NewFromConfig(env.Config).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("le-orders")}); err != nil {
		t.Errorf("the retained queue: %v", err)
	}
}
