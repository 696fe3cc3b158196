package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/virga/virga/internal/store"
)

func testGet(t *testing.T, bk Backend) {
	tests := []struct {
		name string
		ops  []Op
		key  string
		want string
	}{
		{"absent", nil, "a", "<absent>"},
		{"set", []Op{Set("a", "1")}, "a", "1"},
		{"empty value is present", []Op{Set("a", "")}, "a", ""},
		{"empty start deletes from the first key", []Op{Set("\x00", "1"), DelRange("", "b")}, "\x00", "<absent>"},
		{"overwrite", []Op{Set("a", "1"), Set("a", "2")}, "a", "2"},
		{"delete", []Op{Set("a", "1"), Del("a")}, "a", "<absent>"},
		{"delete absent", []Op{Del("a")}, "a", "<absent>"},
		{"delete range covers", []Op{Set("b", "1"), DelRange("a", "c")}, "b", "<absent>"},
		{"delete range start inclusive", []Op{Set("a", "1"), DelRange("a", "c")}, "a", "<absent>"},
		{"delete range end exclusive", []Op{Set("c", "1"), DelRange("a", "c")}, "c", "1"},
		{"set after delete range survives", []Op{DelRange("a", "c"), Set("b", "2")}, "b", "2"},
		{"empty delete range is a no-op", []Op{Set("b", "1"), DelRange("c", "a")}, "b", "1"},
		{"binary key", []Op{Set("\x00\xff", "bin")}, "\x00\xff", "bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := bk.Open(t)
			Commit(t, db, tt.ops...)
			if got := GetString(t, db, tt.key); got != tt.want {
				t.Errorf("Get(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func testIterate(t *testing.T, bk Backend) {
	data := []Op{Set("a", "1"), Set("b", "2"), Set("b\x00", "3"), Set("c", "4"), Set("d", "5")}
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := bk.Open(t)
			Commit(t, db, data...)
			var keys []string
			for _, e := range Scan(t, db, tt.lower, tt.upper, false) {
				keys = append(keys, e.K)
			}
			if got := joinKeys(keys); got != tt.want {
				t.Errorf("forward = %q, want %q", got, tt.want)
			}
			keys = keys[:0]
			for _, e := range Scan(t, db, tt.lower, tt.upper, true) {
				keys = append(keys, e.K)
			}
			slices.Reverse(keys)
			if got := joinKeys(keys); got != tt.want {
				t.Errorf("backward (reversed) = %q, want %q", got, tt.want)
			}
		})
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

func testSeek(t *testing.T, bk Backend) {
	data := []Op{Set("b", "1"), Set("d", "2"), Set("f", "3"), Set("h", "4")}
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := bk.Open(t)
			Commit(t, db, data...)
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

// testSeekNil checks that a nil seek key is the empty key: before every
// stored key.
func testSeekNil(t *testing.T, bk Backend) {
	db := bk.Open(t)
	Commit(t, db, Set("a", "1"), Set("b", "2"))
	it, err := db.NewIter(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if !it.SeekGE(nil) || string(it.Key()) != "a" {
		t.Errorf("SeekGE(nil) at %q, valid %v; want a", it.Key(), it.Valid())
	}
	if it.SeekLT(nil) {
		t.Errorf("SeekLT(nil) at %q, want invalid", it.Key())
	}
}

func testBatch(t *testing.T, bk Backend) {
	db := bk.Open(t)

	bt := db.NewBatch()
	AddOps(bt, []Op{Set("a", "1"), Set("b", "2"), DelRange("z", "a"), Del("c")})
	if got := bt.Len(); got != 3 {
		t.Errorf("Len = %d, want 3 (the empty DeleteRange is not an operation)", got)
	}
	if got := GetString(t, db, "a"); got != "<absent>" {
		t.Errorf("uncommitted write visible: Get(a) = %q", got)
	}
	if err := bt.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if got := GetString(t, db, "a") + GetString(t, db, "b"); got != "12" {
		t.Errorf("after Commit, a+b = %q, want 12", got)
	}
	if err := bt.Commit(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("second Commit = %v, want ErrClosed", err)
	}
	bt.Set(b("late"), b("x")) // ignored: the batch is spent
	bt.Close()
	bt.Close()
	if got := GetString(t, db, "late"); got != "<absent>" {
		t.Errorf("Set after Commit reached the store: %q", got)
	}

	for _, bad := range [][]Op{{Set("e", "1"), Set("", "x")}, {Set("e", "1"), Del("")}} {
		bt := db.NewBatch()
		AddOps(bt, bad)
		if err := bt.Commit(); !errors.Is(err, store.ErrEmptyKey) {
			t.Errorf("Commit of %v = %v, want ErrEmptyKey", bad, err)
		}
		bt.Close()
	}
	if got := GetString(t, db, "e"); got != "<absent>" {
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
	if got := GetString(t, db, "d"); got != "<absent>" {
		t.Errorf("closed batch reached the store: Get(d) = %q", got)
	}
}

// testBuffersAreCopied checks the lifetime rules in the store package
// documentation: callers may reuse what they pass in, and own what Get
// returns.
func testBuffersAreCopied(t *testing.T, bk Backend) {
	db := bk.Open(t)
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
	if got := GetString(t, db, "key"); got != "value" {
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
}

func testSnapshotIsolation(t *testing.T, bk Backend) {
	db := bk.Open(t)
	Commit(t, db, Set("a", "1"), Set("b", "1"), Set("c", "1"))
	snap := db.NewSnapshot()
	Commit(t, db, Set("a", "2"), Del("b"), Set("d", "2"), DelRange("c", "c\x00"))

	want := []KV{{"a", "1"}, {"b", "1"}, {"c", "1"}}
	if got := Scan(t, snap, nil, nil, false); !EqualKVs(got, want) {
		t.Errorf("snapshot scan = %q, want %q", got, want)
	}
	if got := GetString(t, snap, "a") + GetString(t, snap, "d"); got != "1<absent>" {
		t.Errorf("snapshot Get a, d = %q, want 1<absent>", got)
	}
	wantNow := []KV{{"a", "2"}, {"d", "2"}}
	if got := Scan(t, db, nil, nil, false); !EqualKVs(got, wantNow) {
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
}

func testUseAfterClose(t *testing.T, bk Backend) {
	db := bk.Open(t)
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
}

// testCommitNoWait checks that a batch committed without waiting is visible
// when the call returns, is spent like a committed batch, and is kept
// across a clean close.
func testCommitNoWait(t *testing.T, bk Backend) {
	db := bk.Open(t)
	for i := 0; i < 100; i++ {
		bt := db.NewBatch()
		AddOps(bt, []Op{Set(fmt.Sprintf("k%03d", i), "v"), Del(fmt.Sprintf("k%03d", i-1))})
		if err := bt.CommitNoWait(); err != nil {
			t.Fatalf("CommitNoWait: %v", err)
		}
		if got := GetString(t, db, fmt.Sprintf("k%03d", i)); got != "v" {
			t.Fatalf("after CommitNoWait, Get = %q, want v", got)
		}
		if err := bt.CommitNoWait(); !errors.Is(err, store.ErrClosed) {
			t.Errorf("second CommitNoWait = %v, want ErrClosed", err)
		}
		bt.Close()
		bt.Close()
	}
	bad := db.NewBatch()
	AddOps(bad, []Op{Set("e", "1"), Set("", "x")})
	if err := bad.CommitNoWait(); !errors.Is(err, store.ErrEmptyKey) {
		t.Errorf("CommitNoWait with an empty key = %v, want ErrEmptyKey", err)
	}
	bad.Close()

	if bk.Reopen == nil {
		return
	}
	db = bk.Reopen(t, db)
	if got := GetString(t, db, fmt.Sprintf("k%03d", 99)); got != "v" {
		t.Errorf("after reopen, Get(k099) = %q, want v", got)
	}
}
