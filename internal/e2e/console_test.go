package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/console"
	"github.com/virga/virga/internal/e2e"
)

// consoleGet reads a console API view into out and returns its status.
func consoleGet(t testing.TB, env *e2e.Env, view string, params url.Values, out any) int {
	t.Helper()
	u := env.Endpoint + "/_virga/console/api/" + view
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, token, ok := strings.Cut(env.App.ConsoleURL(), "?token="); ok {
		req.Header.Set(console.TokenHeader, token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", view, ct)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("%s: no CSP", view)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("%s: %v\n%s", view, err, body)
	}
	return resp.StatusCode
}

// mustConsole reads a view that must answer 200.
func mustConsole(t testing.TB, env *e2e.Env, view string, params url.Values, out any) {
	t.Helper()
	if status := consoleGet(t, env, view, params, out); status != http.StatusOK {
		t.Fatalf("%s %v: %d %+v", view, params, status, out)
	}
}

// awaitConsole reads a view until ok accepts what it read.
func awaitConsole[T any](t testing.TB, env *e2e.Env, view string, params url.Values, ok func(T) bool) T {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var v T
		status := consoleGet(t, env, view, params, &v)
		if status == http.StatusOK && ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %v: %d %+v", view, params, status, v)
		}
	}
}

type consoleList[T any] struct {
	Items []T `json:"items"`
}

type consoleError struct {
	Error struct{ Code, Message string } `json:"error"`
}

func TestConsoleDynamoDB(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := dynamodb.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("things"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("things"), Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: fmt.Sprintf("k%d", i)}, "n": &ddbtypes.AttributeValueMemberN{Value: fmt.Sprint(i)},
			"html": &ddbtypes.AttributeValueMemberS{Value: "<script>alert(1)</script>"}}}); err != nil {
			t.Fatal(err)
		}
	}
	var tables consoleList[string]
	mustConsole(t, env, "dynamodb/tables", nil, &tables)
	if len(tables.Items) != 1 || tables.Items[0] != "things" {
		t.Errorf("tables %v", tables)
	}
	var desc struct {
		Table struct{ TableName, TableStatus string }
	}
	mustConsole(t, env, "dynamodb/table", url.Values{"name": {"things"}}, &desc)
	if desc.Table.TableName != "things" || desc.Table.TableStatus != "ACTIVE" {
		t.Errorf("table %+v", desc)
	}
	// Three pages of two, as Scan with Limit 2 pages them.
	seen := map[string]bool{}
	start := ""
	for page := 1; ; page++ {
		var p struct {
			Items []map[string]map[string]any `json:"items"`
			Count int                         `json:"count"`
			Next  string                      `json:"next"`
		}
		params := url.Values{"name": {"things"}, "limit": {"2"}}
		if start != "" {
			params.Set("start", start)
		}
		mustConsole(t, env, "dynamodb/items", params, &p)
		if p.Count != len(p.Items) || (page < 3 && len(p.Items) != 2) {
			t.Fatalf("page %d: %+v", page, p)
		}
		for _, it := range p.Items {
			seen[it["pk"]["S"].(string)] = true
			if it["html"]["S"] != "<script>alert(1)</script>" {
				t.Errorf("an item's value changed: %v", it["html"])
			}
		}
		if p.Next == "" {
			if page != 3 {
				t.Errorf("paging ended on page %d", page)
			}
			break
		}
		start = p.Next
		if page > 3 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != 5 {
		t.Errorf("items seen %v", seen)
	}
	var e consoleError
	if status := consoleGet(t, env, "dynamodb/items", url.Values{"name": {"nope"}}, &e); status != 400 || e.Error.Code != "ResourceNotFoundException" {
		t.Errorf("an unknown table: %d %+v", status, e)
	}
	if status := consoleGet(t, env, "dynamodb/items", nil, &e); status != 400 || !strings.Contains(e.Error.Message, "name") {
		t.Errorf("no table name: %d %+v", status, e)
	}
	if status := consoleGet(t, env, "dynamodb/items", url.Values{"name": {"things"}, "limit": {"0"}}, &e); status != 400 {
		t.Errorf("limit 0: %d %+v", status, e)
	}
}

