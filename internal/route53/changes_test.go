package route53

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
	pebblestore "github.com/virga/virga/internal/store/pebble"
	"github.com/virga/virga/internal/store/storetest"
)

// TestChangesExpire: GetChange finds a change for changeRetention, then
// answers NoSuchChange, and the store keeps no change older than that
// once a newer one is written, including those an earlier virga stored
// without an order key.
func TestChangesExpire(t *testing.T) {
	t.Parallel()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s := New(Deps{Store: db, Clock: clk, IDs: ids.New(nil)})
	ctx := context.Background()

	// A change an earlier virga stored, with no order key.
	old := &change{ID: "C0OLDCHANGE", SubmittedAt: clk.Now().Add(-changeRetention)}
	b := db.NewBatch()
	store.SetJSON(b, changeKey(old.ID), old)
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Close()

	n := 0
	submit := func() string {
		t.Helper()
		n++
		out, err := s.createHostedZone(ctx, &CreateHostedZoneRequest{Name: ptr(fmt.Sprintf("z%d.example.com", n)), CallerReference: ptr(fmt.Sprint(n))})
		if err != nil {
			t.Fatal(err)
		}
		return *out.ChangeInfo.Id
	}
	found := func(id string) bool {
		t.Helper()
		_, err := s.getChange(ctx, &GetChangeRequest{Id: ptr(id)})
		if e := apierr.As(err); err != nil && (e == nil || e.Code != "NoSuchChange") {
			t.Fatalf("GetChange %s: %v", id, err)
		}
		return err == nil
	}
	stored := func(id string) bool {
		t.Helper()
		c, err := store.GetJSON[change](db, changeKey(id[len("/change/"):]))
		if err != nil {
			t.Fatal(err)
		}
		return c != nil
	}

	first := submit()
	if stored("/change/" + old.ID) {
		t.Error("a change older than the retention is kept")
	}
	clk.Advance(changeRetention - time.Second)
	if !found(first) {
		t.Error("a change is gone before the retention ends")
	}
	second := submit()
	if !stored(first) {
		t.Error("a change is deleted before the retention ends")
	}
	clk.Advance(time.Second)
	if found(first) {
		t.Error("GetChange finds a change past the retention")
	}
	submit()
	if stored(first) {
		t.Error("a change past the retention is kept after a newer one is written")
	}
	if !found(second) || !stored(second) {
		t.Error("a newer change is gone")
	}
	clk.Advance(changeRetention)
	submit()
	if stored(second) || found(second) {
		t.Error("the second change is kept past the retention")
	}
	// What is left: the newest change, with its order key only.
	left := len(storetest.Scan(t, db, changePrefix, keys.PrefixEnd(changePrefix), false)) +
		len(storetest.Scan(t, db, changeOrderPrefix, keys.PrefixEnd(changeOrderPrefix), false))
	if left != 2 {
		t.Errorf("%d change keys left, want 2", left)
	}
}
