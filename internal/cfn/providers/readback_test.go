package providers_test

import "testing"

// TestCreateReadBackFailsAfterMaking: a resource whose creating call
// answered and whose reading back then failed is named in the result,
// so that the rollback deletes it.
func TestCreateReadBackFailsAfterMaking(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	src := s.create("AWS::SQS::Queue", "Src", map[string]any{}).attr("Arn")
	trailBucket := s.create("AWS::S3::Bucket", "Trail", map[string]any{}).ref()
	for _, c := range []struct {
		typ, readBack string
		nth           int32 // the read-back's call of its operation
		props         map[string]any
		exists        func(id string) string // an operation's error code for the made resource
	}{
		{"AWS::SQS::Queue", "GetQueueAttributes", 1, map[string]any{"QueueName": "made"},
			func(id string) string {
				return s.callErr("sqs", "GetQueueAttributes", map[string]any{"QueueUrl": id, "AttributeNames": []any{"QueueArn"}})
			}},
		{"AWS::CloudWatch::Alarm", "DescribeAlarms", 2, map[string]any{"AlarmName": "made", "MetricName": "M", "Namespace": "N",
			"Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold"},
			func(id string) string {
				_, ok := only(s.call("monitoring", "DescribeAlarms", map[string]any{"AlarmNames": []any{id}}), "MetricAlarms", "AlarmName", id)
				if !ok {
					return "missing"
				}
				return ""
			}},
		{"AWS::Scheduler::ScheduleGroup", "GetScheduleGroup", 1, map[string]any{"Name": "made"},
			func(id string) string { return s.callErr("scheduler", "GetScheduleGroup", map[string]any{"Name": id}) }},
		{"AWS::CloudTrail::Trail", "GetTrail", 1, map[string]any{"TrailName": "made", "S3BucketName": trailBucket},
			func(id string) string { return s.callErr("cloudtrail", "GetTrail", map[string]any{"Name": id}) }},
		{"AWS::ApiGateway::RestApi", "GetRestApi", 1, map[string]any{"Name": "made"},
			func(id string) string { return s.callErr("apigateway", "GetRestApi", map[string]any{"restApiId": id}) }},
		{"AWS::Events::Connection", "DescribeConnection", 1, map[string]any{"Name": "made", "AuthorizationType": "API_KEY",
			"AuthParameters": map[string]any{"ApiKeyAuthParameters": map[string]any{"ApiKeyName": "x-key", "ApiKeyValue": "secret"}}},
			func(id string) string { return s.callErr("events", "DescribeConnection", map[string]any{"Name": id}) }},
		{"AWS::Pipes::Pipe", "DescribePipe", 1, map[string]any{"Name": "made", "RoleArn": testRole, "Source": src, "Target": src},
			func(id string) string { return s.callErr("pipes", "DescribePipe", map[string]any{"Name": id}) }},
	} {
		s.failCall(c.readBack, c.nth)
		res := s.failedCreate(c.typ, "Made", c.props)
		if res == nil || res.PhysicalID == "" {
			t.Errorf("%s: Create after a failed %s: %+v", c.typ, c.readBack, res)
			continue
		}
		if code := c.exists(res.PhysicalID); code != "" {
			t.Errorf("%s: the named resource %s: %s", c.typ, res.PhysicalID, code)
		}
	}
}
