package applicationautoscaling

import (
	"context"
	"strings"
)

// A target tracking policy watches its metric with two CloudWatch
// alarms, as AWS's do: AlarmHigh, whose breach would scale out, and
// AlarmLow, whose breach would scale in. virga creates them through
// CloudWatch's PutMetricAlarm, with the policy as their action, and
// deletes them with the policy; their breaches scale nothing yet.

// alarmMetric is the metric a target tracking policy's alarms watch.
type alarmMetric struct {
	namespace, name, statistic string
	dimensions                 []map[string]any
	// perCapacity says the target is a utilization of the resource's
	// capacity measured as a per-minute sum (DynamoDB's consumed
	// capacity), so the alarms' thresholds scale with the capacity.
	perCapacity bool
}

// predefinedMetrics maps the predefined metric types virga knows to the
// metric their alarms watch; dims builds the dimensions from the
// target's resource ID and the ResourceLabel.
var predefinedMetrics = map[string]struct {
	namespace, dimension, name, statistic string
	perCapacity                           bool
	dims                                  func(k targetKey, label string) []map[string]any
}{
	"DynamoDBReadCapacityUtilization":         {"dynamodb", "ReadCapacityUnits", "ConsumedReadCapacityUnits", "Sum", true, dynamoDBDims},
	"DynamoDBWriteCapacityUtilization":        {"dynamodb", "WriteCapacityUnits", "ConsumedWriteCapacityUnits", "Sum", true, dynamoDBDims},
	"ECSServiceAverageCPUUtilization":         {"ecs", "", "CPUUtilization", "Average", false, ecsDims},
	"ECSServiceAverageMemoryUtilization":      {"ecs", "", "MemoryUtilization", "Average", false, ecsDims},
	"LambdaProvisionedConcurrencyUtilization": {"lambda", "", "ProvisionedConcurrencyUtilization", "Maximum", false, lambdaDims},
	"ALBRequestCountPerTarget":                {"ecs", "", "RequestCountPerTarget", "Sum", false, albDims},
}

var metricNamespaces = map[string]string{"dynamodb": "AWS/DynamoDB", "ecs": "AWS/ECS", "lambda": "AWS/Lambda"}

func dim(name, value string) map[string]any { return map[string]any{"Name": name, "Value": value} }

func dynamoDBDims(k targetKey, _ string) []map[string]any {
	parts := strings.Split(k.ResourceID, "/")
	d := []map[string]any{dim("TableName", parts[1])}
	if len(parts) == 4 {
		d = append(d, dim("GlobalSecondaryIndexName", parts[3]))
	}
	return d
}

func ecsDims(k targetKey, _ string) []map[string]any {
	parts := strings.Split(k.ResourceID, "/")
	return []map[string]any{dim("ClusterName", parts[1]), dim("ServiceName", parts[2])}
}

func lambdaDims(k targetKey, _ string) []map[string]any {
	parts := strings.Split(k.ResourceID, ":")
	return []map[string]any{dim("FunctionName", parts[1]), dim("Resource", parts[1]+":"+parts[2])}
}

func albDims(_ targetKey, label string) []map[string]any {
	// app/LB/ID/targetgroup/TG/ID: the target group is the label's
	// last three parts.
	parts := strings.Split(label, "/")
	if len(parts) < 3 {
		return nil
	}
	return []map[string]any{dim("TargetGroup", strings.Join(parts[len(parts)-3:], "/"))}
}

