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

// ReservedTagKey reports whether key is in the aws: namespace, which
// AWS reserves in any letter case (aws:, AWS:, Aws:).
func ReservedTagKey(key string) bool {
	return len(key) >= len("aws:") && strings.EqualFold(key[:len("aws:")], "aws:")
}

// ForbiddenTagKey is the first key among tags in the aws: namespace, which
// callers may not set, unless ctx is marked by WithReservedTags; ok is
// false when there is none. key gives a tag's key.
func ForbiddenTagKey[T any](ctx context.Context, tags []T, key func(T) string) (k string, ok bool) {
	if ReservedTagsAllowed(ctx) {
		return "", false
	}
	for _, tg := range tags {
		if k := key(tg); ReservedTagKey(k) {
			return k, true
		}
	}
	return "", false
}

// UserTags is how many of tags count toward a resource's tag limit:
// those whose key is outside the aws: namespace. AWS sets the others
// itself (CloudFormation's aws:cloudformation: tags), and they do not
// count toward any per-resource limit. key gives a tag's key.
func UserTags[T any](tags []T, key func(T) string) int {
	n := 0
	for _, tg := range tags {
		if !ReservedTagKey(key(tg)) {
			n++
		}
	}
	return n
}
