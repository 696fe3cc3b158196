package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/virga/virga/internal/e2e"
)

// sfnLogRecord is a Step Functions log record as CloudWatch Logs holds
// it, with the log event's own timestamp and stream.
type sfnLogRecord struct {
	ID             string         `json:"id"`
	Type           string         `json:"type"`
	Details        map[string]any `json:"details"`
	PreviousID     string         `json:"previous_event_id"`
	EventTimestamp string         `json:"event_timestamp"`
	ExecutionARN   string         `json:"execution_arn"`
	RedriveCount   string         `json:"redrive_count"`

	timestamp int64
	stream    string
}

// awaitSFNLogs reads a group's records of one execution with
// FilterLogEvents (filtered on execution_arn, as the console does) until
// the last is of type last.
func awaitSFNLogs(t *testing.T, cl *cloudwatchlogs.Client, group, execution, last string) []sfnLogRecord {
	t.Helper()
	var recs []sfnLogRecord
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, err := cl.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group),
			FilterPattern: aws.String(`{ $.execution_arn = "` + execution + `" }`)})
		if err != nil {
			t.Fatal(err)
		}
		recs = recs[:0]
		for _, e := range out.Events {
			var r sfnLogRecord
			if err := json.Unmarshal([]byte(aws.ToString(e.Message)), &r); err != nil {
				t.Fatalf("record %q: %v", aws.ToString(e.Message), err)
			}
			r.timestamp, r.stream = aws.ToInt64(e.Timestamp), aws.ToString(e.LogStreamName)
			recs = append(recs, r)
		}
		if n := len(recs); n > 0 && recs[n-1].Type == last {
			return recs
		}
		if time.Now().After(deadline) {
			t.Fatalf("records of %s in %s: %+v", execution, group, recs)
		}
	}
}

// sfnNoHostPrefix is a Step Functions client that sends
// StartSyncExecution to the endpoint itself rather than to its "sync-"
// host, which does not resolve for 127.0.0.1.
func sfnNoHostPrefix(env *e2e.Env) *sfn.Client {
	return sfn.NewFromConfig(env.Config, func(o *sfn.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("NoHostPrefix",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
				}), middleware.Before)
		})
	})
}

func sfnLogTypes(recs []sfnLogRecord) string {
	var types []string
	for _, r := range recs {
		types = append(types, r.Type)
	}
	return strings.Join(types, ",")
}

