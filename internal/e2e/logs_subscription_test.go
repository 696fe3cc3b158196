package e2e_test

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/e2e"
)

// cwlConsumer logs, on one line, the keys of the event it gets and the
// document its awslogs.data holds once decoded and decompressed.
const cwlConsumer = `import base64, gzip, json

def handler(event, context):
    doc = json.loads(gzip.decompress(base64.b64decode(event['awslogs']['data'])))
    print('CWL ' + json.dumps({'eventKeys': sorted(event.keys()), 'awslogsKeys': sorted(event['awslogs'].keys()), 'doc': doc}, sort_keys=True))
`

// cwlLine is what cwlConsumer logs for one delivery.
type cwlLine struct {
	EventKeys, AwslogsKeys []string
	Doc                    struct {
		MessageType, Owner, LogGroup, LogStream string
		SubscriptionFilters                     []string
		LogEvents                               []struct {
			ID              string
			Timestamp       int64
			Message         string
			ExtractedFields map[string]string
		}
	}
}

func cwlLines(t *testing.T, cwl *cloudwatchlogs.Client, group string, done func([]cwlLine) bool) []cwlLine {
	t.Helper()
	var out []cwlLine
	groupLines(t, cwl, group, "CWL ", func(lines []string) bool {
		out = out[:0]
		for _, l := range lines {
			var c cwlLine
			if err := json.Unmarshal([]byte(strings.TrimPrefix(l, "CWL ")), &c); err != nil {
				t.Fatalf("log line %q: %v", l, err)
			}
			out = append(out, c)
		}
		return done(out)
	})
	return out
}

