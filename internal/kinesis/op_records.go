package kinesis

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math/big"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

const (
	// maxRecordSize: "The maximum size of a data blob (the data payload
	// before base64-encoding) plus the partition key is 1 MiB."
	maxRecordSize = 1 << 20
	// maxPutRecordsSize: "Each PutRecords request can support up to 500
	// records ... up to a limit of 5 MiB for the entire request,
	// including partition keys."
	maxPutRecordsSize = 5 << 20
	// maxGetRecordsSize: GetRecords "can retrieve up to 10 MiB of data"
	// a call.
	maxGetRecordsSize = 10 << 20
	// defaultGetRecordsLimit and the model's maximum are both 10,000.
	defaultGetRecordsLimit = 10000
	// iteratorLifetime: "A shard iterator expires 5 minutes after it is
	// returned to the requester."
	iteratorLifetime = 5 * time.Minute
)

// entry is one record to append.
type entry struct {
	data     []byte
	key      string
	explicit *string
}

// placed is where an entry went.
type placed struct {
	shard int
	seq   string
}

// shardFor is the shard whose hash key range holds the entry's hash key:
// its ExplicitHashKey, or else the MD5 of its partition key.
func shardFor(st *stream, e entry) (int, error) {
	var h *big.Int
	if e.explicit != nil {
		var ok bool
		if h, ok = parseHashKey(*e.explicit); !ok {
			return 0, ErrInvalidArgument.Withf("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", *e.explicit)
		}
	} else {
		h = partitionHash(e.key)
	}
	for _, sh := range st.Shards {
		if !sh.open() {
			continue
		}
		lo, hi := hashRange(sh)
		if h.Cmp(lo) >= 0 && h.Cmp(hi) <= 0 {
			return sh.Index, nil
		}
	}
	return 0, ErrInvalidArgument.WithMessage("No open shard holds the record's hash key.")
}

// appendRecords stores entries on a stream in one durable batch and
// returns where each went and the stream's EncryptionType; nothing is
// stored if it fails.
func (s *Service) appendRecords(name string, es []entry) ([]placed, *EncryptionType, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, nil, err
	}
	now := s.clock.Now().UnixMilli()
	out := make([]placed, len(es))
	counts := map[int]uint64{}
	b := s.store.NewBatch()
	defer b.Close()
	for i, e := range es {
		idx, err := shardFor(st, e)
		if err != nil {
			return nil, nil, err
		}
		c, ok := counts[idx]
		if !ok {
			if c, err = s.nextCount(name, idx); err != nil {
				return nil, nil, err
			}
		}
		raw, err := json.Marshal(record{Data: e.data, Key: e.key, Arrived: now})
		if err != nil {
			return nil, nil, err
		}
		b.Set(recordKey(name, idx, c), raw)
		out[i] = placed{shard: idx, seq: sequenceNumber(idx, c)}
		counts[idx] = c + 1
	}
	for idx, c := range counts {
		var v [8]byte
		binary.BigEndian.PutUint64(v[:], c)
		b.Set(counterKey(name, idx), v[:])
	}
	if err := b.Commit(); err != nil {
		return nil, nil, err
	}
	for idx, c := range counts {
		s.next[shardRef{name, idx}] = c
	}
	s.notify(name)
	enc, _ := st.encryption()
	return out, enc, nil
}

