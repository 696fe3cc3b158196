package dynamodb

import (
	"github.com/virga/virga/internal/awsproto/jsoncodec"
)

// Lambda's event source mappings read streams in Go, through these
// calls, instead of through GetShardIterator and GetRecords: a position
// is the sequence number of the last record read (0 is the trim
// horizon), and records come already in the shape Lambda's DynamoDB
// events carry them.

// EventRecord is one stream record for a Lambda event.
type EventRecord struct {
	// Seq is the record's sequence number, a position to resume after.
	Seq uint64
	// JSON is the record as a DynamoDB event's Records entry: the
	// Streams API's Record with eventSourceARN.
	JSON []byte
	// Created is when the change was made.
	Created int64 // Unix seconds
	// Shard is the id of the stream's shard.
	Shard string
}

// StreamExists reports whether the stream with the ARN exists and is
// enabled.
func (s *Service) StreamExists(arn string) bool {
	_, sc, err := s.tableForStream(arn)
	return err == nil && sc.Enabled
}

// StreamShard is the id of the stream's one shard; ok is false when the
// stream does not exist or is disabled.
func (s *Service) StreamShard(arn string) (string, bool) {
	t, sc, err := s.tableForStream(arn)
	if err != nil || !sc.Enabled {
		return "", false
	}
	return shardID(t, sc.Label), true
}

// StreamLatest returns the position after the stream's last record.
func (s *Service) StreamLatest(arn string) (uint64, error) {
	t, sc, err := s.tableForStream(arn)
	if err != nil {
		return 0, err
	}
	return s.streamEnd(t, sc), nil
}

// StreamRead returns up to limit records after position after, and a
// channel that is closed when records arrive after the call.
func (s *Service) StreamRead(arn string, after uint64, limit int) ([]EventRecord, <-chan struct{}, error) {
	t, sc, err := s.tableForStream(arn)
	if err != nil {
		return nil, nil, err
	}
	changed := s.StreamChanged(t.Name)
	evs, err := s.streamEvents(s.store, t.ID, sc.Label, after, limit)
	if err != nil {
		return nil, nil, err
	}
	shard := shardID(t, sc.Label)
	out := make([]EventRecord, 0, len(evs))
	for i := range evs {
		r, err := s.renderRecord(&evs[i])
		if err != nil {
			return nil, nil, err
		}
		// The event record is the API's with the stream's ARN beside it,
		// and a TTL deletion's userIdentity spelled as Lambda events spell
		// it (principalId, type), not as the Streams API's Identity shape.
		ttl := r.UserIdentity != nil
		r.UserIdentity = nil
		b := jsoncodec.Marshal(nil, &r)
		b = b[:len(b)-1]
		if ttl {
			b = append(b, `,"userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}`...)
		}
		b = append(b, `,"eventSourceARN":`...)
		b = jsoncodec.AppendString(b, arn)
		b = append(b, '}')
		out = append(out, EventRecord{Seq: evs[i].Seq, JSON: b, Created: evs[i].Created.Unix(), Shard: shard})
	}
	return out, changed, nil
}
