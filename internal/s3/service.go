package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Namespace is the XML namespace of S3's documents.
const Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// Event is what happened to an object, for S3 event notifications: Name
// is the event's name without the "s3:" prefix ("ObjectCreated:Put",
// "ObjectRemoved:Delete"), Sequencer orders the events of one key.
type Event struct {
	Name      string
	Bucket    string
	Key       string
	Size      int64
	ETag      string // unquoted, as notifications carry it
	VersionID string
	Sequencer string
	Time      time.Time
	// RequestID and HostID are the request's x-amz-request-id and
	// x-amz-id-2, SourceIP the client's address, Principal and Account
	// the caller's user id and account ("" outside a request).
	RequestID, HostID, SourceIP string
	Principal, Account          string
}

// Deps are what S3 needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Dir is where object bytes are kept; empty keeps them in memory.
	Dir string
	// Fsync syncs each object's bytes before the write is acknowledged,
	// as the store does its commits (--fsync).
	Fsync bool
	// Notify, when set, is called after every object is created or
	// removed, once the change is committed, in commit order per key.
	Notify func(ctx context.Context, e Event)
	// Targets receives event notifications (SQS queues, SNS topics,
	// Lambda functions, the default event bus) and the test events
	// PutBucketNotificationConfiguration sends; FunctionExists checks a
	// notification's function when it is configured.
	Targets        deliver.Deliverer
	FunctionExists func(arn string) bool
	// Permitted, when set, returns an error wrapping
	// deliver.ErrNotAuthorized when a destination's resource-based
	// policy does not allow S3 to send to it for the bucket (--auth
	// iam); PutBucketNotificationConfiguration then refuses it.
	Permitted func(ctx context.Context, target string, s deliver.Sender) error
	// Keys, when set, resolves the KMS keys SSE-KMS objects are
	// encrypted with; without it a key is reported by its ARN as named.
	Keys Keys
}

// Service is S3.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string
	blobs   *blobStore
	notify  func(context.Context, Event)

	targets        deliver.Deliverer
	functionExists func(string) bool
	permitted      func(context.Context, string, deliver.Sender) error
	keys           Keys
	// wake tells Run that messages were queued; retries are the outbox
	// messages whose delivery failed, by key (Run's alone).
	wake    chan struct{}
	retries map[string]retry

	// mu serializes every change to the metadata (a read, a check and a
	// commit); reads of committed metadata do not take it. Object bytes are
	// written before it is taken and removed after it is released.
	mu        sync.Mutex
	seq       uint64 // event sequencer, under mu
	lastOrder uint64 // the last version order given, under mu

	api *awsproto.Service
}

// New returns S3 over the store and the blob directory, removing what
// writes interrupted by a crash left behind.
func New(d Deps) (*Service, error) {
	blobs, err := newBlobStore(d.Dir, d.Fsync)
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	s := &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region,
		blobs: blobs, notify: d.Notify, targets: d.Targets, functionExists: d.FunctionExists, permitted: d.Permitted, keys: d.Keys,
		wake: make(chan struct{}, 1), retries: map[string]retry{}}
	if err := s.sweep(); err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	s.api = s.newAPI()
	return s, nil
}

// sweep removes blobs no object or part refers to.
func (s *Service) sweep() error {
	if s.blobs.dir == "" {
		return nil
	}
	live := map[string]bool{}
	p := keys.AppendString(nil, "s3")
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		var v struct {
			Blob     string    `json:"blob"`
			Segments []segment `json:"segments"`
		}
		if json.Unmarshal(it.Value(), &v) != nil {
			continue
		}
		if v.Blob != "" {
			live[v.Blob] = true
		}
		for _, sg := range v.Segments {
			live[sg.Blob] = true
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	return s.blobs.sweep(func(id string) bool { return live[id] })
}

// API is S3 as the edge serves it.
func (s *Service) API() *awsproto.Service { return s.api }

// newBlobID names a new blob.
func (s *Service) newBlobID() string { return s.ids.Hex(32) }

// sequencer returns the next event sequencer: hex that sorts in commit
// order. Call with mu held.
func (s *Service) sequencer() string {
	s.seq++
	return fmt.Sprintf("%016X%04X", uint64(s.clock.Now().UnixNano()), s.seq&0xffff)
}

// emit reports an event, after its change (and its notifications, see
// queueNotifications) is committed.
func (s *Service) emit(ctx context.Context, e Event) {
	s.nudge()
	if s.notify != nil {
		s.notify(ctx, e)
	}
}

// owner is the owner every bucket and object has: the account.
func (s *Service) owner() *Owner {
	id := canonicalID(s.account)
	return &Owner{ID: &id}
}

// canonicalID is the account's canonical user id: 64 hex digits, derived
// from the account so that it is stable.
func canonicalID(account string) string {
	const hexd = "0123456789abcdef"
	b := make([]byte, 64)
	h := uint64(14695981039346656037)
	for i := range b {
		h ^= uint64(account[i%len(account)]) + uint64(i)
		h *= 1099511628211
		b[i] = hexd[h>>60]
	}
	return string(b)
}

func strptr(s string) *string { return &s }

func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func atoiPtr(n int) *string { s := strconv.Itoa(n); return &s }

// bucket reads a bucket's record.
func (s *Service) bucket(r store.Reader, name string) (*bucketRecord, error) {
	var b bucketRecord
	found, err := getJSON(r, bucketKey(name), &b)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, noSuchBucket(name)
	}
	return &b, nil
}

// object reads an object's record.
func (s *Service) object(r store.Reader, bucket, key string) (*objectRecord, error) {
	var o objectRecord
	found, err := getJSON(r, objectKey(bucket, key), &o)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, noSuchKey(key)
	}
	return &o, nil
}

// putBucket commits a bucket record; call with mu held.
func (s *Service) putBucket(b *bucketRecord) error {
	batch := s.store.NewBatch()
	defer batch.Close()
	if err := setJSON(batch, bucketKey(b.Name), b); err != nil {
		return err
	}
	return batch.Commit()
}

// updateBucket runs f on a bucket's record under mu and commits it.
func (s *Service) updateBucket(name string, f func(b *bucketRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(s.store, name)
	if err != nil {
		return err
	}
	if err := f(b); err != nil {
		return err
	}
	return s.putBucket(b)
}

// BucketExists reports whether a bucket exists (for CloudFormation and
// other services).
func (s *Service) BucketExists(name string) bool {
	_, err := s.bucket(s.store, name)
	return err == nil
}
