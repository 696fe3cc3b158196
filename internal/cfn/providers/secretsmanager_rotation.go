package providers

import (
	"context"
	"errors"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::SecretsManager::RotationSchedule",
		Required: []string{"SecretId"},
		Provider: rotationSchedule{},
		Replace:  []string{"SecretId"},
	})
}

// rotationSchedule is AWS::SecretsManager::RotationSchedule: RotateSecret
// with the function and rules, rotating at once unless
// RotateImmediatelyOnUpdate is false (as CloudFormation does); an update
// calls it again with the new settings, and Delete turns rotation off
// with CancelRotateSecret. Its physical ID and Ref are the secret's ARN.
// HostedRotationLambda (a function AWS deploys from its Serverless
// Application Repository) is not supported.
type rotationSchedule struct{}

var rotationKinds = map[string]kind{"AutomaticallyAfterDays": number, "RotateImmediatelyOnUpdate": boolean}

var errHostedRotation = errors.New("AWS::SecretsManager::RotationSchedule: HostedRotationLambda is not supported by virga; give RotationLambdaARN")

func (rotationSchedule) apply(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, rotationKinds)
	if p.has("HostedRotationLambda") {
		return nil, errHostedRotation
	}
	in := map[string]any{"SecretId": p.str("SecretId"), "RotateImmediately": !p.has("RotateImmediatelyOnUpdate") || p.flag("RotateImmediatelyOnUpdate")}
	if p.has("RotationLambdaARN") {
		in["RotationLambdaARN"] = p.str("RotationLambdaARN")
	}
	if rules := p.obj("RotationRules"); rules != nil {
		in["RotationRules"] = rules.pick(map[string]any{}, "AutomaticallyAfterDays", "Duration", "ScheduleExpression")
	}
	out, err := call(ctx, r, "secretsmanager", "RotateSecret", in)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: outStr(out, "ARN")}, nil
}

func (s rotationSchedule) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return s.apply(ctx, r)
}

func (s rotationSchedule) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return s.apply(ctx, r)
}

func (rotationSchedule) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "secretsmanager", "CancelRotateSecret", map[string]any{"SecretId": r.PhysicalID})
	return ignoreGone(err)
}
