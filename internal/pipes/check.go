package pipes

import (
	"strings"

	"github.com/virga/virga/internal/eventsource"
)

// sourceKind tells the sources virga reads apart by ARN: "sqs",
// "dynamodb" (a DynamoDB stream), "kinesis"; "" for any other.
func sourceKind(arn string) string {
	switch {
	case strings.HasPrefix(arn, "arn:aws:sqs:"):
		return "sqs"
	case strings.HasPrefix(arn, "arn:aws:dynamodb:") && strings.Contains(arn, "/stream/"):
		return "dynamodb"
	case strings.HasPrefix(arn, "arn:aws:kinesis:") && strings.Contains(arn, ":stream/"):
		return "kinesis"
	}
	return ""
}

// targetKind tells targets and enrichments apart by ARN: "lambda",
// "states", "sqs", "sns", "events" (an event bus), "kinesis", "logs" (a
// log group), "api-destination" (an EventBridge API destination),
// "execute-api" (an API Gateway REST API's stage, method and path); ""
// for any other.
func targetKind(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	res := parts[5]
	switch parts[2] {
	case "lambda":
		if strings.HasPrefix(res, "function:") {
			return "lambda"
		}
	case "states":
		if strings.HasPrefix(res, "stateMachine:") {
			return "states"
		}
	case "sqs", "sns":
		return parts[2]
	case "events":
		if strings.HasPrefix(res, "event-bus/") {
			return "events"
		}
		if strings.HasPrefix(res, "api-destination/") {
			return "api-destination"
		}
	case "execute-api":
		// API/STAGE/METHOD[/PATH]
		if strings.Count(res, "/") >= 2 {
			return "execute-api"
		}
	case "kinesis":
		if strings.HasPrefix(res, "stream/") {
			return "kinesis"
		}
	case "logs":
		if strings.HasPrefix(res, "log-group:") {
			return "logs"
		}
	}
	return ""
}

// isHTTP reports whether a target or enrichment kind is reached by an
// HTTP request (HttpParameters).
func isHTTP(kind string) bool { return kind == "api-destination" || kind == "execute-api" }

// checkPipe applies the rules a pipe must meet beyond its shapes'
// constraints.
func checkPipe(r *pipeRecord) error {
	if err := checkSource(r); err != nil {
		return err
	}
	enrichment := targetKind(r.Enrichment)
	if r.Enrichment != "" {
		if k := enrichment; k != "lambda" && k != "states" && !isHTTP(k) {
			return invalid("virga does not support the enrichment %s: enrichments are Lambda functions, Step Functions state machines, API destinations and API Gateway REST APIs.", r.Enrichment)
		}
		// "If you configure a pipe with an enrichment or target that
		// doesn't support batching, you won't be able to activate
		// batching on the source."
		if isHTTP(enrichment) && sourceBatchSize(r) > 1 {
			return invalid("The batch size %d is greater than the enrichment %s supports (1).", sourceBatchSize(r), r.Enrichment)
		}
	}
	if p := r.EnrichmentParameters; p != nil {
		if p.InputTemplate != nil {
			if _, err := parseTemplate(*p.InputTemplate); err != nil {
				return invalid("EnrichmentParameters.InputTemplate: %v.", err)
			}
		}
		if p.HttpParameters != nil && !isHTTP(enrichment) {
			return invalid("EnrichmentParameters.HttpParameters cannot be used with the enrichment %s.", r.Enrichment)
		}
	}
	return checkTarget(r)
}

func checkSource(r *pipeRecord) error {
	kind := sourceKind(r.Source)
	if kind == "" {
		return invalid("virga does not support the source %s: sources are SQS queues, DynamoDB streams and Kinesis streams.", r.Source)
	}
	sp := r.SourceParameters
	if sp == nil {
		sp = &PipeSourceParameters{}
	}
	given := map[string]bool{
		"sqs":      sp.SqsQueueParameters != nil,
		"dynamodb": sp.DynamoDBStreamParameters != nil,
		"kinesis":  sp.KinesisStreamParameters != nil,
	}
	names := map[string]string{"sqs": "SqsQueueParameters", "dynamodb": "DynamoDBStreamParameters", "kinesis": "KinesisStreamParameters"}
	for k, set := range given {
		if set && k != kind {
			return invalid("SourceParameters.%s cannot be used with the source %s.", names[k], r.Source)
		}
	}
	if sp.ActiveMQBrokerParameters != nil || sp.RabbitMQBrokerParameters != nil || sp.ManagedStreamingKafkaParameters != nil || sp.SelfManagedKafkaParameters != nil {
		return invalid("The source parameters given cannot be used with the source %s.", r.Source)
	}
	if (kind == "dynamodb" || kind == "kinesis") && !given[kind] {
		return missingParameter("SourceParameters." + names[kind])
	}
	if p := sp.KinesisStreamParameters; p != nil && p.StartingPosition != nil && *p.StartingPosition == "AT_TIMESTAMP" && p.StartingPositionTimestamp == nil {
		return missingParameter("SourceParameters.KinesisStreamParameters.StartingPositionTimestamp")
	}
	// "For Amazon Kinesis stream and Amazon DynamoDB stream sources,
	// specify either an Amazon SNS topic or Amazon SQS queue ARN."
	var dlq *DeadLetterConfig
	if p := sp.DynamoDBStreamParameters; p != nil {
		dlq = p.DeadLetterConfig
	}
	if p := sp.KinesisStreamParameters; p != nil {
		dlq = p.DeadLetterConfig
	}
	if dlq != nil && dlq.Arn != nil {
		if k := targetKind(*dlq.Arn); k != "sqs" && k != "sns" {
			return invalid("DeadLetterConfig.Arn must be an SQS queue or SNS topic ARN.")
		}
	}
	if fc := sp.FilterCriteria; fc != nil {
		for _, f := range fc.Filters {
			if f.Pattern == nil {
				continue
			}
			if _, err := eventsource.CompileFilter(*f.Pattern); err != nil {
				return invalid("Invalid filter pattern definition.")
			}
		}
	}
	return nil
}

