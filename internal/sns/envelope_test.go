package sns

import (
	"strings"
	"testing"
	"time"
)

// TestEnvelopes pins the exact bytes subscribers receive: member order,
// which members appear when, and no HTML escaping.
func TestEnvelopes(t *testing.T) {
	t.Parallel()
	key := testSigningKey(t)
	s := &Service{account: "000000000000", region: "us-east-1", endpoint: func() string { return "http://127.0.0.1:4566/" }}
	v1, v2 := signer{key: key, version: "1"}, signer{key: key, version: "2"}
	certURL := "https://127.0.0.1:4566/" + key.file
	topic := &topic{name: "t", arn: "arn:aws:sns:us-east-1:000000000000:t"}
	sub := &subscription{arn: topic.arn + ":11111111-2222-4333-8444-555555555555",
		rec: subscriptionRecord{Protocol: "sqs", Token: "abc123"}}
	published := time.Date(2024, 5, 6, 7, 8, 9, 120_000_000, time.FixedZone("X", 3600))
	m := &message{ID: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", TopicARN: topic.arn, Subject: "Hi & bye", Text: "<b>bold</b>",
		Published: published, Attributes: map[string]attribute{
			"n": {DataType: "Number", String: "1"},
			"b": {DataType: "Binary", Binary: []byte("hi")},
		}}

	// SQS queues, HTTP/S endpoints and email-json get the envelope one
	// member a line, as AWS writes it.
	const unsubscribe = `  "UnsubscribeURL" : "http://127.0.0.1:4566/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:000000000000:t:11111111-2222-4333-8444-555555555555"`
	want := "{\n" +
		`  "Type" : "Notification",` + "\n" +
		`  "MessageId" : "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",` + "\n" +
		`  "TopicArn" : "arn:aws:sns:us-east-1:000000000000:t",` + "\n" +
		`  "Subject" : "Hi & bye",` + "\n" +
		`  "Message" : "<b>bold</b>",` + "\n" +
		`  "Timestamp" : "2024-05-06T06:08:09.120Z",` + "\n" +
		`  "SignatureVersion" : "1",` + "\n" +
		`  "Signature" : "` + key.sign("1", "Message\n<b>bold</b>\nMessageId\naaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\nSubject\nHi & bye\nTimestamp\n2024-05-06T06:08:09.120Z\nTopicArn\narn:aws:sns:us-east-1:000000000000:t\nType\nNotification\n") + `",` + "\n" +
		`  "SigningCertURL" : "` + certURL + `",` + "\n" +
		unsubscribe + ",\n" +
		`  "MessageAttributes" : {` + "\n" +
		`    "b" : {"Type":"Binary","Value":"aGk="},` + "\n" +
		`    "n" : {"Type":"Number","Value":"1"}` + "\n" +
		"  }\n}"
	if got := s.envelopeFor(m, sub, v1, false); got != want {
		t.Errorf("notification:\n got %s\nwant %s", got, want)
	}

	// A FIFO topic's envelope carries the sequence number and no signature.
	fifo := *m
	fifo.Subject, fifo.Attributes, fifo.Sequence = "", nil, "00000000000000000042"
	want = "{\n" +
		`  "Type" : "Notification",` + "\n" +
		`  "MessageId" : "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",` + "\n" +
		`  "SequenceNumber" : "00000000000000000042",` + "\n" +
		`  "TopicArn" : "arn:aws:sns:us-east-1:000000000000:t",` + "\n" +
		`  "Message" : "<b>bold</b>",` + "\n" +
		`  "Timestamp" : "2024-05-06T06:08:09.120Z",` + "\n" +
		unsubscribe + "\n}"
	if got := s.envelopeFor(&fifo, sub, v1, true); got != want {
		t.Errorf("FIFO notification:\n got %s\nwant %s", got, want)
	}

	// Lambda: other spellings, Subject null when unset, attributes always.
	bare := *m
	bare.Subject, bare.Attributes = "", nil
	want = `{"Records":[{"EventSource":"aws:sns","EventVersion":"1.0","EventSubscriptionArn":"` + sub.arn + `","Sns":{` +
		`"Type":"Notification","MessageId":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee","TopicArn":"arn:aws:sns:us-east-1:000000000000:t",` +
		`"Subject":null,"Message":"<b>bold</b>","Timestamp":"2024-05-06T06:08:09.120Z","SignatureVersion":"2",` +
		`"Signature":"` + key.sign("2", "Message\n<b>bold</b>\nMessageId\naaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\nTimestamp\n2024-05-06T06:08:09.120Z\nTopicArn\narn:aws:sns:us-east-1:000000000000:t\nType\nNotification\n") + `",` +
		`"SigningCertUrl":"` + certURL + `",` +
		`"UnsubscribeUrl":"http://127.0.0.1:4566/?Action=Unsubscribe&SubscriptionArn=` + sub.arn + `","MessageAttributes":{}}}]}`
	if got := string(s.lambdaEventFor(&bare, sub, v2)); got != want {
		t.Errorf("Lambda event:\n got %s\nwant %s", got, want)
	}

	// With MessageStructure json each protocol gets its text and nobody
	// the attributes.
	structured := *m
	structured.ByProtocol = map[string]string{"default": "d", "sqs": "q"}
	structured.Text = "d"
	if got := s.envelopeFor(&structured, sub, v1, false); !strings.Contains(got, `"Message" : "q"`) || strings.Contains(got, "MessageAttributes") {
		t.Errorf("structured notification: %s", got)
	}

	const confirm = "{\n" +
		`  "Type" : "SubscriptionConfirmation",` + "\n" +
		`  "MessageId" : "m-1",` + "\n" +
		`  "Token" : "abc123",` + "\n" +
		`  "TopicArn" : "arn:aws:sns:us-east-1:000000000000:t",` + "\n" +
		`  "Message" : "You have chosen to subscribe to the topic arn:aws:sns:us-east-1:000000000000:t.\nTo confirm the subscription, visit the SubscribeURL included in this message.",` + "\n" +
		`  "SubscribeURL" : "http://127.0.0.1:4566/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:000000000000:t&Token=abc123",` + "\n" +
		`  "Timestamp" : "2024-05-06T06:08:09.120Z",` + "\n" +
		`  "SignatureVersion" : "1",` + "\n" +
		`  "Signature" : "`
	if got := s.confirmationFor("SubscriptionConfirmation", sub, topic.arn, "m-1", v1, published); !strings.HasPrefix(got, confirm) ||
		!strings.HasSuffix(got, `",`+"\n"+`  "SigningCertURL" : "`+certURL+`"`+"\n}") {
		t.Errorf("confirmation: %s", got)
	}
}
