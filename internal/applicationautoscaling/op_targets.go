package applicationautoscaling

import (
	"context"
	"slices"
	"strings"

	"github.com/virga/virga/internal/store"
)

// serviceLinkedRoles are the roles AWS creates for a namespace's
// targets, named in a target registered without a RoleARN.
var serviceLinkedRoles = map[string]string{
	"dynamodb": "dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
	"ecs":      "ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
	"lambda":   "lambda.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency",
}

func (s *Service) defaultRole(ns string) string {
	role, ok := serviceLinkedRoles[ns]
	if !ok {
		role = ns + ".application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_" + ns
	}
	return "arn:aws:iam::" + s.account + ":role/aws-service-role/" + role
}

func (s *Service) registerScalableTarget(ctx context.Context, in *RegisterScalableTargetRequest) (*RegisterScalableTargetResponse, error) {
	k := keyOf(in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	if err := checkTarget(k); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var r targetRecord
	found, err := get(s.store, k.key(s.account), &r)
	if err != nil {
		return nil, err
	}
	if !found {
		if in.MinCapacity == nil || in.MaxCapacity == nil {
			return nil, invalid("MinCapacity and MaxCapacity are required for registering a new scalable target")
		}
		r = targetRecord{ScalableTarget: ScalableTarget{ServiceNamespace: in.ServiceNamespace, ResourceId: ptr(k.ResourceID),
			ScalableDimension: in.ScalableDimension, RoleARN: ptr(s.defaultRole(k.Namespace)), CreationTime: ptr(s.clock.Now()),
			ScalableTargetARN: ptr(s.targetARN(strings.ReplaceAll(s.ids.UUID(), "-", ""))),
			SuspendedState: &SuspendedState{DynamicScalingInSuspended: ptr(false), DynamicScalingOutSuspended: ptr(false),
				ScheduledScalingSuspended: ptr(false)}}}
	}
	lo, hi := deref(in.MinCapacity), deref(in.MaxCapacity)
	if in.MinCapacity == nil {
		lo = *r.MinCapacity
	}
	if in.MaxCapacity == nil {
		hi = *r.MaxCapacity
	}
	if lo < 0 || hi < 0 {
		return nil, invalid("Minimum and maximum capacity cannot be negative")
	}
	if lo > hi {
		return nil, invalid("Minimum capacity cannot be greater than maximum capacity")
	}
	r.MinCapacity, r.MaxCapacity = ptr(lo), ptr(hi)
	if in.RoleARN != nil {
		r.RoleARN = in.RoleARN
	}
	if st := in.SuspendedState; st != nil {
		for _, f := range []struct{ from, to **bool }{
			{&st.DynamicScalingInSuspended, &r.SuspendedState.DynamicScalingInSuspended},
			{&st.DynamicScalingOutSuspended, &r.SuspendedState.DynamicScalingOutSuspended},
			{&st.ScheduledScalingSuspended, &r.SuspendedState.ScheduledScalingSuspended},
		} {
			if *f.from != nil {
				*f.to = *f.from
			}
		}
	}
	if err := r.addTags(in.Tags); err != nil {
		return nil, err
	}
	c := capacity{s, k}
	cur, err := c.current(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.commit(func(b store.Batch) error { return put(b, k.key(s.account), &r) }); err != nil {
		return nil, err
	}
	if c.scaled() && (cur < lo || cur > hi) {
		cause := "minimum capacity was set to " + itoa(lo)
		if cur > hi {
			cause = "maximum capacity was set to " + itoa(hi)
		}
		s.scale(ctx, c, clamp(cur, lo, hi), cause)
	}
	return &RegisterScalableTargetResponse{ScalableTargetARN: r.ScalableTargetARN}, nil
}

func (s *Service) describeScalableTargets(ctx context.Context, in *DescribeScalableTargetsRequest) (*DescribeScalableTargetsResponse, error) {
	all, ks, err := scanAll[targetRecord](s.store, under(s.account, "t", string(deref(in.ServiceNamespace)), "", ""))
	if err != nil {
		return nil, err
	}
	all, ks = filter(all, ks, func(r *targetRecord) bool {
		return (len(in.ResourceIds) == 0 || slices.Contains(in.ResourceIds, *r.ResourceId)) &&
			(in.ScalableDimension == nil || *in.ScalableDimension == *r.ScalableDimension)
	})
	items, next, err := page(all, ks, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := make([]ScalableTarget, len(items))
	for i, r := range items {
		out[i] = r.ScalableTarget
	}
	return &DescribeScalableTargetsResponse{ScalableTargets: out, NextToken: next}, nil
}

func (s *Service) deregisterScalableTarget(ctx context.Context, in *DeregisterScalableTargetRequest) (*DeregisterScalableTargetResponse, error) {
	k := keyOf(in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.target(k, targetNotFound); err != nil {
		return nil, err
	}
	policies, _, err := scanAll[ScalingPolicy](s.store, k.prefix(s.account, "p"))
	if err != nil {
		return nil, err
	}
	for _, p := range policies {
		s.deleteAlarms(ctx, p.Alarms)
	}
	err = s.commit(func(b store.Batch) error {
		b.Delete(k.key(s.account))
		for _, kind := range []string{"p", "s", "a"} {
			deleteUnder(b, k.prefix(s.account, kind))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeregisterScalableTargetResponse{}, nil
}

// target returns the registered target k, or the ObjectNotFoundException
// notFound words.
func (s *Service) target(k targetKey, notFound func(targetKey) error) (*targetRecord, error) {
	var r targetRecord
	found, err := get(s.store, k.key(s.account), &r)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFound(k)
	}
	return &r, nil
}

// remove deletes the policy or scheduled action (kind "p" or "s") name
// of target k, and returns it in v; notFound is the error when there is
// none. The caller holds s.mu.
func (s *Service) remove(k targetKey, kind, name string, v any, notFound error) error {
	found, err := get(s.store, k.named(s.account, kind, name), v)
	if err != nil {
		return err
	}
	if !found {
		return notFound
	}
	return s.commit(func(b store.Batch) error { b.Delete(k.named(s.account, kind, name)); return nil })
}
