package sns

import (
	"context"
	"fmt"
	"testing"
)

// discardQueues accepts every message and keeps none.
type discardQueues struct{}

func (discardQueues) SendMessage(context.Context, string, QueueMessage) (string, error) {
	return "id", nil
}

// BenchmarkPublishToQueue measures a Publish to a topic with one or
// three SQS subscriptions (non-raw, so envelopes are built and signed),
// without SQS's own cost. The subscriptions share one signature.
func BenchmarkPublishToQueue(b *testing.B) {
	for _, c := range []struct {
		version string
		queues  int
	}{{"1", 1}, {"2", 1}, {"2", 3}} {
		b.Run(fmt.Sprintf("SignatureVersion%s/queues%d", c.version, c.queues), func(b *testing.B) {
			s := newTestService(b, newTestStore(b), discardQueues{})
			ctx := context.Background()
			topic, err := s.createTopic(ctx, &CreateTopicInput{Name: ptr("t"), Attributes: map[string]string{"SignatureVersion": c.version}})
			if err != nil {
				b.Fatal(err)
			}
			for i := range c.queues {
				queue := fmt.Sprintf("arn:aws:sqs:us-east-1:000000000000:q%d", i)
				if _, err := s.subscribe(ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: ptr("sqs"), Endpoint: &queue}); err != nil {
					b.Fatal(err)
				}
			}
			in := &PublishInput{TopicArn: topic.TopicArn, Message: ptr("hello"), Subject: ptr("s")}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.publish(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