func TestLogsSubscriptionFilterToLambda(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()

	createPythonFunction(t, lc, "cwl-consumer", cwlConsumer, 10)
	const fn = "arn:aws:lambda:us-east-1:" + testAccount + ":function:cwl-consumer"
	const group = "/app/orders"
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"s1", "s2"} {
		if _, err := cwl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s)}); err != nil {
			t.Fatal(err)
		}
	}
	put := func(name, pattern, dest string) error {
		_, err := cwl.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{
			LogGroupName: aws.String(group), FilterName: aws.String(name), FilterPattern: aws.String(pattern), DestinationArn: aws.String(dest)})
		return err
	}

	// What PutSubscriptionFilter refuses.
	e := expectAPIError(t, put("f", "ERROR", "arn:aws:lambda:us-east-1:"+testAccount+":function:absent"), "InvalidParameterException", 400)
	if e.Message != "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function." {
		t.Errorf("absent function: %q", e.Message)
	}
	e = expectAPIError(t, put("f", "ERROR", "arn:aws:kinesis:us-east-1:"+testAccount+":stream/logs"), "InvalidParameterException", 400)
	if e.Message != "Could not deliver test message to specified Kinesis stream. Check if the given kinesis stream is in ACTIVE state." {
		t.Errorf("absent Kinesis stream: %q", e.Message)
	}
	e = expectAPIError(t, put("f", "ERROR", "arn:aws:firehose:us-east-1:"+testAccount+":deliverystream/logs"), "InvalidParameterException", 400)
	if e.Message != "Could not deliver test message to specified Firehose stream. Check if the given Firehose stream is in ACTIVE state." {
		t.Errorf("absent Firehose stream: %q", e.Message)
	}
	if e := expectAPIError(t, put("f", "{ $.x = ", fn), "InvalidParameterException", 400); e.Message != "Invalid filter pattern" {
		t.Errorf("bad pattern: %q", e.Message)
	}
	_, err := cwl.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String("/absent"),
		FilterName: aws.String("f"), FilterPattern: aws.String(""), DestinationArn: aws.String(fn)})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 400); e.Message != "The specified log group does not exist." {
		t.Errorf("absent group: %q", e.Message)
	}

	// Two filters, then a third is over the limit; replacing one by its
	// name is not.
	before := time.Now().Add(-time.Second).UnixMilli()
	if err := put("errors", "ERROR", fn); err != nil {
		t.Fatal(err)
	}
	if err := put("warnings", "[level=WARN, code, ...]", fn); err != nil {
		t.Fatal(err)
	}
	if e := expectAPIError(t, put("third", "", fn), "LimitExceededException", 400); e.Message != "Resource limit exceeded." {
		t.Errorf("third filter: %q", e.Message)
	}
	if err := put("errors", "ERROR -ignored", fn); err != nil {
		t.Fatalf("replacing a filter at the limit: %v", err)
	}

	d, err := cwl.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(group)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.SubscriptionFilters) != 2 || d.NextToken != nil {
		t.Fatalf("filters = %+v", d.SubscriptionFilters)
	}
	f0 := d.SubscriptionFilters[0]
	if aws.ToString(f0.FilterName) != "errors" || aws.ToString(f0.FilterPattern) != "ERROR -ignored" ||
		aws.ToString(f0.LogGroupName) != group || aws.ToString(f0.DestinationArn) != fn ||
		f0.Distribution != cwltypes.DistributionByLogStream || aws.ToInt64(f0.CreationTime) < before {
		t.Errorf("filter = %+v", f0)
	}
	page, err := cwl.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(group), Limit: aws.Int32(1)})
	if err != nil || len(page.SubscriptionFilters) != 1 || page.NextToken == nil {
		t.Fatalf("first page: %+v, %v", page, err)
	}
	page, err = cwl.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(group), Limit: aws.Int32(1), NextToken: page.NextToken})
	if err != nil || len(page.SubscriptionFilters) != 1 || aws.ToString(page.SubscriptionFilters[0].FilterName) != "warnings" || page.NextToken != nil {
		t.Fatalf("second page: %+v, %v", page, err)
	}
	byPrefix, err := cwl.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(group), FilterNamePrefix: aws.String("warn")})
	if err != nil || len(byPrefix.SubscriptionFilters) != 1 || aws.ToString(byPrefix.SubscriptionFilters[0].FilterName) != "warnings" {
		t.Fatalf("by prefix: %+v, %v", byPrefix, err)
	}

	now := time.Now().UnixMilli()
	if _, err := cwl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1"),
		LogEvents: []cwltypes.InputLogEvent{
			{Timestamp: aws.Int64(now), Message: aws.String("ERROR disk full")},
			{Timestamp: aws.Int64(now + 1), Message: aws.String("INFO all good")},
			{Timestamp: aws.Int64(now + 2), Message: aws.String("ERROR ignored")},
			{Timestamp: aws.Int64(now + 3), Message: aws.String("ERROR again")},
		}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cwl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s2"),
		LogEvents: []cwltypes.InputLogEvent{
			{Timestamp: aws.Int64(now), Message: aws.String("WARN 503 upstream slow")},
			{Timestamp: aws.Int64(now + 1), Message: aws.String("INFO 200 ok")},
		}}); err != nil {
		t.Fatal(err)
	}

	lines := cwlLines(t, cwl, "/aws/lambda/cwl-consumer", func(l []cwlLine) bool { return len(l) >= 2 })
	sort.Slice(lines, func(i, j int) bool { return lines[i].Doc.LogStream < lines[j].Doc.LogStream })
	if len(lines) != 2 {
		t.Fatalf("%d deliveries, want 2: %+v", len(lines), lines)
	}
	for _, l := range lines {
		if strings.Join(l.EventKeys, ",") != "awslogs" || strings.Join(l.AwslogsKeys, ",") != "data" {
			t.Errorf("event keys %v, awslogs keys %v", l.EventKeys, l.AwslogsKeys)
		}
		if l.Doc.MessageType != "DATA_MESSAGE" || l.Doc.Owner != testAccount || l.Doc.LogGroup != group {
			t.Errorf("delivery = %+v", l.Doc)
		}
	}
	s1, s2 := lines[0].Doc, lines[1].Doc
	if s1.LogStream != "s1" || strings.Join(s1.SubscriptionFilters, ",") != "errors" || len(s1.LogEvents) != 2 ||
		s1.LogEvents[0].Message != "ERROR disk full" || s1.LogEvents[0].Timestamp != now ||
		s1.LogEvents[1].Message != "ERROR again" || s1.LogEvents[1].Timestamp != now+3 ||
		s1.LogEvents[0].ExtractedFields != nil {
		t.Errorf("s1 delivery = %+v", s1)
	}
	if len(s1.LogEvents) > 0 && (len(s1.LogEvents[0].ID) != 56 || strings.Trim(s1.LogEvents[0].ID, "0123456789") != "") {
		t.Errorf("event id %q is not 56 digits", s1.LogEvents[0].ID)
	}
	if s2.LogStream != "s2" || strings.Join(s2.SubscriptionFilters, ",") != "warnings" || len(s2.LogEvents) != 1 ||
		s2.LogEvents[0].Message != "WARN 503 upstream slow" ||
		s2.LogEvents[0].ExtractedFields["level"] != "WARN" || s2.LogEvents[0].ExtractedFields["code"] != "503" {
		t.Errorf("s2 delivery = %+v", s2)
	}
	// The ids are those FilterLogEvents shows.
	fe, err := cwl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String("ERROR -ignored")})
	if err != nil || len(fe.Events) != 2 || len(s1.LogEvents) != 2 || aws.ToString(fe.Events[0].EventId) != s1.LogEvents[0].ID {
		t.Errorf("FilterLogEvents = %+v, %v", fe, err)
	}

	// Deleting a filter.
	if _, err := cwl.DeleteSubscriptionFilter(ctx, &cloudwatchlogs.DeleteSubscriptionFilterInput{LogGroupName: aws.String(group), FilterName: aws.String("warnings")}); err != nil {
		t.Fatal(err)
	}
	_, err = cwl.DeleteSubscriptionFilter(ctx, &cloudwatchlogs.DeleteSubscriptionFilterInput{LogGroupName: aws.String(group), FilterName: aws.String("warnings")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 400); e.Message != "The specified subscription filter does not exist." {
		t.Errorf("deleting again: %q", e.Message)
	}
	_, err = cwl.DeleteSubscriptionFilter(ctx, &cloudwatchlogs.DeleteSubscriptionFilterInput{LogGroupName: aws.String("/absent"), FilterName: aws.String("errors")})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
	d, err = cwl.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(group)})
	if err != nil || len(d.SubscriptionFilters) != 1 {
		t.Fatalf("after delete: %+v, %v", d, err)
	}
}