// TestConsoleMessaging reads queues, topics and rules; the queue view
// counts messages without receiving them.
func TestConsoleMessaging(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	q := sqs.NewFromConfig(env.Config)
	qu, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("work")})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"one", "two"} {
		if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: qu.QueueUrl, MessageBody: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	type queue struct {
		QueueURL   string            `json:"queueUrl"`
		Attributes map[string]string `json:"attributes"`
	}
	for range 2 {
		var qs consoleList[queue]
		mustConsole(t, env, "sqs/queues", nil, &qs)
		if len(qs.Items) != 1 || qs.Items[0].QueueURL != aws.ToString(qu.QueueUrl) ||
			qs.Items[0].Attributes["ApproximateNumberOfMessages"] != "2" || qs.Items[0].Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
			t.Fatalf("queues %+v", qs)
		}
	}
	got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: qu.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil || len(got.Messages) != 2 {
		t.Fatalf("after the console read the queue, ReceiveMessage got %d messages: %v", len(got.Messages), err)
	}

	sc := sns.NewFromConfig(env.Config)
	topic, err := sc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("news")})
	if err != nil {
		t.Fatal(err)
	}
	queueARN := "arn:aws:sqs:us-east-1:000000000000:work"
	if _, err := sc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN)}); err != nil {
		t.Fatal(err)
	}
	var topics consoleList[struct {
		TopicARN      string `json:"topicArn"`
		Subscriptions []struct{ Protocol, Endpoint, SubscriptionArn string }
	}]
	mustConsole(t, env, "sns/topics", nil, &topics)
	if len(topics.Items) != 1 || topics.Items[0].TopicARN != aws.ToString(topic.TopicArn) || len(topics.Items[0].Subscriptions) != 1 ||
		topics.Items[0].Subscriptions[0].Protocol != "sqs" || topics.Items[0].Subscriptions[0].Endpoint != queueARN {
		t.Errorf("topics %+v", topics)
	}

	eb := eventbridge.NewFromConfig(env.Config)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("orders"), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("orders"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN)}}}); err != nil {
		t.Fatal(err)
	}
	var buses consoleList[struct {
		Name  string
		Rules []struct {
			Rule    struct{ Name, EventPattern string }
			Targets []struct{ Id, Arn string }
		}
	}]
	mustConsole(t, env, "events/rules", nil, &buses)
	if len(buses.Items) != 1 || buses.Items[0].Name != "default" || len(buses.Items[0].Rules) != 1 {
		t.Fatalf("buses %+v", buses)
	}
	if r := buses.Items[0].Rules[0]; r.Rule.Name != "orders" || r.Rule.EventPattern != `{"source":["shop"]}` ||
		len(r.Targets) != 1 || r.Targets[0].Arn != queueARN {
		t.Errorf("rule %+v", r)
	}

	var overview struct {
		Services []struct {
			Service string
			Counts  []struct {
				Kind  string
				Count int
				Error string
			}
		}
	}
	mustConsole(t, env, "overview", nil, &overview)
	counts := map[string]int{}
	for _, s := range overview.Services {
		for _, c := range s.Counts {
			if c.Error != "" {
				t.Errorf("overview %s %s: %s", s.Service, c.Kind, c.Error)
			}
			counts[s.Service+" "+c.Kind] = c.Count
		}
	}
	for k, want := range map[string]int{"SQS queues": 1, "SNS topics": 1, "EventBridge event buses": 1, "DynamoDB tables": 0,
		"Lambda functions": 0, "X-Ray traces in the last hour": 0, "Elastic Load Balancing load balancers": 0} {
		if got, ok := counts[k]; !ok || got != want {
			t.Errorf("overview %s = %d (%v); want %d", k, got, ok, want)
		}
	}
}

