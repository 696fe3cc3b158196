package kinesis

import (
	"context"
	"math/big"
	"sort"
	"time"
)

// Resharding: SplitShard, MergeShards and UpdateShardCount close shards
// and open their children in one durable write, at once; the stream is
// then UPDATING for updatingFor, during which a further reshard or change
// of mode is ResourceInUseException, as on AWS while a reshard runs. A
// closed shard keeps its records (reads return them, then its children)
// until they outlive the retention period; records put after the reshard
// go to the open shard whose range holds their hash key.

const (
	// updatingFor is how long a stream shows UPDATING after a reshard
	// or a change of mode; AWS takes seconds to minutes.
	updatingFor = 100 * time.Millisecond
	// maxScalingsPerDay: UpdateShardCount may not "scale more than ten
	// times per rolling 24-hour period per stream".
	maxScalingsPerDay = 10
	// maxStreamShards: nor "scale up to more than 10000 shards in a
	// stream".
	maxStreamShards = 10000
)

// activeStream loads a stream that a change of its shards or mode may
// apply to: an ACTIVE one. mu must be held.
func (s *Service) activeStream(name string) (*stream, error) {
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	if status := st.status(s.clock.Now().UnixMilli()); status != "ACTIVE" {
		return nil, ErrResourceInUse.Withf("Stream %s under account %s not ACTIVE, instead in state %s", name, s.account, status)
	}
	return st, nil
}

// reshardable loads a stream that a reshard may change: there, ACTIVE
// and PROVISIONED. mu must be held.
func (s *Service) reshardable(name, op string) (*stream, error) {
	st, err := s.activeStream(name)
	if err != nil {
		return nil, err
	}
	if st.Mode == "ON_DEMAND" {
		return nil, ErrValidation.Withf("%s is not supported for streams in ON_DEMAND mode.", op)
	}
	return st, nil
}

// openShard finds an open shard of the stream by id, as a reshard names
// it; it returns the shard's position in st.Shards.
func (s *Service) openShard(st *stream, id string) (int, error) {
	idx, ok := shardIndex(id)
	if ok {
		for i, sh := range st.Shards {
			if sh.Index != idx {
				continue
			}
			if !sh.open() {
				return 0, ErrInvalidArgument.Withf("Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for merging or splitting.", id, st.Name, s.account)
			}
			return i, nil
		}
	}
	return 0, ErrResourceNotFound.Withf("Could not find shard %s in stream %s under account %s.", id, st.Name, s.account)
}

// accountRoom fails with LimitExceededException when adding shards open
// shards would pass the account's shard quota. mu must be held.
func (s *Service) accountRoom(adding int) error {
	if adding <= 0 {
		return nil
	}
	open, err := s.openShards()
	if err != nil {
		return err
	}
	if open+adding > maxShards {
		return ErrLimitExceeded.Withf("This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.", s.account, s.region, open, maxShards, adding)
	}
	return nil
}

// hashRange is a shard's hash key range as integers.
func hashRange(sh shard) (lo, hi *big.Int) {
	lo, _ = new(big.Int).SetString(sh.StartHash, 10)
	hi, _ = new(big.Int).SetString(sh.EndHash, 10)
	return lo, hi
}

// resharder closes a stream's shards and opens their children at one
// instant. mu must be held: closing reads the shards' counters.
type resharder struct {
	s   *Service
	st  *stream
	now int64
}

// close closes the shard at position i of st.Shards.
func (r *resharder) close(i int) error {
	c, err := r.s.nextCount(r.st.Name, r.st.Shards[i].Index)
	if err != nil {
		return err
	}
	r.st.Shards[i].Closed, r.st.Shards[i].EndCount = r.now, c
	return nil
}

// open adds a shard of the range [lo, hi] with its parents and returns
// its position in st.Shards.
func (r *resharder) open(lo, hi *big.Int, parent, adjacent string) int {
	idx := 0
	if n := len(r.st.Shards); n > 0 {
		idx = r.st.Shards[n-1].Index + 1
	}
	r.st.Shards = append(r.st.Shards, shard{Index: idx, StartHash: lo.String(), EndHash: hi.String(),
		Parent: parent, Adjacent: adjacent, Opened: r.now})
	return len(r.st.Shards) - 1
}

