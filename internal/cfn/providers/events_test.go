package providers_test

import (
	"encoding/json"
	"fmt"
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

func TestArchive(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	busARN := "arn:aws:events:us-east-1:" + testAccount + ":event-bus/default"
	props := map[string]any{
		"SourceArn": busARN, "Description": "orders", "RetentionDays": "3",
		"EventPattern": map[string]any{"detail": map[string]any{"total": []any{map[string]any{"numeric": []any{">", 100}}}}},
	}
	a := s.create("AWS::Events::Archive", "Orders", props)
	if !generated(a.ref(), "Orders") || a.attr("Arn") != "arn:aws:events:us-east-1:"+testAccount+":archive/"+a.ref() {
		t.Errorf("archive Ref %s, Arn %s", a.ref(), a.attr("Arn"))
	}
	got := s.call("events", "DescribeArchive", map[string]any{"ArchiveName": a.ref()})
	if str(got, "EventPattern") != `{"detail":{"total":[{"numeric":[">",100]}]}}` || str(got, "RetentionDays") != "3" ||
		str(got, "Description") != "orders" || str(got, "EventSourceArn") != busARN {
		t.Errorf("archive as created: %v", got)
	}
	a.checkReplacement(map[string]map[string]any{
		"ArchiveName":   {"ArchiveName": "other"},
		"SourceArn":     {"SourceArn": "arn:aws:events:us-east-1:" + testAccount + ":event-bus/other"},
		"Description":   {"Description": "x"},
		"EventPattern":  {"EventPattern": nil},
		"RetentionDays": {"RetentionDays": 9},
	}, "ArchiveName", "SourceArn")

	// An update without the pattern and the retention takes every event,
	// for ever.
	a.update(map[string]any{"SourceArn": busARN, "Description": "all events"})
	got = s.call("events", "DescribeArchive", map[string]any{"ArchiveName": a.ref()})
	if str(got, "EventPattern") != "" || str(got, "RetentionDays") != "0" || str(got, "Description") != "all events" {
		t.Errorf("archive after the update: %v", got)
	}
	s.call("events", "PutEvents", map[string]any{"Entries": []any{map[string]any{"Source": "shop", "DetailType": "x", "Detail": `{"total":1}`}}})
	if got := s.call("events", "DescribeArchive", map[string]any{"ArchiveName": a.ref()}); str(got, "EventCount") != "1" {
		t.Errorf("archive after an event: %v", got)
	}

	named := s.create("AWS::Events::Archive", "Named", map[string]any{"ArchiveName": "named", "SourceArn": busARN})
	if named.ref() != "named" {
		t.Errorf("named archive Ref %s", named.ref())
	}
	if _, err := s.tryCreate("AWS::Events::Archive", "Again", map[string]any{"ArchiveName": "named", "SourceArn": busARN}); err == nil {
		t.Error("a second archive with the same name was created")
	}
	a.delete()
	named.delete()
	if code := s.callErr("events", "DescribeArchive", map[string]any{"ArchiveName": "named"}); code != "ResourceNotFoundException" {
		t.Errorf("DescribeArchive after the delete: %q", code)
	}
}

func TestEventBusPolicy(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	policy := func(bus string) string {
		return str(s.call("events", "DescribeEventBus", map[string]any{"Name": bus}), "Policy")
	}
	// A bus's own Policy property.
	busPolicy := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Sid": "own", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": "*"}}}
	bus := s.create("AWS::Events::EventBus", "Bus", map[string]any{"Name": "shared", "Policy": busPolicy})
	if !sameJSON(t, policy("shared"), `{"Version":"2012-10-17","Statement":[{"Sid":"own","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"*"}]}`) {
		t.Errorf("bus policy as created: %s", policy("shared"))
	}

	byParts := s.create("AWS::Events::EventBusPolicy", "Dev", map[string]any{
		"EventBusName": "shared", "StatementId": "dev", "Action": "events:PutEvents", "Principal": "111122223333"})
	if byParts.ref() != "shared|dev" || byParts.attr("Id") != "shared|dev" {
		t.Errorf("EventBusPolicy Ref %s", byParts.ref())
	}
	withStatement := s.create("AWS::Events::EventBusPolicy", "Org", map[string]any{
		"EventBusName": "shared", "StatementId": "org",
		"Statement": map[string]any{"Effect": "Allow", "Principal": "*", "Action": "events:PutEvents",
			"Resource":  "arn:aws:events:us-east-1:" + testAccount + ":event-bus/shared",
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": "o-1234567890"}}},
	})
	var doc struct {
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(policy("shared")), &doc); err != nil || len(doc.Statement) != 3 ||
		doc.Statement[1]["Sid"] != "dev" || doc.Statement[2]["Sid"] != "org" || doc.Statement[2]["Condition"] == nil {
		t.Fatalf("bus policy with two statements more: %s", policy("shared"))
	}
	byParts.checkReplacement(map[string]map[string]any{
		"EventBusName": {"EventBusName": "default"},
		"StatementId":  {"StatementId": "x"},
		"Principal":    {"Principal": "*"},
		"Statement":    {"Statement": map[string]any{}},
	}, "EventBusName", "StatementId")

	byParts.update(map[string]any{"EventBusName": "shared", "StatementId": "dev", "Action": "events:PutEvents", "Principal": "444455556666"})
	if p := policy("shared"); !strings.Contains(p, "444455556666") || strings.Contains(p, "111122223333") {
		t.Errorf("bus policy after the update: %s", p)
	}
	byParts.delete()
	if p := policy("shared"); strings.Contains(p, `"dev"`) || !strings.Contains(p, `"org"`) {
		t.Errorf("bus policy after deleting dev: %s", p)
	}
	withStatement.delete()

	onDefault := s.create("AWS::Events::EventBusPolicy", "Default", map[string]any{
		"StatementId": "any", "Action": "events:PutEvents", "Principal": "*"})
	if onDefault.ref() != "default|any" || !strings.Contains(policy("default"), `"Sid":"any"`) {
		t.Errorf("policy on the default bus: Ref %s, policy %s", onDefault.ref(), policy("default"))
	}
	onDefault.delete()
	if p := policy("default"); p != "" {
		t.Errorf("default bus policy after the delete: %s", p)
	}

	// Dropping the bus's Policy property removes its policy.
	bus.update(map[string]any{"Name": "shared"})
	if p := policy("shared"); p != "" {
		t.Errorf("bus policy after the Policy property went: %s", p)
	}
	if _, err := s.tryCreate("AWS::Events::EventBusPolicy", "Nowhere", map[string]any{
		"EventBusName": "nope", "StatementId": "x", "Action": "events:PutEvents", "Principal": "*"}); err == nil {
		t.Error("a policy on a missing bus was created")
	}
}