func TestConsoleLogsAndFunctions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/app/web")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cwl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("/app/web"), LogStreamName: aws.String("a/1")}); err != nil {
		t.Fatal(err)
	}
	put := func(msgs ...string) {
		t.Helper()
		var evs []cwltypes.InputLogEvent
		for _, m := range msgs {
			evs = append(evs, cwltypes.InputLogEvent{Message: aws.String(m), Timestamp: aws.Int64(time.Now().UnixMilli())})
		}
		if _, err := cwl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/app/web"),
			LogStreamName: aws.String("a/1"), LogEvents: evs}); err != nil {
			t.Fatal(err)
		}
	}
	put("first", "<b>second</b>")
	var groups consoleList[struct{ LogGroupName string }]
	mustConsole(t, env, "logs/groups", nil, &groups)
	if len(groups.Items) != 1 || groups.Items[0].LogGroupName != "/app/web" {
		t.Errorf("groups %+v", groups)
	}
	var streams consoleList[struct{ LogStreamName string }]
	mustConsole(t, env, "logs/streams", url.Values{"group": {"/app/web"}}, &streams)
	if len(streams.Items) != 1 || streams.Items[0].LogStreamName != "a/1" {
		t.Errorf("streams %+v", streams)
	}
	type page struct {
		Events []struct{ Message string }
		Next   string
	}
	var p page
	mustConsole(t, env, "logs/events", url.Values{"group": {"/app/web"}, "stream": {"a/1"}}, &p)
	if len(p.Events) != 2 || p.Events[0].Message != "first" || p.Events[1].Message != "<b>second</b>" || p.Next == "" {
		t.Fatalf("events %+v", p)
	}
	// The tail reads on from the forward token: only what came after.
	put("third")
	var more page
	mustConsole(t, env, "logs/events", url.Values{"group": {"/app/web"}, "stream": {"a/1"}, "token": {p.Next}}, &more)
	if len(more.Events) != 1 || more.Events[0].Message != "third" || more.Next == "" {
		t.Errorf("tail %+v", more)
	}
	var none page
	mustConsole(t, env, "logs/events", url.Values{"group": {"/app/web"}, "stream": {"a/1"}, "token": {more.Next}}, &none)
	if len(none.Events) != 0 {
		t.Errorf("tail with nothing new %+v", none)
	}
	var e consoleError
	if status := consoleGet(t, env, "logs/streams", url.Values{"group": {"/nope"}}, &e); status != 400 || e.Error.Code != "ResourceNotFoundException" {
		t.Errorf("an unknown group: %d %+v", status, e)
	}

	lc := lambda.NewFromConfig(env.Config)
	code := "def handler(event, context):\n    print('handled', event)\n    return 1\n"
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("hello"), Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("app.handler"), Role: aws.String(lambdaRole), MemorySize: aws.Int32(256),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.py", body: []byte(code)})}}); err != nil {
		t.Fatal(err)
	}
	var fns consoleList[struct {
		FunctionName string
		MemorySize   int
	}]
	mustConsole(t, env, "lambda/functions", nil, &fns)
	if len(fns.Items) != 1 || fns.Items[0].FunctionName != "hello" || fns.Items[0].MemorySize != 256 {
		t.Errorf("functions %+v", fns)
	}
	reqID := requestIDOf(t, invokeJSON(t, lc, "hello", map[string]string{"a": "b"}))
	type function struct {
		Function struct {
			Configuration struct{ FunctionName, Runtime string }
		}
		LogGroup    string
		LogStreams  []struct{ LogStreamName string }
		Invocations []struct {
			RequestID                    string
			LogStream                    string
			Timestamp                    int64
			DurationMs, BilledDurationMs float64
			MemorySizeMB                 float64
			InitDurationMs               float64
			Status                       string
		}
	}
	fn := awaitConsole(t, env, "lambda/function", url.Values{"name": {"hello"}}, func(f function) bool {
		return len(f.LogStreams) > 0 && len(f.Invocations) > 0
	})
	if fn.Function.Configuration.FunctionName != "hello" || fn.Function.Configuration.Runtime != "python3.12" || fn.LogGroup != "/aws/lambda/hello" {
		t.Errorf("function %+v", fn)
	}
	if inv := fn.Invocations[0]; len(fn.Invocations) != 1 || inv.RequestID != reqID || inv.LogStream != fn.LogStreams[0].LogStreamName ||
		inv.MemorySizeMB != 256 || inv.BilledDurationMs < 1 || inv.InitDurationMs <= 0 || inv.Timestamp == 0 {
		t.Errorf("invocations %+v; want one of %s", fn.Invocations, reqID)
	}
	// In the JSON log format the report is a platform.report record.
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("json-logs"), Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("app.handler"), Role: aws.String(lambdaRole), LoggingConfig: &lambdatypes.LoggingConfig{LogFormat: lambdatypes.LogFormatJson},
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.py", body: []byte(code)})}}); err != nil {
		t.Fatal(err)
	}
	jsonID := requestIDOf(t, invokeJSON(t, lc, "json-logs", map[string]string{}))
	jf := awaitConsole(t, env, "lambda/function", url.Values{"name": {"json-logs"}}, func(f function) bool { return len(f.Invocations) > 0 })
	if inv := jf.Invocations[0]; inv.RequestID != jsonID || inv.Status != "success" || inv.MemorySizeMB != 128 {
		t.Errorf("JSON-format invocations %+v; want one of %s", jf.Invocations, jsonID)
	}
	awaitConsole(t, env, "logs/events", url.Values{"group": {fn.LogGroup}, "stream": {fn.LogStreams[0].LogStreamName}}, func(p page) bool {
		for _, e := range p.Events {
			if strings.HasPrefix(e.Message, "handled") {
				return true
			}
		}
		return false
	})
	if status := consoleGet(t, env, "lambda/function", url.Values{"name": {"nope"}}, &e); status != 404 || e.Error.Code != "ResourceNotFoundException" {
		t.Errorf("an unknown function: %d %+v", status, e)
	}
}

