package e2e_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// The settings that only stream mappings have are refused on a queue
// mapping, naming the setting as the wire spells it; and a second mapping
// of the same stream and function is refused in the wording Lambda uses
// for streams, which differs from the queue one.
func TestEventSourceMappingSourceSpecificValidation(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	dc := dynamodb.NewFromConfig(env.Config)
	ctx := context.Background()
	createPythonFunction(t, lc, "worker", sqsConsumer, 3)
	newQueue(t, qc, "jobs")

	for _, c := range []struct {
		name string
		set  func(*lambda.CreateEventSourceMappingInput)
	}{
		{"parallelizationFactor", func(in *lambda.CreateEventSourceMappingInput) { in.ParallelizationFactor = aws.Int32(2) }},
		{"maximumRetryAttempts", func(in *lambda.CreateEventSourceMappingInput) { in.MaximumRetryAttempts = aws.Int32(3) }},
		{"maximumRecordAgeInSeconds", func(in *lambda.CreateEventSourceMappingInput) { in.MaximumRecordAgeInSeconds = aws.Int32(60) }},
		{"bisectBatchOnFunctionError", func(in *lambda.CreateEventSourceMappingInput) { in.BisectBatchOnFunctionError = aws.Bool(true) }},
		{"tumblingWindowInSeconds", func(in *lambda.CreateEventSourceMappingInput) { in.TumblingWindowInSeconds = aws.Int32(30) }},
	} {
		in := &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("worker"), EventSourceArn: aws.String(queueARN("jobs"))}
		c.set(in)
		_, err := lc.CreateEventSourceMapping(ctx, in)
		got := expectAPIError(t, err, "InvalidParameterValueException", 400)
		if want := fmt.Sprintf("Unsupported '%s' parameter for given event source mapping type.", c.name); got.Message != want {
			t.Errorf("%s: message %q, want %q", c.name, got.Message, want)
		}
	}
	m, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("worker"), EventSourceArn: aws.String(queueARN("jobs"))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = lc.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, BisectBatchOnFunctionError: aws.Bool(true)})
	if got := expectAPIError(t, err, "InvalidParameterValueException", 400); got.Message != "Unsupported 'bisectBatchOnFunctionError' parameter for given event source mapping type." {
		t.Errorf("update: message %q", got.Message)
	}

	table := e2e.CreateStreamTable(t, dc, "feed", ddbtypes.StreamViewTypeNewImage)
	stream := table.TableDescription.LatestStreamArn
	first, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("worker"),
		EventSourceArn: stream, StartingPosition: lambdatypes.EventSourcePositionLatest})
	if err != nil {
		t.Fatal(err)
	}
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("worker"),
		EventSourceArn: stream, StartingPosition: lambdatypes.EventSourcePositionTrimHorizon})
	got := expectAPIError(t, err, "ResourceConflictException", 409)
	want := fmt.Sprintf("The event source arn (\" %s \") and function (\" worker \") provided mapping already exists. Please update or delete the existing mapping with UUID %s",
		aws.ToString(stream), aws.ToString(first.UUID))
	if got.Message != want {
		t.Errorf("duplicate stream mapping: %q, want %q", got.Message, want)
	}

	// A stream mapping has an OnFailure destination only.
	onSuccess := &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{Destination: aws.String(queueARN("jobs"))}}
	_, err = lc.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: first.UUID, DestinationConfig: onSuccess})
	if got := expectAPIError(t, err, "InvalidParameterValueException", 400); got.Message != "Unsupported DestinationConfig parameter for given event source mapping type." {
		t.Errorf("update with OnSuccess: message %q", got.Message)
	}
	createPythonFunction(t, lc, "other", sqsConsumer, 3)
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("other"),
		EventSourceArn: stream, StartingPosition: lambdatypes.EventSourcePositionLatest, DestinationConfig: onSuccess})
	if got := expectAPIError(t, err, "InvalidParameterValueException", 400); got.Message != "Unsupported DestinationConfig parameter for given event source mapping type." {
		t.Errorf("create with OnSuccess: message %q", got.Message)
	}
}
