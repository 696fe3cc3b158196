package providers_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/virga/virga/internal/cfn/resource"
)

// TestCreateRefusesTakenNames: the types whose creating call would take
// over a resource of the same name made outside the stack (an upsert, or
// a create that answers a name in use with the resource) refuse it with
// AlreadyExists, leaving it as it was, so that the rollback deletes
// nothing of the user's; an update that keeps the name is not refused.
func TestCreateRefusesTakenNames(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	fn := s.echoFunction()
	s.call("logs", "CreateLogGroup", map[string]any{"logGroupName": "theirs"})
	generic := func(typ, id string) string {
		return "Resource of type '" + typ + "' with identifier '" + id + "' already exists."
	}
	for _, c := range []struct {
		typ   string
		make  func()                // makes the resource by API
		props map[string]any        // names it in a template
		msg   string                // the failure's message
		kept  func() (string, bool) // reads what must be unchanged
	}{
		{"AWS::Events::Rule",
			func() {
				s.call("events", "PutRule", map[string]any{"Name": "theirs", "ScheduleExpression": "rate(5 minutes)"})
			},
			map[string]any{"Name": "theirs", "ScheduleExpression": "rate(1 hour)"}, "theirs already exists",
			func() (string, bool) {
				v := str(s.call("events", "DescribeRule", map[string]any{"Name": "theirs"}), "ScheduleExpression")
				return v, v == "rate(5 minutes)"
			}},
		{"AWS::SNS::Topic",
			func() {
				s.call("sns", "CreateTopic", map[string]any{"Name": "theirs"})
			},
			map[string]any{"TopicName": "theirs"}, "theirs already exists",
			func() (string, bool) {
				_, err := s.env.Call(context.Background(), "sns", "GetTopicAttributes", map[string]any{"TopicArn": "arn:aws:sns:us-east-1:" + testAccount + ":theirs"})
				return "", err == nil
			}},
		{"AWS::S3::Bucket",
			func() { s.call("s3", "CreateBucket", map[string]any{"Bucket": "theirs"}) },
			map[string]any{"BucketName": "theirs"}, "theirs already exists",
			func() (string, bool) {
				return "", s.callErr("s3", "HeadBucket", map[string]any{"Bucket": "theirs"}) == ""
			}},
		{"AWS::SQS::Queue",
			func() { s.call("sqs", "CreateQueue", map[string]any{"QueueName": "theirs"}) },
			map[string]any{"QueueName": "theirs"}, generic("AWS::SQS::Queue", "theirs"),
			func() (string, bool) {
				return "", s.callErr("sqs", "GetQueueUrl", map[string]any{"QueueName": "theirs"}) == ""
			}},
		{"AWS::CloudWatch::Alarm",
			func() {
				s.call("monitoring", "PutMetricAlarm", map[string]any{"AlarmName": "theirs", "MetricName": "M", "Namespace": "N",
					"Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold"})
			},
			map[string]any{"AlarmName": "theirs", "MetricName": "Other", "Namespace": "N", "Statistic": "Sum", "Period": 60,
				"EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold"},
			generic("AWS::CloudWatch::Alarm", "theirs"),
			func() (string, bool) {
				return only(s.call("monitoring", "DescribeAlarms", map[string]any{"AlarmNames": []any{"theirs"}}), "MetricAlarms", "MetricName", "M")
			}},
		{"AWS::CloudWatch::Dashboard",
			func() {
				s.call("monitoring", "PutDashboard", map[string]any{"DashboardName": "theirs", "DashboardBody": `{"widgets":[]}`})
			},
			map[string]any{"DashboardName": "theirs", "DashboardBody": `{"widgets":[{"type":"text","x":0,"y":0,"width":1,"height":1,"properties":{"markdown":"x"}}]}`},
			generic("AWS::CloudWatch::Dashboard", "theirs"),
			func() (string, bool) {
				v := str(s.call("monitoring", "GetDashboard", map[string]any{"DashboardName": "theirs"}), "DashboardBody")
				return v, v == `{"widgets":[]}`
			}},
		{"AWS::Logs::MetricFilter",
			func() {
				s.call("logs", "PutMetricFilter", map[string]any{"logGroupName": "theirs", "filterName": "theirs", "filterPattern": "ERROR",
					"metricTransformations": []any{map[string]any{"metricName": "M", "metricNamespace": "N", "metricValue": "1"}}})
			},
			map[string]any{"LogGroupName": "theirs", "FilterName": "theirs", "FilterPattern": "WARN",
				"MetricTransformations": []any{map[string]any{"MetricName": "M", "MetricNamespace": "N", "MetricValue": "1"}}},
			generic("AWS::Logs::MetricFilter", "theirs"),
			func() (string, bool) {
				return only(s.call("logs", "DescribeMetricFilters", map[string]any{"logGroupName": "theirs"}), "metricFilters", "filterPattern", "ERROR")
			}},
		{"AWS::Logs::SubscriptionFilter",
			func() {
				s.call("logs", "PutSubscriptionFilter", map[string]any{"logGroupName": "theirs", "filterName": "theirs",
					"filterPattern": "ERROR", "destinationArn": fn})
			},
			map[string]any{"LogGroupName": "theirs", "FilterName": "theirs", "FilterPattern": "WARN", "DestinationArn": fn},
			generic("AWS::Logs::SubscriptionFilter", "theirs"),
			func() (string, bool) {
				return only(s.call("logs", "DescribeSubscriptionFilters", map[string]any{"logGroupName": "theirs"}), "subscriptionFilters", "filterPattern", "ERROR")
			}},
		{"AWS::Logs::ResourcePolicy",
			func() {
				s.call("logs", "PutResourcePolicy", map[string]any{"policyName": "theirs", "policyDocument": policyDoc("logs:PutLogEvents")})
			},
			map[string]any{"PolicyName": "theirs", "PolicyDocument": policyDoc("logs:CreateLogStream")},
			generic("AWS::Logs::ResourcePolicy", "theirs"),
			func() (string, bool) {
				out := s.call("logs", "DescribeResourcePolicies", map[string]any{})
				for _, p := range out["resourcePolicies"].([]any) {
					if p := p.(map[string]any); p["policyName"] == "theirs" {
						v := str(p, "policyDocument")
						return v, sameJSON(t, v, policyDoc("logs:PutLogEvents"))
					}
				}
				return "", false
			}},
		{"AWS::ECS::Cluster",
			func() {
				s.call("ecs", "CreateCluster", map[string]any{"clusterName": "theirs",
					"tags": []any{map[string]any{"key": "owner", "value": "them"}}})
			},
			map[string]any{"ClusterName": "theirs"}, generic("AWS::ECS::Cluster", "theirs"),
			func() (string, bool) {
				out := s.call("ecs", "DescribeClusters", map[string]any{"clusters": []any{"theirs"}, "include": []any{"TAGS"}})
				l, _ := out["clusters"].([]any)
				return "", len(l) == 1 && str(l[0].(map[string]any), "status") == "ACTIVE"
			}},
		{"AWS::Lambda::EventInvokeConfig",
			func() {
				s.call("lambda", "PutFunctionEventInvokeConfig", map[string]any{"FunctionName": fn, "Qualifier": "$LATEST", "MaximumRetryAttempts": 1})
			},
			map[string]any{"FunctionName": fn, "Qualifier": "$LATEST", "MaximumRetryAttempts": 2},
			generic("AWS::Lambda::EventInvokeConfig", fn+"|$LATEST"),
			func() (string, bool) {
				v := str(s.call("lambda", "GetFunctionEventInvokeConfig", map[string]any{"FunctionName": fn, "Qualifier": "$LATEST"}), "MaximumRetryAttempts")
				return v, v == "1"
			}},
		{"AWS::ElasticLoadBalancingV2::LoadBalancer",
			func() { s.call("elasticloadbalancing", "CreateLoadBalancer", map[string]any{"Name": "theirs"}) },
			map[string]any{"Name": "theirs"}, generic("AWS::ElasticLoadBalancingV2::LoadBalancer", "theirs"),
			func() (string, bool) {
				return "", s.callErr("elasticloadbalancing", "DescribeLoadBalancers", map[string]any{"Names": []any{"theirs"}}) == ""
			}},
		{"AWS::ElasticLoadBalancingV2::TargetGroup",
			func() {
				s.call("elasticloadbalancing", "CreateTargetGroup", map[string]any{"Name": "theirs", "TargetType": "lambda"})
			},
			map[string]any{"Name": "theirs", "TargetType": "lambda"}, generic("AWS::ElasticLoadBalancingV2::TargetGroup", "theirs"),
			func() (string, bool) {
				return "", s.callErr("elasticloadbalancing", "DescribeTargetGroups", map[string]any{"Names": []any{"theirs"}}) == ""
			}},
		{"AWS::Events::EventBusPolicy",
			func() {
				s.call("events", "PutPermission", map[string]any{"StatementId": "theirs", "Action": "events:PutEvents", "Principal": "111111111111"})
			},
			map[string]any{"StatementId": "theirs", "Action": "events:PutEvents", "Principal": "222222222222"},
			generic("AWS::Events::EventBusPolicy", "default|theirs"),
			func() (string, bool) {
				v := str(s.call("events", "DescribeEventBus", map[string]any{}), "Policy")
				return v, strings.Contains(v, "111111111111") && !strings.Contains(v, "222222222222")
			}},
	} {
		c.make()
		req := s.request(c.typ, "Taken")
		req.Properties = c.props
		res, err := resource.Lookup(c.typ).Create(context.Background(), req)
		var h *resource.HandlerError
		if !errors.As(err, &h) || h.Code != "AlreadyExists" || h.Message != c.msg {
			t.Errorf("%s: Create of a name in use: %+v, %v (want %q)", c.typ, res, err, c.msg)
		}
		if res != nil {
			t.Errorf("%s: the refused Create names %q, which the rollback would delete", c.typ, res.PhysicalID)
		}
		if v, ok := c.kept(); !ok {
			t.Errorf("%s: what stood was changed: %q", c.typ, v)
		}
	}

	// The stack's own rule keeps its name through an update.
	rule := s.create("AWS::Events::Rule", "Mine", map[string]any{"Name": "mine", "ScheduleExpression": "rate(5 minutes)"})
	rule.update(map[string]any{"Name": "mine", "ScheduleExpression": "rate(1 hour)"})
	if v := str(s.call("events", "DescribeRule", map[string]any{"Name": "mine"}), "ScheduleExpression"); v != "rate(1 hour)" {
		t.Errorf("the updated rule: %q", v)
	}
}

// only reads field of the one entry an answer lists under key, and
// whether it is want.
func only(out map[string]any, key, field, want string) (string, bool) {
	l, _ := out[key].([]any)
	if len(l) != 1 {
		return fmt.Sprint(l), false
	}
	v := str(l[0].(map[string]any), field)
	return v, v == want
}

// policyDoc is a resource policy allowing action to a service.
func policyDoc(action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"` + action + `","Resource":"*"}]}`
}
