package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Subscription filters, as CloudWatch Logs' guide "Real-time processing
// of log data with subscriptions" describes them: events ingested into
// a log group that match a filter's pattern are sent, gzip-compressed,
// to the filter's destination: Lambda functions, which CloudWatch Logs
// invokes asynchronously with {"awslogs":{"data":base64}}, and Kinesis
// and Firehose streams, which get the gzip-compressed JSON as a record.
//
// Delivery is driven by the store, not by memory: while a group has
// filters, Append writes beside each event a pending entry
//
//	("logs", "pending", group, seq) → pendingEvent (JSON)
//
// in the same batch as the event. The delivery loop (runSubscriptions)
// reads pending entries in ingestion order, matches them against the
// group's filters, hands each batch to its destination (Lambda's
// asynchronous queue, or a stream's durable buffer), and only then
// deletes the entries. An event
// PutLogEvents acknowledged is therefore delivered at least once: a
// crash after the hand-off and before the deletion delivers its batch
// again after the restart.

// Limits of subscription filters.
const (
	// "Each log group can have up to two subscription filters associated
	// with it." (PutSubscriptionFilter)
	maxSubscriptionFilters = 2
	// subscriptionFlush is how long the delivery loop lets events gather
	// before it sends them: CloudWatch Logs batches events per log
	// stream and delivers them in near real time.
	subscriptionFlush = 200 * time.Millisecond
	// subscriptionPoll bounds how late pending events left by a
	// previous run (or a failed round) are delivered.
	subscriptionPoll = 2 * time.Second
	// maxDeliveryBytes bounds one delivery's encoded payload: Lambda's
	// limit for an asynchronous invocation's payload (256 KB) before it
	// was raised to 1 MB, so that a batch fits either limit.
	maxDeliveryBytes = 256 * 1024
	// maxDeliveryEvents bounds the events of one delivery, as
	// PutLogEvents bounds a batch (10,000 events).
	maxDeliveryEvents = 10000
	// pendingRound bounds the pending events one round reads.
	pendingRound = 20000
)

// subscription is a stored subscription filter.
type subscription struct {
	Name          string `json:"name"`
	Pattern       string `json:"pattern"`
	Destination   string `json:"destination"`
	Role          string `json:"role,omitempty"`
	Distribution  string `json:"distribution,omitempty"`
	Created       int64  `json:"created"`
	OnTransformed bool   `json:"onTransformed,omitempty"`
	parsed        *FilterPattern
}

// pendingEvent is an ingested event of a subscribed group not yet
// delivered.
type pendingEvent struct {
	Stream    string `json:"s"`
	Timestamp int64  `json:"t"`
	Message   string `json:"m"`
}

func subscriptionsPrefix(g string) []byte { return keys.AppendString(base("subscription"), g) }

func subscriptionKey(g, name string) []byte { return keys.AppendString(subscriptionsPrefix(g), name) }

func pendingPrefix() []byte { return base("pending") }

func pendingKey(g string, seq uint64) []byte {
	return keys.AppendUint(keys.AppendString(pendingPrefix(), g), seq)
}

// Destinations are where subscription filters deliver; the app routes an
// ARN to its service.
type Destinations interface {
	deliver.Deliverer
	// FunctionExists reports whether the Lambda function an ARN names
	// exists.
	FunctionExists(arn string) bool
}

// subscriptions is the in-memory side of subscription filters: the
// filters of each group, parsed, and a nudge for the delivery loop.
// filters is guarded by Service.mu.
type subscriptions struct {
	filters map[string][]*subscription // by group, in name order
	kick    chan struct{}
}

func (s *subscriptions) nudge() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// loadSubscriptions reads the stored filters into memory.
func (s *Service) loadSubscriptions() error {
	s.subs.filters = map[string][]*subscription{}
	s.subs.kick = make(chan struct{}, 1)
	return loadFilters(s.store, "subscription", func(g string, sub *subscription) (err error) {
		if sub.parsed, err = ParseFilterPattern(sub.Pattern); err != nil {
			return nil // stored by an older parser; nothing matches it now
		}
		s.subs.filters[g] = append(s.subs.filters[g], sub)
		return nil
	})
}

// markPending records, in the batch that stores an event, that the event
// awaits delivery, when its group has subscription filters. The caller
// holds s.mu.
func (s *Service) markPending(b store.Batch, g, st string, ts int64, seq uint64, msg string) error {
	if len(s.subs.filters[g]) == 0 {
		return nil
	}
	return setJSON(b, pendingKey(g, seq), &pendingEvent{Stream: st, Timestamp: ts, Message: msg})
}

