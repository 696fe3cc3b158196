package storetest

import (
	"fmt"
	"testing"

	"github.com/virga/virga/internal/store"
)

// Bench measures a backend's point reads, commits and scans, so that
// backends can be compared in one run (go test -bench).
func Bench(b *testing.B, open func(b *testing.B) store.Store) {
	value := make([]byte, 200)
	key := func(i int) []byte { return fmt.Appendf(nil, "bench/%08d", i) }
	const keys = 1000
	// filled opens a store holding keys keys, before the timer starts.
	filled := func(b *testing.B) store.Store {
		db := open(b)
		bt := db.NewBatch()
		defer bt.Close()
		for i := range keys {
			bt.Set(key(i), value)
		}
		if err := bt.Commit(); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		return db
	}
	b.Run("Get", func(b *testing.B) {
		db := filled(b)
		for i := 0; b.Loop(); i++ {
			if _, err := db.Get(key(i % keys)); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, noWait := range []bool{false, true} {
		name := "Commit"
		if noWait {
			name = "CommitNoWait"
		}
		b.Run(name, func(b *testing.B) {
			db := open(b)
			for i := 0; b.Loop(); i++ {
				bt := db.NewBatch()
				bt.Set(key(i), value)
				bt.Set(append(key(i), 'x'), value)
				commit := bt.Commit
				if noWait {
					commit = bt.CommitNoWait
				}
				if err := commit(); err != nil {
					b.Fatal(err)
				}
				bt.Close()
			}
		})
	}
	b.Run("Scan100", func(b *testing.B) {
		db := filled(b)
		for i := 0; b.Loop(); i++ {
			start := (i * 100) % (keys - 100)
			it, err := db.NewIter(key(start), key(start+100))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for ok := it.First(); ok; ok = it.Next() {
				n++
			}
			if err := it.Close(); err != nil || n != 100 {
				b.Fatalf("scanned %d keys: %v", n, err)
			}
		}
	})
}
