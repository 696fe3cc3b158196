package sqs

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/awsproto/query"
	"github.com/virga/virga/internal/awsproto/querycompat"
	"github.com/virga/virga/internal/awsproto/shape"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// TargetPrefix is SQS's X-Amz-Target prefix; APIVersion its awsQuery
// Version and Namespace the awsQuery responses' XML namespace.
const (
	TargetPrefix = "AmazonSQS"
	APIVersion   = "2012-11-05"
	Namespace    = "http://queue.amazonaws.com/doc/2012-11-05/"
)

// Service is SQS.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string

	// mu guards the queue table and every queue's messages. One lock keeps
	// moves between queues (dead-letter redrive, move tasks) simple; SQS
	// calls hold it only while they index, never across a store write
	// that waits for another call.
	mu     sync.Mutex
	queues map[string]*queue // by name
	// deletedAt remembers when each queue name was last deleted: SQS
	// refuses the name for 60 seconds after.
	deletedAt map[string]time.Time
	nextID    uint64
	tasks     []*moveTask

	metrics Metrics
	// maxInFlight is the in-flight limit of standard queues (maxInFlight,
	// lowered by tests).
	maxInFlight int

	// ending is closed by EndWaits: long polls answer at once.
	ending     chan struct{}
	endingOnce sync.Once
}

// EndWaits ends every long poll now and every later one at once, each with
// the empty answer a poll gets when its wait runs out: virga is stopping,
// and its HTTP server waits for the requests in flight.
func (s *Service) EndWaits() {
	s.endingOnce.Do(func() { close(s.ending) })
}

// Deps are what SQS needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Metrics receives the queues' CloudWatch metrics each minute; nil
	// drops them.
	Metrics Metrics
}

// New returns SQS over the store, with the queues and messages it holds.
func New(d Deps) (*Service, error) {
	s := &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region, metrics: d.Metrics,
		queues: map[string]*queue{}, deletedAt: map[string]time.Time{}, ending: make(chan struct{}), maxInFlight: maxInFlight}
	if v, err := s.store.Get(queueSeqKey()); err == nil && len(v) == 8 {
		s.nextID = binary.BigEndian.Uint64(v)
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// load reads the queues and their messages.
func (s *Service) load() error {
	now := s.clock.Now()
	p := queuesPrefix()
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	var recs []queueRecord
	for it.First(); it.Valid(); it.Next() {
		var r queueRecord
		if err := json.Unmarshal(it.Value(), &r); err != nil {
			it.Close()
			return fmt.Errorf("sqs: queue record: %w", err)
		}
		recs = append(recs, r)
	}
	if err := it.Close(); err != nil {
		return err
	}
	for _, r := range recs {
		q := s.newQueue(r)
		if err := s.loadMessages(q, now); err != nil {
			return err
		}
		s.queues[r.Name] = q
	}
	return nil
}

func (s *Service) loadMessages(q *queue, now time.Time) error {
	p := messagesPrefix(q.rec.ID)
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	var recs []*messageRecord
	bySeq := map[uint64]*messageRecord{}
	for it.First(); it.Valid(); it.Next() {
		var r messageRecord
		if err := json.Unmarshal(it.Value(), &r); err != nil {
			it.Close()
			return fmt.Errorf("sqs: message record: %w", err)
		}
		recs = append(recs, &r)
		bySeq[r.Sequence] = &r
	}
	if err := it.Close(); err != nil {
		return err
	}
	// Apply receive states; drop those whose message is gone.
	rp := receivePrefix(q.rec.ID)
	if it, err = s.store.NewIter(rp, keys.PrefixEnd(rp)); err != nil {
		return err
	}
	orphans := s.store.NewBatch()
	defer orphans.Close()
	for it.First(); it.Valid(); it.Next() {
		vals, err := keys.Decode(it.Key()[len(rp):])
		seq, ok := uint64(0), false
		if err == nil && len(vals) == 1 {
			seq, ok = vals[0].(uint64)
		}
		r := bySeq[seq]
		var st receiveState
		if !ok || r == nil || json.Unmarshal(it.Value(), &st) != nil {
			orphans.Delete(append([]byte(nil), it.Key()...))
			continue
		}
		r.Receives, r.FirstReceiveMillis, r.VisibleAtMillis = st.Receives, st.FirstReceiveMillis, st.VisibleAtMillis
		r.receivedMillis = st.ReceivedMillis
	}
	if err := it.Close(); err != nil {
		return err
	}
	if orphans.Len() > 0 {
		if err := orphans.Commit(); err != nil {
			return err
		}
	}
	for _, r := range recs {
		q.add(indexEntry(r), now)
	}
	d := dedupPrefix(q.rec.ID)
	it, err = s.store.NewIter(d, keys.PrefixEnd(d))
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		var r dedupRecord
		if json.Unmarshal(it.Value(), &r) != nil {
			continue
		}
		vals, err := keys.Decode(it.Key()[len(d):])
		if err != nil || len(vals) != 1 {
			continue
		}
		id, _ := vals[0].(string)
		q.dedup[id] = dedupEntry{messageID: r.MessageID, sequence: r.Sequence, expires: fromMillis(r.ExpiresMillis)}
	}
	return it.Close()
}

