package logs

import (
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is CloudWatch Logs' X-Amz-Target prefix.
const TargetPrefix = "Logs_20140328"

// Service is CloudWatch Logs.
type Service struct {
	store   store.Store
	clock   clock.Clock
	account string
	region  string

	mu  sync.Mutex // serializes stream and group metadata updates
	seq atomic.Uint64

	queries queryTable // Logs Insights queries (op_queries.go)
	dests   Destinations
	subs    subscriptions // filters guarded by mu
	metrics Metrics
	mfs     map[string][]*metricFilter // metric filters by group, guarded by mu
}

// Deps are what CloudWatch Logs needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	Account string
	Region  string
	// Destinations are where subscription filters deliver; nil refuses
	// every destination.
	Destinations Destinations
	// Metrics receives what metric filters and functions' embedded
	// metric format publish; nil drops it.
	Metrics Metrics
}

// New returns CloudWatch Logs over the store.
func New(d Deps) (*Service, error) {
	s := &Service{store: d.Store, clock: d.Clock, account: d.Account, region: d.Region, dests: d.Destinations, metrics: d.Metrics}
	v, err := s.store.Get(seqKey())
	switch {
	case err == nil && len(v) == 8:
		s.seq.Store(binary.BigEndian.Uint64(v))
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	if err := s.loadSubscriptions(); err != nil {
		return nil, err
	}
	if err := s.loadMetricFilters(); err != nil {
		return nil, err
	}
	return s, nil
}

// API returns CloudWatch Logs as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:             "logs",
		Protocol:         awsjson.New("1.1", TargetPrefix),
		Resources:        s.resources,
		ValidationError:  ErrInvalidParameter,
		Operations:       s.operations(),
		MissingParameter: "",
	}).Init()
}

// SweepInterval is how often Run applies retention policies.
const SweepInterval = time.Minute

// Run applies retention in the background until ctx is done. It
// returns once its subscription deliverer and the Logs Insights queries
// still running (cancelled when ctx ends) have stopped too: the store is
// closed after Run returns.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	delivering := make(chan struct{})
	go func() {
		defer close(delivering)
		s.runSubscriptions(ctx, log)
	}()
	defer func() { <-delivering }()
	defer s.stopQueries()
	tick := time.NewTicker(SweepInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := s.ApplyRetention(); err != nil {
				log.Error("logs: applying retention", "err", err)
			}
		}
	}
}
