package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestEventsTraceHeaderToSQS: PutEvents called with an X-Amzn-Trace-Id
// header (as the AWS SDKs send one from inside a traced function)
// carries that trace to its targets, an SQS queue's AWSTraceHeader
// here, as an entry's own TraceHeader does; the entry's wins over the
// call's, and an untraced call with untraced entries carries none.
func TestEventsTraceHeaderToSQS(t *testing.T) {
	t.Parallel()
	env := Start(t)
	ctx := context.Background()
	eb, q := eventbridge.NewFromConfig(env.Config), sqsClient(env)
	url, arn := queueFor(t, q, "traced-events", nil)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("traced"), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("traced"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: &arn}}}); err != nil {
		t.Fatal(err)
	}
	const callRoot, entryRoot = "1-5759e988-bd862e3fe1be46a994272793", "1-5759e988-0123456789abcdef01234567"
	withTrace := func(o *eventbridge.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue("X-Amzn-Trace-Id", "Root="+callRoot+";Parent=53995c3f42cd8ad8;Sampled=1"))
	}
	entry := func(trace string) ebtypes.PutEventsRequestEntry {
		e := ebtypes.PutEventsRequestEntry{Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`{}`)}
		if trace != "" {
			e.TraceHeader = aws.String(trace)
		}
		return e
	}
	for _, step := range []struct {
		what  string
		entry ebtypes.PutEventsRequestEntry
		opts  []func(*eventbridge.Options)
		want  string // "" for no header, else a prefix
	}{
		{"untraced call and entry", entry(""), nil, ""},
		{"traced call", entry(""), []func(*eventbridge.Options){withTrace}, "Root=" + callRoot + ";"},
		{"traced call, traced entry", entry("Root=" + entryRoot + ";Sampled=1"), []func(*eventbridge.Options){withTrace}, "Root=" + entryRoot + ";"},
	} {
		out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{step.entry}}, step.opts...)
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("%s: PutEvents: %v %+v", step.what, err, out)
		}
		got, ok := receiveAll(t, q, url, 1)[0].Attributes["AWSTraceHeader"]
		switch {
		case step.want == "" && ok:
			t.Errorf("%s: AWSTraceHeader = %q, want none", step.what, got)
		case step.want != "" && !strings.HasPrefix(got, step.want):
			t.Errorf("%s: AWSTraceHeader = %q, want %s…", step.what, got, step.want)
		}
	}
}

// TestEventsTraceHeaderToStepFunctions: a state machine target's
// execution continues the trace of the event, the PutEvents call's
// X-Amzn-Trace-Id or the entry's TraceHeader, which wins.
func TestEventsTraceHeaderToStepFunctions(t *testing.T) {
	t.Parallel()
	env := Start(t)
	ctx := context.Background()
	eb, sc := eventbridge.NewFromConfig(env.Config), sfn.NewFromConfig(env.Config)
	m, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("traced"),
		RoleArn:    aws.String("arn:aws:iam::000000000000:role/states"),
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("traced"), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("traced"), Targets: []ebtypes.Target{{Id: aws.String("m"),
		Arn: m.StateMachineArn, RoleArn: aws.String("arn:aws:iam::000000000000:role/events")}}}); err != nil {
		t.Fatal(err)
	}
	const callRoot, entryRoot = "1-5759e988-bd862e3fe1be46a994272793", "1-5759e988-0123456789abcdef01234567"
	withTrace := func(o *eventbridge.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue("X-Amzn-Trace-Id", "Root="+callRoot+";Sampled=1"))
	}
	for i, entryTrace := range []string{"", "Root=" + entryRoot + ";Sampled=1"} {
		e := ebtypes.PutEventsRequestEntry{Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`{}`)}
		if entryTrace != "" {
			e.TraceHeader = &entryTrace
		}
		if out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{e}}, withTrace); err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutEvents: %v %+v", err, out)
		}
		var traces []string
		deadline := time.Now().Add(20 * time.Second)
		for len(traces) < i+1 && time.Now().Before(deadline) {
			list, err := sc.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: m.StateMachineArn})
			if err != nil {
				t.Fatal(err)
			}
			traces = traces[:0]
			for _, x := range list.Executions {
				d, err := sc.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: x.ExecutionArn})
				if err != nil {
					t.Fatal(err)
				}
				traces = append(traces, aws.ToString(d.TraceHeader))
			}
			time.Sleep(50 * time.Millisecond)
		}
		want := "Root=" + callRoot + ";"
		if entryTrace != "" {
			want = "Root=" + entryRoot + ";"
		}
		if !slices.ContainsFunc(traces, func(h string) bool { return strings.HasPrefix(h, want) }) {
			t.Errorf("entry trace %q: executions' trace headers %q, want one %s…", entryTrace, traces, want)
		}
	}
}