func (s *Service) putRecord(ctx context.Context, in *PutRecordInput) (*PutRecordOutput, error) {
	name, err := s.streamName(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if len(in.Data)+len(*in.PartitionKey) > maxRecordSize {
		return nil, ErrValidation.Withf("1 validation error detected: Value at 'data' failed to satisfy constraint: Member must have length less than or equal to %d", maxRecordSize)
	}
	p, enc, err := s.appendRecords(name, []entry{{data: in.Data, key: *in.PartitionKey, explicit: in.ExplicitHashKey}})
	if err != nil {
		return nil, err
	}
	return &PutRecordOutput{ShardId: ptr(shardID(p[0].shard)), SequenceNumber: ptr(p[0].seq), EncryptionType: enc}, nil
}

func (s *Service) putRecords(ctx context.Context, in *PutRecordsInput) (*PutRecordsOutput, error) {
	name, err := s.streamName(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	total := 0
	es := make([]entry, len(in.Records))
	for i, r := range in.Records {
		size := len(r.Data) + len(*r.PartitionKey)
		if size > maxRecordSize {
			return nil, ErrValidation.Withf("1 validation error detected: Value at 'records.%d.member.data' failed to satisfy constraint: Member must have length less than or equal to %d", i+1, maxRecordSize)
		}
		total += size
		es[i] = entry{data: r.Data, key: *r.PartitionKey, explicit: r.ExplicitHashKey}
	}
	if total > maxPutRecordsSize {
		return nil, ErrInvalidArgument.Withf("Records size exceeds %d MB limit", maxPutRecordsSize>>20)
	}
	ps, enc, err := s.appendRecords(name, es)
	if err != nil {
		return nil, err
	}
	out := &PutRecordsOutput{FailedRecordCount: ptr(int32(0)), EncryptionType: enc}
	for _, p := range ps {
		out.Records = append(out.Records, PutRecordsResultEntry{ShardId: ptr(shardID(p.shard)), SequenceNumber: ptr(p.seq)})
	}
	return out, nil
}

// findShard returns the stream's shard of that id.
func findShard(st *stream, id string) (shard, bool) {
	idx, ok := shardIndex(id)
	if !ok {
		return shard{}, false
	}
	for _, sh := range st.Shards {
		if sh.Index == idx {
			return sh, true
		}
	}
	return shard{}, false
}

func (s *Service) getShardIterator(ctx context.Context, in *GetShardIteratorInput) (*GetShardIteratorOutput, error) {
	name, err := s.streamName(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	sh, ok := findShard(st, *in.ShardId)
	if !ok {
		return nil, ErrResourceNotFound.Withf("Shard %s in stream %s under account %s does not exist", *in.ShardId, name, s.account)
	}
	typ := string(*in.ShardIteratorType)
	var next uint64
	switch typ {
	case "TRIM_HORIZON":
		next = sh.StartCount
	case "LATEST":
		s.mu.Lock()
		next, err = s.nextCount(name, sh.Index)
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		if in.StartingSequenceNumber == nil {
			return nil, ErrInvalidArgument.Withf("The StartingSequenceNumber is required for ShardIteratorType %s.", typ)
		}
		idx, c, ok := parseSequenceNumber(*in.StartingSequenceNumber)
		if !ok || idx != sh.Index {
			return nil, ErrInvalidArgument.Withf("StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid because it did not come from this stream.", *in.StartingSequenceNumber, *in.ShardId, name, s.account)
		}
		next = c
		if typ == "AFTER_SEQUENCE_NUMBER" {
			next++
		}
	case "AT_TIMESTAMP":
		if in.Timestamp == nil {
			return nil, ErrInvalidArgument.WithMessage("The timestampInMillis parameter cannot be null for ShardIteratorType AT_TIMESTAMP.")
		}
		if next, err = s.countAt(name, sh.Index, in.Timestamp.UnixMilli()); err != nil {
			return nil, err
		}
	default:
		return nil, ErrValidation.Withf("1 validation error detected: Value '%s' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]", typ)
	}
	it := iterator{Stream: name, Created: st.Created, Shard: sh.Index, Next: next, Issued: s.clock.Now().UnixMilli()}
	return &GetShardIteratorOutput{ShardIterator: ptr(encodeIterator(it))}, nil
}

// countAt is the counter of the shard's first record that arrived at or
// after ms, or the next record's if none has.
func (s *Service) countAt(name string, idx int, ms int64) (uint64, error) {
	it, err := s.store.NewIter(shardPrefix(name, idx), keys.PrefixEnd(shardPrefix(name, idx)))
	if err != nil {
		return 0, err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		var r record
		if err := json.Unmarshal(it.Value(), &r); err != nil {
			return 0, err
		}
		if r.Arrived >= ms {
			return countOf(it.Key()), nil
		}
	}
	if err := it.Error(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextCount(name, idx)
}

// StoredRecord is one record of a shard, as GetRecords and event source
// mappings read it.
type StoredRecord struct {
	SequenceNumber string
	Count          uint64
	PartitionKey   string
	Data           []byte
	Arrived        time.Time
}

// readShard returns up to limit records (and at most maxGetRecordsSize
// bytes) of a shard from counter next on, skipping those past retention;
// after is the counter after them, more whether records remain after
// them, and behind how long ago the first of those arrived.
func (s *Service) readShard(st *stream, idx int, next uint64, limit int) (recs []StoredRecord, after uint64, more bool, behind time.Duration, err error) {
	now := s.clock.Now()
	cutoff := now.Add(-time.Duration(st.Retention) * time.Hour).UnixMilli()
	it, err := s.store.NewIter(recordKey(st.Name, idx, next), keys.PrefixEnd(shardPrefix(st.Name, idx)))
	if err != nil {
		return nil, next, false, 0, err
	}
	defer it.Close()
	after, size := next, 0
	for ok := it.First(); ok; ok = it.Next() {
		var r record
		if err := json.Unmarshal(it.Value(), &r); err != nil {
			return nil, next, false, 0, err
		}
		c := countOf(it.Key())
		if r.Arrived < cutoff {
			after = c + 1
			continue
		}
		if len(recs) == limit || (len(recs) > 0 && size+len(r.Data)+len(r.Key) > maxGetRecordsSize) {
			behind, more = now.Sub(time.UnixMilli(r.Arrived)), true
			break
		}
		size += len(r.Data) + len(r.Key)
		recs = append(recs, StoredRecord{SequenceNumber: sequenceNumber(idx, c), Count: c, PartitionKey: r.Key, Data: r.Data, Arrived: time.UnixMilli(r.Arrived)})
		after = c + 1
	}
	return recs, after, more, max(behind, 0), it.Error()
}

func (s *Service) getRecords(ctx context.Context, in *GetRecordsInput) (*GetRecordsOutput, error) {
	it, err := decodeIterator(*in.ShardIterator)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if issued := time.UnixMilli(it.Issued); now.Sub(issued) > iteratorLifetime {
		return nil, ErrExpiredIterator.Withf("Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			issued.UTC().Format(time.UnixDate), now.UTC().Format(time.UnixDate), iteratorLifetime.Milliseconds())
	}
	if in.StreamARN != nil {
		if _, err := s.streamName(&it.Stream, in.StreamARN); err != nil {
			return nil, err
		}
	}
	st, err := s.load(it.Stream)
	if err != nil {
		return nil, err
	}
	if st == nil || st.Created != it.Created {
		return nil, s.notFound(it.Stream)
	}
	limit := defaultGetRecordsLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	sh, ok := findShard(st, shardID(it.Shard))
	if !ok {
		return nil, ErrResourceNotFound.Withf("Shard %s in stream %s under account %s does not exist", shardID(it.Shard), st.Name, s.account)
	}
	recs, after, more, behind, err := s.readShard(st, it.Shard, it.Next, limit)
	if err != nil {
		return nil, err
	}
	out := &GetRecordsOutput{Records: []Record{}, MillisBehindLatest: ptr(behind.Milliseconds())}
	for _, r := range recs {
		out.Records = append(out.Records, Record{SequenceNumber: ptr(r.SequenceNumber), ApproximateArrivalTimestamp: ptr(r.Arrived),
			Data: r.Data, PartitionKey: ptr(r.PartitionKey)})
	}
	if !sh.open() && !more {
		// The end of a closed shard: no next iterator, and the shards
		// to read on with.
		out.ChildShards = childShards(st, sh.Index)
		return out, nil
	}
	it.Next, it.Issued = after, now.UnixMilli()
	out.NextShardIterator = ptr(encodeIterator(it))
	return out, nil
}

// childShards are the children of a closed shard as GetRecords names
// them at its end.
func childShards(st *stream, idx int) []ChildShard {
	out := []ChildShard{}
	for _, c := range st.children(idx) {
		parents := []string{c.Parent}
		if c.Adjacent != "" {
			parents = append(parents, c.Adjacent)
		}
		out = append(out, ChildShard{ShardId: ptr(shardID(c.Index)), ParentShards: parents,
			HashKeyRange: &HashKeyRange{StartingHashKey: ptr(c.StartHash), EndingHashKey: ptr(c.EndHash)}})
	}
	return out
}

// Sweep removes the records that have outlived their stream's retention
// period, as the clock says.
func (s *Service) Sweep() error {
	var streams []*stream
	if err := s.eachStream(func(st *stream) bool { streams = append(streams, st); return true }); err != nil {
		return err
	}
	now := s.clock.Now()
	for _, st := range streams {
		cutoff := now.Add(-time.Duration(st.Retention) * time.Hour).UnixMilli()
		for _, sh := range st.Shards {
			if err := s.trim(st.Name, sh.Index, cutoff); err != nil {
				return err
			}
		}
	}
	return nil
}

// trim deletes a shard's records that arrived before cutoff.
func (s *Service) trim(name string, idx int, cutoff int64) error {
	lower := shardPrefix(name, idx)
	it, err := s.store.NewIter(lower, keys.PrefixEnd(lower))
	if err != nil {
		return err
	}
	var end []byte
	for ok := it.First(); ok; ok = it.Next() {
		var r record
		if err := json.Unmarshal(it.Value(), &r); err != nil || r.Arrived >= cutoff {
			break
		}
		end = append(end[:0], it.Key()...)
	}
	if err := it.Close(); err != nil || end == nil {
		return err
	}
	return commitDeleteRange(s.store, lower, append(end, 0))
}

func commitDeleteRange(db store.Store, lo, hi []byte) error {
	b := db.NewBatch()
	defer b.Close()
	b.DeleteRange(lo, hi)
	return b.CommitNoWait()
}
