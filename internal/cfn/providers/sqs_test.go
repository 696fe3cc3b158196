package providers_test

import (
	"strings"
	"testing"
)

// queueAttrs reads a queue's attributes.
func (s *stack) queueAttrs(url string) map[string]any {
	s.t.Helper()
	out := s.call("sqs", "GetQueueAttributes", map[string]any{"QueueUrl": url, "AttributeNames": []any{"All"}})
	return out["Attributes"].(map[string]any)
}

func TestQueue(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	dlq := s.create("AWS::SQS::Queue", "DeadLetters", map[string]any{"QueueName": "dead-letters"})
	if dlq.ref() != s.v.Endpoint+"/"+testAccount+"/dead-letters" || dlq.attr("QueueUrl") != dlq.ref() ||
		dlq.attr("QueueName") != "dead-letters" || dlq.attr("Arn") != "arn:aws:sqs:us-east-1:"+testAccount+":dead-letters" {
		t.Errorf("Ref %s, attributes %v", dlq.ref(), dlq.result.Attributes)
	}
	props := map[string]any{
		"VisibilityTimeout": "45",
		"DelaySeconds":      num("5"),
		"RedrivePolicy":     map[string]any{"deadLetterTargetArn": dlq.attr("Arn"), "maxReceiveCount": num("3")},
		"Tags":              []any{map[string]any{"Key": "team", "Value": "core"}, map[string]any{"Key": "env", "Value": "dev"}},
	}
	q := s.create("AWS::SQS::Queue", "Jobs", props)
	name := q.attr("QueueName")
	if !generated(name, "Jobs") || !strings.HasSuffix(q.ref(), "/"+name) {
		t.Errorf("generated queue %s at %s", name, q.ref())
	}
	attrs := s.queueAttrs(q.ref())
	if attrs["VisibilityTimeout"] != "45" || attrs["DelaySeconds"] != "5" || attrs["QueueArn"] != q.attr("Arn") ||
		!sameJSON(t, attrs["RedrivePolicy"].(string), `{"deadLetterTargetArn":"`+dlq.attr("Arn")+`","maxReceiveCount":3}`) {
		t.Errorf("queue as created: %v", attrs)
	}
	q.checkReplacement(map[string]map[string]any{
		"QueueName":         {"QueueName": "other"},
		"FifoQueue":         {"FifoQueue": true},
		"VisibilityTimeout": {"VisibilityTimeout": num("60")},
		"RedrivePolicy":     {"RedrivePolicy": nil},
	}, "QueueName", "FifoQueue")

	q.update(with(props, map[string]any{
		"VisibilityTimeout": num("60"),
		"DelaySeconds":      nil,
		"RedrivePolicy":     nil,
		"Tags":              []any{map[string]any{"Key": "team", "Value": "platform"}},
	}))
	attrs = s.queueAttrs(q.ref())
	if attrs["VisibilityTimeout"] != "60" || attrs["DelaySeconds"] != "0" || attrs["RedrivePolicy"] != nil {
		t.Errorf("queue after the update: %v", attrs)
	}
	tags := s.call("sqs", "ListQueueTags", map[string]any{"QueueUrl": q.ref()})
	if tm := tags["Tags"].(map[string]any); len(tm) != 1 || tm["team"] != "platform" {
		t.Errorf("tags after the update: %v", tags)
	}
	if q.attr("QueueName") != name {
		t.Errorf("QueueName after the update: %s", q.attr("QueueName"))
	}
	q.delete()
	if code := s.callErr("sqs", "GetQueueUrl", map[string]any{"QueueName": name}); code != "QueueDoesNotExist" {
		t.Errorf("GetQueueUrl after the delete: %q", code)
	}
	dlq.delete()
}

func TestFIFOQueue(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	q := s.create("AWS::SQS::Queue", "Orders", map[string]any{"FifoQueue": "true", "ContentBasedDeduplication": true})
	name := q.attr("QueueName")
	if !strings.HasSuffix(name, ".fifo") || !generated(strings.TrimSuffix(name, ".fifo"), "Orders") {
		t.Errorf("generated FIFO queue name %q", name)
	}
	attrs := s.queueAttrs(q.ref())
	if attrs["FifoQueue"] != "true" || attrs["ContentBasedDeduplication"] != "true" {
		t.Errorf("FIFO queue: %v", attrs)
	}
	q.update(map[string]any{"FifoQueue": "true"})
	if attrs := s.queueAttrs(q.ref()); attrs["ContentBasedDeduplication"] != "false" {
		t.Errorf("FIFO queue after the update: %v", attrs)
	}
	q.delete()
}

