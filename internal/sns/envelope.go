package sns

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// What subscribers receive. SQS queues, HTTP/S endpoints and email-json
// addresses get a JSON envelope around the message (unless raw delivery
// is on); Lambda functions get an event whose record holds the same
// fields, some spelled differently (SigningCertUrl, UnsubscribeUrl).
//
// All of them are signed (signing.go) except FIFO topics' envelopes,
// which carry no signature fields, as AWS delivers them.

// timestampLayout is SNS's Timestamp: ISO 8601 in UTC with milliseconds.
const timestampLayout = "2006-01-02T15:04:05.000Z"

func formatTimestamp(t time.Time) string { return t.UTC().Format(timestampLayout) }

// message is one published message.
type message struct {
	ID       string
	TopicARN string
	// Subject is "" when the publisher set none (SNS refuses an empty one).
	Subject string
	// Text is the message; with MessageStructure "json", ByProtocol holds
	// the text of each key and Text the default.
	Text       string
	ByProtocol map[string]string
	Attributes map[string]attribute
	Published  time.Time
	// GroupID, DedupID and Sequence are set for FIFO topics.
	GroupID, DedupID, Sequence string
	// TraceHeader is the publisher's X-Ray trace header, passed on to SQS.
	TraceHeader string
	// signed is the last signature made of the message, which the next
	// subscription that gets the same text shares: it signs once per
	// message, not once per subscription.
	signed struct{ version, text, signature string }
}

// signature is the signature of the notification of m whose Message is
// text.
func (m *message) signature(g signer, text string) string {
	if m.signed.signature == "" || m.signed.version != g.version || m.signed.text != text {
		sig := g.sign([2]string{"Message", text}, [2]string{"MessageId", m.ID}, [2]string{"Subject", m.Subject},
			[2]string{"Timestamp", formatTimestamp(m.Published)}, [2]string{"TopicArn", m.TopicARN}, [2]string{"Type", "Notification"})
		m.signed.version, m.signed.text, m.signed.signature = g.version, text, sig
	}
	return m.signed.signature
}

// textFor is the text a subscription of the protocol receives.
func (m *message) textFor(protocol string) string {
	if t, ok := m.ByProtocol[protocol]; ok {
		return t
	}
	return m.Text
}

// deliveredAttributes are the attributes subscribers see: AWS sends them
// "only when the message structure is String, not JSON".
func (m *message) deliveredAttributes() map[string]attribute {
	if m.ByProtocol != nil {
		return nil
	}
	return m.Attributes
}

// notification is the JSON envelope of a message, in AWS's member order
// (written by envelopeJSON, one member a line).
type notification struct {
	Type              string                       `json:"Type"`
	MessageID         string                       `json:"MessageId"`
	SequenceNumber    string                       `json:"SequenceNumber,omitempty"`
	TopicArn          string                       `json:"TopicArn"`
	Subject           string                       `json:"Subject,omitempty"`
	Message           string                       `json:"Message"`
	Timestamp         string                       `json:"Timestamp"`
	SignatureVersion  string                       `json:"SignatureVersion,omitempty"`
	Signature         string                       `json:"Signature,omitempty"`
	SigningCertURL    string                       `json:"SigningCertURL,omitempty"`
	UnsubscribeURL    string                       `json:"UnsubscribeURL"`
	MessageAttributes map[string]envelopeAttribute `json:"MessageAttributes,omitempty"`
}

// confirmation is the SubscriptionConfirmation message an HTTP/S endpoint
// gets first.
type confirmation struct {
	Type             string `json:"Type"`
	MessageID        string `json:"MessageId"`
	Token            string `json:"Token"`
	TopicArn         string `json:"TopicArn"`
	Message          string `json:"Message"`
	SubscribeURL     string `json:"SubscribeURL"`
	Timestamp        string `json:"Timestamp"`
	SignatureVersion string `json:"SignatureVersion"`
	Signature        string `json:"Signature"`
	SigningCertURL   string `json:"SigningCertURL"`
}

// lambdaEvent is the event a Lambda subscription's function is invoked
// with.
type lambdaEvent struct {
	Records []lambdaRecord `json:"Records"`
}

type lambdaRecord struct {
	EventSource          string        `json:"EventSource"`
	EventVersion         string        `json:"EventVersion"`
	EventSubscriptionArn string        `json:"EventSubscriptionArn"`
	Sns                  lambdaMessage `json:"Sns"`
}

// lambdaMessage is a message in a Lambda event: Subject is null when not
// set and MessageAttributes is always present.
type lambdaMessage struct {
	Type              string                       `json:"Type"`
	MessageID         string                       `json:"MessageId"`
	TopicArn          string                       `json:"TopicArn"`
	Subject           *string                      `json:"Subject"`
	Message           string                       `json:"Message"`
	Timestamp         string                       `json:"Timestamp"`
	SignatureVersion  string                       `json:"SignatureVersion"`
	Signature         string                       `json:"Signature"`
	SigningCertURL    string                       `json:"SigningCertUrl"`
	UnsubscribeURL    string                       `json:"UnsubscribeUrl"`
	MessageAttributes map[string]envelopeAttribute `json:"MessageAttributes"`
}

// envelopeFor is the JSON envelope of m for a subscription.
func (s *Service) envelopeFor(m *message, sub *subscription, g signer, fifo bool) string {
	n := s.unsignedNotification(m, sub)
	if fifo {
		n.SequenceNumber = m.Sequence
	} else {
		n.SignatureVersion = g.version
		n.Signature = m.signature(g, n.Message)
		n.SigningCertURL = s.signingCertURL(g)
	}
	return envelopeJSON(n)
}

