package applicationautoscaling

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// ExecutePolicy runs a scaling policy that is the action of an alarm
// gone into ALARM (CloudWatch calls it): reasonData's recentDatapoints
// are the values that breached. A target tracking policy moves the
// capacity so that its metric would come back to the target value (up
// on its AlarmHigh, down on its AlarmLow unless DisableScaleIn); a step
// scaling policy applies the step adjustment the breach falls in. The
// new capacity stays within the target's bounds, and suspended dynamic
// scaling leaves it be. A policy that no longer exists is no error.
func (s *Service) ExecutePolicy(ctx context.Context, policyARN, alarmName, reasonData string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	policies, _, err := scanAll[ScalingPolicy](s.store, rootKey(s.account, "p"))
	if err != nil {
		return err
	}
	var p *ScalingPolicy
	for i := range policies {
		if *policies[i].PolicyARN == policyARN {
			p = &policies[i]
		}
	}
	if p == nil {
		return nil
	}
	k := targetKey{string(*p.ServiceNamespace), *p.ResourceId, string(*p.ScalableDimension)}
	t, err := s.target(k, targetNotFound)
	if err != nil {
		return err
	}
	var data struct {
		RecentDatapoints []float64 `json:"recentDatapoints"`
		Threshold        float64   `json:"threshold"`
	}
	if err := json.Unmarshal([]byte(reasonData), &data); err != nil || len(data.RecentDatapoints) == 0 {
		return fmt.Errorf("alarm %s: no datapoints in its state reason data", alarmName)
	}
	value := data.RecentDatapoints[len(data.RecentDatapoints)-1]
	c := capacity{s, k}
	if !c.scaled() {
		return nil
	}
	cur, err := c.current(ctx)
	if err != nil {
		return err
	}
	want, ok := desired(p, alarmName, cur, value, data.Threshold)
	if !ok {
		return nil
	}
	st := t.SuspendedState
	if (want > cur && deref(st.DynamicScalingOutSuspended)) || (want < cur && deref(st.DynamicScalingInSuspended)) {
		return nil
	}
	if want = clamp(want, *t.MinCapacity, *t.MaxCapacity); want != cur {
		s.scale(ctx, c, want, "monitor alarm "+alarmName+" in state ALARM triggered policy "+*p.PolicyName)
	}
	return nil
}

// desired is the capacity policy p asks for when its alarm breaches
// with value at capacity cur; ok is false when it asks for nothing.
func desired(p *ScalingPolicy, alarmName string, cur int32, value, threshold float64) (int32, bool) {
	if c := p.TargetTrackingScalingPolicyConfiguration; c != nil {
		target := deref(c.TargetValue)
		if target <= 0 {
			return 0, false
		}
		// The metric is taken to move in proportion to the capacity;
		// DynamoDB's consumed units, summed over a minute, are turned
		// into a utilization of the capacity first.
		utilization := value
		if pre := c.PredefinedMetricSpecification; pre != nil && strings.HasPrefix(string(deref(pre.PredefinedMetricType)), "DynamoDB") {
			utilization = value / 60 / float64(max(cur, 1)) * 100
		}
		want := int32(math.Ceil(float64(cur) * utilization / target))
		switch {
		case strings.Contains(alarmName, "-AlarmHigh-"):
			return max(want, cur+1), true
		case strings.Contains(alarmName, "-AlarmLow-") && !deref(c.DisableScaleIn):
			return min(want, cur-1), true
		}
		return 0, false
	}
	c := p.StepScalingPolicyConfiguration
	if c == nil {
		return 0, false
	}
	diff := value - threshold
	for _, step := range c.StepAdjustments {
		lo, hi := math.Inf(-1), math.Inf(1)
		if step.MetricIntervalLowerBound != nil {
			lo = *step.MetricIntervalLowerBound
		}
		if step.MetricIntervalUpperBound != nil {
			hi = *step.MetricIntervalUpperBound
		}
		if diff < lo || diff >= hi {
			continue
		}
		adj := deref(step.ScalingAdjustment)
		switch deref(c.AdjustmentType) {
		case "ExactCapacity":
			return adj, true
		case "PercentChangeInCapacity":
			change := int32(float64(cur) * float64(adj) / 100)
			if m := deref(c.MinAdjustmentMagnitude); m > 0 && abs(change) < m {
				change = m
				if adj < 0 {
					change = -m
				}
			}
			return cur + change, true
		default: // ChangeInCapacity
			return cur + adj, true
		}
	}
	return 0, false
}

func abs(n int32) int32 { return max(n, -n) }
