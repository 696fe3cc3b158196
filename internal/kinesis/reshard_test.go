package kinesis

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/store/pebble"
)

func newTestService(t *testing.T) (*Service, *clock.Fake) {
	t.Helper()
	db, err := pebble.Open(pebble.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	return New(Deps{Store: db, Clock: clk, Account: "000000000000", Region: "us-east-1"}), clk
}

// checkLineage checks what every reshard keeps true: the open shards
// cover [0, 2^128) without gap or overlap, every shard has at most two
// parents (the second only when merged), and a child's range lies
// within its parents'.
func checkLineage(t *testing.T, st *stream) {
	t.Helper()
	byID := map[string]shard{}
	for _, sh := range st.Shards {
		byID[shardID(sh.Index)] = sh
	}
	next := big.NewInt(0)
	for _, sh := range openSorted(st) {
		lo, hi := hashRange(sh)
		if lo.Cmp(next) != 0 || hi.Cmp(lo) < 0 {
			t.Fatalf("open shard %s [%s, %s] after %s", shardID(sh.Index), lo, hi, next)
		}
		next = new(big.Int).Add(hi, big.NewInt(1))
	}
	if next.Cmp(hashSpace) != 0 {
		t.Fatalf("open shards end at %s", next)
	}
	for _, sh := range st.Shards {
		if sh.Parent == "" {
			continue
		}
		lo, hi := hashRange(sh)
		plo, phi := hashRange(byID[sh.Parent])
		if sh.Adjacent != "" {
			alo, ahi := hashRange(byID[sh.Adjacent])
			if alo.Cmp(plo) < 0 {
				plo = alo
			}
			if ahi.Cmp(phi) > 0 {
				phi = ahi
			}
			if !adjacent(byID[sh.Parent], byID[sh.Adjacent]) {
				t.Errorf("%s merged from shards not adjacent", shardID(sh.Index))
			}
		}
		if lo.Cmp(plo) < 0 || hi.Cmp(phi) > 0 || byID[sh.Parent].open() {
			t.Errorf("%s [%s, %s] outside its parents' [%s, %s], or a parent is open", shardID(sh.Index), lo, hi, plo, phi)
		}
	}
}

func openSorted(st *stream) []shard {
	var out []shard
	for _, sh := range st.Shards {
		if sh.open() {
			out = append(out, sh)
		}
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			a, _ := hashRange(out[i])
			b, _ := hashRange(out[j])
			if b.Cmp(a) < 0 {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// UpdateShardCount's uniform scaling ends with the ranges CreateStream
// would give that many shards, through any chain of counts within
// double and half.
func TestScaleUniform(t *testing.T) {
	for _, chain := range [][]int{{1, 2, 4, 2, 1}, {3, 5, 7, 4, 3}, {4, 5, 3, 6}, {10, 13, 7, 14}} {
		s, clk := newTestService(t)
		ctx := context.Background()
		name := "s"
		if _, err := s.createStream(ctx, &CreateStreamInput{StreamName: &name, ShardCount: ptr(int32(chain[0]))}); err != nil {
			t.Fatal(err)
		}
		for _, n := range chain[1:] {
			clk.Advance(time.Second)
			out, err := s.updateShardCount(ctx, &UpdateShardCountInput{StreamName: &name, TargetShardCount: ptr(int32(n)), ScalingType: ptr(ScalingType("UNIFORM_SCALING"))})
			if err != nil {
				t.Fatalf("%v: to %d: %v", chain, n, err)
			}
			if *out.TargetShardCount != int32(n) {
				t.Errorf("answer %+v", out)
			}
			st, _ := s.load(name)
			checkLineage(t, st)
			open := openSorted(st)
			want := evenRanges(n)
			if len(open) != n {
				t.Fatalf("%v: %d open shards, want %d", chain, len(open), n)
			}
			for i, sh := range open {
				if sh.StartHash != want[i][0].String() || sh.EndHash != want[i][1].String() {
					t.Errorf("%v -> %d: shard %d [%s, %s], want %v", chain, n, i, sh.StartHash, sh.EndHash, want[i])
				}
			}
		}
	}
}

// UpdateShardCount refuses more than double, less than half, and an
// eleventh scaling within 24 hours.
func TestScaleLimits(t *testing.T) {
	s, clk := newTestService(t)
	ctx := context.Background()
	name := "s"
	if _, err := s.createStream(ctx, &CreateStreamInput{StreamName: &name, ShardCount: ptr(int32(4))}); err != nil {
		t.Fatal(err)
	}
	scale := func(n int) error {
		_, err := s.updateShardCount(ctx, &UpdateShardCountInput{StreamName: &name, TargetShardCount: ptr(int32(n)), ScalingType: ptr(ScalingType("UNIFORM_SCALING"))})
		return err
	}
	for _, n := range []int{9, 1} {
		if err := scale(n); err == nil || !errors.Is(err, ErrLimitExceeded) {
			t.Errorf("4 -> %d: %v", n, err)
		}
	}
	if err := scale(5); err != nil {
		t.Fatal(err)
	}
	// While UPDATING, another reshard is refused.
	if err := scale(4); err == nil || !errors.Is(err, ErrResourceInUse) {
		t.Errorf("while UPDATING: %v", err)
	}
	for i := range 9 {
		clk.Advance(time.Minute)
		if err := scale(4 + i%2); err != nil {
			t.Fatalf("scaling %d: %v", i+2, err)
		}
	}
	clk.Advance(time.Minute)
	if err := scale(4); err == nil || !errors.Is(err, ErrLimitExceeded) {
		t.Errorf("eleventh scaling in a day: %v", err)
	}
	clk.Advance(24 * time.Hour)
	if err := scale(4); err != nil {
		t.Errorf("a day later: %v", err)
	}
}

// SplitShard's key must leave each child more than one hash key, at
// both ends of the 128-bit space.
func TestSplitBounds(t *testing.T) {
	s, clk := newTestService(t)
	ctx := context.Background()
	name := "s"
	if _, err := s.createStream(ctx, &CreateStreamInput{StreamName: &name, ShardCount: ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	split := func(id, key string) error {
		_, err := s.splitShard(ctx, &SplitShardInput{StreamName: &name, ShardToSplit: &id, NewStartingHashKey: &key})
		return err
	}
	for _, key := range []string{"0", "1", "340282366920938463463374607431768211455", "340282366920938463463374607431768211456"} {
		if err := split("shardId-000000000000", key); err == nil || !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("split at %s: %v", key, err)
		}
	}
	if err := split("shardId-000000000000", "340282366920938463463374607431768211454"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	st, _ := s.load(name)
	checkLineage(t, st)
	if st.Shards[2].StartHash != "340282366920938463463374607431768211454" || st.Shards[2].EndHash != maxHashKey.String() {
		t.Errorf("high child %+v", st.Shards[2])
	}
	// The high child spans two keys: no key is strictly inside it.
	if err := split("shardId-000000000002", "340282366920938463463374607431768211455"); err == nil || !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("split of a two-key shard: %v", err)
	}
	if err := split("shardId-000000000001", "2"); err != nil {
		t.Fatal(err)
	}
	st, _ = s.load(name)
	checkLineage(t, st)
}
