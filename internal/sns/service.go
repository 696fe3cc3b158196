package sns

import (
	"context"
	"log/slog"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/query"
	"github.com/virga/virga/internal/awsproto/shape"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
)

// APIVersion and Namespace identify SNS's awsQuery API.
const (
	APIVersion = "2010-03-31"
	Namespace  = "http://sns.amazonaws.com/doc/2010-03-31/"
)

// Queues is what SNS needs of SQS: sending a message to a queue, durably.
// internal/app adapts SQS to it.
type Queues interface {
	// SendMessage sends m to the queue with the ARN and returns its
	// message id once it is stored. An *apierr.Error means the queue
	// refused the message (it does not exist, or the message is not
	// valid for it); any other error is a failure of virga's own.
	SendMessage(ctx context.Context, queueARN string, m QueueMessage) (string, error)
}

// QueueMessage is a message SNS sends to a queue.
type QueueMessage struct {
	Body string
	// Attributes become SQS message attributes (raw message delivery, and
	// the error details of dead-lettered messages).
	Attributes map[string]QueueAttribute
	// GroupID and DeduplicationID are a FIFO topic's; GroupID is also
	// passed to standard queues.
	GroupID, DeduplicationID string
	// TraceHeader is the publisher's X-Ray trace header.
	TraceHeader string
	// TopicARN is the topic that sends: with --auth iam the queue's
	// policy must allow sns.amazonaws.com to send for it (aws:SourceArn).
	TopicARN string
}

// QueueAttribute is an SQS message attribute.
type QueueAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// Firehose is what SNS needs of Amazon Data Firehose: one record put
// to the stream an ARN names, durably before Put returns.
type Firehose interface {
	Put(arn string, data []byte) error
}

// Functions is what SNS needs of Lambda: an asynchronous (Event)
// invocation, which Lambda stores before it returns.
type Functions interface {
	// InvokeAsync accepts an Event invocation of the function (or version
	// or alias) the ARN names and returns its request id. The invocation
	// continues the trace header ctx carries (traceheader.NewContext),
	// or else the trace of the call ctx belongs to. An
	// *apierr.Error means Lambda refused it; any other error is a failure
	// of virga's own.
	InvokeAsync(ctx context.Context, function string, payload []byte) (string, error)
}

// Deps are what SNS needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Endpoint returns virga's base URL (http://127.0.0.1:4566), which the
	// URLs in messages (SubscribeURL, UnsubscribeURL) point at.
	Endpoint func() string
	// Queues and Functions are the SQS and Lambda subscriptions deliver
	// to; nil leaves those subscriptions without deliveries.
	Queues    Queues
	Functions Functions
	// Firehose takes the records of firehose subscriptions; nil leaves
	// them without deliveries.
	Firehose Firehose
	// FunctionPermitted, when set, returns an *apierr.Error when a
	// function's policy does not let sns.amazonaws.com invoke it for the
	// topic (--auth iam); the message is then not delivered to it.
	FunctionPermitted func(ctx context.Context, function, topicARN string) error
	// HTTPClient posts to HTTP/S subscriptions; nil is a client with SNS's
	// 15-second timeout.
	HTTPClient *http.Client
	// Logger records deliveries that fail for good; nil discards.
	Logger *slog.Logger
}

// Service is SNS.
type Service struct {
	store     store.Store
	clock     clock.Clock
	ids       *ids.Generator
	account   string
	region    string
	endpoint  func() string
	queues    Queues
	functions Functions
	firehose  Firehose
	permitted func(ctx context.Context, function, topicARN string) error
	client    *http.Client
	log       *slog.Logger

	// mu guards topics and their subscription tables. Metadata
	// operations hold it while they write the store, so the store and the
	// tables change together; Publish holds it only to take a snapshot of
	// the subscriptions. A topic's publishMu is taken before mu, never
	// after.
	mu     sync.RWMutex
	topics map[string]*topic // by name

	outbox outbox

	// keyMu guards key, the signing key once read (signing.go). It is
	// never held while mu is taken.
	keyMu sync.Mutex
	key   *signingKey
}