// indexEntry is the in-memory index entry of a stored message.
func indexEntry(r *messageRecord) *message {
	m := &message{
		id: r.ID, seq: r.Sequence, sent: fromMillis(r.SentMillis),
		visibleAt: fromMillis(r.VisibleAtMillis), received: r.Receives,
		firstReceive: fromMillis(r.FirstReceiveMillis), group: r.GroupID, size: r.Size,
		// Every receive adds one to both the count and the nonce, so the
		// stored count is the latest receive's nonce: its receipt handle
		// stays valid across a restart, and the next receive's differs
		// from every earlier one.
		nonce:     uint64(r.Receives),
		heapIndex: -1,
	}
	if m.received > 0 {
		m.receivedAt = fromMillis(r.receivedMillis)
		if m.receivedAt.IsZero() {
			m.receivedAt = m.visibleAt
		}
	}
	return m
}

func (s *Service) newQueue(r queueRecord) *queue {
	fifo := strings.HasSuffix(r.Name, ".fifo")
	return newQueue(r, parseConfig(r.Attributes, fifo), s.arn(r.Name))
}

func (s *Service) arn(name string) string {
	return "arn:aws:sqs:" + s.region + ":" + s.account + ":" + name
}

// API returns SQS as the edge serves it: awsJson 1.0 for current SDKs and
// awsQuery for older clients, on one operation table.
func (s *Service) API() *awsproto.Service {
	j := awsjson.New("1.0", TargetPrefix)
	j.ErrorNamespace = errorNamespace
	q := query.New(APIVersion, Namespace)
	q.PathParam = "QueueUrl" // awsQuery requests may be POSTed to the queue's URL
	return (&awsproto.Service{
		Name:           "sqs",
		Protocol:       querycompat.New(j, q),
		ViolationError: violationError,
		Operations:     s.operations(),
		Resources:      s.resources,
		ResourcePolicy: s.resourcePolicy,
		ResourceTags:   s.resourceTags,
		NamesResource:  s.namesQueue,
	}).Init()
}

// violationError reports a missing member as SQS does (MissingParameter)
// and any other model violation as InvalidParameterValue.
func violationError(in any, vs []shape.Violation) error {
	v := vs[0]
	if v.Value == "null" {
		name := v.Path
		t := shape.Of(reflect.TypeOf(in))
		for _, f := range t.Fields {
			if awsproto.LowerFirst(f.Name) == v.Path {
				name = f.Name
			}
		}
		return ErrMissingParameter.Withf("The request must contain the parameter %s.", name)
	}
	return ErrInvalidParameterValue.Withf("Value %s for parameter %s is invalid. Reason: %s", strings.Trim(v.Value, "'"), v.Path, v.Constraint)
}

// Run sweeps expired messages and deduplication ids and runs message move
// tasks until ctx is done.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastMinute := s.clock.Now().Truncate(time.Minute)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := s.sweep(); err != nil {
				log.Error("sqs: sweeping queues", "err", err)
			}
			s.runMoveTasks(log)
			s.metricsTick(&lastMinute, log)
		}
	}
}

