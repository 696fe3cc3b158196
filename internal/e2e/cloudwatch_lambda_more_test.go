package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

func dim(name, value string) cwtypes.Dimension {
	return cwtypes.Dimension{Name: aws.String(name), Value: aws.String(value)}
}

// An alias invocation counts under ExecutedVersion too; provisioned
// concurrency counts its invocations and utilization; asynchronous
// events count when queued, by age when they run, and when dropped; an
// OnFailure destination that cannot be reached counts in
// DestinationDeliveryFailures.
func TestCloudWatchLambdaMoreMetrics(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	cw := cloudwatch.NewFromConfig(env.Config)
	sq := sqs.NewFromConfig(env.Config)
	start := time.Now().UTC().Add(-time.Minute)
	end := func() time.Time { return time.Now().Add(2 * time.Minute) }
	createPythonFunction(t, lc, "metered2", meteredHandler, 10)
	if _, err := lc.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("metered2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("metered2"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{
		FunctionName: aws.String("metered2"), Qualifier: aws.String("live"), ProvisionedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	waitProvisionedReady(t, lc, "metered2", "live")
	if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("metered2"), Qualifier: aws.String("live"), Payload: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	fn, live := dim("FunctionName", "metered2"), dim("Resource", "metered2:live")
	metricSum(t, cw, "AWS/Lambda", "Invocations", start, end(), 1, dim("ExecutedVersion", "1"), fn, live)
	metricSum(t, cw, "AWS/Lambda", "ProvisionedConcurrencyInvocations", start, end(), 1, fn, live)
	util := metricSum(t, cw, "AWS/Lambda", "ProvisionedConcurrencyUtilization", start, end(), 1, fn, live)
	if len(util) != 1 || aws.ToFloat64(util[0].Maximum) != 1 {
		t.Errorf("ProvisionedConcurrencyUtilization %+v", util)
	}
	metricSum(t, cw, "AWS/Lambda", "ProvisionedConcurrentExecutions", start, end(), 1, fn, live)

	// A failing asynchronous invocation without retries, whose failure
	// destination is a queue deleted meanwhile.
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("failures-gone")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("metered2"),
		MaximumRetryAttempts: aws.Int32(0), DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{
			Destination: aws.String(queueARN("failures-gone"))}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sq.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: q.QueueUrl}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("metered2"), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"fail":true}`)}); err != nil {
		t.Fatal(err)
	}
	metricSum(t, cw, "AWS/Lambda", "AsyncEventsReceived", start, end(), 1, fn)
	metricSum(t, cw, "AWS/Lambda", "AsyncEventsDropped", start, end(), 1, fn)
	metricSum(t, cw, "AWS/Lambda", "DestinationDeliveryFailures", start, end(), 1, fn)

	// A dead-letter queue that is gone counts in DeadLetterErrors.
	createPythonFunction(t, lc, "dlq-user", meteredHandler, 10)
	dq, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("dead-letters-gone")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("dlq-user"),
		DeadLetterConfig: &lambdatypes.DeadLetterConfig{TargetArn: aws.String(queueARN("dead-letters-gone"))}}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("dlq-user"),
		MaximumRetryAttempts: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := sq.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: dq.QueueUrl}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dlq-user"), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"fail":true}`)}); err != nil {
		t.Fatal(err)
	}
	metricSum(t, cw, "AWS/Lambda", "DeadLetterErrors", start, end(), 1, dim("FunctionName", "dlq-user"))

	ages, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("AsyncEventAge"),
		Dimensions: []cwtypes.Dimension{fn}, StartTime: aws.Time(start), EndTime: aws.Time(end()), Period: aws.Int32(60),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSampleCount}})
	if err != nil || len(ages.Datapoints) != 1 || aws.ToFloat64(ages.Datapoints[0].SampleCount) != 1 || ages.Datapoints[0].Unit != cwtypes.StandardUnitMilliseconds {
		t.Errorf("AsyncEventAge: %v %+v", err, ages)
	}
}
