// Package pipes is Amazon EventBridge Pipes (restJson1, signing name
// "pipes"): pipes that read a source, filter its records, optionally
// enrich them, and deliver them to a target; their tags; and the readers
// that run them.
//
// # What it owns
//
// Pipes and the checkpoints of their stream sources, in the store under
// "pipes/" (storage.go). Sources are read with package eventsource, the
// machinery Lambda's event source mappings use too; enrichments and
// targets are reached through interfaces the app wires (Lambda's
// invocations, Step Functions, Kinesis and CloudWatch Logs through
// in-process calls, SQS, SNS and event buses through a
// deliver.Deliverer). The package imports no other service.
//
// # Life of a pipe
//
//	CreatePipe ─► CREATING ─┬─ DesiredState RUNNING, source there ─► RUNNING (a reader runs)
//	                        ├─ DesiredState STOPPED ─────────────► STOPPED
//	                        └─ source missing ───────────────────► CREATE_FAILED (StateReason says why)
//	StartPipe ─► STARTING ─► RUNNING | START_FAILED     StopPipe ─► STOPPING ─► STOPPED
//	UpdatePipe ─► UPDATING ─► RUNNING | STOPPED | UPDATE_FAILED (the reader restarts)
//	DeletePipe ─► DELETING: the pipe and its checkpoints are gone when it answers
//
// An operation answers with the state the change begins in, as Pipes
// does; the pipe reaches the state it ends in before the operation
// returns, so DescribePipe sees it at once. A stream
// pipe records, when it is created, where it starts reading each shard
// (StartingPosition LATEST, TRIM_HORIZON, or Kinesis' AT_TIMESTAMP);
// shards made later are read from their start.
//
// # Records and batches
//
// Readers are described in read.go and a batch's way through enrichment
// and target in process.go. Records are passed as Pipes passes them: SQS
// messages as SQS event records (messageId, receiptHandle, body,
// attributes, messageAttributes, md5OfBody, eventSource, eventSourceARN,
// awsRegion), DynamoDB stream records as in Lambda's events, Kinesis
// records flattened (partitionKey, sequenceNumber, data and
// approximateArrivalTimestamp beside eventSource and the others).
// Lambda, Step Functions and enrichments receive a batch as a JSON
// array. Filters use EventBridge's pattern language; an SQS body that is
// JSON is matched as JSON and a Kinesis record on its decoded data only.
// Input templates (template.go) support Pipes' <$.path> placeholders,
// with implicit parsing of an SQS body and of Kinesis data, and the
// <aws.pipes.*> reserved variables. Target parameters that are JSON paths
// (SqsQueueParameters.MessageGroupId, KinesisStreamParameters.PartitionKey,
// EventBridgeEventBusParameters.Source and DetailType,
// CloudWatchLogsParameters.LogStreamName and Timestamp) are evaluated on
// each event as it was before the target's input template, as Pipes
// documents. An event bus target's events have the source "Pipe NAME"
// and the detail type "Event from SOURCE-EVENT-SOURCE" (aws:sqs, ...)
// unless EventBridgeEventBusParameters say otherwise. A Step Functions
// target defaults to FIRE_AND_FORGET (StartExecution), a Lambda target to
// REQUEST_RESPONSE (a synchronous invocation). API destinations and API
// Gateway REST APIs (arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/
// PATH), as targets and enrichments, are called by package events' one
// mechanism for them (the request a rule's target of that kind makes),
// one request per event with the event as its body; HttpParameters'
// values that are JSON paths select in the event before the step's
// input template, and an enrichment's answer is the events that go on.
// They do not batch: a BatchSize above 1 is refused, and such a pipe
// reads one record at a time unless told otherwise. With --auth iam the
// role must allow events:InvokeApiDestination or execute-api:Invoke. A CloudWatch Logs target
// writes to LogStreamName, or, when it is not given, to a stream named
// after the pipe; the stream is created when it is missing, and a
// batch's events are sent in the order of their Timestamp.
//
// Partial batch failures (process.go): an SQS reader deletes the
// messages that reached the target and leaves the others; a stream
// reader checkpoints past the records delivered before the first that
// failed and retries from it (settle.go). A Lambda or Step Functions target may name
// the records it failed with batchItemFailures. A BatchSize larger than
// the target takes in a batch (10 for SQS, SNS and event buses, 500 for
// Kinesis, 10,000 for CloudWatch Logs) is refused, and an enrichment
// that returns more events than that fails its batch.
//
// Stream sources' error handling (settle.go, with package eventsource's
// Settler, the one Lambda's stream mappings use): a failing batch is
// retried until MaximumRetryAttempts retries failed or its first record
// is older than MaximumRecordAgeInSeconds; OnPartialBatchItemFailure
// AUTOMATIC_BISECT halves it before retrying, down to one record, the
// halving spending no retries. A
// batch given up on goes to DeadLetterConfig (an SQS queue or SNS topic,
// sent as the pipe's role) as Pipes' failure record: a context naming
// the pipe (partnerResourceArn) and the condition (RetryAttemptsExhausted
// or RecordAgeExceeded), version, timestamp, and KinesisBatchInfo or
// DDBStreamBatchInfo locating the records in the stream, as Lambda's
// OnFailure records do (package eventsource builds both); the shard then
// moves on. Records already past MaximumRecordAgeInSeconds when their
// turn comes go there unprocessed. ParallelizationFactor n settles up to n batches of
// a shard at once, the records of one partition key (a DynamoDB item's
// key) in one lane, in order.
//
// # Invariants and durability
//
// Every change a client is told about is committed before the answer.
// Delivery is at least once: an SQS message is deleted only once its
// batch reached the target; a stream checkpoint moves only past batches
// delivered (or given up on when their retries ran out), and is written
// without waiting for its sync, so a crash may deliver a batch again.
// Pipes, their states and checkpoints survive a restart; running pipes
// resume reading where they stopped.
//
// # Locks
//
// Service.mu guards the pipes and the run context; operations hold it
// across their store commit and while they start or stop a reader.
// Readers never take it: each works on the record it was started with
// (records are replaced, never changed in place). Service.ckMu, taken
// after mu, orders a reader's checkpoint writes with DeletePipe: a
// deleted pipe's reader, still finishing a batch, writes no checkpoint
// after DeletePipe removed them.
//
// # Roles
//
// RoleArn is recorded. With --auth iam a pipe reads, enriches and
// delivers as a session of it: the role's trust policy must allow
// pipes.amazonaws.com (with aws:SourceAccount and the pipe's ARN as
// aws:SourceArn), and its policies each action (sqs:ReceiveMessage,
// dynamodb:GetRecords, kinesis:GetRecords, lambda:InvokeFunction,
// states:StartExecution or states:StartSyncExecution, sqs:SendMessage,
// sns:Publish, events:PutEvents, kinesis:PutRecord, logs:PutLogEvents).
// A refused read is retried; a refused delivery fails the batch.
//
// # Not supported yet
//
// Sources other than SQS, DynamoDB Streams and Kinesis (Amazon MQ, MSK,
// self-managed Kafka) and targets other than Lambda, Step Functions,
// SQS, SNS, event buses, Kinesis, CloudWatch Logs, API destinations and
// API Gateway (Batch, ECS, Firehose, Redshift, SageMaker, Inspector,
// Timestream) are refused with ValidationException. An API
// destination's InvocationRateLimitPerSecond does not pace a pipe.
// Each retry of a stream batch counts toward MaximumRetryAttempts,
// halved or not, as virga's Lambda counts BisectBatchOnFunctionError's
// retries; internal errors (a target virga cannot reach) count too,
// where Pipes retries those without limit. A dead-letter record that
// cannot be sent is logged and the shard moves on. With
// ParallelizationFactor above 1 a shard's checkpoint moves only once all
// its lanes settled, so a crash may deliver a lane's batches again. A
// CloudWatch Logs target's LogStreamName that is a JSON path is
// evaluated on a batch's first event, and the whole batch goes to that
// stream. LogConfiguration and KmsKeyIdentifier are not
// in the model virga generates from. The service quotas (pipes per
// account) are not enforced. Error messages for a missing pipe ("Pipe
// NAME does not exist.") and a taken name ("Pipe NAME already exists.")
// are virga's wording.
package pipes
