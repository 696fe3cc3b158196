package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/virga/virga/internal/e2e"
)

// TestLogsResourcePolicies: PutResourcePolicy creates or replaces an
// account's policy by name, DescribeResourcePolicies lists them, and an
// account has at most 10.
func TestLogsResourcePolicies(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	doc := func(svc string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + svc +
			`"},"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`)
	}
	out, err := c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String("p0"), PolicyDocument: doc("events.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ResourcePolicy.PolicyName) != "p0" || out.ResourcePolicy.LastUpdatedTime == nil {
		t.Fatalf("PutResourcePolicy answered %+v", out.ResourcePolicy)
	}
	// The same name replaces the document.
	if _, err := c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String("p0"), PolicyDocument: doc("route53.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"} {
		if _, err := c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String(n), PolicyDocument: doc("events.amazonaws.com")}); err != nil {
			t.Fatalf("policy %s: %v", n, err)
		}
	}
	_, err = c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String("p10"), PolicyDocument: doc("events.amazonaws.com")})
	expectAPIError(t, err, "LimitExceededException", 400)
	_, err = c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String("p0"), PolicyDocument: aws.String("not json")})
	expectAPIError(t, err, "InvalidParameterException", 400)

	list, err := c.DescribeResourcePolicies(ctx, &cloudwatchlogs.DescribeResourcePoliciesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ResourcePolicies) != 10 || aws.ToString(list.ResourcePolicies[0].PolicyName) != "p0" ||
		!strings.Contains(aws.ToString(list.ResourcePolicies[0].PolicyDocument), "route53.amazonaws.com") {
		t.Fatalf("DescribeResourcePolicies: %d policies, first %+v", len(list.ResourcePolicies), list.ResourcePolicies[0])
	}
	if _, err := c.DeleteResourcePolicy(ctx, &cloudwatchlogs.DeleteResourcePolicyInput{PolicyName: aws.String("p0")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteResourcePolicy(ctx, &cloudwatchlogs.DeleteResourcePolicyInput{PolicyName: aws.String("p0")})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
}

// templateRuleToLogGroup sends a source's events to a log group, with
// the account resource policy that lets EventBridge write there.
const templateRuleToLogGroup = `Resources:
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/events/all
  Policy:
    Type: AWS::Logs::ResourcePolicy
    Properties:
      PolicyName: events-to-logs
      PolicyDocument: !Sub '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["events.amazonaws.com","delivery.logs.amazonaws.com"]},"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"${Group.Arn}"}]}'
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source: [app.orders]
      Targets:
        - Id: logs
          Arn: !GetAtt Group.Arn
Outputs:
  PolicyName:
    Value: !Ref Policy
`

// TestEventBridgeRuleToLogGroup: a rule whose target is a log group
// writes each matching event, as JSON at the event's time, into a
// stream named by the event's id; AWS::Logs::ResourcePolicy deploys
// with it.
func TestEventBridgeRuleToLogGroup(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("to-logs"), TemplateBody: aws.String(templateRuleToLogGroup)}); err != nil {
		t.Fatal(err)
	}
	if outs := createdStackOutputs(t, cf, "to-logs"); outs["PolicyName"] != "events-to-logs" {
		t.Fatalf("outputs %v", outs)
	}
	pols, err := cwl.DescribeResourcePolicies(ctx, &cloudwatchlogs.DescribeResourcePoliciesInput{})
	if err != nil || len(pols.ResourcePolicies) != 1 || !strings.Contains(aws.ToString(pols.ResourcePolicies[0].PolicyDocument), "log-group:/aws/events/all") {
		t.Fatalf("resource policies %+v, %v", pols, err)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := time.Now().Add(-time.Minute).Truncate(time.Second)
	put, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("app.orders"), DetailType: aws.String("created"), Detail: aws.String(`{"id":7}`), Time: &now},
		{Source: aws.String("app.other"), DetailType: aws.String("created"), Detail: aws.String(`{"id":8}`), Time: &at},
	}})
	if err != nil || put.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, put)
	}
	id := aws.ToString(put.Entries[0].EventId)
	var events []cwltypes.FilteredLogEvent
	for deadline := time.Now().Add(10 * time.Second); len(events) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no event reached the log group")
		}
		out, err := cwl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/events/all")})
		if err != nil {
			t.Fatal(err)
		}
		events = out.Events
	}
	var got struct {
		ID, Source string
		Detail     map[string]int
	}
	if err := json.Unmarshal([]byte(aws.ToString(events[0].Message)), &got); err != nil {
		t.Fatalf("message %q: %v", aws.ToString(events[0].Message), err)
	}
	if len(events) != 1 || aws.ToString(events[0].LogStreamName) != id || got.ID != id || got.Source != "app.orders" || got.Detail["id"] != 7 ||
		aws.ToInt64(events[0].Timestamp) != now.UnixMilli() {
		t.Fatalf("log events %+v", events)
	}
}
