package pebble

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/store"
)

func TestGet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ops  []op
		key  string
		want string
	}{
		{"absent", nil, "a", "<absent>"},
		{"set", []op{set("a", "1")}, "a", "1"},
		{"empty value is present", []op{set("a", "")}, "a", ""},
		{"empty start deletes from the first key", []op{set("\x00", "1"), delRange("", "b")}, "\x00", "<absent>"},
		{"overwrite", []op{set("a", "1"), set("a", "2")}, "a", "2"},
		{"delete", []op{set("a", "1"), del("a")}, "a", "<absent>"},
		{"delete absent", []op{del("a")}, "a", "<absent>"},
		{"delete range covers", []op{set("b", "1"), delRange("a", "c")}, "b", "<absent>"},
		{"delete range start inclusive", []op{set("a", "1"), delRange("a", "c")}, "a", "<absent>"},
		{"delete range end exclusive", []op{set("c", "1"), delRange("a", "c")}, "c", "1"},
		{"set after delete range survives", []op{delRange("a", "c"), set("b", "2")}, "b", "2"},
		{"empty delete range is a no-op", []op{set("b", "1"), delRange("c", "a")}, "b", "1"},
		{"binary key", []op{set("\x00\xff", "bin")}, "\x00\xff", "bin"},
	}
	for _, backend := range backends {
		for _, tt := range tests {
			t.Run(backend+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				db := openBackend(t, backend)
				commit(t, db, tt.ops...)
				if got := getString(t, db, tt.key); got != tt.want {
					t.Errorf("Get(%q) = %q, want %q", tt.key, got, tt.want)
				}
			})
		}
	}
}

func TestIterate(t *testing.T) {
	t.Parallel()
	data := []op{set("a", "1"), set("b", "2"), set("b\x00", "3"), set("c", "4"), set("d", "5")}
	tests := []struct {
		name         string
		lower, upper []byte
		want         string // keys in order, comma-separated
	}{
		{"unbounded", nil, nil, "a,b,b\x00,c,d"},
		{"lower", b("b"), nil, "b,b\x00,c,d"},
		{"upper exclusive", nil, b("c"), "a,b,b\x00"},
		{"both", b("b\x00"), b("d"), "b\x00,c"},
		{"between keys", b("a\x00"), b("c\x00"), "b,b\x00,c"},
		{"empty range", b("c"), b("c"), ""},
		{"past the end", b("e"), nil, ""},
		{"empty lower is the first key", b(""), b("b"), "a"},
		{"empty upper is empty", nil, b(""), ""},
		{"inverted bounds are empty", b("c"), b("b"), ""},
	}
	for _, backend := range backends {
		for _, tt := range tests {
			t.Run(backend+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				db := openBackend(t, backend)
				commit(t, db, data...)
				var keys []string
				for _, e := range scan(t, db, tt.lower, tt.upper, false) {
					keys = append(keys, e.k)
				}
				if got := joinKeys(keys); got != tt.want {
					t.Errorf("forward = %q, want %q", got, tt.want)
				}
				keys = keys[:0]
				for _, e := range scan(t, db, tt.lower, tt.upper, true) {
					keys = append(keys, e.k)
				}
				slices.Reverse(keys)
				if got := joinKeys(keys); got != tt.want {
					t.Errorf("backward (reversed) = %q, want %q", got, tt.want)
				}
			})
		}
	}
}

func joinKeys(keys []string) string {
	var buf bytes.Buffer
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(k)
	}
	return buf.String()
}

