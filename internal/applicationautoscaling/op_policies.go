package applicationautoscaling

import (
	"context"
	"slices"

	"github.com/virga/virga/internal/store"
)

func (s *Service) putScalingPolicy(ctx context.Context, in *PutScalingPolicyRequest) (*PutScalingPolicyResponse, error) {
	k := keyOf(in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	name := deref(in.PolicyName)
	kind := PolicyType("StepScaling")
	if in.PolicyType != nil {
		kind = *in.PolicyType
	}
	var metric *alarmMetric
	switch kind {
	case "StepScaling":
		if in.StepScalingPolicyConfiguration == nil {
			return nil, invalid("StepScalingPolicyConfiguration must be specified for step scaling policy type")
		}
	case "TargetTrackingScaling":
		c := in.TargetTrackingScalingPolicyConfiguration
		if c == nil {
			return nil, invalid("TargetTrackingScalingPolicyConfiguration must be specified for target tracking scaling policy type")
		}
		var err error
		if metric, err = trackedMetric(k, c); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.target(k, targetNotRegistered); err != nil {
		return nil, err
	}
	var p ScalingPolicy
	found, err := get(s.store, k.named(s.account, "p", name), &p)
	if err != nil {
		return nil, err
	}
	if !found {
		p = ScalingPolicy{PolicyARN: ptr(s.policyARN(k, name)), PolicyName: ptr(name), ServiceNamespace: in.ServiceNamespace,
			ResourceId: ptr(k.ResourceID), ScalableDimension: in.ScalableDimension, CreationTime: ptr(s.clock.Now())}
	}
	old := p.Alarms
	p.PolicyType = ptr(kind)
	p.StepScalingPolicyConfiguration, p.TargetTrackingScalingPolicyConfiguration = nil, nil
	p.Alarms = nil
	if kind == "StepScaling" {
		p.StepScalingPolicyConfiguration = in.StepScalingPolicyConfiguration
	} else {
		p.TargetTrackingScalingPolicyConfiguration = in.TargetTrackingScalingPolicyConfiguration
		cur, err := capacity{s, k}.current(ctx)
		if err != nil {
			return nil, err
		}
		if p.Alarms, err = s.putAlarms(ctx, k, *p.PolicyARN, metric, deref(in.TargetTrackingScalingPolicyConfiguration.TargetValue), cur); err != nil {
			return nil, err
		}
	}
	if err := s.commit(func(b store.Batch) error { return put(b, k.named(s.account, "p", name), &p) }); err != nil {
		s.deleteAlarms(ctx, p.Alarms)
		return nil, err
	}
	s.deleteAlarms(ctx, old)
	alarms := p.Alarms
	if alarms == nil {
		alarms = []Alarm{}
	}
	return &PutScalingPolicyResponse{PolicyARN: p.PolicyARN, Alarms: alarms}, nil
}

func (s *Service) describeScalingPolicies(ctx context.Context, in *DescribeScalingPoliciesRequest) (*DescribeScalingPoliciesResponse, error) {
	all, ks, err := scanAll[ScalingPolicy](s.store, under(s.account, "p", string(deref(in.ServiceNamespace)), deref(in.ResourceId), ""))
	if err != nil {
		return nil, err
	}
	all, ks = filter(all, ks, func(p *ScalingPolicy) bool {
		return (in.ScalableDimension == nil || *in.ScalableDimension == *p.ScalableDimension) &&
			(len(in.PolicyNames) == 0 || slices.Contains(in.PolicyNames, *p.PolicyName))
	})
	items, next, err := page(all, ks, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []ScalingPolicy{}
	}
	return &DescribeScalingPoliciesResponse{ScalingPolicies: items, NextToken: next}, nil
}

func (s *Service) deleteScalingPolicy(ctx context.Context, in *DeleteScalingPolicyRequest) (*DeleteScalingPolicyResponse, error) {
	k := keyOf(in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	name := deref(in.PolicyName)
	s.mu.Lock()
	defer s.mu.Unlock()
	var p ScalingPolicy
	if err := s.remove(k, "p", name, &p, policyNotFound(k, name)); err != nil {
		return nil, err
	}
	s.deleteAlarms(ctx, p.Alarms)
	return &DeleteScalingPolicyResponse{}, nil
}
