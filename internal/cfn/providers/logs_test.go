package providers_test

import (
	"strings"
	"testing"
)

// logGroup describes a log group by name.
func (s *stack) logGroup(name string) map[string]any {
	s.t.Helper()
	for _, g := range s.call("logs", "DescribeLogGroups", map[string]any{"logGroupNamePrefix": name})["logGroups"].([]any) {
		if lg := g.(map[string]any); lg["logGroupName"] == name {
			return lg
		}
	}
	return nil
}

func TestLogGroup(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	props := map[string]any{
		"RetentionInDays": "7",
		"Tags":            []any{map[string]any{"Key": "team", "Value": "core"}, map[string]any{"Key": "env", "Value": "dev"}},
	}
	lg := s.create("AWS::Logs::LogGroup", "Logs", props)
	name := lg.ref()
	if !generated(name, "Logs") || lg.attr("Arn") != "arn:aws:logs:us-east-1:"+testAccount+":log-group:"+name+":*" {
		t.Errorf("Ref %s, Arn %s", name, lg.attr("Arn"))
	}
	if g := s.logGroup(name); str(g, "retentionInDays") != "7" {
		t.Errorf("log group as created: %v", g)
	}
	lg.checkReplacement(map[string]map[string]any{
		"LogGroupName":    {"LogGroupName": "x"},
		"RetentionInDays": {"RetentionInDays": num("30")},
	}, "LogGroupName")

	lg.update(with(props, map[string]any{"RetentionInDays": num("30"), "Tags": []any{map[string]any{"Key": "team", "Value": "platform"}}}))
	if g := s.logGroup(name); str(g, "retentionInDays") != "30" {
		t.Errorf("log group after the update: %v", g)
	}
	tags := s.call("logs", "ListTagsLogGroup", map[string]any{"logGroupName": name})["tags"].(map[string]any)
	if len(tags) != 1 || tags["team"] != "platform" {
		t.Errorf("tags after the update: %v", tags)
	}
	lg.update(map[string]any{})
	if g := s.logGroup(name); g["retentionInDays"] != nil {
		t.Errorf("log group after its retention was dropped: %v", g)
	}
	err := lg.tryUpdate(map[string]any{"KmsKeyId": "arn:aws:kms:us-east-1:000000000000:key/k"})
	if err == nil || !strings.Contains(err.Error(), "KmsKeyId") {
		t.Errorf("changing the key: %v", err)
	}
	lg.delete()
	if g := s.logGroup(name); g != nil {
		t.Errorf("log group after the delete: %v", g)
	}

	named := s.create("AWS::Logs::LogGroup", "Named", map[string]any{"LogGroupName": "/aws/lambda/worker", "LogGroupClass": "INFREQUENT_ACCESS"})
	if named.ref() != "/aws/lambda/worker" {
		t.Errorf("Ref %q", named.ref())
	}
	if g := s.logGroup("/aws/lambda/worker"); str(g, "logGroupClass") != "INFREQUENT_ACCESS" {
		t.Errorf("log group class: %v", g)
	}
	named.delete()
}

// TestLogGroupCreateFailsAfterMaking: a log group whose retention is
// refused after CreateLogGroup made it is named in the result, so that
// the rollback deletes it; one CreateLogGroup refused is not.
func TestLogGroupCreateFailsAfterMaking(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	props := map[string]any{"LogGroupName": "made", "RetentionInDays": "2"}
	if res := s.failedCreate("AWS::Logs::LogGroup", "Logs", props); res == nil || res.PhysicalID != "made" {
		t.Fatalf("Create: %+v", res)
	}
	if s.logGroup("made") == nil {
		t.Fatal("no log group made")
	}

	// The name is taken now: CreateLogGroup refuses, and the result
	// names no log group, so that the rollback leaves the one that stands.
	props["RetentionInDays"] = "7"
	if res := s.failedCreate("AWS::Logs::LogGroup", "Logs", props); res != nil {
		t.Fatalf("Create of a taken name: %+v", res)
	}
}
