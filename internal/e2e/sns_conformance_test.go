package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestSNSSubscriptionPrincipal: GetSubscriptionAttributes names who
// subscribed (SubscriptionPrincipal, the caller's ARN), as AWS does; and
// a nested policy under the MessageAttributes scope is refused for a
// malformed member before its nesting.
func TestSNSSubscriptionPrincipal(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := snsClient(env)
	ctx := context.Background()
	topic := createTopic(t, c, "principal", nil)
	q := createQueue(t, sqsClient(env), "principal-queue", nil)
	qa, err := sqsClient(env).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &q, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"),
		Endpoint: aws.String(qa.Attributes["QueueArn"]), ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatal(err)
	}
	me, err := sts.NewFromConfig(env.Config).GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn})
	if err != nil {
		t.Fatal(err)
	}
	if got := attrs.Attributes["SubscriptionPrincipal"]; got != aws.ToString(me.Arn) {
		t.Errorf("SubscriptionPrincipal = %q, want the caller %q", got, aws.ToString(me.Arn))
	}

	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn,
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"key":{"suffix":"value"}}`)})
	wantSNSError(t, "nested policy with a bare value", err, "InvalidParameter", `Invalid parameter: FilterPolicy: "suffix" must be an object or an array`)
}