// split closes the shard at position i and opens its two children, the
// second starting at key; it returns their positions.
func (r *resharder) split(i int, key *big.Int) (int, int, error) {
	if err := r.close(i); err != nil {
		return 0, 0, err
	}
	lo, hi := hashRange(r.st.Shards[i])
	parent := shardID(r.st.Shards[i].Index)
	a := r.open(lo, new(big.Int).Sub(key, big.NewInt(1)), parent, "")
	b := r.open(key, hi, parent, "")
	return a, b, nil
}

// merge closes the shards at positions i and j (j's range right after
// i's, or right before it) and opens their child; it returns its
// position.
func (r *resharder) merge(i, j int) (int, error) {
	if err := r.close(i); err != nil {
		return 0, err
	}
	if err := r.close(j); err != nil {
		return 0, err
	}
	lo1, hi1 := hashRange(r.st.Shards[i])
	lo2, hi2 := hashRange(r.st.Shards[j])
	lo, hi := lo1, hi2
	if lo2.Cmp(lo1) < 0 {
		lo, hi = lo2, hi1
	}
	return r.open(lo, hi, shardID(r.st.Shards[i].Index), shardID(r.st.Shards[j].Index)), nil
}

// commit saves the resharded stream, UPDATING for updatingFor, and wakes
// its readers so that those at the end of a closed shard see it.
func (r *resharder) commit() error {
	r.st.Updating = r.now + updatingFor.Milliseconds()
	if err := r.s.save(r.st); err != nil {
		return err
	}
	r.s.notify(r.st.Name)
	return nil
}

