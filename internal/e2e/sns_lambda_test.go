package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// snsConsumer logs, on one line, the shape of each SNS event it gets: the
// record's and message's keys and the values a test checks.
const snsConsumer = `import json

def handler(event, context):
    for r in event['Records']:
        s = r['Sns']
        print('SNS ' + json.dumps({
            'records': len(event['Records']),
            'recordKeys': sorted(r.keys()),
            'snsKeys': sorted(s.keys()),
            'EventSource': r['EventSource'],
            'EventVersion': r['EventVersion'],
            'EventSubscriptionArn': r['EventSubscriptionArn'],
            'Type': s['Type'],
            'MessageId': s['MessageId'],
            'TopicArn': s['TopicArn'],
            'Subject': s['Subject'],
            'Message': s['Message'],
            'Timestamp': s['Timestamp'],
            'SignatureVersion': s['SignatureVersion'],
            'Signature': s['Signature'],
            'SigningCertUrl': s['SigningCertUrl'],
            'UnsubscribeUrl': s['UnsubscribeUrl'],
            'MessageAttributes': s['MessageAttributes'],
        }, sort_keys=True))
`

// snsEventLine is what snsConsumer logs for one record.
type snsEventLine struct {
	Records                                          int
	RecordKeys, SnsKeys                              []string
	EventSource, EventVersion, EventSubscriptionArn  string
	Type, MessageId, TopicArn, Message, Timestamp    string
	Subject                                          *string
	SignatureVersion, SigningCertUrl, UnsubscribeUrl string
	MessageAttributes                                map[string]struct{ Type, Value string }
}

func TestSNSToLambda(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	c := sns.NewFromConfig(env.Config)
	q := sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()

	createPythonFunction(t, lc, "sns-consumer", snsConsumer, 10)
	topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("to-lambda")})
	if err != nil {
		t.Fatal(err)
	}
	const fn = "arn:aws:lambda:us-east-1:" + testAccount + ":function:sns-consumer"
	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"), Endpoint: aws.String(fn)})
	if err != nil {
		t.Fatal(err)
	}
	subARN := aws.ToString(sub.SubscriptionArn)
	if !strings.HasPrefix(subARN, aws.ToString(topic.TopicArn)+":") {
		t.Fatalf("a Lambda subscription is confirmed at once; got %q", subARN)
	}

	withSubject, err := c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(`{"order":1}`), Subject: aws.String("New order"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"kind": {DataType: aws.String("String"), StringValue: aws.String("order")},
			"raw":  {DataType: aws.String("Binary"), BinaryValue: []byte("hi")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	bare, err := c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("bare")})
	if err != nil {
		t.Fatal(err)
	}

	lines := groupLines(t, cwl, "/aws/lambda/sns-consumer", "SNS ", func(l []string) bool { return len(l) >= 2 })
	events := map[string]snsEventLine{}
	for _, l := range lines {
		var e snsEventLine
		if err := json.Unmarshal([]byte(strings.TrimPrefix(l, "SNS ")), &e); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		events[e.MessageId] = e
		// The record's signature verifies as AWS's do, with or
		// without a subject.
		var record map[string]any
		json.Unmarshal([]byte(strings.TrimPrefix(l, "SNS ")), &record)
		if err := env.VerifySNSSignature(t, record); err != nil {
			t.Errorf("the signature of message %s does not verify: %v", e.MessageId, err)
		}
	}
	e, ok := events[aws.ToString(withSubject.MessageId)]
	if !ok {
		t.Fatalf("no event for message %s in %q", aws.ToString(withSubject.MessageId), lines)
	}
	wantRecordKeys := "EventSource,EventSubscriptionArn,EventVersion,Sns"
	wantSnsKeys := "Message,MessageAttributes,MessageId,Signature,SignatureVersion,SigningCertUrl,Subject,Timestamp,TopicArn,Type,UnsubscribeUrl"
	if strings.Join(e.RecordKeys, ",") != wantRecordKeys || strings.Join(e.SnsKeys, ",") != wantSnsKeys {
		t.Errorf("record keys %v, Sns keys %v", e.RecordKeys, e.SnsKeys)
	}
	if e.Records != 1 || e.EventSource != "aws:sns" || e.EventVersion != "1.0" || e.EventSubscriptionArn != subARN ||
		e.Type != "Notification" || e.TopicArn != aws.ToString(topic.TopicArn) || e.Message != `{"order":1}` ||
		e.Subject == nil || *e.Subject != "New order" || e.SignatureVersion != "1" ||
		!strings.HasPrefix(e.SigningCertUrl, "https://"+strings.TrimPrefix(env.Endpoint, "http://")+"/") ||
		e.UnsubscribeUrl != env.Endpoint+"/?Action=Unsubscribe&SubscriptionArn="+subARN {
		t.Errorf("event = %+v", e)
	}
	if len(e.Timestamp) != len("2006-01-02T15:04:05.000Z") || !strings.HasSuffix(e.Timestamp, "Z") {
		t.Errorf("Timestamp = %q", e.Timestamp)
	}
	if a := e.MessageAttributes; len(a) != 2 || a["kind"].Type != "String" || a["kind"].Value != "order" ||
		a["raw"].Type != "Binary" || a["raw"].Value != "aGk=" {
		t.Errorf("MessageAttributes = %+v", a)
	}
	b := events[aws.ToString(bare.MessageId)]
	if b.Subject != nil || b.MessageAttributes == nil || len(b.MessageAttributes) != 0 || b.Message != "bare" {
		t.Errorf("event without a subject or attributes = %+v (Subject must be null, MessageAttributes {})", b)
	}

	// A function that does not exist is a client-side error: the message
	// goes to the subscription's dead-letter queue.
	dlq, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("lambda-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"),
		Endpoint:   aws.String("arn:aws:lambda:us-east-1:" + testAccount + ":function:absent"),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:` + testAccount + `:lambda-dlq"}`}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("for nobody")}); err != nil {
		t.Fatal(err)
	}
	got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 20, MessageAttributeNames: []string{"All"}})
	if err != nil || len(got.Messages) != 1 || !strings.Contains(aws.ToString(got.Messages[0].Body), `"Message" : "for nobody"`) ||
		aws.ToString(got.Messages[0].MessageAttributes["ErrorCode"].StringValue) != "ResourceNotFoundException" {
		t.Fatalf("dead-letter queue: %+v %v", got, err)
	}
}