func sfnLogging(level string, data bool, group string) *sfntypes.LoggingConfiguration {
	return &sfntypes.LoggingConfiguration{Level: sfntypes.LogLevel(level), IncludeExecutionData: data,
		Destinations: []sfntypes.LogDestination{{CloudWatchLogsLogGroup: &sfntypes.CloudWatchLogsLogGroup{
			LogGroupArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:" + group + ":*")}}}}
}

// TestStepFunctionsLogging runs express machines logging at ALL and at
// ERROR, with StartSyncExecution and StartExecution, and reads their
// records back with FilterLogEvents.
func TestStepFunctionsLogging(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := sfnNoHostPrefix(env)
	cl := cloudwatchlogs.NewFromConfig(env.Config)
	for _, g := range []string{"/aws/vendedlogs/states/all", "/aws/vendedlogs/states/errors"} {
		if _, err := cl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}
	def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"done":true},"Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.done","BooleanEquals":false,"Next":"F"}],"Default":"S"},
		"S":{"Type":"Succeed"},"F":{"Type":"Fail","Error":"Never","Cause":"not reached"}}}`
	all, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("logged"), RoleArn: aws.String(sfnRole),
		Type: sfntypes.StateMachineTypeExpress, Definition: aws.String(def),
		LoggingConfiguration: sfnLogging("ALL", true, "/aws/vendedlogs/states/all")})
	if err != nil {
		t.Fatal(err)
	}
	sync, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: all.StateMachineArn, Input: aws.String(`{"n":1}`)})
	if err != nil || sync.Status != sfntypes.SyncExecutionStatusSucceeded {
		t.Fatalf("StartSyncExecution: %v %+v", err, sync)
	}
	recs := awaitSFNLogs(t, cl, "/aws/vendedlogs/states/all", aws.ToString(sync.ExecutionArn), "ExecutionSucceeded")
	const want = "ExecutionStarted,PassStateEntered,PassStateExited,ChoiceStateEntered,ChoiceStateExited,SucceedStateEntered,SucceedStateExited,ExecutionSucceeded"
	if got := sfnLogTypes(recs); got != want {
		t.Errorf("ALL logged %s, want %s", got, want)
	}
	for i, r := range recs {
		if r.ID != strconv.Itoa(i+1) || r.RedriveCount != "0" || r.ExecutionARN != aws.ToString(sync.ExecutionArn) ||
			r.EventTimestamp != strconv.FormatInt(r.timestamp, 10) || !strings.HasPrefix(r.stream, "states/logged/") {
			t.Errorf("record %d: %+v", i, r)
		}
		ts := time.UnixMilli(r.timestamp)
		if ts.Before(sync.StartDate.Add(-time.Millisecond)) || ts.After(sync.StopDate.Add(time.Millisecond)) {
			t.Errorf("record %d at %v, execution ran %v to %v", i, ts, sync.StartDate, sync.StopDate)
		}
	}
	if d := recs[0].Details; d["input"] != `{"n":1}` || d["roleArn"] != sfnRole || d["inputDetails"].(map[string]any)["truncated"] != false {
		t.Errorf("ExecutionStarted details: %v", d)
	}
	if d := recs[2].Details; d["name"] != "P" || d["output"] != `{"done":true}` {
		t.Errorf("PassStateExited details: %v", d)
	}
	if d := recs[len(recs)-1].Details; d["output"] != `{"done":true}` {
		t.Errorf("ExecutionSucceeded details: %v", d)
	}

	// StartExecution of an express machine logs the same way.
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: all.StateMachineArn, Name: aws.String("async")})
	if err != nil {
		t.Fatal(err)
	}
	if recs := awaitSFNLogs(t, cl, "/aws/vendedlogs/states/all", aws.ToString(start.ExecutionArn), "ExecutionSucceeded"); sfnLogTypes(recs) != want {
		t.Errorf("StartExecution logged %s", sfnLogTypes(recs))
	}

	// ERROR logs the failures only, and no data without IncludeExecutionData.
	errs, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("failing"), RoleArn: aws.String(sfnRole),
		Type:                 sfntypes.StateMachineTypeExpress,
		Definition:           aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"F"},"F":{"Type":"Fail","Error":"Boom","Cause":"it broke"}}}`),
		LoggingConfiguration: sfnLogging("ERROR", false, "/aws/vendedlogs/states/errors")})
	if err != nil {
		t.Fatal(err)
	}
	failed, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: errs.StateMachineArn, Input: aws.String(`{"secret":1}`)})
	if err != nil || failed.Status != sfntypes.SyncExecutionStatusFailed {
		t.Fatalf("StartSyncExecution: %v %+v", err, failed)
	}
	recs = awaitSFNLogs(t, cl, "/aws/vendedlogs/states/errors", aws.ToString(failed.ExecutionArn), "ExecutionFailed")
	if got := sfnLogTypes(recs); got != "FailStateEntered,ExecutionFailed" {
		t.Errorf("ERROR logged %s", got)
	}
	if d := recs[0].Details; d["name"] != "F" || d["input"] != nil {
		t.Errorf("FailStateEntered details: %v", d)
	}
	if d := recs[1].Details; d["error"] != "Boom" || d["cause"] != "it broke" {
		t.Errorf("ExecutionFailed details: %v", d)
	}
	if recs[1].PreviousID != recs[0].ID {
		t.Errorf("previous_event_id %s, want %s", recs[1].PreviousID, recs[0].ID)
	}
}

