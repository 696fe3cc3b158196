package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::Logs::SubscriptionFilter",
		Required:     []string{"DestinationArn", "FilterPattern", "LogGroupName"},
		Provider:     subscriptionFilter{},
		Replace:      []string{"FilterName", "LogGroupName"},
		NameProperty: "FilterName",
		Attributes:   []string{},
	})
}

// maxFilterName bounds generated subscription filter names
// (PutSubscriptionFilter: 1 to 512 characters).
const maxFilterName = 512

// subscriptionFilter is AWS::Logs::SubscriptionFilter:
// PutSubscriptionFilter, which also updates a filter of the same name in
// place; DeleteSubscriptionFilter. Its physical ID and Ref are the
// filter's name (generated, STACK-LOGICALID-RANDOM, when FilterName is
// absent). EmitSystemFields and FieldSelectionCriteria, which apply to
// account-level subscriptions, are ignored.
type subscriptionFilter struct{}

var subscriptionFilterKinds = map[string]kind{"ApplyOnTransformedLogs": boolean}

func (subscriptionFilter) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, subscriptionFilterKinds)
	name := p.str("FilterName")
	if name == "" {
		name = physicalName(r, maxFilterName)
	}
	look := lookup{service: "logs", op: "DescribeSubscriptionFilters",
		in:    map[string]any{"logGroupName": p.str("LogGroupName"), "filterNamePrefix": name},
		found: listing("subscriptionFilters", "filterName", name)}
	if err := refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, name)); err != nil {
		return nil, err
	}
	return putSubscriptionFilter(ctx, r, name, p)
}

func (subscriptionFilter) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, subscriptionFilterKinds)
	return putSubscriptionFilter(ctx, r, r.PhysicalID, p)
}

func putSubscriptionFilter(ctx context.Context, r *resource.Request, name string, p props) (*resource.Result, error) {
	in := map[string]any{
		"logGroupName": p.str("LogGroupName"), "filterName": name,
		"filterPattern": p.str("FilterPattern"), "destinationArn": p.str("DestinationArn"),
	}
	for prop, member := range map[string]string{"RoleArn": "roleArn", "Distribution": "distribution", "ApplyOnTransformedLogs": "applyOnTransformedLogs"} {
		if v, ok := p[prop]; ok && v != nil {
			in[member] = v
		}
	}
	if _, err := call(ctx, r, "logs", "PutSubscriptionFilter", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name}, nil
}

func (subscriptionFilter) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	_, err := call(ctx, r, "logs", "DeleteSubscriptionFilter", map[string]any{"logGroupName": p.str("LogGroupName"), "filterName": r.PhysicalID})
	return ignoreGone(err)
}
