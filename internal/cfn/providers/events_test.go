package providers_test

import (
	"strings"
	"testing"
)

// receive long-polls a queue for one message body.
func (s *stack) receive(url string) string {
	s.t.Helper()
	out := s.call("sqs", "ReceiveMessage", map[string]any{"QueueUrl": url, "WaitTimeSeconds": 10, "MaxNumberOfMessages": 1})
	msgs, _ := out["Messages"].([]any)
	if len(msgs) == 0 {
		return ""
	}
	return str(msgs[0].(map[string]any), "Body")
}

func TestRuleOnCustomBus(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	bus := s.create("AWS::Events::EventBus", "Bus", map[string]any{
		"Name": "orders", "Tags": []any{map[string]any{"Key": "team", "Value": "core"}},
	})
	if bus.ref() != "orders" || bus.attr("Name") != "orders" || bus.attr("Arn") != "arn:aws:events:us-east-1:"+testAccount+":event-bus/orders" {
		t.Errorf("bus Ref %s, attributes %v", bus.ref(), bus.result.Attributes)
	}
	if got := s.call("events", "DescribeEventBus", map[string]any{"Name": "orders"}); str(got, "Arn") != bus.attr("Arn") {
		t.Errorf("DescribeEventBus: %v", got)
	}
	q1 := s.create("AWS::SQS::Queue", "Q1", map[string]any{})
	q2 := s.create("AWS::SQS::Queue", "Q2", map[string]any{})
	props := map[string]any{
		"EventBusName": bus.attr("Arn"),
		"EventPattern": map[string]any{"source": []any{"shop"}, "detail-type": []any{"OrderPlaced"}},
		"Targets":      []any{map[string]any{"Id": "first", "Arn": q1.attr("Arn")}},
	}
	rule := s.create("AWS::Events::Rule", "OnOrder", props)
	name := strings.TrimPrefix(rule.ref(), "orders|")
	if !strings.HasPrefix(rule.ref(), "orders|") || !generated(name, "OnOrder") ||
		rule.attr("Arn") != "arn:aws:events:us-east-1:"+testAccount+":rule/orders/"+name {
		t.Errorf("rule Ref %s, Arn %s", rule.ref(), rule.attr("Arn"))
	}
	got := s.call("events", "DescribeRule", map[string]any{"Name": name, "EventBusName": "orders"})
	if !sameJSON(t, str(got, "EventPattern"), `{"source":["shop"],"detail-type":["OrderPlaced"]}`) || str(got, "State") != "ENABLED" {
		t.Errorf("rule as created: %v", got)
	}
	event := map[string]any{"Entries": []any{map[string]any{
		"Source": "shop", "DetailType": "OrderPlaced", "Detail": `{"id":1}`, "EventBusName": "orders",
	}}}
	s.call("events", "PutEvents", event)
	if body := s.receive(q1.ref()); !strings.Contains(body, `"OrderPlaced"`) {
		t.Errorf("the first target got %q", body)
	}
	rule.checkReplacement(map[string]map[string]any{
		"Name":         {"Name": "other"},
		"EventBusName": {"EventBusName": "default"},
		"EventPattern": {"EventPattern": map[string]any{"source": []any{"other"}}},
		"Targets":      {"Targets": nil},
	}, "Name", "EventBusName")

	rule.update(with(props, map[string]any{
		"Description": "orders to the second queue",
		"Targets":     []any{map[string]any{"Id": "second", "Arn": q2.attr("Arn"), "Input": `{"fixed":true}`}},
	}))
	targets := s.call("events", "ListTargetsByRule", map[string]any{"Rule": name, "EventBusName": "orders"})["Targets"].([]any)
	if len(targets) != 1 || str(targets[0].(map[string]any), "Id") != "second" {
		t.Errorf("targets after the update: %v", targets)
	}
	if got := s.call("events", "DescribeRule", map[string]any{"Name": name, "EventBusName": "orders"}); str(got, "Description") != "orders to the second queue" {
		t.Errorf("rule after the update: %v", got)
	}
	s.call("events", "PutEvents", event)
	if body := s.receive(q2.ref()); body != `{"fixed":true}` {
		t.Errorf("the second target got %q", body)
	}

	bus.update(map[string]any{"Name": "orders", "Tags": []any{map[string]any{"Key": "owner", "Value": "ops"}}})
	tags := s.call("events", "ListTagsForResource", map[string]any{"ResourceARN": bus.attr("Arn")})["Tags"].([]any)
	if len(tags) != 1 || str(tags[0].(map[string]any), "Key") != "owner" {
		t.Errorf("bus tags after the update: %v", tags)
	}
	bus.checkReplacement(map[string]map[string]any{"Name": {"Name": "x"}, "Tags": {"Tags": nil}}, "Name")

	rule.delete() // with its target still in place
	if code := s.callErr("events", "DescribeRule", map[string]any{"Name": name, "EventBusName": "orders"}); code != "ResourceNotFoundException" {
		t.Errorf("DescribeRule after the delete: %q", code)
	}
	bus.delete()
	if code := s.callErr("events", "DescribeEventBus", map[string]any{"Name": "orders"}); code != "ResourceNotFoundException" {
		t.Errorf("DescribeEventBus after the delete: %q", code)
	}
}

func TestScheduledRule(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	rule := s.create("AWS::Events::Rule", "Nightly", map[string]any{
		"Name": "nightly", "ScheduleExpression": "cron(0 3 * * ? *)", "State": "DISABLED",
	})
	if rule.ref() != "nightly" || rule.attr("Arn") != "arn:aws:events:us-east-1:"+testAccount+":rule/nightly" {
		t.Errorf("rule on the default bus: Ref %s, Arn %s", rule.ref(), rule.attr("Arn"))
	}
	rule.update(map[string]any{"Name": "nightly", "ScheduleExpression": "rate(1 day)"})
	if got := s.call("events", "DescribeRule", map[string]any{"Name": "nightly"}); str(got, "ScheduleExpression") != "rate(1 day)" || str(got, "State") != "ENABLED" {
		t.Errorf("rule after the update: %v", got)
	}
	rule.delete()
}