// dropSubscriptions deletes a group's filters and pending events in b.
// The caller holds s.mu.
func (s *Service) dropSubscriptions(b store.Batch, g string) {
	p := subscriptionsPrefix(g)
	b.DeleteRange(p, keys.PrefixEnd(p))
	pp := keys.AppendString(pendingPrefix(), g)
	b.DeleteRange(pp, keys.PrefixEnd(pp))
	delete(s.subs.filters, g)
}

// runSubscriptions delivers pending events until ctx is done. Appending
// only nudges it, so a function's logging never waits for a delivery,
// even when the function is its own group's destination: such a loop
// (which CloudWatch Logs does not prevent either) runs at most one
// delivery per stream and filter every subscriptionFlush.
func (s *Service) runSubscriptions(ctx context.Context, log *slog.Logger) {
	tick := time.NewTicker(subscriptionPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.subs.kick:
		case <-tick.C:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(subscriptionFlush):
		}
		for {
			n, err := s.deliverPending(ctx, log)
			if err != nil {
				log.Error("logs: delivering to subscription filters", "err", err)
			}
			if err != nil || n < pendingRound || ctx.Err() != nil {
				break
			}
		}
	}
}

// batchKey is one delivery's grouping: a filter and a log stream.
type batchKey struct {
	group, filter, stream string
}

// deliverPending delivers one round of pending events and returns how
// many it read.
func (s *Service) deliverPending(ctx context.Context, log *slog.Logger) (int, error) {
	p := pendingPrefix()
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return 0, err
	}
	type entry struct {
		group string
		seq   uint64
		ev    pendingEvent
	}
	var read []entry
	var done [][]byte
	for ok := it.First(); ok && len(read) < pendingRound; ok = it.Next() {
		done = append(done, append([]byte(nil), it.Key()...))
		vals, err := keys.Decode(it.Key())
		if err != nil || len(vals) < 4 {
			continue
		}
		g, _ := vals[2].(string)
		seq, _ := vals[3].(uint64)
		var ev pendingEvent
		if json.Unmarshal(it.Value(), &ev) != nil {
			continue
		}
		read = append(read, entry{group: g, seq: seq, ev: ev})
	}
	if err := it.Close(); err != nil {
		return 0, err
	}
	if len(done) == 0 {
		return 0, nil
	}
	s.mu.Lock()
	filters := make(map[string][]*subscription, len(s.subs.filters))
	for g, fs := range s.subs.filters {
		filters[g] = append([]*subscription(nil), fs...)
	}
	s.mu.Unlock()

	batches := map[batchKey][]LogEventRecord{}
	dest := map[batchKey]string{}
	var order []batchKey
	for _, e := range read {
		for _, f := range filters[e.group] {
			if !f.parsed.Match(e.ev.Message) {
				continue
			}
			k := batchKey{e.group, f.Name, e.ev.Stream}
			if _, seen := batches[k]; !seen {
				order = append(order, k)
				dest[k] = f.Destination
			}
			batches[k] = append(batches[k], LogEventRecord{
				ID: eventID(e.seq), Timestamp: e.ev.Timestamp, Message: e.ev.Message,
				ExtractedFields: f.parsed.ExtractedFields(e.ev.Message),
			})
		}
	}
	for _, k := range order {
		if s.dests == nil {
			log.Warn("logs: no destinations to deliver subscription filters to", "group", k.group, "filter", k.filter)
			continue
		}
		payloads, dropped := DataMessages(EncodingFor(dest[k]), s.account, k.group, k.stream, []string{k.filter}, batches[k])
		if dropped > 0 {
			log.Warn("logs: events too large for a subscription delivery were dropped", "group", k.group, "filter", k.filter, "events", dropped)
		}
		for _, body := range payloads {
			// A destination that fails (the function was deleted) loses
			// the batch, as it would on AWS once its retries ran out.
			// A Kinesis stream's records are sharded by log stream.
			if err := s.dests.Deliver(ctx, dest[k], deliver.Message{Body: body, PartitionKey: k.stream}); err != nil {
				log.Warn("logs: subscription delivery failed", "group", k.group, "filter", k.filter, "destination", dest[k], "err", err)
			}
		}
	}
	b := s.store.NewBatch()
	defer b.Close()
	for _, k := range done {
		b.Delete(k)
	}
	return len(done), b.Commit()
}

// eventID is an event's id as CloudWatch Logs shows it: a 56-digit
// decimal string (FilterLogEvents' eventId is the same).
func eventID(seq uint64) string { return fmt.Sprintf("%056d", seq) }

