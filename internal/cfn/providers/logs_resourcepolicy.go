package providers

import (
	"context"
	"encoding/json"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Logs::ResourcePolicy",
		Required: []string{"PolicyName", "PolicyDocument"},
		Provider: logsResourcePolicy{},
		Replace:  []string{"PolicyName"},
	})
}

// logsResourcePolicy is AWS::Logs::ResourcePolicy: PutResourcePolicy
// with PolicyName and PolicyDocument (a JSON string; an object is
// accepted and written as JSON). Its physical ID and Ref are the
// policy's name; a new document is put in place, a new name replaces
// the policy.
type logsResourcePolicy struct{}

func (logsResourcePolicy) put(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	doc, ok := r.Properties["PolicyDocument"].(string)
	if !ok {
		b, err := json.Marshal(r.Properties["PolicyDocument"])
		if err != nil {
			return nil, err
		}
		doc = string(b)
	}
	name := p.str("PolicyName")
	if _, err := call(ctx, r, "logs", "PutResourcePolicy", map[string]any{"policyName": name, "policyDocument": doc}); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name}, nil
}

func (x logsResourcePolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	name := props(r.Properties).str("PolicyName")
	look := lookup{service: "logs", op: "DescribeResourcePolicies", in: map[string]any{},
		found: listing("resourcePolicies", "policyName", name)}
	if err := refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, name)); err != nil {
		return nil, err
	}
	return x.put(ctx, r)
}

func (x logsResourcePolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return x.put(ctx, r)
}

func (logsResourcePolicy) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "logs", "DeleteResourcePolicy", map[string]any{"policyName": r.PhysicalID})
	return ignoreGone(err)
}
