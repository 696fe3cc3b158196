package app

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/virga/virga/internal/cloudwatch"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/events"
	"github.com/virga/virga/internal/firehose"
	"github.com/virga/virga/internal/lambda"
	"github.com/virga/virga/internal/logs"
	"github.com/virga/virga/internal/s3"
	"github.com/virga/virga/internal/sns"
	"github.com/virga/virga/internal/sqs"
	"github.com/virga/virga/internal/stepfunctions"
	"github.com/virga/virga/internal/traceheader"
)

// targets delivers a message to whatever service an ARN names. It is how
// services hand each other events in Go: Lambda's destinations and
// dead-letter queues today; every service that sends to "an ARN" uses it.
type targets struct {
	sqs    *sqs.Service
	lambda *lambda.Service
	events *events.Service
	sns    *sns.Service
	states *stepfunctions.Service
	logs   *logs.Service
	// firehose takes records for Firehose streams.
	firehose *firehose.Service
	// buckets is S3, built last: nil until then.
	buckets *s3.Service
	// call runs an operation of a service in process (the Kinesis data
	// streams targets are written through PutRecord).
	call func(ctx context.Context, service, op string, input map[string]any) (map[string]any, error)
	// principals checks messages with a Sender against their target's
	// resource-based policy (--auth iam only; nil otherwise).
	principals *servicePrincipals
	// roles checks messages with a Role against the role's trust and
	// permissions (--auth iam only; nil otherwise).
	roles *roleSessions
	// universal runs a Scheduler universal target's API action in
	// process, with the message body as its request parameters.
	universal func(ctx context.Context, roles *roleSessions, arn string, m deliver.Message) error
	// runTask calls ECS's RunTask in process as a session of role (with
	// --auth iam), for ECS cluster targets.
	runTask func(ctx context.Context, roles *roleSessions, role *deliver.Role, params map[string]any) (map[string]any, error)
}