// trackedMetric checks a target tracking configuration and returns the
// metric its alarms watch.
func trackedMetric(k targetKey, c *TargetTrackingScalingPolicyConfiguration) (*alarmMetric, error) {
	pre, custom := c.PredefinedMetricSpecification, c.CustomizedMetricSpecification
	switch {
	case pre == nil && custom == nil:
		return nil, invalid("Either PredefinedMetricSpecification or CustomizedMetricSpecification must be specified")
	case pre != nil && custom != nil:
		return nil, invalid("Only one of PredefinedMetricSpecification or CustomizedMetricSpecification can be specified")
	case custom != nil:
		if custom.MetricName == nil || custom.Namespace == nil || custom.Statistic == nil {
			return nil, invalid("CustomizedMetricSpecification must specify MetricName, Namespace and Statistic")
		}
		m := &alarmMetric{namespace: *custom.Namespace, name: *custom.MetricName, statistic: string(*custom.Statistic)}
		for _, d := range custom.Dimensions {
			m.dimensions = append(m.dimensions, dim(deref(d.Name), deref(d.Value)))
		}
		return m, nil
	}
	t := string(deref(pre.PredefinedMetricType))
	def, ok := predefinedMetrics[t]
	if !ok {
		// A metric type of a namespace virga does not scale: its
		// policy is kept, with no alarms.
		if _, scaled := dimensions[k.Namespace]; scaled {
			return nil, invalid("Unsupported metric %s for scalable dimension %s", t, k.Dimension)
		}
		return nil, nil
	}
	if def.namespace != k.Namespace || (def.dimension != "" && !strings.HasSuffix(k.Dimension, ":"+def.dimension)) {
		return nil, invalid("Unsupported metric %s for scalable dimension %s", t, k.Dimension)
	}
	if t == "ALBRequestCountPerTarget" && deref(pre.ResourceLabel) == "" {
		return nil, invalid("ResourceLabel must be specified for metric ALBRequestCountPerTarget")
	}
	ns := metricNamespaces[def.namespace]
	if t == "ALBRequestCountPerTarget" {
		ns = "AWS/ApplicationELB"
	}
	return &alarmMetric{namespace: ns, name: def.name, statistic: def.statistic, perCapacity: def.perCapacity,
		dimensions: def.dims(k, deref(pre.ResourceLabel))}, nil
}

// putAlarms creates a target tracking policy's AlarmHigh and AlarmLow
// for target value v at the resource's capacity capacity.
func (s *Service) putAlarms(ctx context.Context, k targetKey, policyARN string, m *alarmMetric, v float64, capacity int32) ([]Alarm, error) {
	if m == nil {
		return nil, nil
	}
	high, low := v, v*0.9
	if m.perCapacity {
		// Consumed capacity summed over a minute, against the
		// provisioned units per second.
		high, low = v/100*float64(capacity)*60, (v-20)/100*float64(capacity)*60
	}
	id := s.ids.UUID()
	var alarms []Alarm
	for _, a := range []struct {
		side, op  string
		threshold float64
		periods   int
	}{{"AlarmHigh", "GreaterThanThreshold", high, 3}, {"AlarmLow", "LessThanThreshold", low, 15}} {
		name := "TargetTracking-" + k.ResourceID + "-" + a.side + "-" + id
		dims := make([]any, len(m.dimensions))
		for i, d := range m.dimensions {
			dims[i] = d
		}
		_, err := s.call(ctx, "monitoring", "PutMetricAlarm", map[string]any{
			"AlarmName": name, "AlarmDescription": "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + policyARN + ".",
			"ActionsEnabled": true, "AlarmActions": []any{policyARN},
			"MetricName": m.name, "Namespace": m.namespace, "Statistic": m.statistic, "Dimensions": dims,
			"Period": 60, "EvaluationPeriods": a.periods, "Threshold": a.threshold, "ComparisonOperator": a.op,
		})
		if err != nil {
			s.deleteAlarms(ctx, alarms)
			return nil, err
		}
		alarms = append(alarms, Alarm{AlarmName: ptr(name), AlarmARN: ptr("arn:aws:cloudwatch:" + s.region + ":" + s.account + ":alarm:" + name)})
	}
	return alarms, nil
}

// deleteAlarms deletes a policy's alarms; one already gone is no error.
func (s *Service) deleteAlarms(ctx context.Context, alarms []Alarm) {
	if len(alarms) == 0 {
		return
	}
	names := make([]any, len(alarms))
	for i, a := range alarms {
		names[i] = deref(a.AlarmName)
	}
	_, _ = s.call(ctx, "monitoring", "DeleteAlarms", map[string]any{"AlarmNames": names})
}
