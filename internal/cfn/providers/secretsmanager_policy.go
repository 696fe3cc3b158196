package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::SecretsManager::ResourcePolicy",
		Required:   []string{"SecretId", "ResourcePolicy"},
		Provider:   secretPolicy{},
		Replace:    []string{"SecretId"},
		Attributes: []string{"Id"},
	})
}

// secretPolicy is AWS::SecretsManager::ResourcePolicy: PutResourcePolicy
// (the policy as an object or JSON text; BlockPublicPolicy as Secrets
// Manager defaults it), again on an update, and DeleteResourcePolicy
// when deleted. Its physical ID, Ref and Id are the secret's ARN. A
// secret that already has a policy is refused, so that the stack never
// deletes one it did not put.
type secretPolicy struct{}

func (secretPolicy) put(ctx context.Context, r *resource.Request, secret string) (string, error) {
	p := props(r.Properties)
	doc, err := jsonText(p["ResourcePolicy"])
	if err != nil {
		return "", err
	}
	in := map[string]any{"SecretId": secret, "ResourcePolicy": doc}
	if p.has("BlockPublicPolicy") {
		in["BlockPublicPolicy"] = p.flag("BlockPublicPolicy")
	}
	out, err := call(ctx, r, "secretsmanager", "PutResourcePolicy", in)
	return outStr(out, "ARN"), err
}

func (t secretPolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	secret := props(r.Properties).str("SecretId")
	look := lookup{service: "secretsmanager", op: "GetResourcePolicy", in: map[string]any{"SecretId": secret},
		found: func(out props) bool { return out.str("ResourcePolicy") != "" }}
	if err := refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, secret)); err != nil {
		return nil, err
	}
	arn, err := t.put(ctx, r, secret)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"Id": arn}}, nil
}

func (t secretPolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if _, err := t.put(ctx, r, r.PhysicalID); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (secretPolicy) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "secretsmanager", "DeleteResourcePolicy", map[string]any{"SecretId": r.PhysicalID})
	return ignoreGone(err)
}