func TestSeek(t *testing.T) {
	t.Parallel()
	data := []op{set("b", "1"), set("d", "2"), set("f", "3"), set("h", "4")}
	const invalid = "<invalid>"
	tests := []struct {
		name         string
		lower, upper []byte
		seekGE       bool
		key          string
		want         string
		then         string // "next" or "prev" after the seek
		wantThen     string
	}{
		{"ge exact", nil, nil, true, "d", "d", "next", "f"},
		{"ge between", nil, nil, true, "c", "d", "prev", "b"},
		{"ge past end", nil, nil, true, "i", invalid, "prev", invalid},
		{"ge below lower clamps", b("c"), nil, true, "a", "d", "prev", invalid},
		{"ge at upper", nil, b("f"), true, "f", invalid, "", ""},
		{"lt exact", nil, nil, false, "d", "b", "next", "d"},
		{"lt between", nil, nil, false, "e", "d", "prev", "b"},
		{"lt before start", nil, nil, false, "b", invalid, "next", invalid},
		{"lt above upper clamps", nil, b("g"), false, "z", "f", "next", invalid},
		{"lt at lower", b("d"), nil, false, "d", invalid, "", ""},
		{"ge empty key is first", nil, nil, true, "", "b", "next", "d"},
		{"lt empty key is before all", nil, nil, false, "", invalid, "", ""},
		{"inverted bounds", b("g"), b("c"), true, "a", invalid, "", ""},
	}
	for _, backend := range backends {
		for _, tt := range tests {
			t.Run(backend+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				db := openBackend(t, backend)
				commit(t, db, data...)
				it, err := db.NewIter(tt.lower, tt.upper)
				if err != nil {
					t.Fatal(err)
				}
				defer it.Close()
				at := func(ok bool) string {
					if ok != it.Valid() {
						t.Errorf("positioning returned %v but Valid is %v", ok, it.Valid())
					}
					if !ok {
						return invalid
					}
					return string(it.Key())
				}
				var got string
				if tt.seekGE {
					got = at(it.SeekGE(b(tt.key)))
				} else {
					got = at(it.SeekLT(b(tt.key)))
				}
				if got != tt.want {
					t.Fatalf("seek(%q) at %q, want %q", tt.key, got, tt.want)
				}
				switch tt.then {
				case "next":
					got = at(it.Next())
				case "prev":
					got = at(it.Prev())
				default:
					return
				}
				if got != tt.wantThen {
					t.Errorf("%s after seek at %q, want %q", tt.then, got, tt.wantThen)
				}
			})
		}
	}
}

func TestBatch(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := openBackend(t, backend)

			bt := db.NewBatch()
			addOps(bt, []op{set("a", "1"), set("b", "2"), delRange("z", "a"), del("c")})
			if got := bt.Len(); got != 3 {
				t.Errorf("Len = %d, want 3 (the empty DeleteRange is not an operation)", got)
			}
			if got := getString(t, db, "a"); got != "<absent>" {
				t.Errorf("uncommitted write visible: Get(a) = %q", got)
			}
			if err := bt.Commit(); err != nil {
				t.Fatalf("Commit: %v", err)
			}
			if got := getString(t, db, "a") + getString(t, db, "b"); got != "12" {
				t.Errorf("after Commit, a+b = %q, want 12", got)
			}
			if err := bt.Commit(); !errors.Is(err, store.ErrClosed) {
				t.Errorf("second Commit = %v, want ErrClosed", err)
			}
			bt.Set(b("late"), b("x")) // ignored: the batch is spent
			bt.Close()
			bt.Close()
			if got := getString(t, db, "late"); got != "<absent>" {
				t.Errorf("Set after Commit reached the store: %q", got)
			}

			for _, bad := range [][]op{{set("e", "1"), set("", "x")}, {set("e", "1"), del("")}} {
				bt := db.NewBatch()
				addOps(bt, bad)
				if err := bt.Commit(); !errors.Is(err, store.ErrEmptyKey) {
					t.Errorf("Commit of %v = %v, want ErrEmptyKey", bad, err)
				}
				bt.Close()
			}
			if got := getString(t, db, "e"); got != "<absent>" {
				t.Errorf("failed Commit applied part of its batch: Get(e) = %q", got)
			}
			if _, err := db.Get(nil); !errors.Is(err, store.ErrEmptyKey) {
				t.Errorf("Get(nil) = %v, want ErrEmptyKey", err)
			}

			discarded := db.NewBatch()
			discarded.Set(b("d"), b("gone"))
			discarded.Close()
			if err := discarded.Commit(); !errors.Is(err, store.ErrClosed) {
				t.Errorf("Commit after Close = %v, want ErrClosed", err)
			}
			if got := getString(t, db, "d"); got != "<absent>" {
				t.Errorf("closed batch reached the store: Get(d) = %q", got)
			}
		})
	}
}

