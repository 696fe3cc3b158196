package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/e2e"
)

const meteredHandler = `def handler(event, context):
    if event.get("fail"):
        raise Exception("boom")
    return {"ok": True}
`

// Every invocation adds to Lambda's own metrics in AWS/Lambda, by
// function, by function and qualifier, and account-wide.
func TestCloudWatchLambdaMetrics(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	cw := cloudwatch.NewFromConfig(env.Config)
	start := time.Now().UTC().Add(-time.Minute)
	createPythonFunction(t, lc, "metered", meteredHandler, 10)
	for _, in := range []*lambda.InvokeInput{
		{FunctionName: aws.String("metered"), Payload: []byte(`{}`)},
		{FunctionName: aws.String("metered"), Payload: []byte(`{"fail":true}`)},
		{FunctionName: aws.String("metered"), Qualifier: aws.String("$LATEST"), Payload: []byte(`{}`)},
	} {
		if _, err := lc.Invoke(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	sum := func(name string, dims ...cwtypes.Dimension) float64 {
		t.Helper()
		out, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
			Namespace: aws.String("AWS/Lambda"), MetricName: aws.String(name), Dimensions: dims,
			StartTime: aws.Time(start), EndTime: aws.Time(time.Now().Add(2 * time.Minute)), Period: aws.Int32(60),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticSum},
		})
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for _, d := range out.Datapoints {
			total += *d.Sum
		}
		return total
	}
	fn := cwtypes.Dimension{Name: aws.String("FunctionName"), Value: aws.String("metered")}
	deadline := time.Now().Add(20 * time.Second)
	for sum("Invocations", fn) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("Invocations of metered = %v after 20s, want 3", sum("Invocations", fn))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := sum("Errors", fn); got != 1 {
		t.Errorf("Errors = %v, want 1", got)
	}
	if got := sum("Invocations", fn, cwtypes.Dimension{Name: aws.String("Resource"), Value: aws.String("metered:$LATEST")}); got != 1 {
		t.Errorf("Invocations by Resource = %v, want 1", got)
	}
	if got := sum("Invocations"); got != 3 {
		t.Errorf("account-wide Invocations = %v, want 3", got)
	}
	// With no concurrency reserved, an invocation is throttled: it counts
	// in Throttles, not in Invocations.
	if _, err := lc.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("metered"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("metered"), Payload: []byte(`{}`)})
	expectAPIError(t, err, "TooManyRequestsException", 429)
	for sum("Throttles", fn) < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("Throttles of metered = %v after 20s, want 1", sum("Throttles", fn))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := sum("Invocations", fn); got != 3 {
		t.Errorf("Invocations after a throttle = %v, want 3", got)
	}
	list, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Duration"),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("FunctionName"), Value: aws.String("metered")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Metrics) != 2 { // by function, and by function and resource
		t.Errorf("Duration metrics %+v", list.Metrics)
	}
	out, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Duration"), Dimensions: []cwtypes.Dimension{fn},
		StartTime: aws.Time(start), EndTime: aws.Time(time.Now().Add(2 * time.Minute)), Period: aws.Int32(60),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticMaximum}, ExtendedStatistics: []string{"p99"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range out.Datapoints {
		if d.Unit != cwtypes.StandardUnitMilliseconds || *d.Maximum <= 0 || d.ExtendedStatistics["p99"] <= 0 {
			t.Errorf("Duration datapoint %+v %v", d, d.ExtendedStatistics)
		}
	}
}
