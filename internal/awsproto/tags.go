package awsproto

import (
	"context"
	"strings"
)

type reservedTagsKey struct{}

// WithReservedTags marks ctx as that of calls an AWS service makes on its
// own account (CloudFormation tagging the resources of a stack with its
// aws:cloudformation: tags): they may set tag keys in the aws: namespace,
// which the services refuse from callers.
func WithReservedTags(ctx context.Context) context.Context {
	return context.WithValue(ctx, reservedTagsKey{}, true)
}

// ReservedTagsAllowed reports whether ctx is marked by WithReservedTags.
func ReservedTagsAllowed(ctx context.Context) bool {
	ok, _ := ctx.Value(reservedTagsKey{}).(bool)
	return ok
}

// UserTags is how many of tags count toward a resource's tag limit:
// those whose key is outside the aws: namespace. AWS sets the others
// itself (CloudFormation's aws:cloudformation: tags), and they do not
// count toward any per-resource limit. key gives a tag's key.
func UserTags[T any](tags []T, key func(T) string) int {
	n := 0
	for _, tg := range tags {
		if !strings.HasPrefix(key(tg), "aws:") {
			n++
		}
	}
	return n
}