func TestQueuePolicy(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	a := s.create("AWS::SQS::Queue", "A", map[string]any{})
	b := s.create("AWS::SQS::Queue", "B", map[string]any{})
	doc := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "*",
	}}}
	pol := s.create("AWS::SQS::QueuePolicy", "Policy", map[string]any{"PolicyDocument": doc, "Queues": []any{a.ref(), b.ref()}})
	if !generated(pol.ref(), "Policy") || pol.attr("Id") != pol.ref() {
		t.Errorf("policy Ref %s", pol.ref())
	}
	for _, q := range []*res{a, b} {
		if p, _ := s.queueAttrs(q.ref())["Policy"].(string); p == "" || !sameJSON(t, p, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*"}]}`) {
			t.Errorf("policy of %s: %q", q.ref(), p)
		}
	}
	pol.checkReplacement(map[string]map[string]any{"Queues": {"Queues": []any{a.ref()}}})
	pol.update(map[string]any{"PolicyDocument": doc, "Queues": []any{a.ref()}})
	if p := s.queueAttrs(b.ref())["Policy"]; p != nil {
		t.Errorf("the queue dropped from the policy still has it: %v", p)
	}
	if p := s.queueAttrs(a.ref())["Policy"]; p == nil {
		t.Error("the queue kept in the policy lost it")
	}
	a.delete() // deleting the policy must bear with a queue already gone
	pol.delete()
	if p := s.queueAttrs(b.ref())["Policy"]; p != nil {
		t.Errorf("policy after the delete: %v", p)
	}
	b.delete()
}

// TestInlinePolicies checks AWS::SQS::QueueInlinePolicy and
// AWS::SNS::TopicInlinePolicy: each sets the policy of the one queue or
// topic it names, whose URL or ARN is its Ref, and removes it when
// deleted.
func TestInlinePolicies(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	q := s.create("AWS::SQS::Queue", "Q", map[string]any{})
	topic := s.create("AWS::SNS::Topic", "T", map[string]any{})
	doc := func(action string) map[string]any {
		return map[string]any{"Statement": []any{map[string]any{"Effect": "Allow", "Principal": "*", "Action": action, "Resource": "*"}}}
	}
	qp := s.create("AWS::SQS::QueueInlinePolicy", "QP", map[string]any{"Queue": q.ref(), "PolicyDocument": doc("sqs:SendMessage")})
	tp := s.create("AWS::SNS::TopicInlinePolicy", "TP", map[string]any{"TopicArn": topic.ref(), "PolicyDocument": doc("sns:Publish")})
	if qp.ref() != q.ref() || tp.ref() != topic.ref() {
		t.Errorf("Refs %s and %s", qp.ref(), tp.ref())
	}
	if p, _ := s.queueAttrs(q.ref())["Policy"].(string); !sameJSON(t, p, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}`) {
		t.Errorf("queue policy %q", p)
	}
	if p, _ := s.topicAttrs(topic.ref())["Policy"].(string); !strings.Contains(p, `"sns:Publish"`) {
		t.Errorf("topic policy %q", p)
	}
	qp.checkReplacement(map[string]map[string]any{"Queue": {"Queue": "other"}, "PolicyDocument": {"PolicyDocument": doc("sqs:*")}}, "Queue")
	tp.checkReplacement(map[string]map[string]any{"TopicArn": {"TopicArn": "other"}, "PolicyDocument": {"PolicyDocument": doc("sns:*")}}, "TopicArn")
	qp.update(map[string]any{"Queue": q.ref(), "PolicyDocument": doc("sqs:ReceiveMessage")})
	if p, _ := s.queueAttrs(q.ref())["Policy"].(string); !strings.Contains(p, `"sqs:ReceiveMessage"`) {
		t.Errorf("queue policy after the update %q", p)
	}
	qp.delete()
	tp.delete()
	if p := s.queueAttrs(q.ref())["Policy"]; p != nil {
		t.Errorf("queue policy after the delete: %v", p)
	}
	if p, _ := s.topicAttrs(topic.ref())["Policy"].(string); strings.Contains(p, `"sns:Publish"`) {
		t.Errorf("topic policy after the delete: %v", p)
	}
}
