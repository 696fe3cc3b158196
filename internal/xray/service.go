package xray

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/restjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
)

// retention: "X-Ray stores trace data for 30 days" (X-Ray FAQ and quotas).
const retention = 30 * 24 * time.Hour

// sweepEvery is how often traces past their retention are deleted.
const sweepEvery = time.Hour

// recordQueue bounds the segments waiting to be written by Record; beyond
// it a segment is dropped, as the X-Ray daemon drops segments its buffer
// cannot hold.
const recordQueue = 4096

// maxQueuedBytes bounds the bytes of the documents waiting in the queue,
// as the X-Ray daemon bounds its buffers' memory: 4096 documents of up to
// 64 kB would otherwise hold 256 MiB.
const maxQueuedBytes = 16 << 20

// recordBatch is the most segments written in one commit.
const recordBatch = 256

// Service is AWS X-Ray.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string
	log     *slog.Logger
	// spans, when set, gets every stored segment as spans (otlp.go).
	spans SpanSink

	// mu guards the groups, the encryption configuration, the sampling
	// rules and statistics, and is held across their store commits. Segments are
	// written without it: each is one key, replaced whole.
	mu         sync.Mutex
	groups     map[string]*groupRecord
	encryption EncryptionConfig
	sampling   samplingStats
	// rules are the sampling rules by name, Default among them;
	// rulesDeleted is when one was last deleted, and reservoirs what
	// Sample has taken from each rule's reservoir this second.
	rules        map[string]*ruleRecord
	rulesDeleted time.Time
	reservoirs   map[string]*reservoir

	// queue holds segment documents Record accepted and the writer has
	// not committed yet.
	queue   chan []byte
	flushMu sync.Mutex
	// queued is the bytes of the documents in queue.
	queued atomic.Int64
}

// Deps are what X-Ray needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	Logger  *slog.Logger
	// Spans, when set, receives each segment once it is stored, as
	// OpenTelemetry spans (virga --otlp-endpoint).
	Spans SpanSink
}

// New returns X-Ray over the store, with the groups it holds.
func New(d Deps) (*Service, error) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region, log: d.Logger, spans: d.Spans,
		groups: map[string]*groupRecord{}, queue: make(chan []byte, recordQueue),
		encryption: EncryptionConfig{Status: ptr(EncryptionStatus("ACTIVE")), Type: ptr(EncryptionType("NONE"))}}
	err := scan(s.store, rootKey(s.account, "g"), func(_, v []byte) error {
		var g groupRecord
		if err := json.Unmarshal(v, &g); err != nil {
			return err
		}
		s.groups[g.Name] = &g
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.loadRules(); err != nil {
		return nil, err
	}
	if v, err := s.store.Get(encryptionKey(s.account)); err == nil {
		if err := json.Unmarshal(v, &s.encryption); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// API returns X-Ray as the edge serves it: restJson1, signed as "xray".
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "xray",
		Protocol:        restjson.New(),
		ValidationError: ErrInvalidRequest,
		Operations:      s.operations(),
	}).Init()
}

// Record queues a segment document for writing, without waiting: the
// daemon's datagrams and the segments Lambda and API Gateway write go
// through here, so that tracing never slows the request it traces. A
// document that is invalid, or finds the queue full, is dropped; Record
// reports whether it was queued.
func (s *Service) Record(doc []byte) bool {
	if _, _, err := parseSegment(doc); err != nil {
		return false
	}
	n := int64(len(doc))
	if s.queued.Add(n) > maxQueuedBytes {
		s.queued.Add(-n)
		return false
	}
	select {
	case s.queue <- doc:
		return true
	default:
		s.queued.Add(-n)
		return false
	}
}

// Run writes the queued segments in batches and deletes traces past
// their retention, until ctx ends; then it writes what is still queued.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	sweep := time.NewTicker(sweepEvery)
	defer sweep.Stop()
	s.sweep(log)
	for {
		select {
		case <-ctx.Done():
			s.Flush()
			return
		case doc := <-s.queue:
			s.queued.Add(-int64(len(doc)))
			s.write(doc, log)
		case <-sweep.C:
			s.sweep(log)
		}
	}
}

// Flush writes every queued segment now.
func (s *Service) Flush() {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	for {
		select {
		case doc := <-s.queue:
			s.queued.Add(-int64(len(doc)))
			s.writeLocked(doc, s.log)
		default:
			return
		}
	}
}

// write commits doc and whatever else is queued, up to recordBatch, in
// one batch.
func (s *Service) write(first []byte, log *slog.Logger) {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.writeLocked(first, log)
}

func (s *Service) writeLocked(first []byte, log *slog.Logger) {
	docs := [][]byte{first}
	for len(docs) < recordBatch {
		select {
		case d := <-s.queue:
			s.queued.Add(-int64(len(d)))
			docs = append(docs, d)
			continue
		default:
		}
		break
	}
	b := s.store.NewBatch()
	defer b.Close()
	now := s.clock.Now().UTC()
	segs := make([]*segment, 0, len(docs))
	for _, d := range docs {
		seg, _, err := parseSegment(d)
		if err != nil {
			continue
		}
		putSegment(b, s.account, seg, d, now)
		segs = append(segs, seg)
	}
	if err := b.CommitNoWait(); err != nil {
		log.Warn("xray: writing segments", "err", err)
		return
	}
	s.export(segs)
}

// export hands stored segments to the span sink, if there is one.
func (s *Service) export(segs []*segment) {
	if s.spans == nil {
		return
	}
	for _, seg := range segs {
		for _, span := range toSpans(seg) {
			s.spans.OnEnd(span)
		}
	}
}

// putSegment adds a segment's record to a batch.
func putSegment(b store.Batch, account string, seg *segment, doc []byte, now time.Time) {
	rec, _ := json.Marshal(segmentRecord{Trace: seg.TraceID, ID: seg.ID, Doc: string(doc), Received: now})
	b.Set(segmentKey(account, seg.TraceID, seg.ID), rec)
}

// sweep deletes the traces whose newest segment arrived longer ago than
// the retention period.
func (s *Service) sweep(log *slog.Logger) {
	cutoff := s.clock.Now().Add(-retention)
	var old []string
	err := eachTrace(s.store, s.account, func(id string, recs []*segmentRecord) error {
		for _, r := range recs {
			if r.Received.After(cutoff) {
				return nil
			}
		}
		old = append(old, id)
		return nil
	})
	if err != nil {
		log.Warn("xray: reading traces for retention", "err", err)
		return
	}
	if len(old) == 0 {
		return
	}
	b := s.store.NewBatch()
	defer b.Close()
	for _, id := range old {
		p := tracePrefix(s.account, id)
		b.DeleteRange(p, prefixEnd(p))
	}
	if err := b.Commit(); err != nil {
		log.Warn("xray: deleting expired traces", "err", err)
	}
}

func (s *Service) arn(resource string) string {
	return "arn:aws:xray:" + s.region + ":" + s.account + ":" + resource
}
