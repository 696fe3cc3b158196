package e2e_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

func queueARN(name string) string { return "arn:aws:sqs:us-east-1:000000000000:" + name }

func newQueue(t testing.TB, c *sqs.Client, name string) string {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.QueueUrl
}

// noMessage checks briefly that a queue stays empty.
func noMessage(t testing.TB, c *sqs.Client, url string) {
	t.Helper()
	out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) > 0 {
		t.Errorf("unexpected message on %s: %s", url, aws.ToString(out.Messages[0].Body))
	}
}

func TestEventBridgeRulesAndTargets(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	eb := eventbridge.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	whole, detail, shaped := newQueue(t, qc, "whole"), newQueue(t, qc, "detail"), newQueue(t, qc, "shaped")

	// Buses.
	bus, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	if err != nil || aws.ToString(bus.EventBusArn) != "arn:aws:events:us-east-1:000000000000:event-bus/orders" {
		t.Fatalf("CreateEventBus: %+v %v", bus, err)
	}
	_, err = eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	wantLambdaError(t, "duplicate bus", err, "ResourceAlreadyExistsException", "Event bus orders already exists.")
	buses, _ := eb.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	if len(buses.EventBuses) != 2 {
		t.Errorf("ListEventBuses: %+v", buses.EventBuses)
	}

	// Rules and their validation.
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("orders")})
	wantLambdaError(t, "no pattern or schedule", err, "ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified.")
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("orders"), EventPattern: aws.String(`{"source":"x"}`)})
	wantLambdaError(t, "bad pattern", err, "InvalidEventPatternException", "")
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("orders"), ScheduleExpression: aws.String("rate(1 minute)")})
	wantLambdaError(t, "schedule on a custom bus", err, "ValidationException", "ScheduleExpression is supported only on the default event bus.")
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), ScheduleExpression: aws.String("rate(1 minutes)")})
	wantLambdaError(t, "bad schedule", err, "ValidationException", "Parameter ScheduleExpression is not valid.")

	rule, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("big-orders"), EventBusName: aws.String("orders"),
		EventPattern: aws.String(`{"source":["shop"],"detail-type":["OrderPlaced"],"detail":{"total":[{"numeric":[">",100]}]}}`)})
	if err != nil || aws.ToString(rule.RuleArn) != "arn:aws:events:us-east-1:000000000000:rule/orders/big-orders" {
		t.Fatalf("PutRule: %+v %v", rule, err)
	}
	put, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("big-orders"), EventBusName: aws.String("orders"), Targets: []ebtypes.Target{
		{Id: aws.String("whole"), Arn: aws.String(queueARN("whole"))},
		{Id: aws.String("detail"), Arn: aws.String(queueARN("detail")), InputPath: aws.String("$.detail")},
		{Id: aws.String("shaped"), Arn: aws.String(queueARN("shaped")), InputTransformer: &ebtypes.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.id", "total": "$.detail.total"},
			InputTemplate: aws.String(`{"order":"<id>","total":<total>,"rule":"<aws.events.rule-name>"}`)}},
		{Id: aws.String("bucket"), Arn: aws.String("arn:aws:s3:::bucket")},
	}})
	if err != nil || put.FailedEntryCount != 1 || aws.ToString(put.FailedEntries[0].TargetId) != "bucket" {
		t.Fatalf("PutTargets: %+v %v", put, err)
	}
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("big-orders"), EventBusName: aws.String("orders"), Targets: []ebtypes.Target{
		{Id: aws.String("bad id!"), Arn: aws.String(queueARN("whole"))}}})
	wantLambdaError(t, "bad target id", err, "ValidationException", "")
	// A FIFO queue takes its message group from SqsParameters.
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("big-orders"), EventBusName: aws.String("orders"), Targets: []ebtypes.Target{
		{Id: aws.String("fifo"), Arn: aws.String(queueARN("jobs.fifo"))}}})
	wantLambdaError(t, "a FIFO queue without SqsParameters", err, "ValidationException", "Parameter(s) SqsParameters must be specified for target: fifo.")
	// EventBridge sends undelivered events only to an SQS queue.
	topic := "arn:aws:sns:us-east-1:000000000000:alerts"
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("big-orders"), EventBusName: aws.String("orders"), Targets: []ebtypes.Target{
		{Id: aws.String("whole"), Arn: aws.String(queueARN("whole")), DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(topic)}}}})
	wantLambdaError(t, "a topic as dead-letter queue", err, "ValidationException", "Parameter DeadLetterConfig.Arn is not valid. Reason: "+topic+" is not an Amazon SQS queue ARN.")
	_, err = eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("big-orders"), EventBusName: aws.String("orders")})
	wantLambdaError(t, "delete a rule with targets", err, "ValidationException", "Rule can't be deleted since it has targets.")

	out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{EventBusName: aws.String("orders"), Source: aws.String("shop"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{"id":"o-1","total":250}`), Resources: []string{"arn:x"}},
		{EventBusName: aws.String("orders"), Source: aws.String("shop"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{"id":"o-2","total":5}`)},
		{EventBusName: aws.String("orders"), Source: aws.String("shop"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`not json`)},
		{EventBusName: aws.String("orders"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 2 || aws.ToString(out.Entries[2].ErrorCode) != "MalformedDetail" || aws.ToString(out.Entries[3].ErrorCode) != "InvalidArgument" ||
		aws.ToString(out.Entries[0].EventId) == "" {
		t.Errorf("PutEvents: %+v", out.Entries)
	}

	var ev struct {
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
	m := receiveOne(t, qc, whole)
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Version != "0" || ev.ID != aws.ToString(out.Entries[0].EventId) || ev.DetailType != "OrderPlaced" || ev.Source != "shop" ||
		ev.Account != "000000000000" || ev.Region != "us-east-1" || len(ev.Resources) != 1 || string(ev.Detail) != `{"id":"o-1","total":250}` {
		t.Errorf("event: %s", aws.ToString(m.Body))
	}
	if _, err := time.Parse(time.RFC3339, ev.Time); err != nil {
		t.Errorf("event time %q: %v", ev.Time, err)
	}
	if m := receiveOne(t, qc, detail); aws.ToString(m.Body) != `{"id":"o-1","total":250}` {
		t.Errorf("InputPath: %s", aws.ToString(m.Body))
	}
	if m := receiveOne(t, qc, shaped); aws.ToString(m.Body) != `{"order":"o-1","total":250,"rule":"big-orders"}` {
		t.Errorf("InputTransformer: %s", aws.ToString(m.Body))
	}
	noMessage(t, qc, whole) // o-2 matched nothing

	// Disabled rules deliver nothing.
	if _, err := eb.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("big-orders"), EventBusName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{EventBusName: aws.String("orders"), Source: aws.String("shop"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{"id":"o-3","total":999}`)}}})
	noMessage(t, qc, whole)
	desc, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("big-orders"), EventBusName: aws.String("orders")})
	if err != nil || desc.State != ebtypes.RuleStateDisabled || aws.ToString(desc.EventBusName) != "orders" {
		t.Errorf("DescribeRule: %+v %v", desc, err)
	}

	targets, _ := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("big-orders"), EventBusName: aws.String("orders")})
	if len(targets.Targets) != 3 {
		t.Errorf("ListTargetsByRule: %d targets", len(targets.Targets))
	}
	names, _ := eb.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String(queueARN("detail")), EventBusName: aws.String("orders")})
	if len(names.RuleNames) != 1 || names.RuleNames[0] != "big-orders" {
		t.Errorf("ListRuleNamesByTarget: %v", names.RuleNames)
	}
	eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("big-orders"), EventBusName: aws.String("orders"), Ids: []string{"whole", "detail", "shaped"}})
	if _, err := eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("big-orders"), EventBusName: aws.String("orders")}); err != nil {
		t.Errorf("DeleteRule: %v", err)
	}
	_, err = eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("big-orders"), EventBusName: aws.String("orders")})
	wantLambdaError(t, "deleted rule", err, "ResourceNotFoundException", "Rule big-orders does not exist on EventBus orders.")

	res, err := eb.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"detail":{"n":[{"numeric":["<",3]}]}}`),
		Event: aws.String(`{"id":"1","account":"000000000000","source":"s","time":"2026-01-01T00:00:00Z","region":"us-east-1","detail-type":"t","resources":[],"detail":{"n":2}}`)})
	if err != nil || !res.Result {
		t.Errorf("TestEventPattern: %+v %v", res, err)
	}
}

func TestEventBridgeScheduleAndDeadLetters(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	eb := eventbridge.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	ticks, dlq := newQueue(t, qc, "ticks"), newQueue(t, qc, "eb-dlq")

	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("every-minute"), ScheduleExpression: aws.String("rate(1 minute)")}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("every-minute"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String(queueARN("ticks"))},
		{Id: aws.String("gone"), Arn: aws.String(queueARN("never-created")), DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(queueARN("eb-dlq"))}},
	}}); err != nil {
		t.Fatal(err)
	}
	noMessage(t, qc, ticks)
	env.Clock.Advance(61 * time.Second)
	m := receiveOne(t, qc, ticks)
	var ev struct {
		DetailType string          `json:"detail-type"`
		Source     string          `json:"source"`
		Resources  []string        `json:"resources"`
		Detail     json.RawMessage `json:"detail"`
	}
	json.Unmarshal([]byte(aws.ToString(m.Body)), &ev)
	if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" || string(ev.Detail) != "{}" ||
		len(ev.Resources) != 1 || ev.Resources[0] != "arn:aws:events:us-east-1:000000000000:rule/every-minute" {
		t.Errorf("scheduled event: %s", aws.ToString(m.Body))
	}
	body := json.RawMessage(aws.ToString(m.Body))
	wantMembers(t, "scheduled event", body, "version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")
	wantString(t, body, "0", "version")
	wantMatch(t, body, uuidRE, "id")
	wantString(t, body, "000000000000", "account")
	wantString(t, body, "us-east-1", "region")
	wantMatch(t, body, eventTimeRE, "time")
	// A target that does not exist sends the event to its dead-letter queue.
	d := receiveOne(t, qc, dlq)
	a := d.MessageAttributes
	if aws.ToString(a["RULE_ARN"].StringValue) != "arn:aws:events:us-east-1:000000000000:rule/every-minute" ||
		aws.ToString(a["TARGET_ARN"].StringValue) != queueARN("never-created") || aws.ToString(a["ERROR_CODE"].StringValue) == "" {
		t.Errorf("dead letter attributes: %+v", a)
	}
	// Five minutes later: one more event, not five.
	env.Clock.Advance(5 * time.Minute)
	receiveOne(t, qc, ticks)
	noMessage(t, qc, ticks)
}

