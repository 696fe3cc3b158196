package firehose

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/virga/virga/internal/store"
)

// readBatch is how many records a pass reads from a source shard at most.
const readBatch = 500

// readSource moves the records that arrived on a KinesisStreamAsSource
// stream's source since the last pass into its buffer. Each shard's
// checkpoint is written in the batch that buffers its records, so a
// record is buffered once. A shard is first read from the stream's
// creation (Firehose's DeliveryStartTimestamp).
func (s *Service) readSource(st *deliveryStream) error {
	if s.kinesis == nil || st.Source == nil {
		return nil
	}
	shards, ok := s.kinesis.StreamShards(st.Source.StreamARN)
	if !ok {
		return nil
	}
	for _, sh := range shards {
		if err := s.readShard(st, sh.ID); err != nil {
			return err
		}
	}
	return nil
}

// readShard buffers what arrived on one shard of st's source. st was
// listed without mu: it is read again under mu, and nothing is buffered
// unless it is still the same stream (not deleted, nor deleted and made
// again under its name with another source), so that no record lands
// in a buffer no stream owns, or in another stream's.
func (s *Service) readShard(listed *deliveryStream, shard string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load(listed.Name)
	if err != nil || !st.sameSource(listed) {
		return err
	}
	after, err := s.checkpoint(st, shard)
	if err != nil {
		return err
	}
	recs, _, _, err := s.kinesis.StreamRead(st.Source.StreamARN, shard, after, readBatch)
	if err != nil || len(recs) == 0 {
		return err
	}
	data := make([][]byte, len(recs))
	for i, r := range recs {
		data[i] = r.Data
	}
	last := recs[len(recs)-1].Seq
	_, err = s.bufferWith(st, data, s.clock.Now(), func(b store.Batch) {
		b.Set(checkpointKey(st.Name, shard), binary.BigEndian.AppendUint64(nil, last))
	})
	return err
}

// checkpoint is where the stream reads the shard after. mu must be held.
func (s *Service) checkpoint(st *deliveryStream, shard string) (uint64, error) {
	raw, err := s.store.Get(checkpointKey(st.Name, shard))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return s.kinesis.StreamStart(st.Source.StreamARN, shard, "AT_TIMESTAMP", time.UnixMilli(st.Created))
	case err != nil:
		return 0, err
	case len(raw) != 8:
		return 0, errors.New("firehose: malformed checkpoint")
	}
	return binary.BigEndian.Uint64(raw), nil
}

// sameSource reports whether st, read again, is the Kinesis-sourced
// stream listed was read as: made at the same time, reading the same
// source. A nil st (deleted since) is not.
func (st *deliveryStream) sameSource(listed *deliveryStream) bool {
	return st != nil && st.Created == listed.Created && st.Source != nil && listed.Source != nil &&
		st.Source.StreamARN == listed.Source.StreamARN
}
