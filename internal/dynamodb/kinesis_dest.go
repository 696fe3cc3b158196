package dynamodb

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/jsoncodec"
	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/store/keys"
)

// Kinesis Data Streams for DynamoDB: a table's streaming destinations
// get a record of every change to an item, whatever the table's own
// stream (which need not be enabled). The record is staged in the same
// batch as the change, in an outbox stored under
//
//	("ddb", "kds", seq) → kdsPending (JSON)
//
// and delivered to the Kinesis stream by Run's deliverer, which removes
// it once the stream has it. A change is thus delivered at least once,
// even across a crash, as DynamoDB's are; like DynamoDB's, records of
// different items may arrive in another order than their changes, and
// a record can arrive twice (a crash between delivery and removal).

// KinesisStreams is what DynamoDB needs of Kinesis Data Streams to
// deliver changes to a table's streaming destinations.
type KinesisStreams interface {
	// StreamExists reports whether the stream with the ARN exists in
	// this account and Region.
	StreamExists(arn string) bool
	// AppendRecord appends one record to the stream with the ARN.
	AppendRecord(arn, partitionKey string, data []byte) error
}

// Destination statuses, as DescribeKinesisStreamingDestination reports
// them.
const (
	kdsActive   = "ACTIVE"
	kdsDisabled = "DISABLED"
)

// Timestamp precisions of a destination's records.
const (
	precisionMilli = "MILLISECOND"
	precisionMicro = "MICROSECOND"
)

// kdsRetry is how long the deliverer waits after a stream refused a
// record before it tries again.
const kdsRetry = time.Second

// kinesisDest is one of a table's Kinesis streaming destinations.
type kinesisDest struct {
	StreamARN string `json:"streamArn"`
	Status    string `json:"status"`
	// Precision is the records' ApproximateCreationDateTime precision.
	Precision string `json:"precision,omitempty"`
}

// kdsPending is one record waiting in the outbox.
type kdsPending struct {
	StreamARN    string `json:"streamArn"`
	PartitionKey string `json:"partitionKey"`
	Data         []byte `json:"data"`
}

func kdsPrefix() []byte {
	return keys.AppendString(keys.AppendString(nil, "ddb"), "kds")
}

func kdsKey(seq uint64) []byte { return keys.AppendUint(kdsPrefix(), seq) }

// loadKDSSeq reads the last outbox sequence number from the store.
func (s *Service) loadKDSSeq() error {
	p := kdsPrefix()
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	defer it.Close()
	if it.Last() {
		parts, err := keys.Decode(it.Key()[len(p):])
		if err != nil {
			return err
		}
		if len(parts) == 1 {
			if seq, ok := parts[0].(uint64); ok {
				s.kdsSeq.Store(seq)
			}
		}
	}
	return it.Error()
}

// activeKinesis returns the table's active streaming destinations.
func (t *table) activeKinesis() []kinesisDest {
	var out []kinesisDest
	for _, d := range t.Kinesis {
		if d.Status == kdsActive {
			out = append(out, d)
		}
	}
	return out
}

// stageKinesis adds to the batch the outbox records of one change for
// each of the table's active destinations. It reports whether it added
// any.
func (s *Service) stageKinesis(b interface{ Set(k, v []byte) }, c change, now time.Time) (bool, error) {
	dests := c.t.activeKinesis()
	if len(dests) == 0 {
		return false, nil
	}
	for _, d := range dests {
		data := s.kinesisRecord(c, d.Precision, now)
		v, err := json.Marshal(kdsPending{StreamARN: d.StreamARN, PartitionKey: kdsPartitionKey(c), Data: data})
		if err != nil {
			return false, err
		}
		b.Set(kdsKey(s.kdsSeq.Add(1)), v)
	}
	return true, nil
}

