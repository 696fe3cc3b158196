package resource

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestDetach: a provider's context from Detach outlives its operation's
// cancellation, so that its service calls run to completion, while its
// waits (Waits, Sleep) end with the operation, with the operation's
// error; without Detach, Waits is the context itself.
func TestDetach(t *testing.T) {
	t.Parallel()
	op, cancel := context.WithCancelCause(context.Background())
	ctx := WithParentStack(Detach(op), "parent") // values added later keep it
	if err := Sleep(ctx, time.Millisecond); err != nil {
		t.Fatalf("Sleep before the cancellation: %v", err)
	}
	cancel(errors.New("cancelled"))
	if ctx.Err() != nil {
		t.Fatalf("the provider's context ended with its operation: %v", ctx.Err())
	}
	if Waits(ctx).Err() == nil {
		t.Fatal("Waits did not end with the operation")
	}
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) > time.Minute {
		t.Fatalf("Sleep after the cancellation: %v", err)
	}
	plain := context.Background()
	if Waits(plain) != plain {
		t.Error("Waits of a context not from Detach is not the context")
	}
}
