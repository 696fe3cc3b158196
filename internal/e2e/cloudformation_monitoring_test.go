package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/virga/virga/internal/e2e"
)

// monitoringTemplate has the resource group and Application Insights
// application that sam init puts in every new application's template.
const monitoringTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  AppGroup:
    Type: AWS::ResourceGroups::Group
    Properties:
      Name: !Sub ApplicationInsights-SAM-${AWS::StackName}
      ResourceQuery:
        Type: CLOUDFORMATION_STACK_1_0
  Insights:
    Type: AWS::ApplicationInsights::Application
    Properties:
      ResourceGroupName: !Ref AppGroup
      AutoConfigurationEnabled: "true"
Outputs:
  Group:
    Value: !Ref AppGroup
  GroupArn:
    Value: !GetAtt AppGroup.Arn
  App:
    Value: !Ref Insights
  AppArn:
    Value: !GetAtt Insights.ApplicationARN
`

// TestCloudFormationMonitoringResources deploys a template with sam
// init's monitoring resources, which virga records: the stack completes,
// Ref and Fn::GetAtt give AWS's identifiers, and the stack deletes.
func TestCloudFormationMonitoringResources(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	ctx := context.Background()
	name := aws.String("monitored")
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: name, TemplateBody: aws.String(monitoringTemplate),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: name}, time.Minute); err != nil {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: name})
		for _, e := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatal(err)
	}
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: name})
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	const group = "ApplicationInsights-SAM-monitored"
	app := "arn:aws:applicationinsights:us-east-1:" + testAccount + ":application/resource-group/" + group
	if outs["Group"] != group || outs["GroupArn"] != "arn:aws:resource-groups:us-east-1:"+testAccount+":group/"+group ||
		outs["App"] != app || outs["AppArn"] != app {
		t.Fatalf("outputs: %v", outs)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: name}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: name}, time.Minute); err != nil {
		t.Fatal(err)
	}
}
