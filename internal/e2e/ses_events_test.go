package e2e_test

import (
	"context"
	"encoding/json"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// topicToQueue creates an SNS topic and an SQS queue of one name, the
// queue subscribed to the topic with raw delivery, and returns the
// topic's ARN and the queue's URL.
func topicToQueue(t *testing.T, env *e2e.Env, name string) (topicARN, queueURL *string) {
	t.Helper()
	ctx := context.Background()
	topics := sns.NewFromConfig(env.Config)
	topic, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	q, err := sqs.NewFromConfig(env.Config).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint:   aws.String("arn:aws:sqs:us-east-1:" + testAccount + ":" + name),
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	return topic.TopicArn, q.QueueUrl
}

// TestSESConfigurationSetEvents: a send naming a configuration set with
// an SNS event destination publishes Send and Delivery records, in SES's
// shape, that reach a queue subscribed to the topic; an unknown
// configuration set is refused.
func TestSESConfigurationSetEvents(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	v1 := ses.NewFromConfig(env.Config)
	queues := sqs.NewFromConfig(env.Config)
	topicARN, queueURL := topicToQueue(t, env, "ses-events")
	if _, err := v1.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("app@example.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v1.CreateConfigurationSet(ctx, &ses.CreateConfigurationSetInput{ConfigurationSet: &sestypes.ConfigurationSet{Name: aws.String("tracked")}}); err != nil {
		t.Fatal(err)
	}
	_, err := v1.CreateConfigurationSet(ctx, &ses.CreateConfigurationSetInput{ConfigurationSet: &sestypes.ConfigurationSet{Name: aws.String("tracked")}})
	expectAPIError(t, err, "ConfigurationSetAlreadyExists", 400)
	if _, err := v1.CreateConfigurationSetEventDestination(ctx, &ses.CreateConfigurationSetEventDestinationInput{
		ConfigurationSetName: aws.String("tracked"),
		EventDestination: &sestypes.EventDestination{Name: aws.String("to-sns"), Enabled: true,
			MatchingEventTypes: []sestypes.EventType{sestypes.EventTypeSend, sestypes.EventTypeDelivery},
			SNSDestination:     &sestypes.SNSDestination{TopicARN: topicARN}}}); err != nil {
		t.Fatal(err)
	}
	desc, err := v1.DescribeConfigurationSet(ctx, &ses.DescribeConfigurationSetInput{ConfigurationSetName: aws.String("tracked"),
		ConfigurationSetAttributeNames: []sestypes.ConfigurationSetAttribute{sestypes.ConfigurationSetAttributeEventDestinations}})
	if err != nil || len(desc.EventDestinations) != 1 || aws.ToString(desc.EventDestinations[0].SNSDestination.TopicARN) != aws.ToString(topicARN) {
		t.Fatalf("DescribeConfigurationSet = %+v, %v", desc, err)
	}
	list, err := v1.ListConfigurationSets(ctx, &ses.ListConfigurationSetsInput{})
	if err != nil || len(list.ConfigurationSets) != 1 {
		t.Fatalf("ListConfigurationSets = %+v, %v", list, err)
	}

	msg := &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("tracked mail")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("b")}}}
	_, err = v1.SendEmail(ctx, &ses.SendEmailInput{Source: aws.String("app@example.com"), ConfigurationSetName: aws.String("untracked"),
		Destination: &sestypes.Destination{ToAddresses: []string{"u@x.test"}}, Message: msg})
	if e := expectAPIError(t, err, "ConfigurationSetDoesNotExist", 400); e.Message != "Configuration set <untracked> does not exist." {
		t.Errorf("message = %q", e.Message)
	}
	sent, err := v1.SendEmail(ctx, &ses.SendEmailInput{Source: aws.String("app@example.com"), ConfigurationSetName: aws.String("tracked"),
		Destination: &sestypes.Destination{ToAddresses: []string{"u@x.test"}}, Message: msg,
		Tags: []sestypes.MessageTag{{Name: aws.String("flow"), Value: aws.String("signup")}}})
	if err != nil {
		t.Fatal(err)
	}

	type record struct {
		EventType string
		Mail      struct {
			MessageID     string `json:"messageId"`
			Source        string
			Destination   []string
			CommonHeaders struct{ Subject string }
			Tags          map[string][]string
		}
		Send     *struct{}
		Delivery *struct {
			Recipients   []string
			SMTPResponse string `json:"smtpResponse"`
		}
	}
	var got []record
	for len(got) < 2 {
		out, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queueURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 20})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			t.Fatalf("received %d event records; want 2", len(got))
		}
		for _, m := range out.Messages {
			var r record
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &r); err != nil {
				t.Fatalf("event record %s: %v", aws.ToString(m.Body), err)
			}
			got = append(got, r)
		}
	}
	sort.Slice(got, func(i, j int) bool { return got[i].EventType > got[j].EventType })
	if got[0].EventType != "Send" || got[0].Send == nil || got[1].EventType != "Delivery" || got[1].Delivery == nil ||
		got[1].Delivery.SMTPResponse == "" || len(got[1].Delivery.Recipients) != 1 {
		t.Fatalf("event records = %+v", got)
	}
	for _, r := range got {
		if r.Mail.MessageID != aws.ToString(sent.MessageId) || r.Mail.Source != "app@example.com" || r.Mail.CommonHeaders.Subject != "tracked mail" ||
			len(r.Mail.Destination) != 1 || r.Mail.Tags["ses:configuration-set"][0] != "tracked" || r.Mail.Tags["flow"][0] != "signup" {
			t.Errorf("%s record's mail = %+v", r.EventType, r.Mail)
		}
	}

	if _, err := v1.DeleteConfigurationSetEventDestination(ctx, &ses.DeleteConfigurationSetEventDestinationInput{
		ConfigurationSetName: aws.String("tracked"), EventDestinationName: aws.String("to-sns")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v1.DeleteConfigurationSet(ctx, &ses.DeleteConfigurationSetInput{ConfigurationSetName: aws.String("tracked")}); err != nil {
		t.Fatal(err)
	}
	_, err = v1.DeleteConfigurationSet(ctx, &ses.DeleteConfigurationSetInput{ConfigurationSetName: aws.String("tracked")})
	expectAPIError(t, err, "ConfigurationSetDoesNotExist", 400)
}
