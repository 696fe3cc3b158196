package store_test

import (
	"testing"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/pebble"
)

func TestJSONValues(t *testing.T) {
	t.Parallel()
	db, err := pebble.Open(pebble.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type rec struct{ Name string }
	if got, err := store.GetJSON[rec](db, []byte("k")); got != nil || err != nil {
		t.Fatalf("absent key: %v %v, want nil nil", got, err)
	}
	b := db.NewBatch()
	if err := store.SetJSON(b, []byte("k"), rec{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := store.SetJSON(b, []byte("bad"), func() {}); err == nil {
		t.Error("SetJSON took a value JSON cannot encode")
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if got, err := store.GetJSON[rec](db, []byte("k")); err != nil || got == nil || got.Name != "a" {
		t.Fatalf("stored value: %v %v", got, err)
	}
	b = db.NewBatch()
	b.Set([]byte("k"), []byte("{"))
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if _, err := store.GetJSON[rec](db, []byte("k")); err == nil {
		t.Error("GetJSON decoded a broken value")
	}
}
