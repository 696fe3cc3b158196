package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// A mapping keeps its MetricsConfig and ProvisionedPollerConfig, given at
// creation or changed by an update, and returns them as it stores them.
func TestEventSourceMappingMetricsAndPollerConfig(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "worker", sqsConsumer, 3)
	newQueue(t, qc, "work")

	created, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("worker"), EventSourceArn: aws.String(queueARN("work")),
		MetricsConfig:           &lambdatypes.EventSourceMappingMetricsConfig{Metrics: []lambdatypes.EventSourceMappingMetric{"EventCount"}},
		ProvisionedPollerConfig: &lambdatypes.ProvisionedPollerConfig{MinimumPollers: aws.Int32(2), MaximumPollers: aws.Int32(20)},
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, c *lambdatypes.ProvisionedPollerConfig, m *lambdatypes.EventSourceMappingMetricsConfig, min, max int32) {
		t.Helper()
		if c == nil || aws.ToInt32(c.MinimumPollers) != min || aws.ToInt32(c.MaximumPollers) != max ||
			m == nil || len(m.Metrics) != 1 || m.Metrics[0] != "EventCount" {
			t.Errorf("%s: ProvisionedPollerConfig %+v, MetricsConfig %+v", what, c, m)
		}
	}
	// As Lambda answers for a queue: no LastProcessingResult, and
	// FunctionResponseTypes listed even when empty.
	if r := aws.ToString(created.StateTransitionReason); r != "USER_INITIATED" {
		t.Errorf("queue mapping StateTransitionReason %q, want USER_INITIATED", r)
	}
	if created.LastProcessingResult != nil || created.FunctionResponseTypes == nil {
		t.Errorf("queue mapping LastProcessingResult %q, FunctionResponseTypes %v (want absent, [])",
			aws.ToString(created.LastProcessingResult), created.FunctionResponseTypes)
	}
	check("created", created.ProvisionedPollerConfig, created.MetricsConfig, 2, 20)
	got, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: created.UUID})
	if err != nil {
		t.Fatal(err)
	}
	check("got", got.ProvisionedPollerConfig, got.MetricsConfig, 2, 20)

	if _, err := lc.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: created.UUID,
		ProvisionedPollerConfig: &lambdatypes.ProvisionedPollerConfig{MinimumPollers: aws.Int32(5), MaximumPollers: aws.Int32(50)}}); err != nil {
		t.Fatal(err)
	}
	got, err = lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: created.UUID})
	if err != nil {
		t.Fatal(err)
	}
	check("updated", got.ProvisionedPollerConfig, got.MetricsConfig, 5, 50)

	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("worker"), EventSourceArn: aws.String(queueARN("work")),
		ProvisionedPollerConfig: &lambdatypes.ProvisionedPollerConfig{MaximumPollers: aws.Int32(5000)}})
	wantLambdaError(t, "too many pollers", err, "ValidationException", "")
}