// kdsPartitionKey is the Kinesis partition key of a change's record: the
// MD5 of the item's key values, in upper-case hex, so that the changes
// of one item go to one shard.
func kdsPartitionKey(c change) string {
	img := c.new
	if img == nil {
		img = c.old
	}
	var raw []byte
	for _, name := range c.t.keyNames() {
		raw = appendValue(raw, img[name])
	}
	sum := md5.Sum(raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// kinesisRecord renders a change as DynamoDB writes it to a Kinesis
// stream: always with the item's new and old images (whatever the
// table's StreamViewType), its creation time in milliseconds or
// microseconds since the epoch, the table's name, and a null
// userIdentity but for deletions made by TTL.
func (s *Service) kinesisRecord(c change, precision string, now time.Time) []byte {
	if precision == "" {
		precision = precisionMilli
	}
	name := "MODIFY"
	switch {
	case c.old == nil:
		name = "INSERT"
	case c.new == nil:
		name = "REMOVE"
	}
	img := c.new
	if img == nil {
		img = c.old
	}
	keysOnly := keyOf(c.t, img)
	size := attr.ItemSize(keysOnly)
	b := []byte(`{"awsRegion":`)
	b = jsoncodec.AppendString(b, s.region)
	b = append(b, `,"eventID":`...)
	b = jsoncodec.AppendString(b, s.ids.UUID())
	b = append(b, `,"eventName":`...)
	b = jsoncodec.AppendString(b, name)
	b = append(b, `,"userIdentity":`...)
	if c.byTTL {
		b = append(b, `{"type":"Service","principalId":"dynamodb.amazonaws.com"}`...)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"recordFormat":"application/json","tableName":`...)
	b = jsoncodec.AppendString(b, c.t.Name)
	b = append(b, `,"dynamodb":{"ApproximateCreationDateTime":`...)
	ts := now.UnixMilli()
	if precision == precisionMicro {
		ts = now.UnixMicro()
	}
	b = jsonInt(b, ts)
	b = append(b, `,"Keys":`...)
	b = jsoncodec.Marshal(b, itemToWire(keysOnly))
	if c.new != nil {
		b = append(b, `,"NewImage":`...)
		b = jsoncodec.Marshal(b, itemToWire(c.new))
		size += attr.ItemSize(c.new)
	}
	if c.old != nil {
		b = append(b, `,"OldImage":`...)
		b = jsoncodec.Marshal(b, itemToWire(c.old))
		size += attr.ItemSize(c.old)
	}
	b = append(b, `,"SizeBytes":`...)
	b = jsonInt(b, int64(size))
	b = append(b, `,"ApproximateCreationDateTimePrecision":`...)
	b = jsoncodec.AppendString(b, precision)
	b = append(b, `},"eventSource":"aws:dynamodb"}`...)
	return b
}

func jsonInt(dst []byte, n int64) []byte {
	v, _ := json.Marshal(n)
	return append(dst, v...)
}

// wakeKinesis tells the deliverer that the outbox has new records.
func (s *Service) wakeKinesis() {
	select {
	case s.kdsWake <- struct{}{}:
	default:
	}
}

// deliverKinesis moves the outbox's records to their streams until ctx
// ends. A record whose stream is gone is dropped, as DynamoDB stops
// delivering to a deleted stream; any other failure is retried after
// kdsRetry, in order.
func (s *Service) deliverKinesis(ctx context.Context, log *slog.Logger) {
	if s.kinesis == nil {
		return
	}
	for {
		more, err := s.deliverKinesisBatch(500)
		if err != nil {
			log.Warn("dynamodb: delivering changes to Kinesis", "err", err)
		}
		if more && err == nil && ctx.Err() == nil {
			continue
		}
		wait := time.NewTimer(kdsRetry)
		select {
		case <-ctx.Done():
			wait.Stop()
			return
		case <-s.kdsWake:
		case <-wait.C:
		}
		wait.Stop()
	}
}

// deliverKinesisBatch delivers up to limit outbox records, oldest first, and
// reports whether more are waiting. It stops at the first record a
// stream refuses.
func (s *Service) deliverKinesisBatch(limit int) (more bool, err error) {
	p := kdsPrefix()
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return false, err
	}
	type pending struct {
		key []byte
		rec kdsPending
	}
	var todo []pending
	for ok := it.First(); ok; ok = it.Next() {
		if len(todo) == limit {
			more = true
			break
		}
		var r kdsPending
		if err := json.Unmarshal(it.Value(), &r); err != nil {
			it.Close()
			return false, err
		}
		todo = append(todo, pending{append([]byte(nil), it.Key()...), r})
	}
	if err := it.Close(); err != nil {
		return false, err
	}
	for _, t := range todo {
		err := s.kinesis.AppendRecord(t.rec.StreamARN, t.rec.PartitionKey, t.rec.Data)
		if err != nil && s.kinesis.StreamExists(t.rec.StreamARN) {
			return true, err
		}
		b := s.store.NewBatch()
		b.Delete(t.key)
		err = b.Commit()
		b.Close()
		if err != nil {
			return true, err
		}
	}
	return more, nil
}
