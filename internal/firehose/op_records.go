package firehose

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

const (
	// maxBatchBytes (the model bounds a batch to 500 records and a
	// record to 1,000 KiB): "The PutRecordBatch request ... up to a limit of
	// 4 MiB for the entire request."
	maxBatchBytes = 4 * mib
)

func (s *Service) putRecord(ctx context.Context, in *PutRecordInput) (*PutRecordOutput, error) {
	ids, err := s.put(*in.DeliveryStreamName, [][]byte{in.Record.Data})
	if err != nil {
		return nil, err
	}
	return &PutRecordOutput{RecordId: ptr(ids[0]), Encrypted: ptr(false)}, nil
}

// putRecordBatch buffers a batch's records. Every record is buffered or
// none is: the batch is one atomic write to the store, so no record
// fails alone and FailedPutCount is 0.
func (s *Service) putRecordBatch(ctx context.Context, in *PutRecordBatchInput) (*PutRecordBatchOutput, error) {
	data := make([][]byte, len(in.Records))
	size := 0
	for i, r := range in.Records {
		data[i] = r.Data
		size += len(r.Data)
	}
	if size > maxBatchBytes {
		return nil, ErrInvalidArgument.Withf("Records size exceeds %d bytes limit", maxBatchBytes)
	}
	ids, err := s.put(*in.DeliveryStreamName, data)
	if err != nil {
		return nil, err
	}
	out := &PutRecordBatchOutput{FailedPutCount: ptr(int32(0)), Encrypted: ptr(false)}
	for _, id := range ids {
		out.RequestResponses = append(out.RequestResponses, PutRecordBatchResponseEntry{RecordId: ptr(id)})
	}
	return out, nil
}

// put buffers records for a DirectPut stream, durably before it returns,
// and returns their record ids.
func (s *Service) put(name string, data [][]byte) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	if st.Type != typeDirectPut {
		return nil, ErrInvalidArgument.Withf("This operation is not permitted on KinesisStreamAsSource Firehose stream %s.", name)
	}
	now := s.clock.Now()
	seqs, err := s.buffer(st, data, now)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(seqs))
	for i, seq := range seqs {
		ids[i] = recordID(st.Created, now, seq)
	}
	return ids, nil
}

// buffer appends records to a stream's buffer durably, and wakes the
// delivery when the buffer reaches its size hint. mu must be held.
func (s *Service) buffer(st *deliveryStream, data [][]byte, now time.Time) ([]uint64, error) {
	return s.bufferWith(st, data, now, nil)
}

// bufferWith is buffer with more writes in the same atomic batch.
func (s *Service) bufferWith(st *deliveryStream, data [][]byte, now time.Time, more func(store.Batch)) ([]uint64, error) {
	b := s.store.NewBatch()
	defer b.Close()
	seqs, commit, err := s.appendIn(b, st.Name, data, now)
	if err != nil {
		return nil, err
	}
	if more != nil {
		more(b)
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	commit()
	if buf := s.buffers[st.Name]; buf.size >= int(st.Dest.SizeInMBs)*mib {
		s.nudge()
	}
	return seqs, nil
}

// recordIDBytes is the length of a RecordId before its base64 encoding:
// Firehose answers 224 characters of standard base64 (168 bytes), as in
// the PutRecord example of its API reference.
const recordIDBytes = 168

// recordID is the RecordId of a buffered record: opaque standard base64
// of the stream's creation, the record's arrival and its place in the
// buffer (which make it unique), filled out to Firehose's length with
// random bytes.
func recordID(created int64, arrived time.Time, seq uint64) string {
	b := make([]byte, recordIDBytes)
	binary.BigEndian.PutUint64(b, uint64(created))
	binary.BigEndian.PutUint64(b[8:], uint64(arrived.UnixNano()))
	binary.BigEndian.PutUint64(b[16:], seq)
	rand.Read(b[24:])
	return base64.StdEncoding.EncodeToString(b)
}

// Put buffers one record for the DirectPut stream arn names, as a
// service that delivers to Firehose does (an EventBridge rule's target,
// an SNS subscription): durably before it returns.
func (s *Service) Put(arn string, data []byte) error {
	name, ok := s.nameOf(arn)
	if !ok {
		return s.notFound(arn)
	}
	_, err := s.put(name, [][]byte{data})
	return err
}

// nameOf is the name of the stream arn names in this account and region.
func (s *Service) nameOf(arn string) (string, bool) {
	name, ok := strings.CutPrefix(arn, s.arn(""))
	return name, ok && name != ""
}