// TestLogsSubscriptionOwnGroup subscribes a function to its own log
// group: CloudWatch Logs does not prevent the loop, and virga keeps it
// bounded: the function goes on answering and its logs go on flowing.
func TestLogsSubscriptionOwnGroup(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()

	createPythonFunction(t, lc, "cwl-self", cwlConsumer, 10)
	const group = "/aws/lambda/cwl-self"
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cwl.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String(group),
		FilterName: aws.String("self"), FilterPattern: aws.String("REPORT"),
		DestinationArn: aws.String("arn:aws:lambda:us-east-1:" + testAccount + ":function:cwl-self")}); err != nil {
		t.Fatal(err)
	}
	invokeJSON(t, lc, "cwl-self", map[string]any{"awslogs": map[string]any{"data": "H4sIAAAAAAACA6uuBQBDv6ajAgAAAA=="}})
	// Each delivery's REPORT line is delivered in turn: the chain goes
	// on, and a synchronous invocation still answers meanwhile.
	cwlLines(t, cwl, group, func(l []cwlLine) bool { return len(l) >= 3 })
	invokeJSON(t, lc, "cwl-self", map[string]any{"awslogs": map[string]any{"data": "H4sIAAAAAAACA6uuBQBDv6ajAgAAAA=="}})
	if _, err := cwl.DeleteSubscriptionFilter(ctx, &cloudwatchlogs.DeleteSubscriptionFilterInput{LogGroupName: aws.String(group), FilterName: aws.String("self")}); err != nil {
		t.Fatal(err)
	}
}

