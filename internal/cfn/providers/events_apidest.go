package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::Events::Connection",
		Provider:     connection{},
		Replace:      []string{"Name"},
		NameProperty: "Name",
		Attributes:   []string{"Arn", "SecretArn"},
	})
	resource.Register(&resource.Type{
		Name:         "AWS::Events::ApiDestination",
		Required:     []string{"ConnectionArn", "InvocationEndpoint", "HttpMethod"},
		Provider:     apiDestination{},
		Replace:      []string{"Name"},
		NameProperty: "Name",
		Attributes:   []string{"Arn"},
	})
}

const (
	maxConnectionName     = 64 // EventBridge connection names
	maxAPIDestinationName = 64 // EventBridge API destination names
)

var connectionKinds = map[string]kind{"IsValueSecret": boolean}

// connection is AWS::Events::Connection: CreateConnection, and
// UpdateConnection with the template's whole authorization for an
// update. Its Ref is its name; Fn::GetAtt gives Arn and SecretArn.
type connection struct{}

func (connection) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, connectionKinds)
	name := p.str("Name")
	if name == "" {
		name = physicalName(r, maxConnectionName)
	}
	in := p.pick(map[string]any{"Name": name}, "Description", "AuthorizationType", "AuthParameters")
	if _, err := call(ctx, r, "events", "CreateConnection", in); err != nil {
		return nil, err
	}
	return connectionResult(ctx, r, name)
}

// connectionResult reads the connection's ARN and secret's ARN.
func connectionResult(ctx context.Context, r *resource.Request, name string) (*resource.Result, error) {
	out, err := call(ctx, r, "events", "DescribeConnection", map[string]any{"Name": name})
	if err != nil {
		return &resource.Result{PhysicalID: name}, err // made: the rollback deletes it
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{
		"Arn": outStr(out, "ConnectionArn"), "SecretArn": outStr(out, "SecretArn")}}, nil
}

func (connection) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, connectionKinds)
	in := p.pick(map[string]any{"Name": r.PhysicalID}, "AuthorizationType", "AuthParameters")
	in["Description"] = p.str("Description")
	if _, err := call(ctx, r, "events", "UpdateConnection", in); err != nil {
		return nil, err
	}
	return connectionResult(ctx, r, r.PhysicalID)
}

func (connection) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "events", "DeleteConnection", map[string]any{"Name": r.PhysicalID})
	return ignoreGone(err)
}

var apiDestinationKinds = map[string]kind{"InvocationRateLimitPerSecond": number}

// apiDestination is AWS::Events::ApiDestination. Its Ref is its name;
// Fn::GetAtt gives Arn.
type apiDestination struct{}

func (apiDestination) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, apiDestinationKinds)
	name := p.str("Name")
	if name == "" {
		name = physicalName(r, maxAPIDestinationName)
	}
	in := p.pick(map[string]any{"Name": name}, "Description", "ConnectionArn", "InvocationEndpoint", "HttpMethod", "InvocationRateLimitPerSecond")
	out, err := call(ctx, r, "events", "CreateApiDestination", in)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": outStr(out, "ApiDestinationArn")}}, nil
}

func (apiDestination) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, apiDestinationKinds)
	in := p.pick(map[string]any{"Name": r.PhysicalID}, "ConnectionArn", "InvocationEndpoint", "HttpMethod", "InvocationRateLimitPerSecond")
	in["Description"] = p.str("Description")
	out, err := call(ctx, r, "events", "UpdateApiDestination", in)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Arn": outStr(out, "ApiDestinationArn")}}, nil
}

func (apiDestination) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "events", "DeleteApiDestination", map[string]any{"Name": r.PhysicalID})
	return ignoreGone(err)
}
