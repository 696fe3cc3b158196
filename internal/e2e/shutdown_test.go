package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// TestShutdownDeliversLastCloudTrailEvents: a call answered just before
// virga stops reaches, as an "AWS API Call via CloudTrail" event, the API
// destination a rule sends it to, before Shutdown returns. CloudTrail
// writes what is still queued as it stops, and EventBridge stops only
// after, waiting for the deliveries it starts.
func TestShutdownDeliversLastCloudTrailEvents(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	hooks := newHookServer(t)
	newTrailBucket(t, env, "trail-logs")
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	conn, err := eb.CreateConnection(ctx, &eventbridge.CreateConnectionInput{Name: aws.String("hooks"),
		AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{
			ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{ApiKeyName: aws.String("x-api-key"), ApiKeyValue: aws.String("k")}}})
	if err != nil {
		t.Fatal(err)
	}
	dest, err := eb.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String("calls"), ConnectionArn: conn.ConnectionArn,
		InvocationEndpoint: aws.String(hooks.URL + "/calls"), HttpMethod: ebtypes.ApiDestinationHttpMethodPost})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("queues"),
		EventPattern: aws.String(`{"source":["aws.sqs"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["CreateQueue"]}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("queues"), Targets: []ebtypes.Target{
		{Id: aws.String("calls"), Arn: dest.ApiDestinationArn, RoleArn: aws.String("arn:aws:iam::000000000000:role/events")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sqs.NewFromConfig(env.Config).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("last")}); err != nil {
		t.Fatal(err)
	}
	env.Stop(t)
	got := hooks.got("calls")
	if len(got) != 1 || !strings.Contains(got[0].Body, `"eventName":"CreateQueue"`) {
		t.Fatalf("the API destination got %d requests: %+v", len(got), got)
	}
}
