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

func (s *Service) streamByARN(arn string) (*stream, error) {
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
	return st, nil
}

// Shards lists the ids of the shards of the stream with the ARN; ok is
// false when there is no such stream.
func (s *Service) Shards(arn string) (ids []string, ok bool) {
	st, err := s.streamByARN(arn)
	if err != nil {
		return nil, false
	}
	for _, sh := range st.Shards {
		ids = append(ids, shardID(sh.Index))
	}
	return ids, true
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
// next arrive on the stream.
func (s *Service) ReadShard(arn, shard string, next uint64, limit int) ([]StoredRecord, <-chan struct{}, error) {
	st, err := s.streamByARN(arn)
	if err != nil {
		return nil, nil, err
	}
	idx, ok := shardIndex(shard)
	if _, found := findShard(st, shard); !ok || !found {
		return nil, nil, errNoStream
	}
	// Take the channel before reading, so that a record that arrives
	// after the read closes it.
	s.mu.Lock()
	arrived := s.arrival(st.Name)
	s.mu.Unlock()
	recs, _, _, err := s.readShard(st, idx, next, limit)
	if err != nil {
		return nil, nil, err
	}
	return recs, arrived, nil
}