// TestBuffersAreCopied checks the lifetime rules in the store package
// documentation: callers may reuse what they pass in, and own what Get
// returns.
func TestBuffersAreCopied(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := openBackend(t, backend)
			k, v := b("key"), b("value")
			bt := db.NewBatch()
			bt.Set(k, v)
			copy(k, "XXX")
			copy(v, "XXXXX")
			if err := bt.Commit(); err != nil {
				t.Fatal(err)
			}
			bt.Close()
			got, err := db.Get(b("key"))
			if err != nil || string(got) != "value" {
				t.Fatalf("Get(key) = %q, %v; want value", got, err)
			}
			copy(got, "YYYYY")
			if got := getString(t, db, "key"); got != "value" {
				t.Errorf("modifying Get's result changed the store: %q", got)
			}

			lower, upper := b("a"), b("z")
			it, err := db.NewIter(lower, upper)
			if err != nil {
				t.Fatal(err)
			}
			defer it.Close()
			copy(lower, "z")
			copy(upper, "a")
			if !it.First() || string(it.Key()) != "key" {
				t.Errorf("iterator bounds changed with the caller's slices")
			}
		})
	}
}

func TestSnapshotIsolation(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := openBackend(t, backend)
			commit(t, db, set("a", "1"), set("b", "1"), set("c", "1"))
			snap := db.NewSnapshot()
			commit(t, db, set("a", "2"), del("b"), set("d", "2"), delRange("c", "c\x00"))

			want := []kv{{"a", "1"}, {"b", "1"}, {"c", "1"}}
			if got := scan(t, snap, nil, nil, false); !equalKVs(got, want) {
				t.Errorf("snapshot scan = %q, want %q", got, want)
			}
			if got := getString(t, snap, "a") + getString(t, snap, "d"); got != "1<absent>" {
				t.Errorf("snapshot Get a, d = %q, want 1<absent>", got)
			}
			wantNow := []kv{{"a", "2"}, {"d", "2"}}
			if got := scan(t, db, nil, nil, false); !equalKVs(got, wantNow) {
				t.Errorf("live scan = %q, want %q", got, wantNow)
			}
			if err := snap.Close(); err != nil {
				t.Fatal(err)
			}
			if err := snap.Close(); err != nil {
				t.Errorf("second snapshot Close = %v", err)
			}
			if _, err := snap.Get(b("a")); !errors.Is(err, store.ErrClosed) {
				t.Errorf("Get on closed snapshot = %v, want ErrClosed", err)
			}
		})
	}
}

func TestUseAfterClose(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := openBackend(t, backend)
			bt := db.NewBatch()
			bt.Set(b("a"), b("1"))
			it, err := db.NewIter(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := it.Close(); err != nil {
				t.Fatal(err)
			}
			if it.First() || it.Valid() || it.Key() != nil || !errors.Is(it.Error(), store.ErrClosed) {
				t.Errorf("closed iterator still usable")
			}
			if err := it.Close(); err != nil {
				t.Errorf("second iterator Close = %v", err)
			}

			if err := db.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Errorf("second Close = %v, want nil", err)
			}
			if _, err := db.Get(b("a")); !errors.Is(err, store.ErrClosed) {
				t.Errorf("Get = %v, want ErrClosed", err)
			}
			if _, err := db.NewIter(nil, nil); !errors.Is(err, store.ErrClosed) {
				t.Errorf("NewIter = %v, want ErrClosed", err)
			}
			if err := bt.Commit(); !errors.Is(err, store.ErrClosed) {
				t.Errorf("Commit = %v, want ErrClosed", err)
			}
			bt.Close()
			late := db.NewBatch()
			late.Set(b("a"), b("1"))
			if err := late.Commit(); !errors.Is(err, store.ErrClosed) {
				t.Errorf("Commit of a batch made after Close = %v, want ErrClosed", err)
			}
			late.Close()
			snap := db.NewSnapshot()
			if _, err := snap.Get(b("a")); !errors.Is(err, store.ErrClosed) {
				t.Errorf("Get on snapshot of closed DB = %v, want ErrClosed", err)
			}
			snap.Close()
		})
	}
}

func TestReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	commit(t, db, set("a", "1"), set("b", "2"), set("c", "3"))
	commit(t, db, del("b"), set("d", "4"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(Options{Dir: dir})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	want := []kv{{"a", "1"}, {"c", "3"}, {"d", "4"}}
	if got := scan(t, db, nil, nil, false); !equalKVs(got, want) {
		t.Errorf("after reopen = %q, want %q", got, want)
	}
}

// TestCommitNoWait checks that a batch committed without waiting is visible
// when the call returns, is spent like a committed batch, and is on disk
// after a clean close.
func TestCommitNoWait(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := openBackend(t, backend)
			for i := 0; i < 100; i++ {
				bt := db.NewBatch()
				addOps(bt, []op{set(fmt.Sprintf("k%03d", i), "v"), del(fmt.Sprintf("k%03d", i-1))})
				if err := bt.CommitNoWait(); err != nil {
					t.Fatalf("CommitNoWait: %v", err)
				}
				if got := getString(t, db, fmt.Sprintf("k%03d", i)); got != "v" {
					t.Fatalf("after CommitNoWait, Get = %q, want v", got)
				}
				if err := bt.CommitNoWait(); !errors.Is(err, store.ErrClosed) {
					t.Errorf("second CommitNoWait = %v, want ErrClosed", err)
				}
				bt.Close()
				bt.Close()
			}
			bad := db.NewBatch()
			addOps(bad, []op{set("e", "1"), set("", "x")})
			if err := bad.CommitNoWait(); !errors.Is(err, store.ErrEmptyKey) {
				t.Errorf("CommitNoWait with an empty key = %v, want ErrEmptyKey", err)
			}
			bad.Close()
		})
	}

	dir := t.TempDir()
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	bt := db.NewBatch()
	addOps(bt, []op{set("a", "1")})
	if err := bt.CommitNoWait(); err != nil {
		t.Fatal(err)
	}
	bt.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := getString(t, db, "a"); got != "1" {
		t.Errorf("after reopen, Get(a) = %q, want 1", got)
	}
}

func TestInMemoryIsolated(t *testing.T) {
	t.Parallel()
	one, two := openBackend(t, "memory"), openBackend(t, "memory")
	commit(t, one, set("a", "1"))
	if got := getString(t, two, "a"); got != "<absent>" {
		t.Errorf("in-memory stores share data: Get(a) = %q", got)
	}
}

// TestLogging checks that Pebble's log lines reach the slog logger, and
// that a normal life cycle logs nothing at Info or above: Pebble's
// informational chatter stays at Debug.
func TestLogging(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dir := t.TempDir()
	for range 2 {
		db, err := Open(Options{Dir: dir, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			commit(t, db, set(string(rune('a'+i%26)), "v"))
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("Pebble logged nothing, even at Debug")
	}
	for _, line := range lines {
		if !strings.Contains(line, "level=DEBUG") || !strings.Contains(line, "component=pebble") {
			t.Errorf("unexpected log line: %s", line)
		}
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	for _, fsync := range []bool{false, true} {
		d, err := Open(Options{Dir: t.TempDir(), Fsync: fsync, WALSyncInterval: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		b := d.NewBatch()
		b.Set([]byte("k"), make([]byte, 4096))
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
		var s Stats
		for deadline := time.Now().Add(5 * time.Second); ; {
			if s = d.Stats(); s.WALSyncs > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		if s.DiskBytes == 0 || s.WALBytesWritten < 4096 || s.WALSyncs == 0 {
			t.Errorf("fsync %v: %+v", fsync, s)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
