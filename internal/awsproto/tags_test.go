package awsproto

import (
	"context"
	"testing"
)

// TestUserTags: keys in the aws: namespace, in any letter case, do not
// count; ForbiddenTagKey finds the first of them unless ctx allows them.
func TestUserTags(t *testing.T) {
	t.Parallel()
	id := func(k string) string { return k }
	keys := []string{"team", "aws:cloudformation:stack-name", "env", "aws:cloudformation:logical-id", "awsx", "Aws:y", "AWS:z", "aws"}
	if n := UserTags(keys, id); n != 4 {
		t.Errorf("UserTags = %d, want 4", n)
	}
	ctx := context.Background()
	if k, ok := ForbiddenTagKey(ctx, keys[2:], id); !ok || k != "aws:cloudformation:logical-id" {
		t.Errorf("ForbiddenTagKey = %q %v", k, ok)
	}
	if k, ok := ForbiddenTagKey(ctx, []string{"team", "AWS:z"}, id); !ok || k != "AWS:z" {
		t.Errorf("ForbiddenTagKey of AWS:z = %q %v", k, ok)
	}
	if k, ok := ForbiddenTagKey(WithReservedTags(ctx), keys, id); ok {
		t.Errorf("ForbiddenTagKey with reserved tags allowed = %q", k)
	}
	if ReservedTagsAllowed(context.Background()) || !ReservedTagsAllowed(WithReservedTags(context.Background())) {
		t.Error("ReservedTagsAllowed does not follow WithReservedTags")
	}
}
