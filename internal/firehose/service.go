package firehose

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/eventsource"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is Firehose's X-Amz-Target prefix.
const TargetPrefix = "Firehose_20150804"

// Buckets is the part of S3 Firehose writes to.
type Buckets interface {
	PutObject(ctx context.Context, bucket, key string, body []byte, contentType string) error
}

// IDs makes the random part of object keys.
type IDs interface {
	UUID() string
}

// Functions runs the Lambda functions that transform records
// (ProcessingConfiguration), synchronously, as Firehose invokes them.
type Functions interface {
	InvokeSync(ctx context.Context, function string, payload []byte) (response []byte, functionError string, err error)
}

// Service is Amazon Data Firehose.
type Service struct {
	store   store.Store
	fns     Functions
	clock   clock.Clock
	ids     IDs
	buckets Buckets
	kinesis eventsource.StreamSource
	account string
	region  string
	log     *slog.Logger

	// mu serializes changes to streams and to their buffers.
	mu sync.Mutex
	// buffers holds, per stream name, what its buffer in the store
	// holds, once read.
	buffers map[string]*buffer
	// wake asks Run to deliver at once (a buffer reached its size hint).
	wake chan struct{}
}

// Deps are what Firehose needs. Kinesis may be nil: streams with a
// Kinesis data stream as source then read nothing. Functions may be
// nil: every invocation of a processor then fails.
type Deps struct {
	Store     store.Store
	Functions Functions
	Clock     clock.Clock
	IDs       IDs
	Buckets   Buckets
	Kinesis   eventsource.StreamSource
	Account   string
	Region    string
	Logger    *slog.Logger
}

// New returns Firehose over the store.
func New(d Deps) *Service {
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: d.Store, fns: d.Functions, clock: d.Clock, ids: d.IDs, buckets: d.Buckets, kinesis: d.Kinesis,
		account: d.Account, region: d.Region, log: log,
		buffers: map[string]*buffer{}, wake: make(chan struct{}, 1)}
}

// API returns Firehose as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "firehose",
		Protocol:        awsjson.New("1.1", TargetPrefix),
		Resources:       s.resources,
		ValidationError: ErrValidation,
		Operations:      s.operations(),
	}).Init()
}

// checkEvery is how often Run looks, as the clock says, for buffers
// whose interval has passed and for records on source Kinesis streams.
const checkEvery = 250 * time.Millisecond

// Run delivers buffered records to S3 when a stream's buffering hints
// say so, and reads source Kinesis streams, until ctx ends. Records
// acknowledged before a restart are in the store and are delivered
// after it.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(checkEvery)
	defer t.Stop()
	for {
		s.pass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// pass reads sources and delivers what is due, once.
func (s *Service) pass(ctx context.Context) {
	streams, err := s.all()
	if err != nil {
		s.log.Warn("firehose: listing streams", "err", err)
		return
	}
	for _, st := range streams {
		if st.Type == typeKinesis {
			if err := s.readSource(st); err != nil {
				s.log.Warn("firehose: reading source stream", "stream", st.Name, "err", err)
			}
		}
		if err := s.deliver(ctx, st.Name); err != nil {
			s.log.Warn("firehose: delivering to S3", "stream", st.Name, "err", err)
		}
	}
}

// nudge asks Run to deliver at once.
func (s *Service) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
