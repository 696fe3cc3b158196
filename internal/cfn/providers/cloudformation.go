package providers

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::CloudFormation::WaitConditionHandle",
		Provider:   waitConditionHandle{},
		Attributes: []string{},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::CloudFormation::Stack",
		Provider: nestedStack{},
		Replace:  []string{"*"},
	})
}

// waitConditionHandle is AWS::CloudFormation::WaitConditionHandle, a
// no-op: templates use it as a placeholder that forces a replacement, or
// with a WaitCondition virga does not have. Its Ref, on AWS a presigned
// URL that takes signals, is a URL on virga's endpoint that nothing
// answers yet.
type waitConditionHandle struct{}

func (waitConditionHandle) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	endpoint := "http://localhost:4566"
	if r.Env != nil && r.Env.Endpoint != "" {
		endpoint = strings.TrimSuffix(r.Env.Endpoint, "/")
	}
	u := endpoint + "/_virga/cloudformation/wait-condition/" + url.PathEscape(r.StackID) + "/" + url.PathEscape(r.LogicalID)
	return &resource.Result{PhysicalID: u, Attributes: map[string]any{}}, nil
}

func (waitConditionHandle) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (waitConditionHandle) Delete(ctx context.Context, r *resource.Request) error { return nil }

// errNestedStacks is what a nested stack fails with.
var errNestedStacks = errors.New("AWS::CloudFormation::Stack (nested stacks) is not supported by virga yet")

// nestedStack is AWS::CloudFormation::Stack, which virga cannot make yet:
// creating or updating one fails with errNestedStacks, and deleting one
// (which was never made) succeeds.
type nestedStack struct{}

func (nestedStack) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return nil, errNestedStacks
}

func (nestedStack) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return nil, errNestedStacks
}

func (nestedStack) Delete(ctx context.Context, r *resource.Request) error { return nil }
