package events

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// held is a point inside a goroutine that waits, once armed, until
// released, after saying it got there.
type held struct {
	armed           atomic.Bool
	opened, release chan struct{}
}

func newHeld() *held { return &held{opened: make(chan struct{}, 1), release: make(chan struct{})} }

func (h *held) wait() {
	if !h.armed.Load() {
		return
	}
	select {
	case h.opened <- struct{}{}:
	default:
	}
	<-h.release
}

// heldDLQ is a target deliverer whose deliveries wait at h.
type heldDLQ struct {
	h         *held
	delivered atomic.Int32
}

func (d *heldDLQ) Deliver(ctx context.Context, arn string, m deliver.Message) error {
	d.h.wait()
	d.delivered.Add(1)
	return nil
}

// heldConnectionWrites is a store whose commits of a connection's
// AUTHORIZED state wait at h while armed.
type heldConnectionWrites struct {
	store.Store
	h *held
}

func (s heldConnectionWrites) NewBatch() store.Batch {
	return &heldBatch{Batch: s.Store.NewBatch(), h: s.h}
}

type heldBatch struct {
	store.Batch
	h          *held
	authorized bool
}

func (b *heldBatch) Set(key, value []byte) {
	b.authorized = b.authorized || bytes.Contains(value, []byte(`"state":"AUTHORIZED"`))
	b.Batch.Set(key, value)
}

func (b *heldBatch) Commit() error {
	if b.authorized {
		b.h.wait()
	}
	return b.Batch.Commit()
}

// runEvents starts s.Run; cancel stops it, and done closes when it returns.
func runEvents(s *Service) (cancel context.CancelFunc, done chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx, slog.New(slog.DiscardHandler))
	}()
	return cancel, done
}

// stopsOnlyAfter cancels Run and checks it is still running while h
// holds a goroutine, then releases it and waits for Run.
func stopsOnlyAfter(t *testing.T, h *held, cancel context.CancelFunc, done chan struct{}, what string) {
	t.Helper()
	<-h.opened
	cancel()
	// A Run that does not wait returns at once; give it the chance.
	select {
	case <-done:
		t.Errorf("Run returned while %s", what)
	case <-time.After(100 * time.Millisecond):
	}
	close(h.release)
	<-done
}

func openEvents(t *testing.T, st store.Store, targets deliver.Deliverer) *Service {
	t.Helper()
	s, err := New(Deps{Store: st, Clock: clock.Real{}, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1", Targets: targets})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRunWaitsForAPIDestinationDeliveries: an API destination's request
// runs in its own goroutine, which may go on to the target's dead-letter
// queue; Run returns only once it is done, and none starts after.
func TestRunWaitsForAPIDestinationDeliveries(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadRequest) // not retried: to the dead-letter queue
	}))
	defer endpoint.Close()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	dlq := &heldDLQ{h: newHeld()}
	s := openEvents(t, db, dlq)
	bg := context.Background()
	conn, err := s.createConnection(bg, &CreateConnectionRequest{Name: ptr("key"), AuthorizationType: ptr("API_KEY"),
		AuthParameters: &CreateConnectionAuthRequestParameters{ApiKeyAuthParameters: &CreateConnectionApiKeyAuthRequestParameters{
			ApiKeyName: ptr("x-api-key"), ApiKeyValue: ptr("secret")}}})
	if err != nil {
		t.Fatal(err)
	}
	dest, err := s.createApiDestination(bg, &CreateApiDestinationRequest{Name: ptr("hook"), ConnectionArn: conn.ConnectionArn,
		InvocationEndpoint: ptr(endpoint.URL + "/hook"), HttpMethod: ptr("POST")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.putRule(bg, &PutRuleRequest{Name: ptr("all"), EventPattern: ptr(`{"source":["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.putTargets(bg, &PutTargetsRequest{Rule: ptr("all"), Targets: []Target{{Id: ptr("hook"), Arn: dest.ApiDestinationArn,
		RoleArn:          ptr("arn:aws:iam::000000000000:role/events"),
		DeadLetterConfig: &DeadLetterConfig{Arn: ptr("arn:aws:sqs:us-east-1:000000000000:dlq")}}}}); err != nil {
		t.Fatal(err)
	}
	put := &PutEventsRequest{Entries: []PutEventsRequestEntry{{Source: ptr("shop"), DetailType: ptr("Order"), Detail: ptr(`{}`)}}}
	cancel, done := runEvents(s)
	dlq.h.armed.Store(true)
	if _, err := s.putEvents(bg, put); err != nil {
		t.Fatal(err)
	}
	stopsOnlyAfter(t, dlq.h, cancel, done, "an API destination delivery was under way")
	if dlq.delivered.Load() != 1 {
		t.Errorf("dead-letter deliveries: %d, want 1", dlq.delivered.Load())
	}
	if _, err := s.putEvents(bg, put); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the endpoint was called %d times, want 1: none after Run returned", n)
	}
	if err := db.Close(); err != nil {
		t.Errorf("closing the store after Run: %v", err)
	}
}

// TestRunWaitsForOAuthAuthorization: an OAuth connection's first token
// is fetched, and the connection's state written, in a goroutine; Run
// returns only once it is done.
func TestRunWaitsForOAuthAuthorization(t *testing.T) {
	t.Parallel()
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"t","expires_in":3600}`))
	}))
	defer tokens.Close()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	h := newHeld()
	s := openEvents(t, heldConnectionWrites{Store: db, h: h}, nil)
	cancel, done := runEvents(s)
	h.armed.Store(true)
	if _, err := s.createConnection(context.Background(), &CreateConnectionRequest{Name: ptr("oauth"), AuthorizationType: ptr("OAUTH_CLIENT_CREDENTIALS"),
		AuthParameters: &CreateConnectionAuthRequestParameters{OAuthParameters: &CreateConnectionOAuthRequestParameters{
			ClientParameters:      &CreateConnectionOAuthClientRequestParameters{ClientID: ptr("id"), ClientSecret: ptr("secret")},
			AuthorizationEndpoint: ptr(tokens.URL + "/token"), HttpMethod: ptr("POST")}}}); err != nil {
		t.Fatal(err)
	}
	stopsOnlyAfter(t, h, cancel, done, "an OAuth authorization was under way")
	if err := db.Close(); err != nil {
		t.Errorf("closing the store after Run: %v", err)
	}
}