func TestConsoleWorkflows(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	sc := sfn.NewFromConfig(env.Config)
	sm, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("flow"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"ok":true},"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := sc.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("run-1"), Input: aws.String(`{"x":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		d, err := sc.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
		if err == nil && d.Status == sfntypes.ExecutionStatusSucceeded {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %+v %v", d, err)
		}
	}
	var machines consoleList[struct {
		StateMachine struct{ Name string }
		Executions   []struct{ Name, Status, ExecutionArn string }
	}]
	mustConsole(t, env, "states/machines", nil, &machines)
	if len(machines.Items) != 1 || machines.Items[0].StateMachine.Name != "flow" || len(machines.Items[0].Executions) != 1 ||
		machines.Items[0].Executions[0].Status != "SUCCEEDED" || machines.Items[0].Executions[0].ExecutionArn != aws.ToString(ex.ExecutionArn) {
		t.Errorf("machines %+v", machines)
	}
	var exec struct {
		Execution struct{ Status, Input, Output string }
		Events    []struct{ Type string }
	}
	mustConsole(t, env, "states/execution", url.Values{"arn": {aws.ToString(ex.ExecutionArn)}}, &exec)
	if exec.Execution.Status != "SUCCEEDED" || exec.Execution.Output != `{"ok":true}` || len(exec.Events) < 2 ||
		exec.Events[0].Type != "ExecutionStarted" || exec.Events[len(exec.Events)-1].Type != "ExecutionSucceeded" {
		t.Errorf("execution %+v", exec)
	}

	cf := cloudformation.NewFromConfig(env.Config)
	tmpl := `{"Resources":{"Inbox":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":"inbox"}}},
		"Outputs":{"Url":{"Value":{"Ref":"Inbox"}}}}`
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("shop"), TemplateBody: aws.String(tmpl)}); err != nil {
		t.Fatal(err)
	}
	w := cloudformation.NewStackCreateCompleteWaiter(cf, func(o *cloudformation.StackCreateCompleteWaiterOptions) { o.MinDelay = 50 * time.Millisecond })
	if err := w.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shop")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	var stacks consoleList[struct{ StackName, StackStatus string }]
	mustConsole(t, env, "cloudformation/stacks", nil, &stacks)
	if len(stacks.Items) != 1 || stacks.Items[0].StackName != "shop" || stacks.Items[0].StackStatus != string(cftypes.StackStatusCreateComplete) {
		t.Errorf("stacks %+v", stacks)
	}
	var stack struct {
		Stack struct {
			Outputs []struct{ OutputKey, OutputValue string }
		}
		Resources []struct{ LogicalResourceId, ResourceType, ResourceStatus string }
		Events    []struct{ LogicalResourceId, ResourceStatus string }
	}
	mustConsole(t, env, "cloudformation/stack", url.Values{"name": {"shop"}}, &stack)
	if len(stack.Resources) != 1 || stack.Resources[0].LogicalResourceId != "Inbox" || stack.Resources[0].ResourceStatus != "CREATE_COMPLETE" {
		t.Errorf("resources %+v", stack.Resources)
	}
	if len(stack.Stack.Outputs) != 1 || !strings.HasSuffix(stack.Stack.Outputs[0].OutputValue, "/inbox") {
		t.Errorf("outputs %+v", stack.Stack.Outputs)
	}
	// Events are newest first, as DescribeStackEvents lists them.
	if n := len(stack.Events); n < 4 || stack.Events[0].LogicalResourceId != "shop" || stack.Events[0].ResourceStatus != "CREATE_COMPLETE" ||
		stack.Events[n-1].ResourceStatus != "CREATE_IN_PROGRESS" {
		t.Errorf("events %+v", stack.Events)
	}
	var e consoleError
	if status := consoleGet(t, env, "cloudformation/stack", url.Values{"name": {"nope"}}, &e); status != 400 || e.Error.Code != "ValidationError" {
		t.Errorf("an unknown stack: %d %+v", status, e)
	}
}

