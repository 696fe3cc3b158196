package iam

import (
	"context"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// TestRootUserCreateDate: GetUser as the root user answers the account's
// creation date, the same on every call and after a restart, not the
// time of the call.
func TestRootUserCreateDate(t *testing.T) {
	t.Parallel()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clk := clock.NewFake(start)
	deps := Deps{Store: db, Clock: clk, IDs: ids.New(nil), Account: "000000000000"}
	ctx := context.Background()
	rootCreated := func(s *Service) time.Time {
		t.Helper()
		out, err := s.getUser(ctx, &GetUserRequest{})
		if err != nil {
			t.Fatalf("GetUser: %v", err)
		}
		if got := deref(out.User.Arn); got != "arn:aws:iam::000000000000:root" {
			t.Fatalf("GetUser answered %s, want the root user", got)
		}
		return *out.User.CreateDate
	}

	s := New(deps)
	if got := rootCreated(s); !got.Equal(start) {
		t.Errorf("first CreateDate %v, want %v", got, start)
	}
	clk.Advance(time.Hour)
	if got := rootCreated(s); !got.Equal(start) {
		t.Errorf("CreateDate an hour later %v, want %v", got, start)
	}
	clk.Advance(time.Hour)
	if got := rootCreated(New(deps)); !got.Equal(start) {
		t.Errorf("CreateDate after a restart %v, want %v", got, start)
	}
}