// LogEventRecord is one event of a subscription delivery.
type LogEventRecord struct {
	ID              string            `json:"id"`
	Timestamp       int64             `json:"timestamp"`
	Message         string            `json:"message"`
	ExtractedFields map[string]string `json:"extractedFields,omitempty"`
}

// DataMessage is the JSON document a subscription delivers, gzipped and
// base64-encoded, as the guide and Lambda's "Using Lambda with
// CloudWatch Logs" show it.
type DataMessage struct {
	MessageType         string           `json:"messageType"`
	Owner               string           `json:"owner"`
	LogGroup            string           `json:"logGroup"`
	LogStream           string           `json:"logStream"`
	SubscriptionFilters []string         `json:"subscriptionFilters"`
	LogEvents           []LogEventRecord `json:"logEvents"`
}

// Encoding is how a destination receives a DataMessage.
type Encoding int

const (
	// LambdaEvent is the event a Lambda function receives:
	// {"awslogs":{"data":base64(gzip(DataMessage))}}.
	LambdaEvent Encoding = iota
	// StreamRecord is the record a Kinesis data stream or a Firehose
	// stream receives: gzip(DataMessage).
	StreamRecord
)

// EncodingFor is the encoding of the destination an ARN names.
func EncodingFor(dest string) Encoding {
	if deliver.Service(dest) == "lambda" {
		return LambdaEvent
	}
	return StreamRecord
}

// DataMessages builds the deliveries of a stream's matched events, in
// the destination's encoding, each at most maxDeliveryEvents events and
// maxDeliveryBytes; a batch too large is split in halves, and an event
// too large on its own is dropped (counted in dropped).
func DataMessages(enc Encoding, owner, group, stream string, filters []string, events []LogEventRecord) (payloads [][]byte, dropped int) {
	var build func(evs []LogEventRecord)
	build = func(evs []LogEventRecord) {
		if len(evs) == 0 {
			return
		}
		if len(evs) > maxDeliveryEvents {
			build(evs[:maxDeliveryEvents])
			build(evs[maxDeliveryEvents:])
			return
		}
		body, err := encodeDataMessage(enc, &DataMessage{
			MessageType: "DATA_MESSAGE", Owner: owner, LogGroup: group, LogStream: stream,
			SubscriptionFilters: filters, LogEvents: evs,
		})
		switch {
		case err != nil:
			dropped += len(evs)
		case len(body) <= maxDeliveryBytes:
			payloads = append(payloads, body)
		case len(evs) == 1:
			dropped++
		default:
			build(evs[:len(evs)/2])
			build(evs[len(evs)/2:])
		}
	}
	build(events)
	return payloads, dropped
}

// awslogsEvent is the event a Lambda function receives.
type awslogsEvent struct {
	AWSLogs struct {
		Data string `json:"data"`
	} `json:"awslogs"`
}

func encodeDataMessage(enc Encoding, m *DataMessage) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(m); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if enc == StreamRecord {
		return buf.Bytes(), nil
	}
	var ev awslogsEvent
	ev.AWSLogs.Data = base64.StdEncoding.EncodeToString(buf.Bytes())
	return json.Marshal(&ev)
}

// controlMessage is the record CloudWatch Logs sends a Kinesis or
// Firehose stream when a subscription filter is put, to check that it
// can deliver there.
func controlMessage(dest string, now int64) ([]byte, error) {
	what := "Kinesis stream"
	if deliver.Service(dest) == "firehose" {
		what = "Firehose"
	}
	return encodeDataMessage(StreamRecord, &DataMessage{MessageType: "CONTROL_MESSAGE", Owner: "CloudwatchLogs",
		SubscriptionFilters: []string{}, LogEvents: []LogEventRecord{{Timestamp: now, Message: "CWL CONTROL MESSAGE: Checking health of destination " + what + "."}}})
}

// DecodeRecord reads the DataMessage out of a Kinesis or Firehose
// record, as a consumer does.
func DecodeRecord(rec []byte) (*DataMessage, error) {
	zr, err := gzip.NewReader(bytes.NewReader(rec))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var m DataMessage
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

// DecodeDataMessage reads the DataMessage out of a Lambda event, as a
// function does.
func DecodeDataMessage(event []byte) (*DataMessage, error) {
	var ev awslogsEvent
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(ev.AWSLogs.Data)
	if err != nil {
		return nil, err
	}
	return DecodeRecord(raw)
}

// sortSubscriptions keeps a group's filters in name order, as
// DescribeSubscriptionFilters lists them.
func sortSubscriptions(fs []*subscription) {
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
}
