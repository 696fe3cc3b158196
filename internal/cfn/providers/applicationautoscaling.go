package providers

import (
	"context"
	"fmt"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::ApplicationAutoScaling::ScalableTarget",
		Required:   []string{"MaxCapacity", "MinCapacity", "ResourceId", "ScalableDimension", "ServiceNamespace"},
		Provider:   scalableTarget{},
		Replace:    []string{"ResourceId", "ScalableDimension", "ServiceNamespace"},
		Attributes: []string{"Id"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApplicationAutoScaling::ScalingPolicy",
		Required:   []string{"PolicyName", "PolicyType"},
		Provider:   scalingPolicy{},
		Replace:    []string{"PolicyName", "ResourceId", "ScalableDimension", "ServiceNamespace", "ScalingTargetId"},
		Attributes: []string{"Arn"},
	})
}

// scalingKinds are the members of Application Auto Scaling's resources
// that are numbers or booleans.
var scalingKinds = map[string]kind{
	"MinCapacity": number, "MaxCapacity": number, "TargetValue": number, "ScaleInCooldown": number,
	"ScaleOutCooldown": number, "Cooldown": number, "MinAdjustmentMagnitude": number, "ScalingAdjustment": number,
	"MetricIntervalLowerBound": number, "MetricIntervalUpperBound": number,
	"DisableScaleIn": boolean, "DynamicScalingInSuspended": boolean, "DynamicScalingOutSuspended": boolean,
	"ScheduledScalingSuspended": boolean, "ReturnData": boolean,
}

// scalableTarget is AWS::ApplicationAutoScaling::ScalableTarget:
// RegisterScalableTarget, and a PutScheduledAction for each of its
// ScheduledActions. Ref (and GetAtt Id) is
// RESOURCE-ID|SCALABLE-DIMENSION|SERVICE-NAMESPACE, which a scaling
// policy's ScalingTargetId names it by.
type scalableTarget struct{}

func (scalableTarget) target(p props) map[string]any {
	return map[string]any{"ServiceNamespace": p.str("ServiceNamespace"), "ResourceId": p.str("ResourceId"),
		"ScalableDimension": p.str("ScalableDimension")}
}

func (t scalableTarget) put(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, scalingKinds)
	in := p.pick(t.target(p), "MinCapacity", "MaxCapacity", "RoleARN", "SuspendedState")
	if _, err := call(ctx, r, "application-autoscaling", "RegisterScalableTarget", in); err != nil {
		return nil, err
	}
	id := p.str("ResourceId") + "|" + p.str("ScalableDimension") + "|" + p.str("ServiceNamespace")
	res := &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}
	keep := map[string]bool{}
	for _, v := range p.list("ScheduledActions") {
		a := props(asMap(v))
		keep[a.str("ScheduledActionName")] = true
		in := a.pick(t.target(p), "ScheduledActionName", "Schedule", "Timezone", "ScalableTargetAction")
		for _, k := range []string{"StartTime", "EndTime"} {
			if a.has(k) {
				in[k] = epochSeconds(a.str(k))
			}
		}
		if _, err := call(ctx, r, "application-autoscaling", "PutScheduledAction", in); err != nil {
			return res, err
		}
	}
	for _, v := range old.list("ScheduledActions") {
		name := props(asMap(v)).str("ScheduledActionName")
		if keep[name] {
			continue
		}
		in := t.target(p)
		in["ScheduledActionName"] = name
		if _, err := call(ctx, r, "application-autoscaling", "DeleteScheduledAction", in); ignoreGone(err) != nil {
			return res, err
		}
	}
	return res, nil
}

func (t scalableTarget) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return t.put(ctx, r)
}

func (t scalableTarget) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return t.put(ctx, r)
}

func (t scalableTarget) Delete(ctx context.Context, r *resource.Request) error {
	p, _ := coerced(r, scalingKinds)
	_, err := call(ctx, r, "application-autoscaling", "DeregisterScalableTarget", t.target(p))
	return ignoreGone(err)
}

// scalingPolicy is AWS::ApplicationAutoScaling::ScalingPolicy:
// PutScalingPolicy on the target ScalingTargetId names, or
// ResourceId, ScalableDimension and ServiceNamespace do. Ref (and
// GetAtt Arn) is the policy's ARN.
type scalingPolicy struct{}

func (scalingPolicy) input(r *resource.Request) (map[string]any, error) {
	p, _ := coerced(r, scalingKinds)
	in := map[string]any{"PolicyName": p.str("PolicyName")}
	if id := p.str("ScalingTargetId"); id != "" {
		parts := strings.Split(id, "|")
		if len(parts) != 3 {
			return nil, fmt.Errorf("invalid ScalingTargetId %q: it is RESOURCE-ID|SCALABLE-DIMENSION|SERVICE-NAMESPACE", id)
		}
		in["ResourceId"], in["ScalableDimension"], in["ServiceNamespace"] = parts[0], parts[1], parts[2]
	} else {
		if !p.has("ResourceId") || !p.has("ScalableDimension") || !p.has("ServiceNamespace") {
			return nil, fmt.Errorf("Either ScalingTargetId or all three of [ResourceId, ScalableDimension, ServiceNamespace] must be specified")
		}
		p.pick(in, "ResourceId", "ScalableDimension", "ServiceNamespace")
	}
	return p.pick(in, "PolicyType", "StepScalingPolicyConfiguration", "TargetTrackingScalingPolicyConfiguration"), nil
}

func (sp scalingPolicy) put(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	in, err := sp.input(r)
	if err != nil {
		return nil, err
	}
	out, err := call(ctx, r, "application-autoscaling", "PutScalingPolicy", in)
	if err != nil {
		return nil, err
	}
	arn := outStr(out, "PolicyARN")
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"Arn": arn}}, nil
}

func (sp scalingPolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return sp.put(ctx, r)
}

func (sp scalingPolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return sp.put(ctx, r)
}

func (sp scalingPolicy) Delete(ctx context.Context, r *resource.Request) error {
	in, err := sp.input(r)
	if err != nil {
		return nil
	}
	in = map[string]any{"PolicyName": in["PolicyName"], "ResourceId": in["ResourceId"],
		"ScalableDimension": in["ScalableDimension"], "ServiceNamespace": in["ServiceNamespace"]}
	_, err = call(ctx, r, "application-autoscaling", "DeleteScalingPolicy", in)
	return ignoreGone(err)
}