// sweep drops messages past their queue's retention period and expired
// deduplication ids.
func (s *Service) sweep() error {
	now := s.clock.Now()
	s.mu.Lock()
	b := s.store.NewBatch()
	defer b.Close()
	var dropped []func()
	for _, q := range s.queues {
		keep := time.Duration(q.cfg.MessageRetentionPeriod) * time.Second
		for _, m := range q.messages {
			if now.Sub(m.sent) >= keep {
				dropMessage(b, q.rec.ID, m.seq)
				m, q := m, q
				dropped = append(dropped, func() { q.remove(m) })
			}
		}
		for id, e := range q.dedup {
			if !now.Before(e.expires) {
				b.Delete(dedupKey(q.rec.ID, id))
				id, q := id, q
				dropped = append(dropped, func() { delete(q.dedup, id) })
			}
		}
	}
	s.mu.Unlock()
	if b.Len() == 0 {
		return nil
	}
	if err := b.Commit(); err != nil {
		return err
	}
	s.mu.Lock()
	for _, f := range dropped {
		f()
	}
	s.mu.Unlock()
	return nil
}

// queueURL is the URL of a queue as a call addressed to host sees it,
// https for a call made over TLS.
func queueURL(secure bool, host, account, name string) string {
	if host == "" {
		host = "localhost"
	}
	scheme := "http://"
	if secure {
		scheme = "https://"
	}
	return scheme + host + "/" + account + "/" + name
}

// urlFor returns a queue's URL for the call in ctx: on the host and with
// the scheme the call was made with, so the URL works from wherever the
// client is.
func (s *Service) urlFor(ctx context.Context, name string) string {
	host, secure := "", false
	if c := awsproto.CallFrom(ctx); c != nil {
		host, secure = c.Request.Host, c.Request.TLS != nil
	}
	return queueURL(secure, host, s.account, name)
}

// parseQueueURL returns the account and queue name a queue URL names.
// Any scheme and host are accepted (sqs.REGION.localhost:4566,
// 127.0.0.1:4566, AWS's own); the path is /ACCOUNT/NAME.
func parseQueueURL(raw string) (account, name string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", false
	}
	return parseQueuePath(u.Path)
}

// parseQueuePath returns the account and queue name a queue URL's path
// (/ACCOUNT/NAME) names.
func parseQueuePath(path string) (account, name string, ok bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// namesQueue reports whether a request path is the URL path of a queue
// that exists (awsproto.Service.NamesResource): browsers' preflights to
// a queue URL are then answered as SQS's.
func (s *Service) namesQueue(path string) bool {
	account, name, ok := parseQueuePath(path)
	if !ok || account != s.account {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queues[name] != nil
}

// lookup finds the queue a QueueUrl names (an awsQuery request POSTed to
// the queue's URL names it by its path: see API). The caller holds s.mu.
func (s *Service) lookup(ctx context.Context, queueURL *string) (*queue, error) {
	raw := ""
	if queueURL != nil {
		raw = *queueURL
	}
	if raw == "" {
		return nil, ErrMissingParameter.WithMessage("The request must contain the parameter QueueUrl.")
	}
	account, name, ok := parseQueueURL(raw)
	if !ok {
		return nil, ErrInvalidAddress.Withf("The address %s is not valid for this endpoint.", raw)
	}
	q := s.queues[name]
	if q == nil || account != s.account {
		return nil, notFound(ctx)
	}
	return q, nil
}

// notFound is QueueDoesNotExist, worded for the call's protocol.
func notFound(ctx context.Context) error {
	if isQuery(ctx) {
		return ErrQueueDoesNotExist.WithMessage("The specified queue does not exist for this wsdl version.")
	}
	return ErrQueueDoesNotExist
}

// isQuery reports whether the call in ctx came in awsQuery.
func isQuery(ctx context.Context) bool {
	c := awsproto.CallFrom(ctx)
	if c == nil {
		return false
	}
	if p, ok := c.Service.Protocol.(*querycompat.Protocol); ok {
		_, q := p.For(c.Request).(*query.Protocol)
		return q
	}
	return false
}

// queueByARN finds a queue by ARN; the caller holds s.mu.
func (s *Service) queueByARN(arn string) *queue {
	prefix := "arn:aws:sqs:" + s.region + ":" + s.account + ":"
	if !strings.HasPrefix(arn, prefix) {
		return nil
	}
	return s.queues[arn[len(prefix):]]
}

// QueueARN returns the ARN of the queue with the given name, for other
// services (SNS subscriptions, event source mappings).
func (s *Service) QueueARN(name string) string { return s.arn(name) }

func sortStrings(ss []string) { sort.Strings(ss) }
