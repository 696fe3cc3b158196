package providers_test

import (
	"strings"
	"testing"
)

func (s *stack) topicAttrs(arn string) map[string]any {
	s.t.Helper()
	return s.call("sns", "GetTopicAttributes", map[string]any{"TopicArn": arn})["Attributes"].(map[string]any)
}

// endpoints lists the endpoints subscribed to a topic.
func (s *stack) endpoints(arn string) []string {
	s.t.Helper()
	var out []string
	for _, e := range s.call("sns", "ListSubscriptionsByTopic", map[string]any{"TopicArn": arn})["Subscriptions"].([]any) {
		out = append(out, str(e.(map[string]any), "Endpoint"))
	}
	return out
}

func TestTopic(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	q1 := s.create("AWS::SQS::Queue", "Q1", map[string]any{})
	q2 := s.create("AWS::SQS::Queue", "Q2", map[string]any{})
	props := map[string]any{
		"DisplayName":  "Alerts",
		"Subscription": []any{map[string]any{"Protocol": "sqs", "Endpoint": q1.attr("Arn")}},
		"DeliveryStatusLogging": []any{map[string]any{
			"Protocol": "sqs", "SuccessFeedbackRoleArn": testRole, "SuccessFeedbackSampleRate": "50",
		}},
		"Tags": []any{map[string]any{"Key": "team", "Value": "core"}},
	}
	topic := s.create("AWS::SNS::Topic", "Alerts", props)
	name := topic.attr("TopicName")
	if !generated(name, "Alerts") || topic.ref() != "arn:aws:sns:us-east-1:"+testAccount+":"+name || topic.attr("TopicArn") != topic.ref() {
		t.Errorf("Ref %s, attributes %v", topic.ref(), topic.result.Attributes)
	}
	attrs := s.topicAttrs(topic.ref())
	if attrs["DisplayName"] != "Alerts" || attrs["SQSSuccessFeedbackSampleRate"] != "50" || attrs["SQSSuccessFeedbackRoleArn"] != testRole {
		t.Errorf("topic as created: %v", attrs)
	}
	if eps := s.endpoints(topic.ref()); len(eps) != 1 || eps[0] != q1.attr("Arn") {
		t.Errorf("subscriptions: %v", eps)
	}
	topic.checkReplacement(map[string]map[string]any{
		"TopicName":    {"TopicName": "other"},
		"FifoTopic":    {"FifoTopic": true},
		"DisplayName":  {"DisplayName": "x"},
		"Subscription": {"Subscription": nil},
	}, "TopicName", "FifoTopic")

	topic.update(with(props, map[string]any{
		"DisplayName":           "Pages",
		"Subscription":          []any{map[string]any{"Protocol": "sqs", "Endpoint": q2.attr("Arn")}},
		"DeliveryStatusLogging": nil,
		"Tags":                  []any{map[string]any{"Key": "owner", "Value": "ops"}},
	}))
	attrs = s.topicAttrs(topic.ref())
	if attrs["DisplayName"] != "Pages" || attrs["SQSSuccessFeedbackRoleArn"] != nil {
		t.Errorf("topic after the update: %v", attrs)
	}
	if eps := s.endpoints(topic.ref()); len(eps) != 1 || eps[0] != q2.attr("Arn") {
		t.Errorf("subscriptions after the update: %v", eps)
	}
	tags := s.call("sns", "ListTagsForResource", map[string]any{"ResourceArn": topic.ref()})["Tags"].([]any)
	if len(tags) != 1 || str(tags[0].(map[string]any), "Key") != "owner" {
		t.Errorf("tags after the update: %v", tags)
	}
	topic.delete()
	if code := s.callErr("sns", "GetTopicAttributes", map[string]any{"TopicArn": topic.ref()}); code != "NotFound" {
		t.Errorf("GetTopicAttributes after the delete: %q", code)
	}

	fifo := s.create("AWS::SNS::Topic", "Ordered", map[string]any{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	if name := fifo.attr("TopicName"); !strings.HasSuffix(name, ".fifo") || !generated(strings.TrimSuffix(name, ".fifo"), "Ordered") {
		t.Errorf("generated FIFO topic name %q", name)
	}
	if attrs := s.topicAttrs(fifo.ref()); attrs["FifoTopic"] != "true" || attrs["ContentBasedDeduplication"] != "true" {
		t.Errorf("FIFO topic: %v", attrs)
	}
	fifo.delete()
}

func TestSubscription(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	q := s.create("AWS::SQS::Queue", "Q", map[string]any{})
	topic := s.create("AWS::SNS::Topic", "T", map[string]any{})
	props := map[string]any{
		"TopicArn": topic.ref(), "Protocol": "sqs", "Endpoint": q.attr("Arn"),
		"FilterPolicy":       map[string]any{"severity": []any{"high", "critical"}},
		"RawMessageDelivery": "true",
	}
	sub := s.create("AWS::SNS::Subscription", "Sub", props)
	if !strings.HasPrefix(sub.ref(), topic.ref()+":") {
		t.Errorf("subscription Ref %s", sub.ref())
	}
	attrs := s.call("sns", "GetSubscriptionAttributes", map[string]any{"SubscriptionArn": sub.ref()})["Attributes"].(map[string]any)
	if attrs["RawMessageDelivery"] != "true" || !sameJSON(t, attrs["FilterPolicy"].(string), `{"severity":["high","critical"]}`) {
		t.Errorf("subscription as created: %v", attrs)
	}
	sub.checkReplacement(map[string]map[string]any{
		"Endpoint":     {"Endpoint": "arn:aws:sqs:us-east-1:000000000000:other"},
		"Protocol":     {"Protocol": "lambda"},
		"TopicArn":     {"TopicArn": "arn:aws:sns:us-east-1:000000000000:other"},
		"FilterPolicy": {"FilterPolicy": nil},
	}, "Endpoint", "Protocol", "TopicArn")

	// The filter moves to the message body, with a nested policy only
	// that scope allows.
	sub.update(with(props, map[string]any{
		"FilterPolicyScope":  "MessageBody",
		"FilterPolicy":       map[string]any{"alarm": map[string]any{"severity": []any{"high"}}},
		"RawMessageDelivery": nil,
	}))
	attrs = s.call("sns", "GetSubscriptionAttributes", map[string]any{"SubscriptionArn": sub.ref()})["Attributes"].(map[string]any)
	if attrs["RawMessageDelivery"] != "false" || attrs["FilterPolicyScope"] != "MessageBody" ||
		!sameJSON(t, attrs["FilterPolicy"].(string), `{"alarm":{"severity":["high"]}}`) {
		t.Errorf("subscription after the update: %v", attrs)
	}
	sub.delete()
	if code := s.callErr("sns", "GetSubscriptionAttributes", map[string]any{"SubscriptionArn": sub.ref()}); code != "NotFound" {
		t.Errorf("GetSubscriptionAttributes after the delete: %q", code)
	}
	topic.delete()
	q.delete()
}

func TestTopicPolicy(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	a := s.create("AWS::SNS::Topic", "A", map[string]any{})
	b := s.create("AWS::SNS::Topic", "B", map[string]any{})
	doc := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": "*",
	}}}
	pol := s.create("AWS::SNS::TopicPolicy", "Policy", map[string]any{"PolicyDocument": doc, "Topics": []any{a.ref(), b.ref()}})
	if !generated(pol.ref(), "Policy") || pol.attr("Id") != pol.ref() {
		t.Errorf("policy Ref %s", pol.ref())
	}
	for _, topic := range []*res{a, b} {
		if p, _ := s.topicAttrs(topic.ref())["Policy"].(string); !strings.Contains(p, "events.amazonaws.com") {
			t.Errorf("policy of %s: %q", topic.ref(), p)
		}
	}
	pol.update(map[string]any{"PolicyDocument": doc, "Topics": []any{a.ref()}})
	if p, _ := s.topicAttrs(b.ref())["Policy"].(string); strings.Contains(p, "events.amazonaws.com") {
		t.Errorf("the topic dropped from the policy still has it: %q", p)
	}
	pol.delete()
	if p, _ := s.topicAttrs(a.ref())["Policy"].(string); strings.Contains(p, "events.amazonaws.com") {
		t.Errorf("policy after the delete: %q", p)
	}
	a.delete()
	b.delete()
}

