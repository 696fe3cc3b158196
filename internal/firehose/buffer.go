package firehose

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// buffer is what a stream's buffer in the store holds: records under
// sequences [first, next), size bytes of data, the oldest of which
// arrived at oldest. retryAt, when set, is when a delivery that failed
// is tried again.
type buffer struct {
	first, next uint64
	size        int
	oldest      time.Time
	retryAt     time.Time
}

// mib is a MiB, the unit of SizeInMBs.
const mib = 1 << 20

// retryAfter is how long, as the clock says, a failed delivery waits
// before it is tried again. Firehose keeps retrying an S3 destination
// for up to 24 hours; virga keeps the records until a delivery succeeds.
const retryAfter = 5 * time.Second

// bufferOf returns the stream's buffer, reading it from the store the
// first time (after a restart, what earlier runs acknowledged). mu must
// be held.
func (s *Service) bufferOf(name string) (*buffer, error) {
	if b, ok := s.buffers[name]; ok {
		return b, nil
	}
	b, err := s.measure(bufferPrefix(name), keys.PrefixEnd(bufferPrefix(name)))
	if err != nil {
		return nil, err
	}
	s.buffers[name] = b
	return b, nil
}

// appendIn adds records to the stream's buffer in the batch, all arrived
// at now, and returns the sequences they take. The buffer in memory is
// updated only by commit, once the batch is durable. mu must be held.
func (s *Service) appendIn(b store.Batch, name string, data [][]byte, now time.Time) (seqs []uint64, commit func(), err error) {
	buf, err := s.bufferOf(name)
	if err != nil {
		return nil, nil, err
	}
	next, size := buf.next, 0
	for _, d := range data {
		raw, err := json.Marshal(buffered{Arrived: now.UnixMilli(), Data: d})
		if err != nil {
			return nil, nil, err
		}
		b.Set(recordKey(name, next), raw)
		seqs = append(seqs, next)
		next++
		size += len(d)
	}
	return seqs, func() {
		if buf.first == buf.next {
			buf.first, buf.oldest = seqs[0], now
		}
		buf.next = next
		buf.size += size
	}, nil
}

// due reports whether a buffer is to be delivered at now under the
// destination's hints: its size reached SizeInMBs, or its oldest record
// is IntervalInSeconds old.
func (d *destination) due(b *buffer, now time.Time) bool {
	if b.first == b.next || now.Before(b.retryAt) {
		return false
	}
	return b.size >= int(d.SizeInMBs)*mib || !now.Before(b.oldest.Add(time.Duration(d.IntervalInSeconds)*time.Second))
}

// deliver writes the stream's buffer to its bucket if it is due, in
// objects of at most SizeInMBs each, and drops from the buffer what it
// wrote.
func (s *Service) deliver(ctx context.Context, name string) error {
	for {
		s.mu.Lock()
		st, err := s.load(name)
		if err != nil || st == nil {
			s.mu.Unlock()
			return err
		}
		buf, err := s.bufferOf(name)
		if err != nil {
			s.mu.Unlock()
			return err
		}
		now := s.clock.Now()
		if !st.Dest.due(buf, now) {
			s.mu.Unlock()
			return nil
		}
		first := buf.first
		recs, end, err := s.take(name, first, buf.next, int(st.Dest.SizeInMBs)*mib)
		if err == nil && end == first {
			// The store holds none of what the buffer counts: it is
			// read again rather than written as an empty object.
			delete(s.buffers, name)
		}
		s.mu.Unlock()
		if err != nil || end == first {
			return err
		}
		if err := s.writeRecords(ctx, st, recs); err != nil {
			s.mu.Lock()
			buf.retryAt = now.Add(retryAfter)
			s.mu.Unlock()
			return err
		}
		if err := s.drop(name, buf, end); err != nil {
			return err
		}
	}
}

// take reads the records of a buffer from first, up to limit bytes (one
// record at least), and returns them and the sequence after the last
// taken.
func (s *Service) take(name string, first, next uint64, limit int) ([]taken, uint64, error) {
	it, err := s.store.NewIter(recordKey(name, first), recordKey(name, next))
	if err != nil {
		return nil, 0, err
	}
	defer it.Close()
	var recs []taken
	size := 0
	end := first
	for ok := it.First(); ok; ok = it.Next() {
		var r buffered
		if err := json.Unmarshal(it.Value(), &r); err != nil {
			return nil, 0, err
		}
		if size > 0 && size+len(r.Data) > limit {
			break
		}
		recs = append(recs, taken{arrived: r.Arrived, data: r.Data})
		size += len(r.Data)
		end = seqOf(it.Key()) + 1
	}
	return recs, end, it.Error()
}

