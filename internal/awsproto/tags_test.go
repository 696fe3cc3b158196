package awsproto

import (
	"context"
	"testing"
)

func TestUserTags(t *testing.T) {
	t.Parallel()
	keys := []string{"team", "aws:cloudformation:stack-name", "env", "aws:cloudformation:logical-id", "awsx", "Aws:y"}
	if n := UserTags(keys, func(k string) string { return k }); n != 4 {
		t.Errorf("UserTags = %d, want 4", n)
	}
	if ReservedTagsAllowed(context.Background()) || !ReservedTagsAllowed(WithReservedTags(context.Background())) {
		t.Error("ReservedTagsAllowed does not follow WithReservedTags")
	}
}
