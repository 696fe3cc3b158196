package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestSNSTraceHeaderToSQS checks when a queue subscription's messages
// carry the AWSTraceHeader system attribute: with the default tracing
// (PassThrough) only when the publisher sent an X-Ray trace header, with
// TracingConfig Active always.
func TestSNSTraceHeaderToSQS(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c, q := snsClient(env), sqsClient(env)
	ctx := context.Background()
	passThrough := createTopic(t, c, "traced-pass", nil)
	active := createTopic(t, c, "traced-active", map[string]string{"TracingConfig": "Active"})
	url, arn := queueFor(t, q, "traced", nil)
	subscribeQueue(t, c, passThrough, arn, nil)
	subscribeQueue(t, c, active, arn, nil)
	const root = "1-5759e988-bd862e3fe1be46a994272793"
	withTrace := func(o *sns.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("X-Amzn-Trace-Id", "Root="+root+";Sampled=1"))
	}

	for _, step := range []struct {
		topic, what string
		opts        []func(*sns.Options)
		want        string // "" for no header, else a prefix
	}{
		{passThrough, "untraced publish to a PassThrough topic", nil, ""},
		{passThrough, "traced publish to a PassThrough topic", []func(*sns.Options){withTrace}, "Root=" + root + ";"},
		{active, "untraced publish to an Active topic", nil, "Root=1-"},
	} {
		if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(step.topic), Message: aws.String("m")}, step.opts...); err != nil {
			t.Fatal(err)
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
