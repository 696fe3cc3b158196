package applicationautoscaling

import "testing"

func TestDesired(t *testing.T) {
	t.Parallel()
	tracking := func(metric string, target float64, disableScaleIn bool) *ScalingPolicy {
		return &ScalingPolicy{TargetTrackingScalingPolicyConfiguration: &TargetTrackingScalingPolicyConfiguration{
			TargetValue: ptr(target), DisableScaleIn: ptr(disableScaleIn),
			PredefinedMetricSpecification: &PredefinedMetricSpecification{PredefinedMetricType: ptr(MetricType(metric))}}}
	}
	steps := func(kind string, minMagnitude int32) *ScalingPolicy {
		return &ScalingPolicy{StepScalingPolicyConfiguration: &StepScalingPolicyConfiguration{AdjustmentType: ptr(AdjustmentType(kind)),
			MinAdjustmentMagnitude: ptr(minMagnitude), StepAdjustments: []StepAdjustment{
				{MetricIntervalUpperBound: ptr(0.0), ScalingAdjustment: ptr(int32(-50))},
				{MetricIntervalLowerBound: ptr(0.0), MetricIntervalUpperBound: ptr(10.0), ScalingAdjustment: ptr(int32(10))},
				{MetricIntervalLowerBound: ptr(10.0), ScalingAdjustment: ptr(int32(50))}}}}
	}
	for _, tc := range []struct {
		name             string
		p                *ScalingPolicy
		alarm            string
		cur              int32
		value, threshold float64
		want             int32
		ok               bool
	}{
		{"ecs high", tracking("ECSServiceAverageCPUUtilization", 50, false), "TargetTracking-x-AlarmHigh-1", 4, 75, 0, 6, true},
		{"ecs high, at least one more", tracking("ECSServiceAverageCPUUtilization", 50, false), "TargetTracking-x-AlarmHigh-1", 4, 51, 0, 5, true},
		{"ecs low", tracking("ECSServiceAverageCPUUtilization", 50, false), "TargetTracking-x-AlarmLow-1", 4, 20, 0, 2, true},
		{"ecs low, scale-in disabled", tracking("ECSServiceAverageCPUUtilization", 50, true), "TargetTracking-x-AlarmLow-1", 4, 20, 0, 0, false},
		// 10 units of capacity, 540 consumed over a minute: 90% of 70%.
		{"dynamodb high", tracking("DynamoDBReadCapacityUtilization", 70, false), "TargetTracking-x-AlarmHigh-1", 10, 540, 0, 13, true},
		{"not the policy's alarm", tracking("ECSServiceAverageCPUUtilization", 50, false), "mine", 4, 75, 0, 0, false},
		{"change", steps("ChangeInCapacity", 0), "a", 4, 75, 70, 14, true},
		{"change, upper step", steps("ChangeInCapacity", 0), "a", 4, 90, 70, 54, true},
		{"percent", steps("PercentChangeInCapacity", 0), "a", 10, 90, 70, 15, true},
		{"percent, down", steps("PercentChangeInCapacity", 0), "a", 10, 60, 70, 5, true},
		{"percent, min magnitude", steps("PercentChangeInCapacity", 3), "a", 4, 75, 70, 7, true},
		{"exact", steps("ExactCapacity", 0), "a", 4, 75, 70, 10, true},
	} {
		got, ok := desired(tc.p, tc.alarm, tc.cur, tc.value, tc.threshold)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: desired = %d, %v; want %d, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
