package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

const archiveTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Retention:
    Type: Number
    Default: 30
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: payments
  Queue:
    Type: AWS::SQS::Queue
  ToQueue:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: {source: [billing]}
      Targets:
        - {Id: queue, Arn: !GetAtt Queue.Arn}
  Failed:
    Type: AWS::Events::Archive
    Properties:
      SourceArn: !GetAtt Bus.Arn
      Description: failed payments
      RetentionDays: !Ref Retention
      EventPattern:
        detail-type: [PaymentFailed]
  PartnerAccount:
    Type: AWS::Events::EventBusPolicy
    Properties:
      EventBusName: !Ref Bus
      StatementId: partner
      Action: events:PutEvents
      Principal: "111122223333"
  Organization:
    Type: AWS::Events::EventBusPolicy
    Properties:
      EventBusName: !Ref Bus
      StatementId: org
      Statement:
        Effect: Allow
        Principal: "*"
        Action: events:PutEvents
        Resource: !GetAtt Bus.Arn
        Condition:
          StringEquals:
            aws:PrincipalOrgID: o-1234567890
Outputs:
  ArchiveName:
    Value: !Ref Failed
  ArchiveArn:
    Value: !GetAtt Failed.Arn
  PolicyRef:
    Value: !Ref PartnerAccount
  QueueUrl:
    Value: !Ref Queue
`

// TestCloudFormationEventArchiveAndPolicy deploys a stack with an archive
// and two bus policy statements, replays what the archive took, updates
// the archive's retention and deletes the stack.
func TestCloudFormationEventArchiveAndPolicy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("payments"), TemplateBody: aws.String(archiveTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, time.Minute); err != nil {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: created.StackId})
		for _, e := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatal(err)
	}
	st, _ := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("payments")})
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	name := outs["ArchiveName"]
	if !strings.HasPrefix(name, "payments-Failed-") || outs["ArchiveArn"] != ebPrefix+"archive/"+name || outs["PolicyRef"] != "payments|partner" {
		t.Fatalf("outputs: %v", outs)
	}
	var doc struct {
		Statement []struct {
			Sid       string
			Principal any
			Condition map[string]map[string]string
		}
	}
	if p := busPolicy(t, eb, "payments"); json.Unmarshal([]byte(p), &doc) != nil || len(doc.Statement) != 2 {
		t.Fatalf("bus policy: %s", p)
	}
	sids := map[string]bool{}
	for _, s := range doc.Statement {
		sids[s.Sid] = true
		if s.Sid == "org" && s.Condition["StringEquals"]["aws:PrincipalOrgID"] != "o-1234567890" {
			t.Errorf("the org statement: %+v", s)
		}
	}
	if !sids["partner"] || !sids["org"] {
		t.Errorf("bus policy statements: %+v", doc.Statement)
	}

	from := time.Now().Add(-time.Minute)
	for _, dt := range []string{"PaymentFailed", "PaymentSucceeded"} {
		if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{EventBusName: aws.String("payments"),
			Source: aws.String("billing"), DetailType: aws.String(dt), Detail: aws.String(`{}`)}}}); err != nil {
			t.Fatal(err)
		}
		receiveOne(t, qc, outs["QueueUrl"])
	}
	a, err := eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String(name)})
	if err != nil || a.EventCount != 1 || aws.ToInt32(a.RetentionDays) != 30 || aws.ToString(a.Description) != "failed payments" {
		t.Fatalf("the stack's archive: %+v %v", a, err)
	}
	to := time.Now().Add(time.Minute)
	if _, err := eb.StartReplay(ctx, &eventbridge.StartReplayInput{ReplayName: aws.String("retry-failed"), EventSourceArn: aws.String(outs["ArchiveArn"]),
		EventStartTime: &from, EventEndTime: &to, Destination: &ebtypes.ReplayDestination{Arn: aws.String(ebPrefix + "event-bus/payments")}}); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		DetailType string `json:"detail-type"`
		ReplayName string `json:"replay-name"`
	}
	if body := aws.ToString(receiveOne(t, qc, outs["QueueUrl"]).Body); json.Unmarshal([]byte(body), &ev) != nil ||
		ev.DetailType != "PaymentFailed" || ev.ReplayName != "retry-failed" {
		t.Errorf("replayed: %s", body)
	}

	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("payments"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Retention"), ParameterValue: aws.String("7")}}}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("payments")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if a, _ := eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String(name)}); aws.ToInt32(a.RetentionDays) != 7 || a.EventCount != 1 {
		t.Errorf("the archive after the update: %+v", a)
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("payments")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err = eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String(name)})
	wantLambdaError(t, "the archive after the stack", err, "ResourceNotFoundException", "")
	_, err = eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("payments")})
	wantLambdaError(t, "the bus after the stack", err, "ResourceNotFoundException", "")
}