func (s *Service) splitShard(ctx context.Context, in *SplitShardInput) (*noOutput, error) {
	name, err := s.streamName(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.reshardable(name, "SplitShard")
	if err != nil {
		return nil, err
	}
	i, err := s.openShard(st, *in.ShardToSplit)
	if err != nil {
		return nil, err
	}
	key, ok := parseHashKey(*in.NewStartingHashKey)
	lo, hi := hashRange(st.Shards[i])
	// The new key must leave each child more than one hash key.
	if !ok || key.Cmp(new(big.Int).Add(lo, big.NewInt(1))) <= 0 || key.Cmp(hi) >= 0 {
		return nil, ErrInvalidArgument.Withf("NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.",
			*in.NewStartingHashKey, *in.ShardToSplit, name, s.account, lo, hi)
	}
	if err := s.accountRoom(1); err != nil {
		return nil, err
	}
	r := &resharder{s: s, st: st, now: s.clock.Now().UnixMilli()}
	if _, _, err := r.split(i, key); err != nil {
		return nil, err
	}
	return &noOutput{}, r.commit()
}

// adjacent tells shards whose ranges together are one range without a
// gap.
func adjacent(a, b shard) bool {
	alo, ahi := hashRange(a)
	blo, bhi := hashRange(b)
	one := big.NewInt(1)
	return new(big.Int).Add(ahi, one).Cmp(blo) == 0 || new(big.Int).Add(bhi, one).Cmp(alo) == 0
}

func (s *Service) mergeShards(ctx context.Context, in *MergeShardsInput) (*noOutput, error) {
	name, err := s.streamName(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.reshardable(name, "MergeShards")
	if err != nil {
		return nil, err
	}
	i, err := s.openShard(st, *in.ShardToMerge)
	if err != nil {
		return nil, err
	}
	j, err := s.openShard(st, *in.AdjacentShardToMerge)
	if err != nil {
		return nil, err
	}
	if i == j || !adjacent(st.Shards[i], st.Shards[j]) {
		return nil, ErrInvalidArgument.Withf("Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging",
			*in.ShardToMerge, *in.AdjacentShardToMerge, name, s.account)
	}
	r := &resharder{s: s, st: st, now: s.clock.Now().UnixMilli()}
	if _, err := r.merge(i, j); err != nil {
		return nil, err
	}
	return &noOutput{}, r.commit()
}

func (s *Service) updateShardCount(ctx context.Context, in *UpdateShardCountInput) (*UpdateShardCountOutput, error) {
	name, err := s.streamName(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.reshardable(name, "UpdateShardCount")
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	current, target := st.openCount(), int(*in.TargetShardCount)
	switch {
	case target > maxStreamShards:
		return nil, ErrLimitExceeded.Withf("Target shard count or number of open shards cannot be greater than %d. Current open shard count: %d, Target shard count: %d", maxStreamShards, current, target)
	case target > 2*current:
		return nil, ErrLimitExceeded.Withf("UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: %d, Target shard count: %d", current, target)
	case 2*target < current:
		return nil, ErrLimitExceeded.Withf("UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: %d, Target shard count: %d", current, target)
	}
	dayAgo := now.Add(-24 * time.Hour).UnixMilli()
	recent := st.Scaled[:0]
	for _, t := range st.Scaled {
		if t > dayAgo {
			recent = append(recent, t)
		}
	}
	st.Scaled = recent
	if len(st.Scaled) >= maxScalingsPerDay {
		return nil, ErrLimitExceeded.Withf("Stream %s under account %s has exceeded its limit of %d UpdateShardCount calls per rolling 24-hour period.", name, s.account, maxScalingsPerDay)
	}
	if err := s.accountRoom(target - current); err != nil {
		return nil, err
	}
	r := &resharder{s: s, st: st, now: now.UnixMilli()}
	if target != current {
		if err := r.scale(target); err != nil {
			return nil, err
		}
	}
	st.Scaled = append(st.Scaled, now.UnixMilli())
	if err := r.commit(); err != nil {
		return nil, err
	}
	return &UpdateShardCountOutput{StreamName: ptr(name), StreamARN: ptr(s.arn(name)),
		CurrentShardCount: ptr(int32(current)), TargetShardCount: ptr(int32(target))}, nil
}

// scale reshards the stream's open shards into n of equal ranges (those
// CreateStream would make), as AWS's uniform scaling does, by splits and
// merges: first each open shard is split at every boundary of the new
// ranges inside it, then the pieces within each new range are merged
// from left to right. Pieces split and merged again are the short-lived
// shards AWS's documentation mentions; every shard keeps at most two
// parents, so readers can follow the lineage.
func (r *resharder) scale(n int) error {
	targets := evenRanges(n)
	// Positions of the open shards, by range.
	var pieces []int
	for i, sh := range r.st.Shards {
		if sh.open() {
			pieces = append(pieces, i)
		}
	}
	sort.Slice(pieces, func(a, b int) bool {
		la, _ := hashRange(r.st.Shards[pieces[a]])
		lb, _ := hashRange(r.st.Shards[pieces[b]])
		return la.Cmp(lb) < 0
	})
	var split []int
	for _, p := range pieces {
		for {
			lo, hi := hashRange(r.st.Shards[p])
			var cut *big.Int
			for _, t := range targets[1:] {
				if t[0].Cmp(lo) > 0 && t[0].Cmp(hi) <= 0 {
					cut = t[0]
					break
				}
			}
			if cut == nil {
				split = append(split, p)
				break
			}
			a, b, err := r.split(p, cut)
			if err != nil {
				return err
			}
			split = append(split, a)
			p = b
		}
	}
	// Every piece now lies within one target range; merge each range's.
	k := 0
	for _, t := range targets {
		cur := -1
		for k < len(split) {
			_, hi := hashRange(r.st.Shards[split[k]])
			if hi.Cmp(t[1]) > 0 {
				break
			}
			if cur < 0 {
				cur = split[k]
			} else {
				m, err := r.merge(cur, split[k])
				if err != nil {
					return err
				}
				cur = m
			}
			k++
		}
	}
	return nil
}

func (s *Service) updateStreamMode(ctx context.Context, in *UpdateStreamModeInput) (*noOutput, error) {
	name, err := s.streamName(nil, in.StreamARN)
	if err != nil {
		return nil, err
	}
	mode := string(deref(in.StreamModeDetails.StreamMode))
	if mode != "PROVISIONED" && mode != "ON_DEMAND" {
		return nil, ErrValidation.Withf("1 validation error detected: Value '%s' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]", mode)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.activeStream(name)
	if err != nil {
		return nil, err
	}
	if st.Mode == mode {
		return &noOutput{}, nil
	}
	// The shards stay as they are: an on-demand stream keeps the
	// provisioned one's shards, and the other way round.
	st.Mode = mode
	st.Updating = s.clock.Now().UnixMilli() + updatingFor.Milliseconds()
	return &noOutput{}, s.save(st)
}
