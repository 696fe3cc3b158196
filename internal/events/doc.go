// Package events is Amazon EventBridge (awsJson 1.1, target prefix
// AWSEvents): event buses and their resource policies, rules (event
// patterns and schedules) and their targets, PutEvents, archives and
// replays, connections and API destinations.
//
// # What it owns
//
// Buses, rules with their targets, schedule rules' fired marks, archives
// with their archived events, replays, connections (their credentials
// included) and API destinations, in the store under "events/" (the
// layouts are beside busKey, archiveKey, replayKey, connectionKey and
// apiDestKey). The default
// bus always exists. Targets are reached through a deliver.Deliverer, the
// app's router: the package imports no other service.
//
// # An event's way
//
//	PutEvents / PutEvent ─► envelope ─► route
//	    ├ archives of the bus whose pattern matches (not replayed events):
//	    │     stored and counted in one commit, before any target sees it
//	    └ enabled rules whose pattern matches ─► each target's input
//	          (Input, InputPath, InputTransformer) ─► Deliverer, or for an
//	          API destination an HTTP request (invoke.go), within its
//	          InvocationRateLimitPerSecond
//	              throttling, 5xx, timeouts ─► retries with backoff ─► dead-letter queue
//	              other client errors ─► dead-letter queue at once
//	Run, every 100 ms: schedule rules fire, retries fall due, replays
//	    advance (replays.go), archives expire (archives.go)
//
// # Connections keep their secrets in virga's store
//
// AWS keeps a connection's credentials in a Secrets Manager secret and
// returns its ARN as SecretArn. virga has no Secrets Manager: the
// credentials are in the connection's record, and SecretArn has the
// shape of AWS's (secret:events!connection/NAME/ID-XXXXXX) but names no
// secret. DescribeConnection hides the secrets as AWS does. An API
// destination's InvocationEndpoint must be HTTPS, as on AWS, except that
// plain HTTP to a loopback address is accepted so local servers can be
// targets. How an OAuth token is fetched is in oauth.go.
//
// # Resource policies are recorded, not enforced
//
// PutPermission and RemovePermission keep a bus's policy document as
// EventBridge builds it, and DescribeEventBus returns it; nothing reads it
// to allow or deny. With --auth iam a caller's own policies decide
// PutEvents (on each entry's bus); the bus policy is not consulted, so it
// neither grants nor denies. Targets' policies are: with --auth iam a
// function, queue or topic target (and a target's dead-letter queue)
// must allow events.amazonaws.com for the rule (aws:SourceArn), or the
// event goes to the dead-letter queue without retries. A state machine
// or event bus target with a RoleArn is reached as a session of that
// role (deliver.Role), as on AWS: with --auth iam its trust policy must
// allow events.amazonaws.com and its policies states:StartExecution or
// events:PutEvents on the target, or the event goes to the dead-letter
// queue without retries; a RoleArn on a function, queue or topic target
// is not used, as AWS reaches those by their policies.
//
// # A bus's key, dead-letter queue and logs are recorded
//
// CreateEventBus and UpdateEventBus keep a bus's KmsKeyIdentifier,
// DeadLetterConfig and LogConfig, and DescribeEventBus returns them. AWS
// sends an event to a bus's dead-letter queue only when a non-retriable
// error (its customer managed key disabled or missing) stops the event on
// the bus itself; a failed delivery to a target goes to that target's
// dead-letter queue, never the bus's. virga encrypts nothing with a
// customer managed key, so no event reaches a bus's queue, and it writes
// no event bus logs.
//
// # Invariants
//
// Every change a client is told about is committed before the answer. An
// event PutEvents acknowledges is in every archive it matched; if that
// commit fails the entry fails with InternalFailure and no target gets
// it. Archived events are keyed by the event's time, so a replay reads its
// window in order and retention counts from the event's time. A replay's
// position is committed after each batch it sends, so a restart resends
// at most one batch.
//
// # Lock order
//
// s.mu guards the buses, rules, archives and replays; s.retryMu guards
// the retry queue and is never held with s.mu. s.tokenMu (OAuth tokens)
// may be taken while s.mu is held, never the reverse; s.limitMu (rate
// windows) is taken alone. Deliveries happen with none held, because a
// target may be a bus of this same service; an API destination's
// request runs in its own goroutine. s.workMu (see Background work) may
// be taken while s.mu is held and is held by nothing else.
//
// # Background work
//
// The goroutines the service starts outside Run (an API destination's
// request, then its retry or dead-letter delivery; an OAuth connection's
// token fetch and the state it writes) start through a background.Group,
// which counts them. Run, as it returns, waits for them to finish (each
// request is bounded by the 5-second invocation timeout), since the
// store closes after Run; from then on it starts nothing: an API
// destination delivery is dropped (retries live in memory only), and a
// connection left AUTHORIZING is authorized at the next start.
//
// # Not supported
//
// Partner event sources, global endpoints, archive encryption with a
// customer managed key, and targets other than SQS, Lambda, SNS, event
// buses, Step Functions state machines (an execution starts with the
// event as its input), CloudWatch Logs log groups, Kinesis data streams,
// ECS clusters, API destinations and API Gateway REST API stages. An ECS
// cluster target runs tasks with ECS's RunTask, called in process with the
// target's EcsParameters (required, with a RoleArn), started by
// events-rule/RULE (its first 36 characters, as on AWS), with the
// target's input as the task's overrides when it is a task overrides
// document ({"containerOverrides":[...]}, as an Input or an
// InputTransformer's output) and no overrides otherwise; a RunTask error
// or failure is a failed delivery, retried and dead-lettered like any
// other, and with --auth iam only the role's trust is checked, not
// ecs:RunTask. An API Gateway
// target (restapi_target.go) is called in process, through the stage's
// data plane, with the target's input as the request's body, as a
// request over HTTPS (port 443) from the loopback address, which the
// stage sees as its requestContext.identity.sourceIp and X-Forwarded-For
// (on AWS, an address of EventBridge's); its RoleArn is not checked
// (execute-api:Invoke). Package pipes reaches API destinations and API
// Gateway stages through CallHTTP, the same requests. HttpParameters values
// that are JSON paths ($.detail.id) are what they select in the event,
// for API destinations and API Gateway targets alike. A Kinesis data stream target gets the target's input
// as one record (PutRecord) whose partition key is what
// KinesisParameters.PartitionKeyPath selects in the event, or the
// event's id without it (or when the path selects nothing); it needs a
// RoleArn, and with --auth iam the role must allow kinesis:PutRecord. A Firehose stream target gets the
// target's input as one record (firehose:PutRecord, with a RoleArn). A log group target gets the target's input as one
// log event at the event's time, in a stream named by the event's id
// (created when missing; a missing group is a failed delivery); the
// account's Logs resource policies are not checked. Connections to private APIs
// (InvocationConnectivityParameters), a connection's KmsKeyIdentifier,
// and the events a connection's state changes send. PutTargets
// refuses, in every auth mode as AWS does, a target without a RoleArn
// that EventBridge reaches only as a role: state machines, event buses,
// Kinesis data streams, Firehose streams, ECS clusters, API destinations, and queues, topics and functions in another account
// (ValidationException "RoleArn is required for target ARN."); the
// role's trust is checked when an event is delivered, not at PutTargets,
// and an API destination's role is not checked at all
// (events:InvokeApiDestination). Replays do not pace
// themselves a minute of events at a time as AWS's do. Encryption with a
// bus's KmsKeyIdentifier, and event bus logs.
package events