// New returns SNS over the store, with the topics, subscriptions and
// pending HTTP/S deliveries it holds.
func New(d Deps) (*Service, error) {
	s := &Service{
		store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region,
		endpoint: d.Endpoint, queues: d.Queues, functions: d.Functions, firehose: d.Firehose, permitted: d.FunctionPermitted, client: d.HTTPClient, log: d.Logger,
		topics: map[string]*topic{},
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: httpDeliveryTimeout}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.outbox.init()
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// load reads the topics, subscriptions (live and unsubscribed),
// deduplication ids and the HTTP/S outbox.
func (s *Service) load() error {
	err := scan(s.store, snsKey("t"), func(_ []byte, r *topicRecord) error {
		s.topics[r.Name] = s.newTopic(*r)
		return nil
	})
	if err != nil {
		return err
	}
	err = scan(s.store, snsKey("s"), func(_ []byte, r *subscriptionRecord) error {
		t := s.topics[r.Topic]
		if t == nil {
			return nil // left behind by a topic deleted mid-way; harmless
		}
		t.subs[r.ID] = s.newSubscription(*r, t)
		return nil
	})
	if err != nil {
		return err
	}
	err = scan(s.store, snsKey("u"), func(_ []byte, r *subscriptionRecord) error {
		if t := s.topics[r.Topic]; t != nil {
			t.unsubscribed[r.ID] = *r
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = scan(s.store, snsKey("d"), func(suffix []byte, r *dedupRecord) error {
		topicName, id, ok := decodePair(suffix)
		t := s.topics[topicName]
		if !ok || t == nil {
			return nil
		}
		// Sequence numbers go on from the last one handed out, even when
		// the clock they are taken from has not moved (a fake one).
		if seq, err := strconv.ParseUint(r.Sequence, 10, 64); err == nil {
			t.lastSeq = max(t.lastSeq, seq)
		}
		// Expired ids are loaded too, for the next sweep to delete.
		t.dedup[id] = dedupEntry{messageID: r.MessageID, sequence: r.Sequence, expires: time.UnixMilli(r.ExpiresMillis)}
		return nil
	})
	if err != nil {
		return err
	}
	return scan(s.store, snsKey("h"), func(_ []byte, d *httpDelivery) error {
		s.outbox.add(d)
		return nil
	})
}

// API returns SNS as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "sns",
		Protocol:        query.New(APIVersion, Namespace),
		ValidationError: ErrInvalidParameter,
		ViolationError:  violationError,
		Operations:      s.operations(),
		Resources:       s.resources,
		ResourcePolicy:  s.resourcePolicy,
		AccessDenied:    ErrAuthorizationError,
	}).Init()
}

// violationError reports the model's constraint violations as SNS does: a
// missing member as "Invalid parameter: X Reason: no value for required
// parameter", anything else in AWS's validation wording, both as
// InvalidParameter.
func violationError(in any, vs []shape.Violation) error {
	v := vs[0]
	if v.Value == "null" {
		name := v.Path
		for _, f := range shape.Of(reflect.TypeOf(in)).Fields {
			if awsproto.LowerFirst(f.Name) == v.Path {
				name = f.Name
			}
		}
		return invalidParameter("%s Reason: no value for required parameter", name)
	}
	return ErrInvalidParameter.WithMessage(shape.Message(vs))
}

// Run delivers the HTTP/S outbox (deliveries left from before a restart
// included) and forgets expired FIFO deduplication ids, until ctx is done.
// It then waits for the deliveries it started; one interrupted by the
// shutdown stays in the outbox and is made again after the next start.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	if log == nil {
		log = s.log
	}
	timer := time.NewTimer(outboxPoll)
	defer timer.Stop()
	lastSweep := time.Now()
	for {
		// Sleep until the next delivery is due, by the injected clock, or
		// outboxPoll at most (a fake clock moves without waking anyone).
		wait := s.dispatch(ctx, log)
		timer.Reset(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			s.outbox.wg.Wait()
			return
		case <-s.outbox.kick:
		case <-timer.C:
		}
		if time.Since(lastSweep) >= outboxPoll {
			s.sweepDedup()
			s.sweepExpired()
			lastSweep = time.Now()
		}
	}
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func ptr[T any](v T) *T { return &v }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