// TestRuleCreateFailsAfterMaking: a rule whose targets are refused
// after PutRule made it is named in the result, so that the rollback
// deletes it; one PutRule refused is not.
func TestRuleCreateFailsAfterMaking(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	var targets []any
	for i := range 6 { // one more than a rule may have
		targets = append(targets, map[string]any{"Id": fmt.Sprint("t", i), "Arn": "arn:aws:sqs:us-east-1:" + testAccount + ":q"})
	}
	props := map[string]any{"Name": "made", "ScheduleExpression": "rate(1 hour)", "Targets": targets}
	if res := s.failedCreate("AWS::Events::Rule", "Rule", props); res == nil || res.PhysicalID != "made" {
		t.Fatalf("Create: %+v", res)
	}
	s.call("events", "DescribeRule", map[string]any{"Name": "made"})

	props["ScheduleExpression"] = "rate(never)"
	if res := s.failedCreate("AWS::Events::Rule", "Rule", props); res != nil {
		t.Fatalf("Create refused by PutRule: %+v", res)
	}
}

// TestEventBusCreateFailsAfterMaking: a bus whose Policy PutPermission
// refuses after CreateEventBus made it is named in the result, so that
// the rollback deletes it; one CreateEventBus refused is not.
func TestEventBusCreateFailsAfterMaking(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	props := map[string]any{"Name": "made", "Policy": map[string]any{"Statement": "not a list of statements"}}
	if res := s.failedCreate("AWS::Events::EventBus", "Bus", props); res == nil || res.PhysicalID != "made" {
		t.Fatalf("Create: %+v", res)
	}
	s.call("events", "DescribeEventBus", map[string]any{"Name": "made"})

	delete(props, "Policy")
	if res := s.failedCreate("AWS::Events::EventBus", "Bus", props); res != nil {
		t.Fatalf("Create of a taken name: %+v", res)
	}
}
