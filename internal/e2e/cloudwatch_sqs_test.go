package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// SQS reports AWS/SQS metrics by QueueName each minute: what was sent,
// received and deleted in it, the empty receives, the sizes sent, and
// the queue's approximate counts and oldest age sampled as it ends.
func TestCloudWatchSQSMetrics(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	base := nextMinute(env.Clock.Now()).UTC()
	env.Clock.Set(base.Add(5 * time.Second))
	sq := sqs.NewFromConfig(env.Config)
	cw := cloudwatch.NewFromConfig(env.Config)
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("work")})
	if err != nil {
		t.Fatal(err)
	}
	quiet, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("quiet")})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []*sqs.SendMessageInput{
		{QueueUrl: q.QueueUrl, MessageBody: aws.String("a")},
		{QueueUrl: q.QueueUrl, MessageBody: aws.String(strings.Repeat("b", 100))},
		{QueueUrl: q.QueueUrl, MessageBody: aws.String("later"), DelaySeconds: 900},
	} {
		if _, err := sq.SendMessage(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, VisibilityTimeout: 600})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("receive: %v %+v", err, out)
		}
		if aws.ToString(out.Messages[0].Body) != "a" {
			if _, err := sq.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: quiet.QueueUrl}); err != nil || len(out.Messages) != 0 {
		t.Fatalf("empty receive: %v %+v", err, out)
	}
	env.Clock.Set(base.Add(65 * time.Second))

	stat := func(queue, name string) cwtypes.Datapoint {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			out, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/SQS"), MetricName: aws.String(name),
				Dimensions: []cwtypes.Dimension{dim("QueueName", queue)}, StartTime: aws.Time(base), EndTime: aws.Time(base.Add(time.Minute)),
				Period: aws.Int32(60), Statistics: []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticSampleCount, cwtypes.StatisticMaximum, cwtypes.StatisticMinimum}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Datapoints) == 1 {
				return out.Datapoints[0]
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s %s: %+v after 15s", queue, name, out.Datapoints)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, c := range []struct {
		queue, name string
		sum         float64
		unit        cwtypes.StandardUnit
	}{
		{"work", "NumberOfMessagesSent", 3, cwtypes.StandardUnitCount},
		{"work", "NumberOfMessagesReceived", 2, cwtypes.StandardUnitCount},
		{"work", "NumberOfMessagesDeleted", 1, cwtypes.StandardUnitCount},
		{"work", "NumberOfEmptyReceives", 0, cwtypes.StandardUnitCount},
		{"quiet", "NumberOfEmptyReceives", 1, cwtypes.StandardUnitCount},
		{"work", "ApproximateNumberOfMessagesVisible", 0, cwtypes.StandardUnitCount},
		{"work", "ApproximateNumberOfMessagesNotVisible", 1, cwtypes.StandardUnitCount},
		{"work", "ApproximateNumberOfMessagesDelayed", 1, cwtypes.StandardUnitCount},
		{"work", "ApproximateAgeOfOldestMessage", 60, cwtypes.StandardUnitSeconds},
		{"quiet", "ApproximateAgeOfOldestMessage", 0, cwtypes.StandardUnitSeconds},
	} {
		if d := stat(c.queue, c.name); aws.ToFloat64(d.Sum) != c.sum || d.Unit != c.unit {
			t.Errorf("%s %s: %+v, want Sum %v %s", c.queue, c.name, d, c.sum, c.unit)
		}
	}
	if d := stat("work", "SentMessageSize"); aws.ToFloat64(d.SampleCount) != 3 || aws.ToFloat64(d.Maximum) != 100 || aws.ToFloat64(d.Minimum) != 1 ||
		aws.ToFloat64(d.Sum) != 106 || d.Unit != cwtypes.StandardUnitBytes {
		t.Errorf("SentMessageSize %+v", d)
	}
}
