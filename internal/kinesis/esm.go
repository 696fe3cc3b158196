package kinesis

import (
	"errors"
	"time"
)

// Lambda's event source mappings read streams in Go, through these
// calls, instead of through GetShardIterator and GetRecords, and are told
// when records arrive instead of polling. A position in a shard is the
// counter of the next record to read (0 is the trim horizon); a record's
// Count+1 is the position after it.

// errNoStream is the answer for a stream that is not there.
var errNoStream = errors.New("kinesis: stream not found")

// streamByARN is the stream with the ARN, or the stream of the consumer
// with the ARN: a reader through an enhanced fan-out consumer reads the
// consumer's stream.
func (s *Service) streamByARN(arn string) (*stream, error) {
	consumerARN := ""
	if sa, _, ok := parseConsumerARN(arn); ok {
		consumerARN, arn = arn, sa
	}
	name, err := s.streamName(nil, &arn)
	if err != nil {
		return nil, errNoStream
	}
	st, err := s.load(name)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, errNoStream
	}
	if consumerARN != "" {
		if _, ok := s.findConsumer(st, consumerARN, ""); !ok {
			return nil, errNoStream
		}
	}
	return st, nil
}

// ShardInfo is a shard as a reader of the stream sees it: its id and
// its parents' (none for a shard made with the stream).
type ShardInfo struct {
	ID      string
	Parents []string
}

// Shards lists the shards of the stream with the ARN that still hold
// records within the retention period, parents before their children;
// ok is false when there is no such stream.
func (s *Service) Shards(arn string) (shards []ShardInfo, ok bool) {
	st, err := s.streamByARN(arn)
	if err != nil {
		return nil, false
	}
	cutoff := s.clock.Now().Add(-time.Duration(st.Retention) * time.Hour).UnixMilli()
	for _, sh := range st.Shards {
		if sh.expired(cutoff) {
			continue
		}
		info := ShardInfo{ID: shardID(sh.Index)}
		for _, p := range []string{sh.Parent, sh.Adjacent} {
			if p != "" {
				info.Parents = append(info.Parents, p)
			}
		}
		shards = append(shards, info)
	}
	return shards, true
}

// ShardStart is the position a reader of the shard starts at:
// TRIM_HORIZON, LATEST (the next record to arrive), or AT_TIMESTAMP
// (the first record that arrived at or after at).
func (s *Service) ShardStart(arn, shard, position string, at time.Time) (uint64, error) {
	st, err := s.streamByARN(arn)
	if err != nil {
		return 0, err
	}
	idx, ok := shardIndex(shard)
	if _, found := findShard(st, shard); !ok || !found {
		return 0, errNoStream
	}
	switch position {
	case "LATEST":
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.nextCount(st.Name, idx)
	case "AT_TIMESTAMP":
		return s.countAt(st.Name, idx, at.UnixMilli())
	}
	return 0, nil
}

// ReadShard returns up to limit records of the shard from position next
// on, skipping those past retention, and a channel closed when records
// next arrive on the stream; end tells that the shard is closed and no
// record follows those returned.
func (s *Service) ReadShard(arn, shard string, next uint64, limit int) (recs []StoredRecord, arrived <-chan struct{}, end bool, err error) {
	name, err := s.streamName(nil, &arn)
	if err != nil {
		return nil, nil, false, errNoStream
	}
	// Take the channel before reading, so that a record that arrives,
	// or a reshard that closes the shard, after the read closes it.
	s.mu.Lock()
	arrived = s.arrival(name)
	s.mu.Unlock()
	st, err := s.streamByARN(arn)
	if err != nil {
		return nil, nil, false, err
	}
	idx, ok := shardIndex(shard)
	sh, found := findShard(st, shard)
	if !ok || !found {
		return nil, nil, false, errNoStream
	}
	recs, _, more, _, err := s.readShard(st, idx, next, limit)
	if err != nil {
		return nil, nil, false, err
	}
	return recs, arrived, !sh.open() && !more, nil
}
