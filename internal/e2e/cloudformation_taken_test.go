package e2e_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/virga/virga/internal/e2e"
)

// TestCloudFormationRefusesTakenNames: a stack whose template names a
// rule or a topic that was made outside it fails that resource, as
// CloudFormation's handlers do ("NAME already exists", HandlerErrorCode
// AlreadyExists), instead of taking it over through PutRule's or
// CreateTopic's upsert; the rollback leaves the rule and the topic as
// they were. A stack's own named rule still updates in place.
func TestCloudFormationRefusesTakenNames(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	sn := sns.NewFromConfig(env.Config)

	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("outside-rule"),
		ScheduleExpression: aws.String("rate(5 minutes)"), Description: aws.String("theirs")}); err != nil {
		t.Fatal(err)
	}
	topic, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("outside-topic"),
		Attributes: map[string]string{"DisplayName": "theirs"}})
	if err != nil {
		t.Fatal(err)
	}
	stacks := map[string]string{
		"takes-rule": `Resources:
  Rule:
    Type: AWS::Events::Rule
    Properties:
      Name: outside-rule
      ScheduleExpression: rate(1 hour)
      Description: ours
`,
		"takes-topic": `Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: outside-topic
`,
	}
	for name, body := range stacks {
		startStack(t, cf, name, body, nil)
	}
	for stack, c := range map[string]struct{ logical, name string }{
		"takes-rule": {"Rule", "outside-rule"}, "takes-topic": {"Topic", "outside-topic"},
	} {
		if st := settleStack(t, cf, stack); st.StackStatus != cftypes.StackStatusRollbackComplete {
			t.Errorf("%s: %s, want ROLLBACK_COMPLETE", stack, st.StackStatus)
		}
		want := regexp.MustCompile(`^Resource handler returned message: "` + c.name +
			` already exists" \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: AlreadyExists\)$`)
		if got := resourceReason(t, cf, stack, c.logical, cftypes.ResourceStatusCreateFailed); !want.MatchString(got) {
			t.Errorf("%s: CREATE_FAILED reason %q", stack, got)
		}
	}
	rule, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("outside-rule")})
	if err != nil {
		t.Fatalf("the rule made outside the stack is gone: %v", err)
	}
	if aws.ToString(rule.ScheduleExpression) != "rate(5 minutes)" || aws.ToString(rule.Description) != "theirs" {
		t.Errorf("the rule made outside the stack was changed: %s, %s", aws.ToString(rule.ScheduleExpression), aws.ToString(rule.Description))
	}
	attrs, err := sn.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: topic.TopicArn})
	if err != nil {
		t.Fatalf("the topic made outside the stack is gone: %v", err)
	}
	if attrs.Attributes["DisplayName"] != "theirs" {
		t.Errorf("the topic made outside the stack was changed: %v", attrs.Attributes)
	}

	own := `Resources:
  Rule:
    Type: AWS::Events::Rule
    Properties:
      Name: own-rule
      ScheduleExpression: RATE
`
	deployStack(t, cf, "keeps-name", regexp.MustCompile("RATE").ReplaceAllString(own, "rate(5 minutes)"), false)
	deployStack(t, cf, "keeps-name", regexp.MustCompile("RATE").ReplaceAllString(own, "rate(1 hour)"), true)
	if rule, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("own-rule")}); err != nil {
		t.Fatal(err)
	} else if got := aws.ToString(rule.ScheduleExpression); got != "rate(1 hour)" {
		t.Errorf("the stack's own rule after the update: %s", got)
	}
}
