package dynamodb

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func createKV(t testing.TB, s *Service, name string) {
	t.Helper()
	_, err := s.createTable(context.Background(), &CreateTableInput{
		TableName:            ptr(name),
		BillingMode:          ptr(BillingMode("PAY_PER_REQUEST")),
		AttributeDefinitions: []AttributeDefinition{{AttributeName: ptr("id"), AttributeType: ptr(ScalarAttributeType("S"))}},
		KeySchema:            []KeySchemaElement{{AttributeName: ptr("id"), KeyType: ptr(KeyType("HASH"))}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func setPITR(t testing.TB, s *Service, name string, on bool) {
	t.Helper()
	_, err := s.updateContinuousBackups(context.Background(), &UpdateContinuousBackupsInput{TableName: ptr(name),
		PointInTimeRecoverySpecification: &PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: ptr(on)}})
	if err != nil {
		t.Fatal(err)
	}
}

func put(t testing.TB, s *Service, name, id, v string) {
	t.Helper()
	_, err := s.putItem(context.Background(), &PutItemInput{TableName: ptr(name), Item: map[string]AttributeValue{"id": {S: ptr(id)}, "v": {S: ptr(v)}}})
	if err != nil {
		t.Fatal(err)
	}
}

func countKeys(t testing.TB, r store.Reader, prefix []byte) int {
	t.Helper()
	it, err := r.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for it.First(); it.Valid(); it.Next() {
		n++
	}
	return n
}

// TestPITRHistoryIsKeptForTheWindow: every change while recovery is on
// keeps one previous image; Sweep drops the images older than 35 days,
// and disabling recovery drops them all.
func TestPITRHistoryIsKeptForTheWindow(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := newTestService(t, clk)
	createKV(t, s, "t")
	put(t, s, "t", "a", "0") // before recovery: no history
	setPITR(t, s, "t", true)
	put(t, s, "t", "a", "1")
	put(t, s, "t", "a", "1") // no change: no history
	clk.Advance(30 * 24 * time.Hour)
	put(t, s, "t", "b", "1")
	id := s.tables["t"].ID
	if n := countKeys(t, s.store, histPrefix(id)); n != 2 {
		t.Fatalf("history entries = %d, want 2", n)
	}
	clk.Advance(6 * 24 * time.Hour) // the first change is 36 days old
	if err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, s.store, histPrefix(id)); n != 1 {
		t.Fatalf("history entries after the sweep = %d, want 1", n)
	}
	setPITR(t, s, "t", false)
	if n := countKeys(t, s.store, histPrefix(id)); n != 0 {
		t.Fatalf("history entries after disabling = %d, want 0", n)
	}
}

// BenchmarkPutItemPITR compares PutItem on a durable store with
// point-in-time recovery off and on (each overwrite also reads the item
// and stores its previous image).
func BenchmarkPutItemPITR(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("pitr=%v", on), func(b *testing.B) {
			db, err := pebblestore.Open(pebblestore.Options{Dir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			s, err := New(Deps{Store: db, Clock: clock.Real{}, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1"})
			if err != nil {
				b.Fatal(err)
			}
			createKV(b, s, "t")
			if on {
				setPITR(b, s, "t", true)
			}
			v := strings.Repeat("x", 200)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				put(b, s, "t", fmt.Sprint(i%1000), v)
			}
		})
	}
}

// TestSystemBackupExpires: the SYSTEM backup of a deleted table goes
// after 35 days.
func TestSystemBackupExpires(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := newTestService(t, clk)
	ctx := context.Background()
	createKV(t, s, "t")
	setPITR(t, s, "t", true)
	put(t, s, "t", "a", "1")
	if _, err := s.deleteTable(ctx, &DeleteTableInput{TableName: ptr("t")}); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, s.store, backupsPrefix()); n != 1 {
		t.Fatalf("backups after deleting = %d, want 1", n)
	}
	clk.Advance(35*24*time.Hour - time.Second)
	if err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, s.store, backupsPrefix()); n != 1 {
		t.Fatalf("backups before 35 days = %d, want 1", n)
	}
	clk.Advance(time.Second)
	if err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, s.store, backupsPrefix()); n != 0 {
		t.Fatalf("backups after 35 days = %d, want 0", n)
	}
	bp := keys.AppendString(keys.AppendString(nil, "ddb"), "bitem")
	if n := countKeys(t, s.store, bp); n != 0 {
		t.Fatalf("backed up items after 35 days = %d, want 0", n)
	}
}

// TestInterruptedCopiesAreDropped: items a backup or a restore copied
// before a crash, without the record that would show them, are removed
// when the service starts again.
func TestInterruptedCopiesAreDropped(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := newTestService(t, clk)
	arn := "arn:aws:dynamodb:us-east-1:000000000000:table/t/backup/01767225600000-00000000"
	b := s.store.NewBatch()
	b.Set(pendingKey("backup", arn), nil)
	b.Set(keys.AppendString(backupItemsPrefix(arn), "a"), []byte{1})
	b.Set(pendingKey("restore", "7"), nil)
	b.Set(keys.AppendString(itemsPrefix(7), "a"), []byte{1})
	b.Set(keys.AppendString(indexPrefix(7, "ix"), "a"), []byte{1})
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if _, err := New(Deps{Store: s.store, Clock: clk, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string][]byte{
		"pending": pendingPrefix(), "backup items": backupItemsPrefix(arn), "items": itemsPrefix(7), "index": indexesPrefix(7),
	} {
		if n := countKeys(t, s.store, p); n != 0 {
			t.Errorf("%s left: %d", name, n)
		}
	}
}
