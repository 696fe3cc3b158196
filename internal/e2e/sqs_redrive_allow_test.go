package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestSQSRedriveAllowPolicy: a queue is another's dead-letter queue only
// when its RedriveAllowPolicy lets that queue name it (allowAll, the
// default; byQueue with the source among sourceQueueArns; never with
// denyAll), on CreateQueue and SetQueueAttributes, through the JSON
// protocol (aws-sdk-go-v2) and the Query protocol (the aws CLI).
func TestSQSRedriveAllowPolicy(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := sqsClient(env)
	ctx := context.Background()
	arn := func(name string) string { return "arn:aws:sqs:us-east-1:000000000000:" + name }
	redrive := func(dlq string) string {
		return `{"deadLetterTargetArn":"` + arn(dlq) + `","maxReceiveCount":3}`
	}
	refused := func(source, dlq string) string {
		return "Value " + redrive(dlq) + " for parameter RedrivePolicy is invalid. Reason: The dead-letter queue's RedriveAllowPolicy does not allow " +
			arn(source) + " to use it as its dead-letter queue."
	}

	bad := `{"redrivePermission":"byQueue"}`
	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("no-sources"), Attributes: map[string]string{"RedriveAllowPolicy": bad}})
	wantSQSError(t, "byQueue without sourceQueueArns", err, "InvalidAttributeValue",
		"Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.")

	createQueue(t, c, "sealed-dlq", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`})
	createQueue(t, c, "picky-dlq", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue","sourceQueueArns":["` + arn("chosen") + `"]}`})
	createQueue(t, c, "open-dlq", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"allowAll"}`})

	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("src"), Attributes: map[string]string{"RedrivePolicy": redrive("sealed-dlq")}})
	wantSQSError(t, "CreateQueue to a denyAll queue", err, "InvalidParameterValue", refused("src", "sealed-dlq"))
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("src"), Attributes: map[string]string{"RedrivePolicy": redrive("picky-dlq")}})
	wantSQSError(t, "CreateQueue to a byQueue queue without it", err, "InvalidParameterValue", refused("src", "picky-dlq"))
	createQueue(t, c, "chosen", map[string]string{"RedrivePolicy": redrive("picky-dlq")})
	src := createQueue(t, c, "src", map[string]string{"RedrivePolicy": redrive("open-dlq")})

	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &src, Attributes: map[string]string{"RedrivePolicy": redrive("sealed-dlq")}})
	wantSQSError(t, "SetQueueAttributes to a denyAll queue", err, "InvalidParameterValue", refused("src", "sealed-dlq"))
	// Opening the dead-letter queue to it lets it.
	sealed := env.Endpoint + "/000000000000/sealed-dlq"
	if _, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &sealed,
		Attributes: map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue","sourceQueueArns":["` + arn("src") + `"]}`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &src, Attributes: map[string]string{"RedrivePolicy": redrive("sealed-dlq")}}); err != nil {
		t.Errorf("SetQueueAttributes to a queue that allows it: %v", err)
	}

	// The Query protocol refuses it in the same words.
	res := env.CLI(t, "sqs", "create-queue", "--queue-name", "cli-src", "--attributes", `{"RedrivePolicy":"`+strings.ReplaceAll(redrive("picky-dlq"), `"`, `\"`)+`"}`)
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "InvalidParameterValue") || !strings.Contains(res.Stderr, refused("cli-src", "picky-dlq")) {
		t.Errorf("aws sqs create-queue: exit %d, %s", res.ExitCode, res.Stderr)
	}
	res = env.CLI(t, "sqs", "set-queue-attributes", "--queue-url", src, "--attributes",
		`{"RedrivePolicy":"`+strings.ReplaceAll(redrive("picky-dlq"), `"`, `\"`)+`"}`)
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "InvalidParameterValue") || !strings.Contains(res.Stderr, refused("src", "picky-dlq")) {
		t.Errorf("aws sqs set-queue-attributes: exit %d, %s", res.ExitCode, res.Stderr)
	}
}