// TestLambdaDestinationToEventBus sends a Lambda invocation record to an
// event bus, where a rule on source "lambda" forwards it to a queue.
func TestLambdaDestinationToEventBus(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	eb := eventbridge.NewFromConfig(env.Config)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	results := newQueue(t, qc, "results")
	createPythonFunction(t, lc, "ok", failsOnDemand, 3)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("lambda-results"),
		EventPattern: aws.String(`{"source":["lambda"],"detail-type":["Lambda Function Invocation Result - Success"]}`)}); err != nil {
		t.Fatal(err)
	}
	eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("lambda-results"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String(queueARN("results")), InputPath: aws.String("$.detail.requestContext.condition")}}})
	if _, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("ok"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{
			Destination: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/default")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("ok"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if m := receiveOne(t, qc, results); aws.ToString(m.Body) != `"Success"` {
		t.Errorf("forwarded record: %s", aws.ToString(m.Body))
	}
}

// TestEventBridgeToSNS: a rule's SNS target publishes the event, which
// the topic's SQS subscription receives in SNS's envelope.
func TestEventBridgeToSNS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	eb := eventbridge.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	sc := sns.NewFromConfig(env.Config)
	ctx := context.Background()
	fanned := newQueue(t, qc, "fanned")
	topic, err := sc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN("fanned"))}); err != nil {
		t.Fatal(err)
	}
	eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("to-topic"), EventPattern: aws.String(`{"source":["app"]}`)})
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("to-topic"), Targets: []ebtypes.Target{
		{Id: aws.String("t"), Arn: topic.TopicArn, InputPath: aws.String("$.detail")}}}); err != nil {
		t.Fatal(err)
	}
	eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("app"), DetailType: aws.String("Alert"), Detail: aws.String(`{"level":"high"}`)}}})
	m := receiveOne(t, qc, fanned)
	var env2 struct{ Type, TopicArn, Message string }
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env2); err != nil || env2.Type != "Notification" ||
		env2.TopicArn != aws.ToString(topic.TopicArn) || env2.Message != `{"level":"high"}` {
		t.Errorf("SNS envelope: %s", aws.ToString(m.Body))
	}
}

