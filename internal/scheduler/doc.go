// Package scheduler is Amazon EventBridge Scheduler (restJson1, signing
// name "scheduler"): schedules and schedule groups, their tags, and the
// loop that fires schedules into their targets.
//
// # What it owns
//
// Schedule groups, schedules and each schedule's fired mark, in the store
// under "scheduler/" (storage.go). The "default" group is created the
// first time and cannot be deleted. Targets are invoked through a
// deliver.Deliverer, the app's router: the package imports no other
// service.
//
// # Firing
//
//	Run, every 50 ms ─► fireDue: the due queue (due.go) yields the schedules
//	    whose next occurrence fires by the clock's time
//	    ├ more than a minute late (virga was down, the clock jumped):
//	    │     skipped, never replayed; the next one is queued
//	    └ on time: its fired mark is committed (synced) ─► the occurrence
//	          joins the delivery queue ─► dispatch: at most 16 attempts at
//	          once (delivery.go) ─► Deliverer.Deliver(target ARN, Input)
//	              failure ─► retry with backoff (1 s doubling to 1 min) per
//	              RetryPolicy, on the injected clock ─► dead-letter queue
//
// A schedule's occurrences come from package schedexpr (plan.go): rate()
// is anchored at StartDate, or at the creation time, so a rate schedule
// without StartDate fires at once (on the next whole minute); cron() and
// at() are evaluated in ScheduleExpressionTimezone. StartDate and EndDate
// bound recurring schedules (both inclusive) and are ignored by one-time
// ones. A new or updated schedule fires only occurrences from its last
// modification on, and never one at or before its fired mark. With a
// FLEXIBLE window an occurrence fires at a point within the window that a
// hash of the schedule and the occurrence picks, so it does not move
// across restarts. An occurrence may fire up to a minute after its time
// (Scheduler's 60-second precision); a later one is skipped.
//
// When a schedule fires its last occurrence (an at() schedule's only one,
// or a recurring schedule's last before its EndDate) with
// ActionAfterCompletion DELETE, the schedule is deleted in the same
// commit that records the occurrence.
//
// # Invariants and durability
//
// Every change a client is told about is committed before the answer. An
// occurrence's fired mark is committed before the occurrence is handed to
// the delivery queue, so a restart never fires it twice; the price is
// that an invocation still being retried when virga stops is lost
// (at most once). Occurrences missed while virga was down are not
// replayed: after a restart the first occurrence still within its minute
// fires, then the schedule carries on.
//
// # Targets
//
// Templated targets: SQS SendMessage (the Input as the body;
// SqsParameters.MessageGroupId for FIFO queues, which must have
// content-based deduplication, as AWS requires), Lambda Invoke
// (asynchronous, the Input as the event), SNS Publish and EventBridge
// PutEvents (EventBridgeParameters as the event's source and detail type,
// the Input as its detail), and Kinesis PutRecord (the Input as the
// record's data, KinesisParameters.PartitionKey, required here, as its
// partition key).
// An ECS cluster target runs tasks with ECS's RunTask, called in
// process with its EcsParameters (required for it, refused for any other
// target), started by chronos-schedule/NAME, with the Input as the task's
// overrides when it is a task overrides document
// ({"containerOverrides":[...]}); with --auth iam only the role's trust
// is checked, not ecs:RunTask. SNS and EventBridge are delivered as far as the app's
// router reaches. A target without Input gets AWS's default
// notification (a scheduled event from aws.scheduler whose detail is the
// string "{}"); an Input's context attributes
// (<aws.scheduler.schedule-arn>, <aws.scheduler.scheduled-time>,
// <aws.scheduler.execution-id>, <aws.scheduler.attempt-number>) are
// replaced in every attempt. Throttling and target faults are retried;
// client errors (a deleted queue or function) go to the dead-letter queue
// at once. A dead letter carries the payload and the attributes
// ERROR_CODE, ERROR_MESSAGE, EXECUTION_ID, EXHAUSTED_RETRY_CONDITION (when
// the retry policy ran out), IS_PAYLOAD_TRUNCATED, RETRY_ATTEMPTS,
// SCHEDULED_TIME, SCHEDULE_ARN and TARGET_ARN.
//
// Universal targets (arn:aws:scheduler:::aws-sdk:service:apiAction) call
// the API action of one of virga's services in process, with the
// target's Input, a JSON object, as its request parameters (context
// attributes replaced). The service is named by its AWS SDK service
// identifier (sqs, dynamodb, sfn, eventbridge, cloudwatchlogs, ...) and
// the action in camel case, matched without regard to case;
// Deps.Operations decides which exist. CreateSchedule and UpdateSchedule
// refuse, with ValidationException, an action that begins with one of
// the read-only prefixes Scheduler documents (get, describe, list, ...),
// and one virga does not have. The action's errors are retried or
// dead-lettered like a templated target's; its response is discarded.
//
// # Locks
//
// Service.mu guards groups, schedules and the due queue; operations and
// the loop hold it across their store commits. deliveryQueue.mu guards
// the delivery queue and is taken after Service.mu, never before;
// attempts run without either.
//
// # Not supported yet
//
// The other templated targets (Firehose, SageMaker,
// CodeBuild, CodePipeline, Inspector) are refused with
// ValidationException, and so are universal targets of services virga
// does not have. A universal target without Input is given the default
// notification as its request parameters. A Step Functions target starts an execution with
// the target's Input. With --auth iam every attempt, and the send to
// the dead-letter queue, is made as a session of the target's RoleArn
// (deliver.Role): the role's trust policy must allow
// scheduler.amazonaws.com (with aws:SourceAccount and the schedule
// group's ARN as aws:SourceArn), and its policies the target's action
// (sqs:SendMessage, sns:Publish, lambda:InvokeFunction, events:PutEvents,
// states:StartExecution, kinesis:PutRecord; a universal target's action as the edge
// authorizes it). A denial is a client error: it is not retried
// and goes to the dead-letter queue at once, as EventBridge documents
// for missing permissions. With --auth iam CreateSchedule and
// UpdateSchedule also refuse, with ValidationException ("The execution
// role you provide must allow AWS EventBridge Scheduler to assume the
// role."), a RoleArn that does not exist or whose trust policy does not
// allow scheduler.amazonaws.com with that same context; without --auth
// iam RoleArn is recorded but not assumed. KmsKeyArn is recorded but nothing is encrypted. The ClientToken of
// DeleteSchedule and DeleteScheduleGroup is not remembered: a repeated
// delete answers ResourceNotFoundException. A deleted group is gone when
// DeleteScheduleGroup answers; its DELETING state is never observed.
package scheduler