func TestConsoleTraces(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	now := time.Now()
	start := float64(now.UnixMilli())/1000 - 1
	id := xrayTraceID(now, 7)
	docs := []string{
		fmt.Sprintf(`{"name":"front","id":"70de5b6f19ff9a0a","trace_id":%q,"start_time":%.3f,"end_time":%.3f,
			"subsegments":[{"name":"DynamoDB","id":"70de5b6f19ff9a0b","namespace":"aws","start_time":%.3f,"end_time":%.3f,"fault":true},
			               {"name":"back","id":"70de5b6f19ff9a0c","namespace":"remote","start_time":%.3f,"end_time":%.3f}]}`,
			id, start, start+0.2, start+0.01, start+0.05, start+0.06, start+0.15),
		fmt.Sprintf(`{"name":"back","id":"80de5b6f19ff9a0a","trace_id":%q,"parent_id":"70de5b6f19ff9a0c","start_time":%.3f,"end_time":%.3f}`,
			id, start+0.07, start+0.14),
	}
	if _, err := xray.NewFromConfig(env.Config).PutTraceSegments(ctx, &xray.PutTraceSegmentsInput{TraceSegmentDocuments: docs}); err != nil {
		t.Fatal(err)
	}
	awaitConsole(t, env, "xray/traces", url.Values{"minutes": {"5"}}, func(l consoleList[struct{ Id string }]) bool {
		return len(l.Items) == 1 && l.Items[0].Id == id
	})
	var trace struct {
		ID         string
		Start, End float64
		Spans      []struct {
			Name  string
			Depth int
			Fault bool
		}
	}
	mustConsole(t, env, "xray/trace", url.Values{"id": {id}}, &trace)
	var got []string
	for _, s := range trace.Spans {
		got = append(got, fmt.Sprintf("%s/%d/%v", s.Name, s.Depth, s.Fault))
	}
	if want := "front/0/false DynamoDB/1/true back/1/false back/2/false"; strings.Join(got, " ") != want {
		t.Errorf("spans %v; want %s", got, want)
	}
	if trace.End-trace.Start < 0.19 || trace.End-trace.Start > 0.21 {
		t.Errorf("trace from %f to %f", trace.Start, trace.End)
	}
	var e consoleError
	if status := consoleGet(t, env, "xray/traces", url.Values{"minutes": {"5000"}}, &e); status != 400 {
		t.Errorf("a window over 24 hours: %d %+v", status, e)
	}
}

func TestConsoleContainers(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithContainerRuntime(newContainerDouble()))
	ctx := context.Background()
	c := ecs.NewFromConfig(env.Config)
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("apps")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("busybox"), Memory: aws.Int32(64)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("apps"), ServiceName: aws.String("site"),
		TaskDefinition: aws.String("web:1"), DesiredCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	var clusters consoleList[struct {
		ClusterName         string
		ActiveServicesCount int
	}]
	mustConsole(t, env, "ecs/clusters", nil, &clusters)
	if len(clusters.Items) != 1 || clusters.Items[0].ClusterName != "apps" || clusters.Items[0].ActiveServicesCount != 1 {
		t.Errorf("clusters %+v", clusters)
	}
	type cluster struct {
		Cluster  struct{ ClusterName string }
		Services []struct {
			ServiceName  string
			DesiredCount int
		}
		Tasks []struct{ LastStatus, Group string }
	}
	v := awaitConsole(t, env, "ecs/cluster", url.Values{"name": {"apps"}}, func(c cluster) bool {
		return len(c.Tasks) == 1 && c.Tasks[0].LastStatus == "RUNNING"
	})
	if v.Cluster.ClusterName != "apps" || len(v.Services) != 1 || v.Services[0].ServiceName != "site" || v.Services[0].DesiredCount != 1 ||
		v.Tasks[0].Group != "service:site" {
		t.Errorf("cluster %+v", v)
	}
	var e consoleError
	if status := consoleGet(t, env, "ecs/cluster", url.Values{"name": {"nope"}}, &e); status != 404 || e.Error.Message != "cluster nope: MISSING" {
		t.Errorf("an unknown cluster: %d %+v", status, e)
	}

	lb := elb.NewFromConfig(env.Config)
	lbOut, err := lb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("front")})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := lb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("pool"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(8080), TargetType: elbtypes.TargetTypeEnumIp, VpcId: aws.String("vpc-1")})
	if err != nil {
		t.Fatal(err)
	}
	tgARN := tg.TargetGroups[0].TargetGroupArn
	if _, err := lb.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: tgARN,
		Targets: []elbtypes.TargetDescription{{Id: aws.String("127.0.0.1"), Port: aws.Int32(1)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := lb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbOut.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tgARN}}}); err != nil {
		t.Fatal(err)
	}
	var balancers struct {
		LoadBalancers []struct {
			LoadBalancer struct{ LoadBalancerName string }
			Listeners    []struct {
				Listener struct{ Port int }
				Rules    []struct{ IsDefault bool }
			}
		}
		TargetGroups []struct {
			TargetGroup struct{ TargetGroupName string }
			Targets     []struct {
				Target       struct{ Id string }
				TargetHealth struct{ State string }
			}
		}
	}
	mustConsole(t, env, "elbv2/balancers", nil, &balancers)
	if len(balancers.LoadBalancers) != 1 || balancers.LoadBalancers[0].LoadBalancer.LoadBalancerName != "front" ||
		len(balancers.LoadBalancers[0].Listeners) != 1 || balancers.LoadBalancers[0].Listeners[0].Listener.Port != 80 ||
		len(balancers.LoadBalancers[0].Listeners[0].Rules) != 1 || !balancers.LoadBalancers[0].Listeners[0].Rules[0].IsDefault {
		t.Errorf("load balancers %+v", balancers.LoadBalancers)
	}
	if len(balancers.TargetGroups) != 1 || balancers.TargetGroups[0].TargetGroup.TargetGroupName != "pool" ||
		len(balancers.TargetGroups[0].Targets) != 1 || balancers.TargetGroups[0].Targets[0].Target.Id != "127.0.0.1" ||
		balancers.TargetGroups[0].Targets[0].TargetHealth.State == "" {
		t.Errorf("target groups %+v", balancers.TargetGroups)
	}
}

