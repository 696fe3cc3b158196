package kinesis

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is Kinesis Data Streams' X-Amz-Target prefix.
const TargetPrefix = "Kinesis_20131202"

// Service is Amazon Kinesis Data Streams.
type Service struct {
	store   store.Store
	clock   clock.Clock
	account string
	region  string
	keys    Keys

	// mu serializes changes to streams and the appending of records, so
	// that sequence numbers grow in commit order within a shard.
	mu sync.Mutex
	// next holds, per shard, the counter of the next record to append,
	// once read from the store.
	next map[shardRef]uint64
	// arrivals are closed when records arrive on a stream (by name).
	arrivals map[string]chan struct{}
}

// shardRef names one shard of one stream.
type shardRef struct {
	stream string
	shard  int
}

// Keys is the KMS that server-side encryption names keys of.
type Keys interface {
	// CheckEncryptionKey is nil if the key a KeyId names (key id, key
	// ARN, alias name or alias ARN) can encrypt now, or KMS's error.
	CheckEncryptionKey(ref string) error
}

// Deps are what Kinesis needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	Account string
	Region  string
	// Keys checks the keys StartStreamEncryption names.
	Keys Keys
}

// New returns Kinesis Data Streams over the store.
func New(d Deps) *Service {
	return &Service{store: d.Store, clock: d.Clock, account: d.Account, region: d.Region, keys: d.Keys,
		next: map[shardRef]uint64{}, arrivals: map[string]chan struct{}{}}
}

// API returns Kinesis as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "kinesis",
		Protocol:        awsjson.New("1.1", TargetPrefix),
		Resources:       s.resources,
		ValidationError: ErrValidation,
		Operations:      s.operations(),
	}).Init()
}

// sweepEvery is how often Run drops records past their stream's
// retention period.
const sweepEvery = time.Minute

// Run drops records older than their stream's retention period, as the
// clock says, until ctx ends. Reads never return such records even
// before the sweep removes them.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Sweep(); err != nil && log != nil {
				log.Warn("kinesis: retention sweep", "err", err)
			}
		}
	}
}

// arrival returns a channel closed when a record next arrives on the
// stream. mu must be held.
func (s *Service) arrival(name string) chan struct{} {
	ch := s.arrivals[name]
	if ch == nil {
		ch = make(chan struct{})
		s.arrivals[name] = ch
	}
	return ch
}

// notify wakes those waiting for records on the stream. mu must be held.
func (s *Service) notify(name string) {
	if ch := s.arrivals[name]; ch != nil {
		close(ch)
		delete(s.arrivals, name)
	}
}