// Deliver sends m to the queue, function, event bus, topic or bucket arn
// names.
func (t *targets) Deliver(ctx context.Context, arn string, m deliver.Message) error {
	if m.Sender != nil {
		if err := t.principals.check(ctx, *m.Sender, arn); err != nil {
			return err
		}
	}
	if m.Role != nil {
		resource := arn
		if m.ObjectKey != "" {
			resource += "/" + m.ObjectKey // an S3 bucket's object
		}
		if err := t.roles.check(ctx, *m.Role, resource); err != nil {
			return err
		}
	}
	switch deliver.Service(arn) {
	case "sqs":
		out := sqs.Outgoing{Body: string(m.Body), GroupID: m.GroupID, DeduplicationID: m.DeduplicationID, TraceHeader: m.TraceHeader}
		if len(m.Attributes) > 0 {
			out.Attributes = make(map[string]sqs.Attribute, len(m.Attributes))
			for k, a := range m.Attributes {
				out.Attributes[k] = sqs.Attribute{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
			}
		}
		_, err := t.sqs.Send(ctx, arn, out)
		return err
	case "lambda":
		if m.TraceHeader != "" {
			ctx = traceheader.NewContext(ctx, m.TraceHeader)
		}
		_, err := t.lambda.InvokeAsync(ctx, arn, m.Body)
		return err
	case "events":
		return t.events.PutEvent(ctx, arn, m)
	case "sns":
		out := sns.Outgoing{Message: string(m.Body), Subject: m.Subject, GroupID: m.GroupID, DeduplicationID: m.DeduplicationID,
			TraceHeader: m.TraceHeader}
		if len(m.Attributes) > 0 {
			out.Attributes = make(map[string]sns.Attribute, len(m.Attributes))
			for k, a := range m.Attributes {
				out.Attributes[k] = sns.Attribute{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
			}
		}
		_, err := t.sns.Publish(ctx, arn, out)
		return err
	case "states":
		if t.states != nil {
			return t.states.StartExecution(ctx, arn, m.Body, m.TraceHeader)
		}
	case "kinesis":
		if t.call == nil {
			break
		}
		_, err := t.call(ctx, "kinesis", "PutRecord", map[string]any{"StreamARN": arn,
			"Data": base64.StdEncoding.EncodeToString(m.Body), "PartitionKey": m.PartitionKey})
		return err
	case "firehose":
		if t.firehose != nil {
			return t.firehose.Put(arn, m.Body)
		}
	case "logs":
		group, ok := deliver.LogGroup(arn)
		if !ok || t.logs == nil {
			break
		}
		var at int64 // the logs service's now
		if !m.EventTime.IsZero() {
			at = m.EventTime.UnixMilli()
		}
		return t.logs.PutTargetEvent(group, m.EventID, logs.Event{Timestamp: at, Message: string(m.Body)})
	case "s3":
		if bucket, ok := deliver.Bucket(arn); ok && m.ObjectKey != "" && t.buckets != nil {
			return t.buckets.PutObjectBytes(ctx, bucket, m.ObjectKey, m.Body, "application/json")
		}
	case "ecs":
		if m.RunTask != nil && deliver.ClusterARN(arn) && t.runTask != nil {
			return t.runTasks(ctx, arn, m)
		}
	case "scheduler":
		if _, _, ok := deliver.Universal(arn); ok && t.universal != nil {
			return t.universal(ctx, t.roles, arn, m)
		}
	}
	return fmt.Errorf("virga cannot deliver to %s yet", arn)
}

// firehoseRecords puts SNS's records on Firehose streams. Firehose is
// made after SNS, so it is looked up at each call.
type firehoseRecords struct{ t *targets }

func (f firehoseRecords) Put(arn string, data []byte) error {
	if f.t.firehose == nil {
		return fmt.Errorf("virga cannot deliver to %s yet", arn)
	}
	return f.t.firehose.Put(arn, data)
}

// runTasks runs the tasks an ECS target's message asks for on the
// cluster arn names, as the message's role. A task RunTask could not
// place (its failures) fails the delivery, which the sender then retries
// or dead-letters.
func (t *targets) runTasks(ctx context.Context, arn string, m deliver.Message) error {
	in := maps.Clone(m.RunTask)
	in["cluster"] = arn
	if o, ok := deliver.TaskOverrides(m.Body); ok {
		in["overrides"] = o
	}
	out, err := t.runTask(ctx, t.roles, m.Role, in)
	if err != nil {
		return err
	}
	if failures, _ := out["failures"].([]any); len(failures) > 0 {
		f, _ := failures[0].(map[string]any)
		return fmt.Errorf("ecs RunTask on %s failed: %v %v", arn, f["reason"], f["detail"])
	}
	return nil
}

// subscriptionTargets are CloudWatch Logs' subscription destinations:
// the targets, and whether a function exists (PutSubscriptionFilter
// checks it before it accepts the filter).
type subscriptionTargets struct{ *targets }

func (t subscriptionTargets) FunctionExists(arn string) bool {
	return t.lambda != nil && t.lambda.FunctionExists(arn)
}

// alarmTopics delivers CloudWatch alarm notifications to SNS topics.
type alarmTopics struct{ t *targets }

func (a alarmTopics) Publish(ctx context.Context, topicARN, subject, message string) error {
	_, err := a.t.sns.Publish(ctx, topicARN, sns.Outgoing{Message: message, Subject: subject})
	return err
}

// alarmFunctions runs CloudWatch alarms' Lambda function actions: an
// asynchronous invocation, when the function's resource policy lets
// CloudWatch's alarm principal invoke it for the alarm.
type alarmFunctions struct {
	t       *targets
	account string
}

// alarmPrincipal is the service principal CloudWatch alarms invoke
// functions as.
const alarmPrincipal = "lambda.alarms.cloudwatch.amazonaws.com"

func (a alarmFunctions) InvokeAlarmAction(ctx context.Context, functionARN, alarmARN string, event []byte) error {
	if a.t.lambda == nil || !a.t.lambda.FunctionExists(functionARN) {
		return fmt.Errorf("function %s does not exist", functionARN)
	}
	if !a.t.lambda.AllowsService(functionARN, alarmPrincipal, alarmARN, a.account) {
		return fmt.Errorf("the resource policy of %s does not allow %s to invoke it", functionARN, alarmPrincipal)
	}
	_, err := a.t.lambda.InvokeAsync(ctx, functionARN, event)
	return err
}

// filterMetrics writes what CloudWatch Logs' metric filters publish to
// CloudWatch, gathered per minute of the events' timestamps.
type filterMetrics struct{ agg *cloudwatch.Aggregator }

func (m filterMetrics) PutFilterMetrics(ps []logs.MetricPoint) {
	for _, p := range ps {
		m.agg.AddAt(p.Timestamp, cloudwatch.Sample{Namespace: p.Namespace, Name: p.Name, Dimensions: p.Dimensions, Unit: p.Unit, Value: p.Value})
	}
}

// queueMetrics writes SQS's per-minute metrics to CloudWatch (AWS/SQS,
// by QueueName).
type queueMetrics struct {
	cw  *cloudwatch.Service
	log *slog.Logger
}

func (m *queueMetrics) PutQueueMetrics(minute time.Time, qs []sqs.QueueMetrics) {
	if m.cw == nil {
		return
	}
	ps := make([]cloudwatch.Point, 0, 9*len(qs))
	one := func(q, name, unit string, v float64) {
		ps = append(ps, cloudwatch.Point{Namespace: "AWS/SQS", Name: name, Dimensions: [][2]string{{"QueueName", q}}, Time: minute,
			Unit: unit, Count: 1, Sum: v, Min: v, Max: v})
	}
	for _, q := range qs {
		one(q.Queue, "NumberOfMessagesSent", "Count", float64(q.Sent))
		one(q.Queue, "NumberOfMessagesReceived", "Count", float64(q.Received))
		one(q.Queue, "NumberOfMessagesDeleted", "Count", float64(q.Deleted))
		one(q.Queue, "NumberOfEmptyReceives", "Count", float64(q.EmptyReceives))
		one(q.Queue, "ApproximateNumberOfMessagesVisible", "Count", float64(q.Visible))
		one(q.Queue, "ApproximateNumberOfMessagesNotVisible", "Count", float64(q.NotVisible))
		one(q.Queue, "ApproximateNumberOfMessagesDelayed", "Count", float64(q.Delayed))
		one(q.Queue, "ApproximateAgeOfOldestMessage", "Seconds", q.OldestAge)
		if q.Sent > 0 {
			ps = append(ps, cloudwatch.Point{Namespace: "AWS/SQS", Name: "SentMessageSize", Dimensions: [][2]string{{"QueueName", q.Queue}},
				Time: minute, Unit: "Bytes", Count: float64(q.Sent), Sum: q.SizeSum, Min: q.SizeMin, Max: q.SizeMax})
		}
	}
	if err := m.cw.RecordPoints(ps); err != nil {
		m.log.Error("sqs: writing metrics", "err", err)
	}
}

// lambdaMetrics turns Lambda's invocations into its AWS/Lambda metrics,
// gathered per minute in memory by a CloudWatch aggregator.
type lambdaMetrics struct{ agg *cloudwatch.Aggregator }

func (m lambdaMetrics) Observe(o lambda.Observation) {
	sets := [][][2]string{nil, {{"FunctionName", o.Function}}}
	if o.Resource != "" {
		sets = append(sets, [][2]string{{"FunctionName", o.Function}, {"Resource", o.Resource}})
	}
	if o.ExecutedVersion != "" && !o.Throttled {
		sets = append(sets, [][2]string{{"ExecutedVersion", o.ExecutedVersion}, {"FunctionName", o.Function}, {"Resource", o.Resource}})
	}
	samples := make([]cloudwatch.Sample, 0, 5*len(sets)+6)
	if o.Provisioned || o.Spillover {
		// Provisioned concurrency's metrics, by function and by the
		// version or alias that has it.
		for _, d := range sets[1:] {
			name := "ProvisionedConcurrencyInvocations"
			if o.Spillover {
				name = "ProvisionedConcurrencySpilloverInvocations"
			}
			samples = append(samples, cloudwatch.Sample{Namespace: "AWS/Lambda", Name: name, Dimensions: d, Unit: "Count", Value: 1})
			if len(d) == 2 && o.ProvisionedAllocated > 0 {
				samples = append(samples,
					cloudwatch.Sample{Namespace: "AWS/Lambda", Name: "ProvisionedConcurrentExecutions", Dimensions: d, Unit: "Count", Value: float64(o.ProvisionedConcurrent)},
					cloudwatch.Sample{Namespace: "AWS/Lambda", Name: "ProvisionedConcurrencyUtilization", Dimensions: d, Unit: "None",
						Value: float64(o.ProvisionedConcurrent) / float64(o.ProvisionedAllocated)})
			}
		}
	}
	for _, d := range sets {
		if o.Throttled {
			samples = append(samples, cloudwatch.Sample{Namespace: "AWS/Lambda", Name: "Throttles", Dimensions: d, Unit: "Count", Value: 1})
			continue
		}
		errs := 0.0
		if o.Error {
			errs = 1
		}
		concurrent := o.Concurrent
		if d == nil {
			concurrent = o.AccountConcurrent
		}
		samples = append(samples,
			cloudwatch.Sample{Namespace: "AWS/Lambda", Name: "Invocations", Dimensions: d, Unit: "Count", Value: 1},
			cloudwatch.Sample{Namespace: "AWS/Lambda", Name: "Errors", Dimensions: d, Unit: "Count", Value: errs},
			cloudwatch.Sample{Namespace: "AWS/Lambda", Name: "Duration", Dimensions: d, Unit: "Milliseconds", Value: float64(o.Duration.Microseconds()) / 1000},
			cloudwatch.Sample{Namespace: "AWS/Lambda", Name: "ConcurrentExecutions", Dimensions: d, Unit: "Count", Value: float64(concurrent)},
		)
	}
	m.agg.Add(samples...)
}

// Count records Lambda's other metrics by function and, when given, by
// function and Resource.
func (m lambdaMetrics) Count(c lambda.Count) {
	samples := []cloudwatch.Sample{{Namespace: "AWS/Lambda", Name: c.Name, Dimensions: [][2]string{{"FunctionName", c.Function}}, Unit: c.Unit, Value: c.Value}}
	if c.Resource != "" {
		samples = append(samples, cloudwatch.Sample{Namespace: "AWS/Lambda", Name: c.Name,
			Dimensions: [][2]string{{"FunctionName", c.Function}, {"Resource", c.Resource}}, Unit: c.Unit, Value: c.Value})
	}
	m.agg.Add(samples...)
}