// writeRecords writes taken records to the stream's bucket: their data
// concatenated as sent, or, when the destination has a processor, as
// the function transformed them, with the records it failed under
// ErrorOutputPrefix.
func (s *Service) writeRecords(ctx context.Context, st *deliveryStream, recs []taken) error {
	oldest := time.UnixMilli(recs[0].arrived)
	p, err := processorOf(st.Dest.Processing)
	if err != nil {
		return err
	}
	if p == nil {
		var body []byte
		for _, r := range recs {
			body = append(body, r.data...)
		}
		return s.write(ctx, st, st.Dest.Prefix, body, oldest)
	}
	ok, failed := s.transform(ctx, st, p, recs)
	if len(failed) > 0 {
		prefix := st.Dest.ErrorOutputPrefix
		if prefix == "" {
			prefix = defaultErrorOutputPrefix
		}
		if err := s.write(ctx, st, prefix, failed, oldest); err != nil {
			return err
		}
	}
	if len(ok) == 0 {
		return nil
	}
	return s.write(ctx, st, st.Dest.Prefix, ok, oldest)
}

// drop removes buf's records before end, and reads the arrival of the
// oldest record left. buf is the buffer the records were taken from: if
// the stream was deleted (and perhaps made again, with a buffer of its
// own) while they were written, its records are gone already and the
// buffer the name now has is left alone.
func (s *Service) drop(name string, buf *buffer, end uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buffers[name] != buf {
		return nil
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.DeleteRange(recordKey(name, buf.first), recordKey(name, end))
	if err := b.Commit(); err != nil {
		return err
	}
	// What is left (records that arrived while the object was written,
	// or past its size) is read again for its size and oldest arrival.
	left, err := s.measure(recordKey(name, end), recordKey(name, buf.next))
	if err != nil {
		return err
	}
	left.first, left.next = end, buf.next
	*buf = *left
	return nil
}

// measure reads the buffered records in [lower, upper) for the buffer
// they make: their sequences, size and oldest arrival.
func (s *Service) measure(lower, upper []byte) (*buffer, error) {
	it, err := s.store.NewIter(lower, upper)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	b := &buffer{}
	for ok := it.First(); ok; ok = it.Next() {
		var r buffered
		if err := json.Unmarshal(it.Value(), &r); err != nil {
			return nil, err
		}
		seq := seqOf(it.Key())
		if b.oldest.IsZero() {
			b.first, b.oldest = seq, time.UnixMilli(r.Arrived)
		}
		b.next = seq + 1
		b.size += len(r.Data)
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	if b.oldest.IsZero() {
		b.first = b.next
	}
	return b, nil
}

// write puts one object of a stream's records in its bucket, under
// prefix.
func (s *Service) write(ctx context.Context, st *deliveryStream, prefix string, body []byte, oldest time.Time) error {
	bucket, ok := deliver.Bucket(st.Dest.BucketARN)
	if !ok {
		return fmt.Errorf("%s is not an S3 bucket ARN", st.Dest.BucketARN)
	}
	if s.buckets == nil {
		return fmt.Errorf("no S3 to deliver to")
	}
	key := objectKey(st.Name, st.Version, prefix, oldest, s.ids.UUID())
	contentType := "application/octet-stream"
	if st.Dest.Compression == "GZIP" {
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		if _, err := w.Write(body); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		body, key = z.Bytes(), key+".gz"
	}
	return s.buckets.PutObject(ctx, bucket, key, body, contentType)
}

// objectKey is the key of an object Firehose writes: the prefix, the
// default time prefix YYYY/MM/dd/HH/ of the oldest record's arrival (in
// UTC), then STREAM-VERSION-YYYY-MM-DD-HH-MM-SS-UUID.
func objectKey(name string, version int, prefix string, oldest time.Time, uuid string) string {
	t := oldest.UTC()
	return fmt.Sprintf("%s%s%s-%d-%s-%s", prefix, t.Format("2006/01/02/15/"), name, version, t.Format("2006-01-02-15-04-05"), uuid)
}
