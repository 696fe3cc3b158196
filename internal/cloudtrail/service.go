package cloudtrail

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is CloudTrail's X-Amz-Target prefix as the SDKs send it;
// QualifiedTargetPrefix is the model's full one, which botocore sends.
const (
	TargetPrefix          = "CloudTrail_20131101"
	QualifiedTargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
)

// Buckets tells whether an S3 bucket exists, for a trail's
// S3BucketName.
type Buckets interface {
	BucketExists(name string) bool
}

// Events puts events on EventBridge buses.
type Events interface {
	Deliver(ctx context.Context, arn string, m deliver.Message) error
}

// Deps are what CloudTrail needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Buckets checks trails' buckets; nil accepts any bucket.
	Buckets Buckets
	// Events receives "AWS API Call via CloudTrail" events for the
	// default bus; nil drops them.
	Events Events
	// LogFiles stores trails' log files; nil delivers none.
	LogFiles LogFiles
	Logger   *slog.Logger
}

// Service is AWS CloudTrail: trails, and the record of API calls the
// edge answered (Record), kept as event history and sent on to
// EventBridge while a trail logs.
type Service struct {
	store    store.Store
	clock    clock.Clock
	ids      *ids.Generator
	account  string
	region   string
	buckets  Buckets
	events   Events
	logFiles LogFiles
	log      *slog.Logger

	// mu guards trails and serializes their changes.
	mu     sync.Mutex
	trails map[string]*trailRecord
	// active is what the recording path reads without a lock: the
	// logging trails and what their selectors take, replaced whenever
	// a trail changes.
	active atomic.Pointer[activeTrails]

	// classes caches each operation's class (copy on write, under
	// classMu).
	classes atomic.Pointer[map[*awsproto.Operation]opClass]
	classMu sync.Mutex

	// queue carries captured calls from the edge to the writer.
	queue chan *capture
	// dropped counts captures refused because the queue was full.
	dropped atomic.Int64
	// writeMu serializes writing captures (Run's loop, and
	// LookupEvents, which writes what is queued before it reads) and
	// guards historyCount.
	writeMu      sync.Mutex
	historyCount int
	// keyMu serializes making the region's signing keys
	// (signingkeys.go); it is a leaf.
	keyMu sync.Mutex
	// pending holds, by trail, the records waiting for the trail's next
	// log file (guarded by writeMu).
	pending map[string]*pendingFile
}

// New returns CloudTrail over the store, with the trails it holds.
func New(d Deps) (*Service, error) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region,
		buckets: d.Buckets, events: d.Events, logFiles: d.LogFiles, log: d.Logger,
		trails: map[string]*trailRecord{}, queue: make(chan *capture, queueSize), pending: map[string]*pendingFile{}}
	if err := s.load(); err != nil {
		return nil, err
	}
	s.publish()
	return s, nil
}

// API returns CloudTrail as the edge serves it.
func (s *Service) API() *awsproto.Service {
	p := awsjson.New("1.1", TargetPrefix)
	p.QualifiedTargetPrefix = QualifiedTargetPrefix
	return (&awsproto.Service{
		Name:            "cloudtrail",
		Protocol:        p,
		Resources:       s.resources,
		ValidationError: ErrValidation,
		Operations:      s.operations(),
	}).Init()
}

// resources names the trail a call acts on, for IAM authorization.
func (s *Service) resources(c *awsproto.Call, in any) []string {
	for _, f := range []string{"Name", "TrailName", "ResourceId"} {
		if v := awsproto.InputString(in, f); v != "" {
			return []string{s.trailARN(trailNameOf(v))}
		}
	}
	return nil
}
