// Package stepfunctions is AWS Step Functions (awsJson 1.0, target
// prefix AWSStepFunctions, signing name "states"): state machines
// (STANDARD and EXPRESS), their executions and execution histories,
// task tokens and tags. Package asl parses and runs the definitions.
//
// Store layout (tuples, package keys):
//
//	("sfn", "machine", name)                → machine (JSON)
//	("sfn", "exec", machine, execution)      → execution (JSON), standard executions only
//	("sfn", "event", machine, execution, id) → history event (JSON)
//	("sfn", "version", machine, number)      → published version (JSON)
//	("sfn", "alias", machine, alias)         → alias (JSON)
//	("sfn", "branch", machine, execution, i) → branch i of the current top-level Parallel/Map state that succeeded (JSON)
//	("sfn", "activity", name)                → activity (JSON)
//	("sfn", "maprun", machine, uuid)         → Map Run (JSON), of standard executions
//
// Versions and aliases: a version is an immutable copy of the machine's
// definition, role, logging and tracing, numbered from 1; numbers are
// never reused after DeleteStateMachineVersion. A machine has no
// revisionId until an update changes it; each change gets a new UUID.
// Publishing (PublishStateMachineVersion, or publish on Create/
// UpdateStateMachine) a revision already published answers that
// version; a revisionId other than the current one ("INITIAL" before
// any change) is ConflictException. An alias routes to one or two
// versions of its machine by weights summing to 100, chosen at random
// per execution. StartExecution takes the machine's ARN, a version ARN
// (NAME:3) or an alias ARN (NAME:PROD): the execution records the
// version and alias it ran, which DescribeExecution and ListExecutions
// show and ListExecutions filters by. DeleteStateMachine deletes its
// versions and aliases.
//
// An execution's record and each history event are written together in
// one batch, so the record's event count always matches its history.
// An execution runs the definition its machine had when it started.
//
// Executions run in goroutines under the service's context. Before each
// top-level state starts, the execution record notes the state and its
// input. A standard execution still RUNNING when virga stops (or dies)
// resumes when virga starts again, from the top-level state it had
// entered last: that state runs again from its beginning (a Task's
// resource is called again, a Parallel or Map state reruns the
// branches and iterations that had not succeeded, each from its start,
// a waitForTaskToken task gets a new token), so its effects are at
// least once.
//
// Redrive: RedriveExecution restarts a FAILED, TIMED_OUT or ABORTED
// standard execution, with its ARN, input and definition, at the
// top-level state it ended in, with that state's input and the
// variables it had; a Parallel or Map state there reruns only the
// branches and iterations that did not succeed (the outputs of the
// others are kept), each from its beginning. The history goes on with
// ExecutionRedriven (redriveCount); redriveCount and redriveDate grow,
// $$.Execution.RedriveCount says the count, and the execution's
// TimeoutSeconds counts from the redrive. An execution is not
// redrivable (ExecutionNotRedrivable, with redriveStatusReason's
// wording) while RUNNING, once SUCCEEDED, with 24,999 events or more,
// a year after it started, 14 days after it stopped, or while its
// machine is deleting. The same clientToken within 15 minutes (the
// last 10 are kept) answers the same redriveDate. ListExecutions'
// redriveFilter keeps the executions redriven (REDRIVEN) or not. Express executions are kept in memory only, as AWS
// keeps no history of them: DescribeExecution, StopExecution,
// GetExecutionHistory and DescribeStateMachineForExecution answer
// InvalidArn ("Resource type not valid in this context: express") for
// an express execution's ARN, running or not, ListExecutions answers
// StateMachineTypeNotSupported for an express machine, and a running
// express execution ends with virga (or with DeleteStateMachine).
//
// Task resources: a Lambda function ARN (the state's input is the
// payload), arn:aws:states:::lambda:invoke (FunctionName, Payload,
// Qualifier, InvocationType; the result is {ExecutedVersion, Payload,
// SdkHttpMetadata, SdkResponseMetadata, StatusCode}), and the optimized
// integrations dynamodb:putItem/getItem/updateItem/deleteItem,
// sqs:sendMessage, sns:publish and events:putEvents, which run virga's
// services in process (the DynamoDB, SQS and SNS ones' results add, as
// AWS's do, the SDK's SdkHttpMetadata — the response's headers, also as
// lists in AllHttpHeaders, and HttpStatusCode 200 — and
// SdkResponseMetadata {RequestId} to the operation's output; putEvents
// appends the execution's and the state machine's ARNs to each entry's
// Resources and fails with EventBridge.FailedEntry, the response as the
// cause, when an entry fails; an entry's Time may be ISO 8601 text, as
// $$.State.EnteredTime is), arn:aws:states:::states:startExecution
// (nested executions, below), arn:aws:states:::ecs:runTask (below),
// arn:aws:states:::apigateway:invoke (a request to a REST or HTTP API's
// stage through the API Gateway data plane in process, apigateway.go;
// the request is not signed, so AuthType IAM_ROLE reaches an AWS_IAM
// method as an anonymous caller) and the AWS SDK integrations (sdk.go). A function error fails the task with the
// function's errorType as the error name and its error payload as the
// cause; a service error is named SERVICE.Code (SQS.AccessDenied),
// except DynamoDB's, which are named as Step Functions, calling DynamoDB
// through the AWS SDK for Java, names them: by the SDK's exception for
// the codes it models (DynamoDB.ConditionalCheckFailedException), and
// DynamoDB.AmazonDynamoDBException for the others (a ValidationException,
// an AccessDeniedException), the cause ending "(Service: AmazonDynamoDBv2;
// Status Code: 400; Error Code: CODE; Request ID: ID; Proxy: null)".
// Each resource may end in
// .waitForTaskToken: the task then waits for SendTaskSuccess or
// SendTaskFailure with the token from $$.Task.Token, and
// SendTaskHeartbeat keeps it alive within HeartbeatSeconds; these
// answer TaskTimedOut for a token whose task is no longer waiting
// (answered, timed out or stopped) and InvalidToken for one that virga,
// whose tokens are UUIDs, cannot have handed out. Waits,
// retries and timeouts are measured on the injected clock, which they
// read every 10 ms.
//
// AWS SDK integrations: arn:aws:states:::aws-sdk:SERVICE:apiAction
// runs the API action of any service virga has (the service named by
// its AWS SDK identifier, as EventBridge Scheduler's universal targets
// name it: dynamodb, sfn, s3, eventbridge, ...) in process with the
// state's parameters, as the execution's role when roles are enforced.
// Members are named in Pascal case both ways whatever the service's
// model says ("Parameters in Step Functions are expressed in
// PascalCase"): StateMachineArn for Step Functions' stateMachineArn in
// the input, NextToken for nextToken in the output, which is the
// action's output alone (no SdkHttpMetadata). An object's Body is text:
// s3:putObject stores a string as it is and any other JSON value as its
// JSON text ("Body.$": "$"), and s3:getObject answers the Body as text;
// lambda:invoke takes its Payload the same way (its output's Payload is
// base64, as a JSON blob is). A service error is named
// ServiceName.ErrorName, both in Pascal case and the error ending in
// Exception (DynamoDb.TransactionCanceledException,
// S3.NoSuchKeyException), its cause the error's message followed by
// "(Service: NAME, Status Code: N, Request ID: ID)"; an action virga
// does not have fails the task with States.Runtime. .waitForTaskToken
// works as for the other integrations; .sync does not.
//
// Map Runs: each run of a Distributed Map state is a Map Run
// (arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:UUID, the ARN of
// its MapRunStarted event), kept in the store for standard executions
// as its children start and end: ListMapRuns lists an execution's
// (newest first), DescribeMapRun answers its status, dates, settings
// and item and execution counts (with an ItemBatcher each child counts
// once in executionCounts and its items in itemCounts; resultsWritten
// counts what a ResultWriter exported; timedOut stays 0, a child that
// times out counting as failed), and UpdateMapRun changes a running Map
// Run's maxConcurrency (at once) and tolerated failure threshold (judged
// when the children have ended); a Map Run that has ended is a
// ValidationException. An execution resumed or redriven in a top-level
// Distributed Map state goes on with that state's Map Run (same ARN
// and start date; its children that had succeeded count as succeeded);
// one stopped, or left behind by virga stopping, is ABORTED until then.
// The messages of ResourceNotFound ("Map Run Does Not Exist: 'ARN'")
// and of that ValidationException are virga's wording.
//
// A Distributed Map state's ItemReader reads its file through
// Deps.Objects (virga's S3, in process, unchecked by the role), at most
// 256 MiB of it (AWS reads files of up to 10 GB; virga holds the items
// in memory).
//
// Activities: a Task whose Resource is an activity ARN records
// ActivityScheduled and queues the task (in memory, oldest first);
// GetActivityTask hands it to a worker with a new task token and its
// input (ActivityStarted, with the workerName), waiting up to 60
// seconds on the clock for one and answering empty otherwise. The
// worker answers with SendTaskSuccess (ActivitySucceeded) or
// SendTaskFailure (ActivityFailed, named by its error);
// HeartbeatSeconds counts from when the worker took the task,
// TimeoutSeconds from when it was scheduled, and either ends it with
// ActivityTimedOut (States.HeartbeatTimeout, States.Timeout). A task
// still queued or taken when virga stops is scheduled again, with a new
// token, when its execution resumes.
//
// Nested executions: states:startExecution starts StateMachineArn
// (Name, Input) as StartExecution would and answers {ExecutionArn,
// StartDate (epoch milliseconds), SdkHttpMetadata,
// SdkResponseMetadata}; .waitForTaskToken then waits for the token.
// .sync records TaskSubmitted and waits for the child: its output is the
// child's description (ExecutionArn, Input, Output, Status, StartDate,
// StopDate, ...) with Input and Output as JSON text, .sync:2 with them
// as JSON; a child that does not succeed fails the task with
// States.TaskFailed and that description as the cause. A StartExecution
// error is named StepFunctions.CODEException (StepFunctions.CODE when
// the code already ends in Exception, as ValidationException). The
// AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID field the caller puts in
// Input reaches the child as given. A .sync task that stops waiting
// (its execution stopped, or the task or execution timed out) stops
// the child; when virga stops, the child stays RUNNING and resumes, and
// the parent's task runs again when the parent resumes: a named child
// with the same input, started since the parent started, is taken for
// the one it had started (and waited for with .sync); an unnamed child
// is started again.
//
// ECS: ecs:runTask calls ECS's RunTask in process with the state's
// parameters (Cluster, TaskDefinition, LaunchType, NetworkConfiguration,
// Overrides, ... in PascalCase, passed as RunTask's members) and answers
// its response in PascalCase ({Tasks, Failures}). With .sync or
// .waitForTaskToken a non-empty Failures fails the task with
// AmazonECS.Unknown. .sync records TaskSubmitted and polls DescribeTasks
// (every 100 ms) until the tasks stop: the output is the stopped task's
// description in PascalCase (an array of them when Count started
// several), its timestamps in epoch milliseconds; an essential
// container (per the task definition) that exited with a code other
// than 0, or has none, fails the task with States.TaskFailed and that
// description as the cause. A .sync task that stops waiting (its
// execution stopped, or the task or execution timed out) stops its ECS
// tasks with StopTask; when virga stops it leaves them as they are, and the
// task runs again (a new ECS task) when the execution resumes. An ECS
// error is named ECS.Code (ECS.InvalidParameterException).
//
// StartSyncExecution is served on any host name: the SDKs send it to
// "sync-" followed by the endpoint's host, which the client must reach
// virga by. boto3 can be told not to (Config(inject_host_prefix=False)),
// and so can the aws CLI, with scripts/awscli-plugin/virga_no_host_prefix.py;
// otherwise the endpoint's host name needs a sync- variant that resolves
// to virga too (an /etc/hosts line naming both), since sync-127.0.0.1
// resolves nowhere. Inside functions, the Python and Node.js runtimes
// resolve it as the endpoint's host (package bootstraps).
//
// Logging (logging.go): an execution logs by the LoggingConfiguration
// its machine (or version) had when it started, kept in its record.
// Each history event its level logs — ALL every event; ERROR and FATAL
// the event types the developer guide's "Log levels" table lists for
// them (FATAL: ExecutionAborted, ExecutionFailed, ExecutionTimedOut;
// ERROR adds FailStateEntered and the failed, timed-out and aborted
// task, Lambda, Map, Parallel and Wait events) — is written, as the
// event happens and with its time, to the destination log group as one
// JSON record: {"id", "type", "details", "previous_event_id",
// "event_timestamp" (epoch milliseconds), "execution_arn",
// "redrive_count"}, the numbers as strings, details as the event's
// details member in GetExecutionHistory. IncludeExecutionData false
// leaves input, output and task parameters out as GetExecutionHistory's
// includeExecutionData false does (AWS does not document what it writes
// instead); escaped input or output past 248 KB is cut and marked
// truncated. Streams are named states/MACHINE/YYYY-MM-DD-HH-MM/00000000
// as AWS's are, one every 10 minutes (AWS's cut is not documented).
// Records go through CloudWatch Logs' own writers (Deps.Logs), which
// make their streams with CreateLogStream: a group that does not exist
// gets nothing, as delivery is best effort; the group is not checked
// when the machine is created. CreateStateMachine and
// UpdateStateMachine answer InvalidLoggingConfiguration for a level
// other than OFF without exactly one destination, or a log group ARN
// without ":*" ("Invalid Logging Configuration: Log Group ARN must be
// provided with '*' qualifier.").
//
// EventBridge (status_events.go): each status change of a standard
// execution (started, redriven, succeeded, failed, timed out, aborted)
// puts a "Step Functions Execution Status Change" event from aws.states
// on the default bus (Deps.Events), with the execution's ARN as its
// resource and DescribeExecution's fields in its detail (dates in epoch
// milliseconds, absent ones null); input or output past 248 KB escaped
// is left out, as AWS does. Express executions put none. The events are
// queued as the history records the change and Run sends them in order,
// outside the locks, best effort as on AWS.
//
// Concurrency: Service.mu guards the running executions, the task
// tokens, the activity queues and the read-modify-write of machines and execution names;
// run.mu guards one execution's record and its event counter;
// Service.logMu the log streams opened; Service.statusMu the status
// change events not sent yet; Service.mapRunMu the running Map Runs.
// Lock order: Service.mu before run.mu before Service.logMu,
// Service.statusMu and Service.mapRunMu; run.mu before a Map Run's own
// lock (package asl), which is never held while calling the service.
//
// A standard execution's history holds at most 25,000 events, as AWS's:
// the 25,000th is ExecutionSucceeded or else ExecutionFailed with
// States.Runtime ("The execution reached the maximum number of history
// events (25000)."), and the execution ends there. A stopped execution
// ends at its next state transition or wait.
//
// DeleteStateMachine marks the machine DELETING (DescribeStateMachine
// shows it; StartExecution, StartSyncExecution, UpdateStateMachine and
// CreateStateMachine of its name answer StateMachineDeleting), stops
// its running executions at once (AWS ends them at their next state
// transition) and then deletes their records and histories with the
// machine. StartExecution checks the machine and registers its
// execution as running under Service.mu, where DeleteStateMachine marks
// the machine and collects its running executions, so no execution
// outlives its machine. A machine virga stopped while deleting is
// deleted when virga starts again. StopExecution of an execution that has ended answers the
// time it ended.
//
// Not supported: tags on versions and aliases, ActivityScheduleFailed for an activity that does not exist (the task
// waits until it times out), the .sync
// integration pattern of the integrations other than
// states:startExecution and ecs:runTask, the other ECS actions
// (ecs:runTask only), and every integration not listed above (the task
// fails with States.Runtime), the children of a Distributed Map
// state as executions of their own (they run within its execution, see
// package asl, and no operation names them), a Map Run's redriveCount
// and redriveDate, the rerun of a failed branch or
// iteration from its failed state (it reruns from its start),
// $$.Execution.RedriveTime, ValidateStateMachineDefinition, TestState,
// variables in JSONPath states (JSONata states have them, see
// package asl), the role's permissions for log delivery
// (logs:CreateLogDelivery and the rest are not checked), encryption of
// logs with a customer managed key, and X-Ray tracing (recorded
// only). ExecutedVersion is the qualifier of the function's ARN, or
// $LATEST. Roles are assumed only with --auth iam (EnforceRoles,
// roles.go), as a session of the state machine's role, its session name
// random: tasks that invoke a function need lambda:InvokeFunction
// (Lambda.AWSLambdaException when refused), states:startExecution
// tasks states:StartExecution on the child
// (StepFunctions.AccessDeniedException), and the optimized integrations run their
// operation in process authorized as the edge authorizes that session's
// calls (a refusal is the service's AccessDenied, named like the
// integration's other errors: DynamoDB.AmazonDynamoDBException,
// SQS.AccessDenied); every one can be caught. CreateStateMachine and
// UpdateStateMachine refuse a role that does not exist or whose trust
// policy allows sts:AssumeRole neither to states.amazonaws.com nor to
// states.REGION.amazonaws.com (AccessDeniedException, "Neither the
// global service principal states.amazonaws.com, nor the regional one
// is authorized to assume the provided role."), evaluated without
// aws:SourceArn or aws:SourceAccount. Not checked: for .sync children,
// DescribeExecution and the EventBridge managed rule AWS requires.
package stepfunctions
