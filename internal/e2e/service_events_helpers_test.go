package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// ruleToQueue makes a queue and a rule of the default bus that sends the
// events its pattern matches there; it returns the queue's URL.
func ruleToQueue(t *testing.T, env *e2e.Env, name, pattern string) string {
	t.Helper()
	ctx := context.Background()
	q, err := sqs.NewFromConfig(env.Config).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	eb := eventbridge.NewFromConfig(env.Config)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(pattern)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:" + name)}}}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(q.QueueUrl)
}

// queuedEvents waits for n messages on a queue, deletes them and returns
// their bodies.
func queuedEvents(t *testing.T, env *e2e.Env, url string, n int) []string {
	t.Helper()
	ctx := context.Background()
	q := sqs.NewFromConfig(env.Config)
	var bodies []string
	deadline := time.Now().Add(60 * time.Second)
	for len(bodies) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events: %q", len(bodies), n, bodies)
		}
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
			q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
		}
	}
	return bodies
}