// TestJSONPropertiesAsWritten checks that an object a template gives for
// a JSON text property reads back with its comparison operators as
// written: a numeric filter's ">" is not the \u003e Go's encoder would
// make of it.
func TestJSONPropertiesAsWritten(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	q := s.create("AWS::SQS::Queue", "Q", map[string]any{})
	topic := s.create("AWS::SNS::Topic", "T", map[string]any{})
	sub := s.create("AWS::SNS::Subscription", "Sub", map[string]any{
		"TopicArn": topic.ref(), "Protocol": "sqs", "Endpoint": q.attr("Arn"),
		"FilterPolicy": map[string]any{"price": []any{map[string]any{"numeric": []any{">", 100, "<=", 200}}}},
	})
	attrs := s.call("sns", "GetSubscriptionAttributes", map[string]any{"SubscriptionArn": sub.ref()})["Attributes"].(map[string]any)
	if got := attrs["FilterPolicy"]; got != `{"price":[{"numeric":[">",100,"<=",200]}]}` {
		t.Errorf("FilterPolicy %v", got)
	}
	rule := s.create("AWS::Events::Rule", "R", map[string]any{
		"EventPattern": map[string]any{"detail": map[string]any{"total": []any{map[string]any{"numeric": []any{">=", 5}}}}},
		"Targets":      []any{map[string]any{"Id": "q", "Arn": q.attr("Arn")}},
	})
	if got := str(s.call("events", "DescribeRule", map[string]any{"Name": rule.ref()}), "EventPattern"); got != `{"detail":{"total":[{"numeric":[">=",5]}]}}` {
		t.Errorf("EventPattern %v", got)
	}
}

// TestTopicCreateFailsAfterMaking: a topic whose inline subscription is
// refused after CreateTopic made it is named in the result, so that the
// rollback deletes it.
func TestTopicCreateFailsAfterMaking(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	res := s.failedCreate("AWS::SNS::Topic", "Topic", map[string]any{
		"TopicName":    "made",
		"Subscription": []any{map[string]any{"Protocol": "pigeon", "Endpoint": "loft"}},
	})
	if res == nil || !strings.HasSuffix(res.PhysicalID, ":made") {
		t.Fatalf("Create: %+v", res)
	}
	s.call("sns", "GetTopicAttributes", map[string]any{"TopicArn": res.PhysicalID})
}
