package providers_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/virga/virga/internal/cfn/resource"
)

func TestWaitConditionHandleAndNestedStack(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	h := s.create("AWS::CloudFormation::WaitConditionHandle", "Handle", map[string]any{})
	if !strings.HasPrefix(h.ref(), s.v.Endpoint+"/") || !strings.HasSuffix(h.ref(), "/Handle") {
		t.Errorf("wait condition handle Ref %q", h.ref())
	}
	h.update(map[string]any{})
	h.delete()

	_, err := s.tryCreate("AWS::CloudFormation::Stack", "Nested", map[string]any{"TemplateURL": "https://example.com/t.yaml"})
	if err == nil || !strings.Contains(err.Error(), "nested stacks") {
		t.Errorf("a nested stack: %v", err)
	}
	if err := resource.Lookup("AWS::CloudFormation::Stack").Delete(t.Context(), s.request("AWS::CloudFormation::Stack", "Nested")); err != nil {
		t.Errorf("deleting a nested stack that was never made: %v", err)
	}
}

// TestRegistered checks that every type this package provides is
// registered.
func TestRegistered(t *testing.T) {
	t.Parallel()
	want := []string{
		"AWS::CloudFormation::Stack", "AWS::CloudFormation::WaitConditionHandle",
		"AWS::DynamoDB::Table",
		"AWS::Events::EventBus", "AWS::Events::Rule",
		"AWS::IAM::InstanceProfile", "AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::Role",
		"AWS::Lambda::Alias", "AWS::Lambda::EventInvokeConfig", "AWS::Lambda::EventSourceMapping", "AWS::Lambda::Function",
		"AWS::Lambda::LayerVersion", "AWS::Lambda::LayerVersionPermission", "AWS::Lambda::Permission", "AWS::Lambda::Url", "AWS::Lambda::Version",
		"AWS::Logs::LogGroup", "AWS::Logs::SubscriptionFilter",
		"AWS::SNS::Subscription", "AWS::SNS::Topic", "AWS::SNS::TopicPolicy",
		"AWS::SQS::Queue", "AWS::SQS::QueuePolicy",
		"AWS::Scheduler::Schedule", "AWS::Scheduler::ScheduleGroup",
	}
	got := resource.Types()
	for _, name := range want {
		if !slices.Contains(got, name) {
			t.Errorf("%s is not registered", name)
		}
	}
}