// samLogsSubscription subscribes a function to an application's log
// group with SAM's CloudWatchLogs event, and a second, plain
// AWS::Logs::SubscriptionFilter, with its own permission, to the same
// group.
const samLogsSubscription = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  AppLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /app/billing
  Alerts:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import base64, gzip, json
        def handler(event, context):
            doc = json.loads(gzip.decompress(base64.b64decode(event['awslogs']['data'])))
            print('CWL ' + json.dumps({'eventKeys': sorted(event.keys()), 'awslogsKeys': sorted(event['awslogs'].keys()), 'doc': doc}, sort_keys=True))
      Events:
        Errors:
          Type: CloudWatchLogs
          Properties:
            LogGroupName: !Ref AppLogs
            FilterPattern: ERROR
  AuditPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Alerts
      Principal: logs.amazonaws.com
      SourceArn: !GetAtt AppLogs.Arn
  Audit:
    Type: AWS::Logs::SubscriptionFilter
    DependsOn: AuditPermission
    Properties:
      FilterName: audit
      LogGroupName: !Ref AppLogs
      FilterPattern: '{ $.audit IS TRUE }'
      DestinationArn: !GetAtt Alerts.Arn
Outputs:
  Function:
    Value: !Ref Alerts
  Filter:
    Value: !Ref Audit
`

func TestLogsSubscriptionFromSAM(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	outs := deployWithCLI(t, env, "billing", samLogsSubscription)
	fn := outs["Function"]
	if outs["Filter"] != "audit" {
		t.Errorf("Ref of the filter = %q", outs["Filter"])
	}

	d, err := cwl.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("/app/billing")})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.SubscriptionFilters) != 2 {
		t.Fatalf("filters = %+v", d.SubscriptionFilters)
	}
	for _, f := range d.SubscriptionFilters {
		if !strings.HasSuffix(aws.ToString(f.DestinationArn), ":function:"+fn) {
			t.Errorf("filter %s goes to %s, not %s", aws.ToString(f.FilterName), aws.ToString(f.DestinationArn), fn)
		}
	}
	// The SAM event's filter has a generated name (STACK-LOGICALID-...).
	if n := aws.ToString(d.SubscriptionFilters[1].FilterName); !strings.HasPrefix(n, "billing-AlertsErrors-") {
		t.Errorf("generated filter name %q", n)
	}
	pol, err := lambdaClient(t, env).GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(fn)})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), `"Service":"logs.amazonaws.com"`) ||
		!strings.Contains(aws.ToString(pol.Policy), "log-group:/app/billing:*") {
		t.Errorf("function policy = %v, %v", aws.ToString(pol.Policy), err)
	}

	// Events put with the aws CLI reach the function through both filters.
	now := time.Now().UnixMilli()
	if res := env.CLI(t, "logs", "create-log-stream", "--log-group-name", "/app/billing", "--log-stream-name", "web"); res.ExitCode != 0 {
		t.Fatalf("create-log-stream: %s", res.Stderr)
	}
	events := `[{"timestamp":` + strconv.FormatInt(now, 10) + `,"message":"ERROR card declined"},` +
		`{"timestamp":` + strconv.FormatInt(now+1, 10) + `,"message":"{\"audit\":true,\"user\":\"ann\"}"},` +
		`{"timestamp":` + strconv.FormatInt(now+2, 10) + `,"message":"INFO paid"}]`
	if res := env.CLI(t, "logs", "put-log-events", "--log-group-name", "/app/billing", "--log-stream-name", "web", "--log-events", events); res.ExitCode != 0 {
		t.Fatalf("put-log-events: %s", res.Stderr)
	}
	lines := cwlLines(t, cwl, "/aws/lambda/"+fn, func(l []cwlLine) bool { return len(l) >= 2 })
	got := map[string]string{}
	for _, l := range lines {
		for _, e := range l.Doc.LogEvents {
			got[strings.Join(l.Doc.SubscriptionFilters, ",")] += e.Message
		}
	}
	if got["audit"] != `{"audit":true,"user":"ann"}` || len(got) != 2 {
		t.Errorf("deliveries by filter = %q", got)
	}
	for name, msgs := range got {
		if name != "audit" && msgs != "ERROR card declined" {
			t.Errorf("filter %s delivered %q", name, msgs)
		}
	}

	// Deleting the stack deletes the filters.
	if res := env.CLI(t, "cloudformation", "delete-stack", "--stack-name", "billing"); res.ExitCode != 0 {
		t.Fatalf("delete-stack: %s", res.Stderr)
	}
	if res := env.CLI(t, "cloudformation", "wait", "stack-delete-complete", "--stack-name", "billing"); res.ExitCode != 0 {
		t.Fatalf("wait: %s", res.Stderr)
	}
	_, err = cwl.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("/app/billing")})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
}
