package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// A rule may be ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS: enabled,
// and also open to read-only CloudTrail events; it keeps that state and
// sends matching events to its targets. Other states are refused.
func TestEventBridgeRuleEnabledWithCloudTrailEvents(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	eb := eventbridge.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	url := newQueue(t, qc, "audit")

	const state = ebtypes.RuleState("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("audit"), State: state,
		EventPattern: aws.String(`{"source":["app"]}`)}); err != nil {
		t.Fatal(err)
	}
	got, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("audit")})
	if err != nil || got.State != state {
		t.Fatalf("DescribeRule: %+v %v", got, err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("audit"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String(queueARN("audit"))}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("app"), DetailType: aws.String("Login"), Detail: aws.String(`{}`)}}}); err != nil {
		t.Fatal(err)
	}
	receiveOne(t, qc, url)

	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("odd"), State: "PAUSED", EventPattern: aws.String(`{"source":["app"]}`)})
	wantLambdaError(t, "unknown state", err, "ValidationException",
		"1 validation error detected: Value 'PAUSED' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]")
}