// TestConsoleAuthModes serves the console without credentials when
// virga verifies signatures, since it reads in process; the AWS APIs
// still refuse an unsigned request.
func TestConsoleAuthModes(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{config.AuthSigV4, config.AuthIAM} {
		env := e2e.Start(t, e2e.WithConfig(func(c *config.Config) { c.Auth = mode }))
		if _, err := sqs.NewFromConfig(env.Config).CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("q")}); err != nil {
			t.Fatal(err)
		}
		var qs consoleList[struct {
			QueueURL string `json:"queueUrl"`
		}]
		mustConsole(t, env, "sqs/queues", nil, &qs)
		if len(qs.Items) != 1 {
			t.Errorf("%s: queues %+v", mode, qs)
		}
		// Code running on this machine with a narrow role reaches
		// virga from loopback too: without the token virga logged, the
		// console's API answers 401, as does a wrong token.
		if !strings.Contains(env.App.ConsoleURL(), "?token=") {
			t.Fatalf("%s: the console's URL %s carries no token", mode, env.App.ConsoleURL())
		}
		for _, token := range []string{"", "wrong"} {
			var h map[string]string
			if token != "" {
				h = map[string]string{console.TokenHeader: token}
			}
			if r := do(t, env, rawRequest{Method: http.MethodGet, Path: "/_virga/console/api/sqs/queues", Headers: h}); r.Status != http.StatusUnauthorized {
				t.Errorf("%s: the console API with token %q: %d; want 401", mode, token, r.Status)
			}
		}
		resp, err := http.Get(env.Endpoint + "/_virga/console/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("%s: the console page: %d %s", mode, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		unsigned := do(t, env, rawRequest{Body: `{}`, Headers: map[string]string{
			"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ListQueues"}})
		if unsigned.Status < 400 {
			t.Errorf("%s: an unsigned ListQueues was answered %d", mode, unsigned.Status)
		}
	}
}

// TestConsoleRemote refuses the console to a client that reaches a
// loopback virga through a host name that is not loopback, as a page
// rebinding its DNS name to 127.0.0.1 would, unless --console-remote.
func TestConsoleRemote(t *testing.T) {
	t.Parallel()
	for _, allow := range []bool{false, true} {
		env := e2e.Start(t, e2e.WithConfig(func(c *config.Config) { c.ConsoleRemote = allow }))
		resp := do(t, env, rawRequest{Method: http.MethodGet, Path: "/_virga/console/api/overview", Headers: map[string]string{"Host": "rebound.example.com"}})
		if want := map[bool]int{false: 403, true: 200}[allow]; resp.Status != want {
			t.Errorf("console-remote %v: %d; want %d", allow, resp.Status, want)
		}
	}
}