// targetBatchLimits are the largest batches the targets that take
// events in batches take ("Supported batchable targets" in Pipes'
// batching documentation); Lambda and Step Functions take any batch, and
// API destinations and API Gateway, which do not batch, one event.
var targetBatchLimits = map[string]int{"logs": 10000, "events": 10, "kinesis": 500, "sns": 10, "sqs": 10,
	"api-destination": 1, "execute-api": 1}

// sourceBatchSize is the BatchSize a pipe's source parameters give, 0
// when they give none.
func sourceBatchSize(r *pipeRecord) int {
	sp := r.SourceParameters
	if sp == nil {
		return 0
	}
	var b *int32
	switch {
	case sp.SqsQueueParameters != nil:
		b = sp.SqsQueueParameters.BatchSize
	case sp.DynamoDBStreamParameters != nil:
		b = sp.DynamoDBStreamParameters.BatchSize
	case sp.KinesisStreamParameters != nil:
		b = sp.KinesisStreamParameters.BatchSize
	}
	return int(deref(b))
}

func checkTarget(r *pipeRecord) error {
	kind := targetKind(r.Target)
	if kind == "" {
		return invalid("virga does not support the target %s: targets are Lambda functions, Step Functions state machines, SQS queues, SNS topics, event buses, Kinesis streams, CloudWatch Logs log groups, API destinations and API Gateway REST APIs.", r.Target)
	}
	tp := r.TargetParameters
	if tp == nil {
		tp = &PipeTargetParameters{}
	}
	// HttpParameters serve both kinds of HTTP target.
	paramsKind := kind
	if isHTTP(kind) {
		paramsKind = "http"
	}
	for _, p := range []struct {
		name, kind string
		set        bool
	}{
		{"LambdaFunctionParameters", "lambda", tp.LambdaFunctionParameters != nil},
		{"StepFunctionStateMachineParameters", "states", tp.StepFunctionStateMachineParameters != nil},
		{"SqsQueueParameters", "sqs", tp.SqsQueueParameters != nil},
		{"EventBridgeEventBusParameters", "events", tp.EventBridgeEventBusParameters != nil},
		{"KinesisStreamParameters", "kinesis", tp.KinesisStreamParameters != nil},
		{"CloudWatchLogsParameters", "logs", tp.CloudWatchLogsParameters != nil},
		{"BatchJobParameters", "", tp.BatchJobParameters != nil},
		{"EcsTaskParameters", "", tp.EcsTaskParameters != nil},
		{"HttpParameters", "http", tp.HttpParameters != nil},
		{"RedshiftDataParameters", "", tp.RedshiftDataParameters != nil},
		{"SageMakerPipelineParameters", "", tp.SageMakerPipelineParameters != nil},
	} {
		if p.set && p.kind != paramsKind {
			return invalid("TargetParameters.%s cannot be used with the target %s.", p.name, r.Target)
		}
	}
	// "You can't configure a pipe with a larger batch size than the
	// target supports."
	if limit, ok := targetBatchLimits[kind]; ok && sourceBatchSize(r) > limit {
		return invalid("The batch size %d is greater than the target %s supports (%d).", sourceBatchSize(r), r.Target, limit)
	}
	if kind == "kinesis" && tp.KinesisStreamParameters == nil {
		return missingParameter("TargetParameters.KinesisStreamParameters")
	}
	if p := tp.EventBridgeEventBusParameters; p != nil && p.Source != nil && strings.HasPrefix(*p.Source, "aws.") {
		return invalid("TargetParameters.EventBridgeEventBusParameters.Source must not begin with \"aws.\".")
	}
	if tp.InputTemplate != nil {
		if _, err := parseTemplate(*tp.InputTemplate); err != nil {
			return invalid("TargetParameters.InputTemplate: %v.", err)
		}
	}
	return nil
}
