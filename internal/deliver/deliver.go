// Package deliver is how virga's services hand each other events in Go:
// a service that sends "to an ARN" — Lambda's destinations and
// dead-letter queues, EventBridge's targets, Scheduler's targets — gives
// a Message to a Deliverer, and the app routes it to the SQS queue, SNS
// topic, Lambda function or EventBridge event bus the ARN names. The
// package holds only the vocabulary, so that services need not import
// each other.
package deliver

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Message is what a target receives.
type Message struct {
	// Body is the message, the function's event, or the event's detail.
	Body []byte
	// Attributes are SQS and SNS message attributes.
	Attributes map[string]Attribute
	// GroupID and DeduplicationID are for FIFO queues and topics.
	GroupID, DeduplicationID string
	// Subject is the subject of an SNS message.
	Subject string
	// Source and DetailType describe the message as an EventBridge event
	// when it goes to an event bus; Body is then the event's detail.
	Source, DetailType string
	// Resources are the EventBridge event's resources.
	Resources []string
	// EventID and EventTime are the id and time of the EventBridge event
	// a rule sends to a CloudWatch Logs log group: the event is written
	// at its time into a stream named by its id.
	EventID   string
	EventTime time.Time
	// PartitionKey is the partition key of the record a Kinesis data
	// stream target gets.
	PartitionKey string
	// ObjectKey is the key of the object an S3 bucket target
	// (arn:aws:s3:::BUCKET) stores Body as.
	ObjectKey string
	// RunTask, for a target on an ECS cluster, is the RunTask request
	// it makes (ECS's member names; see ECSRunTask): the cluster is the
	// target's, and Body the task's overrides when it is a
	// TaskOverrides document.
	RunTask map[string]any
	// TraceHeader is the X-Ray trace header, if any.
	TraceHeader string
	// Sender, when set, is the AWS service that sends the message for
	// one of its resources (an EventBridge rule, an S3 bucket): with
	// --auth iam the target's resource-based policy (a queue policy, a
	// topic policy, a function policy) must allow it, as on AWS. Nil
	// for messages AWS sends with a role's permissions (Lambda's
	// destinations), which are not checked.
	Sender *Sender
	// Role, when set, is the role the sending service was given for
	// this delivery (a schedule's RoleArn, a function's execution role):
	// with --auth iam the message is sent as a session of it, as on AWS.
	Role *Role
}

// Role is an IAM role a service sends with. Principal is the service
// that assumes it: the role's trust policy must let Principal perform
// sts:AssumeRole, with aws:SourceArn and aws:SourceAccount naming
// SourceARN and SourceAccount when they are set. An empty Principal is a
// role whose trust was checked when it was given (a function's execution
// role, at CreateFunction). The session is then
// held to the role's policies and the target's resource-based policy.
type Role struct {
	ARN                      string
	Principal                string
	SourceARN, SourceAccount string
	// Session names the role session (a function's name, for its
	// execution role); empty for a new name each send.
	Session string
}

// Trust reports whether r.Principal may assume r.ARN: the role exists
// and its trust policy allows r.Principal sts:AssumeRole, with
// aws:SourceArn and aws:SourceAccount naming r.SourceARN and
// r.SourceAccount when they are set. Services that AWS has assume a role
// when it is given to them (CreateFunction, CreateStateMachine,
// CreateSchedule) check it then, with --auth iam.
type Trust func(ctx context.Context, r Role) (bool, error)

// ErrNotAuthorized is wrapped in the error a delivery fails with when the
// target's resource-based policy does not allow its Sender, or its Role
// may not be assumed or does not allow the send.
var ErrNotAuthorized = errors.New("not authorized")

// Sender is an AWS service principal sending on behalf of one of its
// resources, as resource-based policies see it.
type Sender struct {
	// Principal is the service principal, such as events.amazonaws.com.
	Principal string
	// SourceARN and SourceAccount are the resource that sends (the rule,
	// the bucket, the topic) and its account: the aws:SourceArn and
	// aws:SourceAccount condition keys.
	SourceARN, SourceAccount string
}

// Event is an EventBridge event as rules and targets see it: what
// EventBridge sends for PutEvents and rule schedules, and what Scheduler
// sends as its default notification.
type Event struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// Attribute is a message attribute: DataType String, Number or Binary
// (with an optional ".custom" suffix) and its value.
type Attribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// Deliverer sends a message to the resource an ARN names.
type Deliverer interface {
	Deliver(ctx context.Context, arn string, m Message) error
}

// Service is the service part of an ARN: "sqs" in arn:aws:sqs:...; ""
// when arn is no ARN.
func Service(arn string) string {
	parts := strings.SplitN(arn, ":", 4)
	if len(parts) < 4 || parts[0] != "arn" {
		return ""
	}
	return parts[2]
}

// Account returns the account part of an ARN, "" when it has none.
func Account(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// UniversalPrefix starts the ARN of an EventBridge Scheduler universal
// target, arn:aws:scheduler:::aws-sdk:service:apiAction, which calls the
// API action of the service (named by its AWS SDK service identifier,
// such as sqs, dynamodb or sfn) with the target's Input as the request
// parameters.
const UniversalPrefix = "arn:aws:scheduler:::aws-sdk:"

// Universal returns the service and the API action a universal target's
// ARN names; ok is false for any other ARN, or one whose service or
// action is missing.
func Universal(arn string) (service, action string, ok bool) {
	rest, ok := strings.CutPrefix(arn, UniversalPrefix)
	if !ok {
		return "", "", false
	}
	service, action, ok = strings.Cut(rest, ":")
	if !ok || service == "" || action == "" || strings.Contains(action, ":") {
		return "", "", false
	}
	return service, action, true
}

// Bucket returns the name of the S3 bucket an ARN names
// (arn:aws:s3:::BUCKET); ok is false for any other ARN, an object's
// among them.
func Bucket(arn string) (name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "s3" || parts[3] != "" || parts[4] != "" {
		return "", false
	}
	name = parts[5]
	if name == "" || strings.ContainsAny(name, "/:") {
		return "", false
	}
	return name, true
}

// LogGroup returns the name of the log group an ARN names
// (arn:aws:logs:REGION:ACCOUNT:log-group:NAME, with or without a
// trailing ":*"); ok is false for any other ARN.
func LogGroup(arn string) (name string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group" {
		return "", false
	}
	name = strings.TrimSuffix(parts[6], ":*")
	if name == "" || strings.Contains(name, ":") {
		return "", false
	}
	return name, true
}