// TestStepFunctionsLoggingValidation checks LoggingConfiguration's
// errors on CreateStateMachine and UpdateStateMachine.
func TestStepFunctionsLoggingValidation(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	def := aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)
	bare := sfnLogging("ALL", true, "g")
	bare.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn = aws.String("arn:aws:logs:us-east-1:000000000000:log-group:g")
	_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), RoleArn: aws.String(sfnRole),
		Definition: def, LoggingConfiguration: bare})
	var inv *sfntypes.InvalidLoggingConfiguration
	if !errors.As(err, &inv) || inv.ErrorMessage() != "Invalid Logging Configuration: Log Group ARN must be provided with '*' qualifier." {
		t.Errorf("CreateStateMachine without ':*': %v", err)
	}
	_, err = c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), RoleArn: aws.String(sfnRole),
		Definition: def, LoggingConfiguration: &sfntypes.LoggingConfiguration{Level: sfntypes.LogLevelError}})
	if !errors.As(err, &inv) {
		t.Errorf("CreateStateMachine without a destination: %v", err)
	}
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), RoleArn: aws.String(sfnRole),
		Definition: def, LoggingConfiguration: &sfntypes.LoggingConfiguration{Level: sfntypes.LogLevelOff}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: sm.StateMachineArn, LoggingConfiguration: bare})
	if !errors.As(err, &inv) {
		t.Errorf("UpdateStateMachine without ':*': %v", err)
	}
	// A configuration without includeExecutionData describes it false.
	noData := sfnLogging("ERROR", false, "g")
	if _, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: sm.StateMachineArn, LoggingConfiguration: noData}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: sm.StateMachineArn})
	if err != nil || d.LoggingConfiguration.Level != sfntypes.LogLevelError || d.LoggingConfiguration.IncludeExecutionData ||
		len(d.LoggingConfiguration.Destinations) != 1 {
		t.Errorf("DescribeStateMachine: %v %+v", err, d.LoggingConfiguration)
	}
}

const samLoggedMachine = `Transform: AWS::Serverless-2016-10-31
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/vendedlogs/states/greeter
  Greeter:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: greeter
      Type: EXPRESS
      Logging:
        Level: ALL
        IncludeExecutionData: true
        Destinations:
          - CloudWatchLogsLogGroup:
              LogGroupArn: !GetAtt Logs.Arn
      Definition:
        StartAt: Greet
        States:
          Greet:
            Type: Pass
            Parameters:
              greeting.$: States.Format('hello {}', $.name)
            End: true
Outputs:
  Machine:
    Value: !Ref Greeter
  Group:
    Value: !Ref Logs
`

// TestSAMStateMachineLogging deploys a SAM express state machine with
// Logging to a log group of the same template, and reads the records of
// an execution.
func TestSAMStateMachineLogging(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("logged"), TemplateBody: aws.String(samLoggedMachine),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "logged")
	c := sfnNoHostPrefix(env)
	d, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(outs["Machine"])})
	if err != nil || d.LoggingConfiguration == nil || d.LoggingConfiguration.Level != sfntypes.LogLevelAll ||
		aws.ToString(d.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn) != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/vendedlogs/states/greeter:*" {
		t.Fatalf("DescribeStateMachine: %v %+v", err, d)
	}
	run, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(outs["Machine"]), Input: aws.String(`{"name":"sam"}`)})
	if err != nil || run.Status != sfntypes.SyncExecutionStatusSucceeded {
		t.Fatalf("StartSyncExecution: %v %+v", err, run)
	}
	recs := awaitSFNLogs(t, cloudwatchlogs.NewFromConfig(env.Config), outs["Group"], aws.ToString(run.ExecutionArn), "ExecutionSucceeded")
	if got := sfnLogTypes(recs); got != "ExecutionStarted,PassStateEntered,PassStateExited,ExecutionSucceeded" {
		t.Errorf("logged %s", got)
	}
	if out := recs[len(recs)-1].Details["output"]; out != `{"greeting":"hello sam"}` {
		t.Errorf("output %v", out)
	}
}
