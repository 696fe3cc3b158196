package scheduler

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/deliver"
)

// targetKind is the templated target an ARN names.
type targetKind int

// The templated targets virga invokes.
const (
	kindSQS          targetKind = iota + 1 // SQS SendMessage
	kindLambda                             // Lambda Invoke, asynchronously
	kindSNS                                // SNS Publish
	kindEventBus                           // EventBridge PutEvents
	kindStateMachine                       // Step Functions StartExecution
	kindUniversal                          // a universal target: any API action
	kindKinesis                            // Kinesis PutRecord
	kindECS                                // ECS RunTask
)

// readOnlyPrefixes begin the API actions Scheduler refuses as universal
// targets: "EventBridge Scheduler does not support read-only API
// actions, such as common GET operations, that begin with the following
// list of prefixes" (Scheduler user guide, "Using universal targets").
var readOnlyPrefixes = []string{"get", "describe", "list", "poll", "receive", "search", "scan", "query",
	"select", "read", "lookup", "discover", "validate", "batchGet", "batchDescribe", "batchRead",
	"transactGet", "adminGet", "adminList", "testMigration", "retrieve", "testConnection",
	"translateDocument", "isAuthorized", "invokeModel"}

// classifyTarget returns the kind of target an ARN names, or
// ValidationException for one virga does not invoke.
func classifyTarget(arn string) (targetKind, error) {
	if strings.HasPrefix(arn, deliver.UniversalPrefix) {
		_, action, ok := deliver.Universal(arn)
		if !ok {
			return 0, invalid("Invalid universal target ARN %s: it must be arn:aws:scheduler:::aws-sdk:service:apiAction.", arn)
		}
		for _, p := range readOnlyPrefixes {
			if strings.HasPrefix(strings.ToLower(action), strings.ToLower(p)) {
				return 0, invalid("Read-only API actions are not supported as universal targets: %s.", arn)
			}
		}
		return kindUniversal, nil
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[5] == "" {
		return 0, invalid("Invalid target ARN %s.", arn)
	}
	switch resource := parts[5]; parts[2] {
	case "sqs":
		return kindSQS, nil
	case "lambda":
		if strings.HasPrefix(resource, "function:") {
			return kindLambda, nil
		}
	case "sns":
		return kindSNS, nil
	case "events":
		if strings.HasPrefix(resource, "event-bus/") {
			return kindEventBus, nil
		}
	case "states":
		if strings.HasPrefix(resource, "stateMachine:") {
			return kindStateMachine, nil
		}
	case "kinesis":
		if strings.HasPrefix(resource, "stream/") {
			return kindKinesis, nil
		}
	case "ecs":
		if deliver.ClusterARN(arn) {
			return kindECS, nil
		}
	}
	return 0, invalid("Target %s is not supported in this version of virga: templated targets are Amazon SQS queues, Lambda functions, Amazon SNS topics, EventBridge event buses, Step Functions state machines, Kinesis data streams and Amazon ECS clusters.", arn)
}

// The context attributes Scheduler replaces in a target's input when it
// invokes the target ("Adding context attributes", Scheduler user guide).
const (
	attrScheduleARN   = "<aws.scheduler.schedule-arn>"
	attrScheduledTime = "<aws.scheduler.scheduled-time>"
	attrExecutionID   = "<aws.scheduler.execution-id>"
	attrAttempt       = "<aws.scheduler.attempt-number>"
)

// scheduledTimeLayout is how the scheduled time appears in inputs and
// dead-letter attributes: 2022-03-22T18:59:43Z.
const scheduledTimeLayout = "2006-01-02T15:04:05Z"

// invocation is one attempt to invoke a target for one occurrence.
type invocation struct {
	scheduleARN string
	target      targetRecord
	scheduled   time.Time
	executionID string
	attempt     int
	// eventID is the id of the default notification.
	eventID string
}

// input is the payload the target receives: the target's Input with the
// context attributes replaced, or the default notification when it has
// none.
func (v invocation) input() string {
	if v.target.Input == nil {
		return v.defaultNotification()
	}
	in := *v.target.Input
	if !strings.Contains(in, "<aws.scheduler.") {
		return in
	}
	return strings.NewReplacer(
		attrScheduleARN, v.scheduleARN,
		attrScheduledTime, v.scheduled.UTC().Format(scheduledTimeLayout),
		attrExecutionID, v.executionID,
		attrAttempt, strconv.Itoa(v.attempt),
	).Replace(in)
}

// role is the target's execution role as Scheduler assumes it: the
// role's trust policy must allow scheduler.amazonaws.com, and may hold
// it to the schedule's account (aws:SourceAccount) and group
// (aws:SourceArn, the schedule group's ARN, never the schedule's).
func (v invocation) role() *deliver.Role {
	r := &deliver.Role{ARN: v.target.RoleArn, Principal: servicePrincipal}
	if parts := strings.SplitN(v.scheduleARN, ":", 6); len(parts) == 6 {
		r.SourceAccount = parts[4]
		if group, _, ok := strings.Cut(strings.TrimPrefix(parts[5], "schedule/"), "/"); ok {
			r.SourceARN = strings.Join(parts[:5], ":") + ":schedule-group/" + group
		}
	}
	return r
}

// startedBy is the startedBy of the tasks a schedule runs:
// chronos-schedule/NAME.
func startedBy(scheduleARN string) string {
	return "chronos-schedule/" + scheduleARN[strings.LastIndex(scheduleARN, "/")+1:]
}

// servicePrincipal is the principal Scheduler assumes execution roles
// as.
const servicePrincipal = "scheduler.amazonaws.com"

// defaultNotification is what a target without Input gets: an event
// shaped like EventBridge's scheduled events, whose detail is the string
// "{}" rather than an object:
//
//	{"version":"0","id":"…","detail-type":"Scheduled Event","source":"aws.scheduler",
//	 "account":"…","time":"2024-11-07T22:05:00Z","region":"…",
//	 "resources":["arn:aws:scheduler:…:schedule/default/s"],"detail":"{}"}
func (v invocation) defaultNotification() string {
	var region, account string
	if parts := strings.SplitN(v.scheduleARN, ":", 6); len(parts) == 6 {
		region, account = parts[3], parts[4]
	}
	b, _ := json.Marshal(deliver.Event{Version: "0", ID: v.eventID, DetailType: "Scheduled Event", Source: "aws.scheduler",
		Account: account, Time: v.scheduled.UTC().Format(scheduledTimeLayout), Region: region,
		Resources: []string{v.scheduleARN}, Detail: json.RawMessage(`"{}"`)}) // the detail is the string "{}"
	return string(b)
}

// message is what the app's router delivers to the target, sent as a
// session of the target's role.
//
// A universal target's message is the request parameters of its API
// action, which the router calls in process.
func (v invocation) message() deliver.Message {
	m := deliver.Message{Body: []byte(v.input()), Role: v.role(), PartitionKey: v.target.PartitionKey}
	if v.target.Ecs != nil {
		m.RunTask = deliver.ECSRunTask(v.target.Ecs, startedBy(v.scheduleARN))
	}
	switch {
	case v.target.MessageGroupID != "":
		// A FIFO queue gets the message group and no deduplication id:
		// as on AWS, the queue must deduplicate on content, or it
		// refuses the send and the occurrence goes to the dead-letter
		// queue.
		m.GroupID = v.target.MessageGroupID
	case v.target.Source != "":
		m.Source, m.DetailType = v.target.Source, v.target.DetailType
		m.Resources = []string{v.scheduleARN}
	}
	return m
}