// unsignedNotification is m as the notification a subscription gets,
// before any signature.
func (s *Service) unsignedNotification(m *message, sub *subscription) notification {
	n := notification{
		Type: "Notification", MessageID: m.ID, TopicArn: m.TopicARN, Subject: m.Subject,
		Message: m.textFor(sub.rec.Protocol), Timestamp: formatTimestamp(m.Published),
		UnsubscribeURL: s.unsubscribeURL(sub.arn),
	}
	if attrs := m.deliveredAttributes(); len(attrs) > 0 {
		n.MessageAttributes = envelopeAttributes(attrs)
	}
	return n
}

// firehoseRecordFor is the record a firehose subscription's stream gets:
// the message alone with raw message delivery, else its notification
// unsigned (Type, MessageId, TopicArn, Subject, Message, Timestamp,
// UnsubscribeURL, MessageAttributes) as compact JSON, each followed by a line break so
// that the messages a stream writes to one object stand on their own
// lines.
func (s *Service) firehoseRecordFor(m *message, sub *subscription) []byte {
	if sub.raw {
		return []byte(m.textFor(sub.rec.Protocol) + "\n")
	}
	return []byte(compactJSON(s.unsignedNotification(m, sub)) + "\n")
}

// lambdaEventFor is the event a Lambda subscription's function gets.
func (s *Service) lambdaEventFor(m *message, sub *subscription, g signer) []byte {
	msg := lambdaMessage{
		Type: "Notification", MessageID: m.ID, TopicArn: m.TopicARN, Message: m.textFor(sub.rec.Protocol),
		Timestamp: formatTimestamp(m.Published), SignatureVersion: g.version,
		SigningCertURL: s.signingCertURL(g), UnsubscribeURL: s.unsubscribeURL(sub.arn),
		MessageAttributes: envelopeAttributes(m.deliveredAttributes()),
	}
	if m.Subject != "" {
		msg.Subject = &m.Subject
	}
	msg.Signature = m.signature(g, msg.Message)
	return []byte(compactJSON(lambdaEvent{Records: []lambdaRecord{{
		EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: sub.arn, Sns: msg,
	}}}))
}

// confirmationFor is the message of type typ an HTTP/S subscription is
// sent: the SubscriptionConfirmation after Subscribe, whose token
// confirms it, or the UnsubscribeConfirmation after Unsubscribe, whose
// token restores it. Both are signed over the same fields.
func (s *Service) confirmationFor(typ string, sub *subscription, topicARN, messageID string, g signer, now time.Time) string {
	text := "You have chosen to subscribe to the topic " + topicARN + ".\nTo confirm the subscription, visit the SubscribeURL included in this message."
	if typ == "UnsubscribeConfirmation" {
		text = "You have chosen to deactivate subscription " + sub.arn + ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
	}
	c := confirmation{
		Type: typ, MessageID: messageID, Token: sub.rec.Token, TopicArn: topicARN, Message: text,
		SubscribeURL: s.subscribeURL(topicARN, sub.rec.Token), Timestamp: formatTimestamp(now),
		SignatureVersion: g.version, SigningCertURL: s.signingCertURL(g),
	}
	c.Signature = g.sign(
		[2]string{"Message", c.Message}, [2]string{"MessageId", c.MessageID}, [2]string{"SubscribeURL", c.SubscribeURL},
		[2]string{"Timestamp", c.Timestamp}, [2]string{"Token", c.Token}, [2]string{"TopicArn", c.TopicArn},
		[2]string{"Type", c.Type})
	return envelopeJSON(c)
}

// envelopeJSON writes an envelope as SNS does for SQS queues, HTTP/S
// endpoints and email-json: one member a line, indented by two spaces,
// with " : " between name and value and "\n}" at the end. An object
// member (MessageAttributes) has one attribute a line, indented by four,
// each attribute's value written compact:
//
//	{
//	  "Type" : "Notification",
//	  ...
//	  "MessageAttributes" : {
//	    "color" : {"Type":"String","Value":"blue"}
//	  }
//	}
func envelopeJSON(v any) string {
	var b strings.Builder
	writePrettyObject(&b, []byte(compactJSON(v)), "", 2)
	return b.String()
}

// writePrettyObject writes a compact JSON object one member a line,
// levels deep; deeper values stay compact. Members keep their order.
func writePrettyObject(b *strings.Builder, obj []byte, indent string, levels int) {
	d := json.NewDecoder(bytes.NewReader(obj))
	d.Token() // {
	b.WriteString("{")
	first := true
	for d.More() {
		name, _ := d.Token()
		var value json.RawMessage
		d.Decode(&value)
		if !first {
			b.WriteString(",")
		}
		first = false
		key := compactJSON(name)
		b.WriteString("\n" + indent + "  " + key + " : ")
		if levels > 1 && len(value) > 0 && value[0] == '{' {
			writePrettyObject(b, value, indent+"  ", levels-1)
		} else {
			b.Write(value)
		}
	}
	b.WriteString("\n" + indent + "}")
}

// baseURL is virga's endpoint, where the URLs in messages point.
func (s *Service) baseURL() string {
	if s.endpoint == nil {
		return "http://localhost:4566"
	}
	return strings.TrimSuffix(s.endpoint(), "/")
}

// unsubscribeURL and subscribeURL are AWS's URLs on
// virga's endpoint. ARNs and tokens hold no characters a query string
// must escape, so, like AWS's, the URLs carry them as they are.
func (s *Service) unsubscribeURL(subscriptionARN string) string {
	return s.baseURL() + "/?Action=Unsubscribe&SubscriptionArn=" + subscriptionARN
}

func (s *Service) subscribeURL(topicARN, token string) string {
	return s.baseURL() + "/?Action=ConfirmSubscription&TopicArn=" + topicARN + "&Token=" + token
}