// TestEventBridgeCronRule checks that a cron rule fires at its instants:
// every quarter hour, on a fake clock.
func TestEventBridgeCronRule(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	eb := eventbridge.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	q := newQueue(t, qc, "quarters")
	// Start just after a quarter hour.
	now := env.Clock.Now().UTC()
	next := now.Truncate(15 * time.Minute).Add(15 * time.Minute)
	env.Clock.Set(next.Add(-14 * time.Minute))
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("quarterly"), ScheduleExpression: aws.String("cron(0/15 * * * ? *)")}); err != nil {
		t.Fatal(err)
	}
	eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("quarterly"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String(queueARN("quarters")), InputPath: aws.String("$.time")}}})
	env.Clock.Set(next.Add(-time.Second))
	noMessage(t, qc, q)
	env.Clock.Set(next.Add(time.Second))
	if m := receiveOne(t, qc, q); aws.ToString(m.Body) != `"`+next.Format("2006-01-02T15:04:05Z")+`"` {
		t.Errorf("fired for %s, want %s", aws.ToString(m.Body), next.Format(time.RFC3339))
	}
	env.Clock.Set(next.Add(14 * time.Minute))
	noMessage(t, qc, q)
	env.Clock.Set(next.Add(15*time.Minute + time.Second))
	if m := receiveOne(t, qc, q); aws.ToString(m.Body) != `"`+next.Add(15*time.Minute).Format("2006-01-02T15:04:05Z")+`"` {
		t.Errorf("second firing: %s", aws.ToString(m.Body))
	}
}
