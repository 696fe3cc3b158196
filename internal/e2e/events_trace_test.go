package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
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
