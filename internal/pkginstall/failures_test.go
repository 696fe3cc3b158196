package pkginstall

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
)

// TestFailures: a failed install is refused, saying why, until
// RetryAfter has passed, and then forgotten; others are not refused.
func TestFailures(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f := NewFailures(clk)
	if err := f.Refused("x==1.*"); err != nil {
		t.Fatalf("nothing failed yet: %v", err)
	}
	f.Record("x==1.*", errors.New("ERROR: No matching distribution found for x==1.*"))
	clk.Advance(RetryAfter - time.Second)
	err := f.Refused("x==1.*")
	if err == nil || !strings.Contains(err.Error(), "No matching distribution found") || !strings.Contains(err.Error(), "4m59s ago") {
		t.Errorf("just before RetryAfter: %v", err)
	}
	if err := f.Refused("y"); err != nil {
		t.Errorf("another install: %v", err)
	}
	clk.Advance(time.Second)
	if err := f.Refused("x==1.*"); err != nil {
		t.Errorf("after RetryAfter: %v", err)
	}
	clk.Advance(-time.Second)
	if err := f.Refused("x==1.*"); err != nil {
		t.Errorf("a failure past RetryAfter is not forgotten: %v", err)
	}
}
