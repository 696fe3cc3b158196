package storetest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/virga/virga/internal/store"
)

// model is the reference for the store: a map with sorted iteration.
type model map[string]string

func (m model) clone() model {
	c := make(model, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func (m model) apply(ops []Op) {
	for _, o := range ops {
		switch o.kind {
		case "set":
			m[o.key] = o.val
		case "del":
			delete(m, o.key)
		case "delrange":
			for k := range m {
				if k >= o.key && k < o.val {
					delete(m, k)
				}
			}
		}
	}
}

// scan returns m's entries in [lower, upper), nil bounds being open.
func (m model) scan(lower, upper []byte, reverse bool) []KV {
	var out []KV
	for k, v := range m {
		if (lower == nil || k >= string(lower)) && (upper == nil || k < string(upper)) {
			out = append(out, KV{k, v})
		}
	}
	slices.SortFunc(out, func(a, b KV) int { return bytes.Compare([]byte(a.K), []byte(b.K)) })
	if reverse {
		slices.Reverse(out)
	}
	return out
}

// modelRun drives a store and the model with the same random operations.
type modelRun struct {
	t     *testing.T
	r     *rand.Rand
	bk    Backend
	db    store.Store
	model model
	snaps []modelSnap
}

type modelSnap struct {
	s     store.Snapshot
	model model
}

// key returns a random key from a small space, so that operations collide,
// including keys holding 0x00 and 0xFF.
func (m *modelRun) key() string {
	switch m.r.IntN(10) {
	case 0:
		return string([]byte{byte(m.r.IntN(3)) * 0x7F, byte(m.r.IntN(2)) * 0xFF})
	default:
		return fmt.Sprintf("k%02d", m.r.IntN(40))
	}
}

// bound returns a random iterator bound: nil (unbounded), empty or a key.
func (m *modelRun) bound() []byte {
	switch m.r.IntN(8) {
	case 0, 1:
		return nil
	case 2:
		return []byte{}
	}
	return []byte(m.key())
}

func (m *modelRun) randomOps() []Op {
	ops := make([]Op, 1+m.r.IntN(6))
	for i := range ops {
		switch n := m.r.IntN(10); {
		case n < 6:
			ops[i] = Set(m.key(), fmt.Sprintf("v%03d", m.r.IntN(1000))[:m.r.IntN(5)]) // "" included
		case n < 9:
			ops[i] = Del(m.key())
		default:
			ops[i] = DelRange(string(m.bound()), m.key()) // sometimes empty or reversed
		}
	}
	return ops
}

// step performs one random operation and checks the store against the model.
func (m *modelRun) step(i int) {
	t := m.t
	switch n := m.r.IntN(20); {
	case n < 8: // commit a batch
		ops := m.randomOps()
		Commit(t, m.db, ops...)
		m.model.apply(ops)
	case n < 9: // discard a batch
		bt := m.db.NewBatch()
		AddOps(bt, m.randomOps())
		bt.Close()
	case n < 11: // point reads
		for range 5 {
			k := m.key()
			want, ok := m.model[k]
			if !ok {
				want = "<absent>"
			}
			if got := GetString(t, m.db, k); got != want {
				t.Fatalf("step %d: Get(%q) = %q, want %q", i, k, got, want)
			}
		}
	case n < 14: // scan over random bounds, either way
		lower, upper, reverse := m.bound(), m.bound(), m.r.IntN(2) == 0
		if got, want := Scan(t, m.db, lower, upper, reverse), m.model.scan(lower, upper, reverse); !EqualKVs(got, want) {
			t.Fatalf("step %d: scan [%q, %q) reverse=%v = %q, want %q", i, lower, upper, reverse, got, want)
		}
	case n < 16: // random walk with seeks
		m.walk(i)
	case n < 17: // take a snapshot
		if len(m.snaps) < 3 {
			m.snaps = append(m.snaps, modelSnap{m.db.NewSnapshot(), m.model.clone()})
		}
	case n < 18: // release a snapshot
		if len(m.snaps) > 0 {
			j := m.r.IntN(len(m.snaps))
			if err := m.snaps[j].s.Close(); err != nil {
				t.Fatal(err)
			}
			m.snaps = slices.Delete(m.snaps, j, j+1)
		}
	default: // reopen, if the backend keeps data
		if m.bk.Reopen != nil {
			m.closeSnaps()
			m.db = m.bk.Reopen(t, m.db)
		}
	}
	m.check(i)
}

// check compares the whole store, and every open snapshot, to its model.
func (m *modelRun) check(i int) {
	if got, want := Scan(m.t, m.db, nil, nil, false), m.model.scan(nil, nil, false); !EqualKVs(got, want) {
		m.t.Fatalf("after step %d: store = %q, model = %q", i, got, want)
	}
	for j, s := range m.snaps {
		if got, want := Scan(m.t, s.s, nil, nil, false), s.model.scan(nil, nil, false); !EqualKVs(got, want) {
			m.t.Fatalf("after step %d: snapshot %d = %q, want %q", i, j, got, want)
		}
	}
}

// walk moves an iterator at random and checks each position against the
// model's sorted keys.
func (m *modelRun) walk(i int) {
	t := m.t
	lower, upper := m.bound(), m.bound()
	var r store.Reader = m.db
	mod := m.model
	if len(m.snaps) > 0 && m.r.IntN(2) == 0 {
		r, mod = m.snaps[0].s, m.snaps[0].model
	}
	entries := mod.scan(lower, upper, false)
	it, err := r.NewIter(lower, upper)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	pos := -1 // index into entries; -1 or len(entries) when not valid
	for range 10 {
		var what string
		switch m.r.IntN(6) {
		case 0:
			what, pos = "First", 0
			it.First()
		case 1:
			what, pos = "Last", len(entries)-1
			it.Last()
		case 2:
			k := string(m.bound())
			what = fmt.Sprintf("SeekGE(%q)", k)
			pos, _ = slices.BinarySearchFunc(entries, k, func(e KV, k string) int { return bytes.Compare([]byte(e.K), []byte(k)) })
			it.SeekGE([]byte(k))
		case 3:
			k := string(m.bound())
			what = fmt.Sprintf("SeekLT(%q)", k)
			pos, _ = slices.BinarySearchFunc(entries, k, func(e KV, k string) int { return bytes.Compare([]byte(e.K), []byte(k)) })
			pos--
			it.SeekLT([]byte(k))
		case 4:
			what = "Next"
			if pos >= 0 && pos < len(entries) {
				pos++
			}
			it.Next()
		case 5:
			what = "Prev"
			if pos >= 0 && pos < len(entries) {
				pos--
			}
			it.Prev()
		}
		wantValid := pos >= 0 && pos < len(entries)
		if it.Valid() != wantValid {
			t.Fatalf("step %d: [%q, %q) %s: Valid = %v, want %v", i, lower, upper, what, it.Valid(), wantValid)
		}
		if !wantValid {
			pos = -1
			continue
		}
		if got := (KV{string(it.Key()), string(it.Value())}); got != entries[pos] {
			t.Fatalf("step %d: [%q, %q) %s at %q, want %q", i, lower, upper, what, got, entries[pos])
		}
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
}

func (m *modelRun) closeSnaps() {
	for _, s := range m.snaps {
		if err := s.s.Close(); err != nil {
			m.t.Fatal(err)
		}
	}
	m.snaps = nil
}

// testModel applies random operation sequences to the store and to a
// reference model, comparing the two after every step; steps include
// closing and reopening the store if the backend can.
func testModel(t *testing.T, bk Backend) {
	const seeds, steps = 4, 400
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			m := &modelRun{t: t, r: rand.New(rand.NewPCG(seed, 42)), model: model{}, bk: bk, db: bk.Open(t)}
			defer m.closeSnaps()
			for i := range steps {
				m.step(i)
			}
		})
	}
}
