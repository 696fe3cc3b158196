package providers_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/virga/virga/internal/cfn/providers"
	"github.com/virga/virga/internal/cfn/resource"
)

func TestWaitConditionHandleAndNestedStack(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	h := s.create("AWS::CloudFormation::WaitConditionHandle", "Handle", map[string]any{})
	if !strings.HasPrefix(h.ref(), s.v.Endpoint+providers.WaitHandlePath) {
		t.Errorf("wait condition handle Ref %q", h.ref())
	}
	h.update(map[string]any{})
	h.delete()

	_, err := s.tryCreate("AWS::CloudFormation::Stack", "Nested", map[string]any{"TemplateURL": "https://example.com/t.yaml"})
	if err == nil || !strings.Contains(err.Error(), "TemplateURL must be an Amazon S3 URL.") {
		t.Errorf("a nested stack from a URL that is not S3's: %v", err)
	}
	if err := resource.Lookup("AWS::CloudFormation::Stack").Delete(t.Context(), s.request("AWS::CloudFormation::Stack", "Nested")); err != nil {
		t.Errorf("deleting a nested stack that was never made: %v", err)
	}
}

// TestNestedStack makes, updates and deletes a nested stack from a
// template in virga's S3, and reads its outputs.
func TestNestedStack(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	sc := s3.NewFromConfig(s.v.Config, func(o *s3.Options) { o.UsePathStyle = true })
	put := func(key, body string) {
		t.Helper()
		if _, err := sc.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("templates"), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	s.call("s3", "CreateBucket", map[string]any{"Bucket": "templates"})
	const child = "Parameters:\n  Name:\n    Type: String\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Name\n" +
		"Outputs:\n  Url:\n    Value: !Ref Q\n  Arn:\n    Value: !GetAtt Q.Arn\n"
	put("child.yaml", child)
	n := s.create("AWS::CloudFormation::Stack", "Nested", map[string]any{
		"TemplateURL": "https://templates.s3.amazonaws.com/child.yaml",
		"Parameters":  map[string]any{"Name": "nested-one"},
		"Tags":        []any{map[string]any{"Key": "team", "Value": "a"}},
	})
	if !strings.Contains(n.ref(), ":stack/"+testStack+"-Nested-") {
		t.Errorf("Ref = %q, want the nested stack's id, named PARENT-LOGICALID-RANDOM", n.ref())
	}
	if got := n.attr("Outputs.Arn"); !strings.HasSuffix(got, ":nested-one") {
		t.Errorf("Outputs.Arn = %q", got)
	}
	if n.replaces(map[string]any{"Parameters": map[string]any{"Name": "nested-two"}}) {
		t.Errorf("a change of Parameters replaces the nested stack")
	}
	n.update(map[string]any{"TemplateURL": "https://templates.s3.amazonaws.com/child.yaml", "Parameters": map[string]any{"Name": "nested-two"}})
	if got := n.attr("Outputs.Arn"); !strings.HasSuffix(got, ":nested-two") {
		t.Errorf("Outputs.Arn after the update = %q", got)
	}
	n.delete()
	out := s.call("cloudformation", "DescribeStacks", map[string]any{"StackName": n.ref()})
	if st := out["Stacks"].([]any)[0].(map[string]any); st["StackStatus"] != "DELETE_COMPLETE" {
		t.Errorf("nested stack after Delete: %v", st["StackStatus"])
	}
	if code := s.callErr("sqs", "GetQueueUrl", map[string]any{"QueueName": "nested-two"}); code == "" {
		t.Errorf("the nested stack's queue outlived it")
	}

	_, err := s.tryCreate("AWS::CloudFormation::Stack", "Missing", map[string]any{"TemplateURL": "https://templates.s3.amazonaws.com/nope.yaml"})
	if err == nil || !strings.Contains(err.Error(), "S3 error: The specified key does not exist.") {
		t.Errorf("a nested stack whose template is missing: %v", err)
	}
	put("bad.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      MessageRetentionPeriod: 10\n")
	_, err = s.tryCreate("AWS::CloudFormation::Stack", "Bad", map[string]any{"TemplateURL": "https://templates.s3.amazonaws.com/bad.yaml"})
	if err == nil || !strings.Contains(err.Error(), "was not successfully created: The following resource(s) failed to create: [Q]") {
		t.Errorf("a nested stack that fails: %v", err)
	}
}

// TestCDKMetadata checks that the resource the AWS CDK adds to every
// stack is made, with a UUID for its physical ID, and deleted.
func TestCDKMetadata(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	m := s.create("AWS::CDK::Metadata", "CDKMetadata", map[string]any{"Analytics": "v2:deflate64:H4sIAAAAAAAA"})
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(m.ref()) {
		t.Errorf("CDK metadata physical ID %q, want a UUID", m.ref())
	}
	m.delete()
}

// TestRegistered checks that every type this package provides is
// registered.
func TestRegistered(t *testing.T) {
	t.Parallel()
	want := []string{
		"AWS::CDK::Metadata", "AWS::CloudFormation::Stack", "AWS::CloudFormation::WaitCondition", "AWS::CloudFormation::WaitConditionHandle",
		"AWS::DynamoDB::GlobalTable", "AWS::DynamoDB::Table",
		"AWS::Events::EventBus", "AWS::Events::Rule",
		"AWS::IAM::InstanceProfile", "AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::Role",
		"AWS::Lambda::Alias", "AWS::Lambda::EventInvokeConfig", "AWS::Lambda::EventSourceMapping", "AWS::Lambda::Function",
		"AWS::Lambda::LayerVersion", "AWS::Lambda::LayerVersionPermission", "AWS::Lambda::Permission", "AWS::Lambda::Url", "AWS::Lambda::Version",
		"AWS::Logs::LogGroup", "AWS::Logs::MetricFilter", "AWS::Logs::SubscriptionFilter",
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
