package sns

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// fakeQueues records what SNS sends to queues; a queue whose name is
// "missing" does not exist.
type fakeQueues struct {
	mu   sync.Mutex
	sent map[string][]QueueMessage
}

func (q *fakeQueues) SendMessage(_ context.Context, arn string, m QueueMessage) (string, error) {
	if strings.HasSuffix(arn, ":missing") {
		return "", apierr.New("AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist.")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.sent == nil {
		q.sent = map[string][]QueueMessage{}
	}
	q.sent[arn] = append(q.sent[arn], m)
	return "id", nil
}

func (q *fakeQueues) messages(arn string) []QueueMessage {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]QueueMessage(nil), q.sent[arn]...)
}

// hookServer answers SNS's POSTs with the status status holds, and passes
// each request's type and body on.
type hookServer struct {
	*httptest.Server
	status atomic.Int32
	got    chan [2]string
}

func newHookServer(t *testing.T) *hookServer {
	h := &hookServer{got: make(chan [2]string, 16)}
	h.status.Store(200)
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("x-amz-sns-message-type") == "SubscriptionConfirmation" {
			w.WriteHeader(200)
		} else {
			w.WriteHeader(int(h.status.Load()))
		}
		h.got <- [2]string{r.Header.Get("x-amz-sns-message-type"), string(body)}
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) next(t *testing.T) (string, string) {
	t.Helper()
	select {
	case r := <-h.got:
		return r[0], r[1]
	case <-time.After(10 * time.Second):
		t.Fatal("no request arrived")
		return "", ""
	}
}

// quiet fails if a request is waiting.
func (h *hookServer) quiet(t *testing.T) {
	t.Helper()
	select {
	case r := <-h.got:
		t.Fatalf("unexpected %s request", r[0])
	default:
	}
}

// running is a Service whose Run loop can be stopped.
type running struct {
	*Service
	stop func()
}

func start(t *testing.T, st store.Store, clk clock.Clock, q Queues) running {
	t.Helper()
	s, err := New(Deps{Store: st, Clock: clk, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1",
		Endpoint: func() string { return "http://virga.test" }, Queues: q})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx, nil)
	}()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return running{Service: s, stop: stop}
}

// storedDelivery waits until the outbox holds one delivery that failed
// attempts times, and returns it.
func storedDelivery(t *testing.T, st store.Store, attempts int) httpDelivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var found []httpDelivery
		err := scan(st, snsKey("h"), func(_ []byte, d *httpDelivery) error {
			found = append(found, *d)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) == 1 && found[0].Attempts == attempts {
			return found[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox holds %+v; want one delivery after %d failed attempts", found, attempts)
		}
		time.Sleep(5 * time.Millisecond) // waiting for the background attempt, not timing it
	}
}

// TestOutboxRetriesByTheClockAndSurvivesRestart drives an HTTP
// subscription's retries with a fake clock: each retry waits for the
// clock to reach its time, the outbox is durable across a new Service
// on the same store, and the last failure goes to the dead-letter queue.
func TestOutboxRetriesByTheClockAndSurvivesRestart(t *testing.T) {
	t.Parallel()
	st, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewFake(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	queues := &fakeQueues{}
	hook := newHookServer(t)
	s := start(t, st, clk, queues)
	ctx := context.Background()

	topic, err := s.createTopic(ctx, &CreateTopicInput{Name: ptr("hooks")})
	if err != nil {
		t.Fatal(err)
	}
	const dlq = "arn:aws:sqs:us-east-1:000000000000:dlq"
	if _, err := s.subscribe(ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: ptr("http"), Endpoint: ptr(hook.URL),
		Attributes: map[string]string{
			"RedrivePolicy":  `{"deadLetterTargetArn":"` + dlq + `"}`,
			"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":10,"maxDelayTarget":10}}`,
		}}); err != nil {
		t.Fatal(err)
	}
	kind, body := hook.next(t)
	var c struct{ Token string }
	if err := json.Unmarshal([]byte(body), &c); kind != "SubscriptionConfirmation" || err != nil {
		t.Fatalf("first request: %s %s", kind, body)
	}
	if _, err := s.confirmSubscription(ctx, &ConfirmSubscriptionInput{TopicArn: topic.TopicArn, Token: &c.Token}); err != nil {
		t.Fatal(err)
	}

	hook.status.Store(500)
	out, err := s.publish(ctx, &PublishInput{TopicArn: topic.TopicArn, Message: ptr("retry me")})
	if err != nil {
		t.Fatal(err)
	}
	if kind, _ := hook.next(t); kind != "Notification" {
		t.Fatalf("attempt 1 was a %s", kind)
	}
	d := storedDelivery(t, st, 1)
	if want := clk.Now().Add(10 * time.Second).UnixMilli(); d.NotBefore != want {
		t.Errorf("retry 1 due at %d, want %d", d.NotBefore, want)
	}
	hook.quiet(t)

	// A new Service on the same store picks the delivery up.
	s.stop()
	s = start(t, st, clk, queues)
	clk.Advance(9 * time.Second)
	// One second early: a pass over the outbox starts nothing and sleeps
	// the second that is left.
	if wait := s.dispatch(ctx, s.log); wait != time.Second {
		t.Errorf("a second before the retry the outbox sleeps %v", wait)
	}
	s.outbox.mu.Lock()
	early := len(s.outbox.running)
	s.outbox.mu.Unlock()
	if early != 0 {
		t.Errorf("%d deliveries started before their time", early)
	}
	storedDelivery(t, st, 1)
	hook.quiet(t)
	clk.Advance(time.Second)
	if kind, _ := hook.next(t); kind != "Notification" {
		t.Fatalf("attempt 2 was a %s", kind)
	}
	storedDelivery(t, st, 2)
	clk.Advance(10 * time.Second)
	hook.next(t)

	// After the last retry the message is in the dead-letter queue and the
	// outbox is empty.
	deadline := time.Now().Add(10 * time.Second)
	for len(queues.messages(dlq)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("nothing reached the dead-letter queue")
		}
		time.Sleep(5 * time.Millisecond) // waiting for the background attempt, not timing it
	}
	dead := queues.messages(dlq)[0]
	if !strings.Contains(dead.Body, `"MessageId" : "`+*out.MessageId+`"`) || dead.Attributes["ErrorCode"].StringValue != "EndpointUnavailable" ||
		dead.Attributes["ErrorMessage"].StringValue != "HTTP 500" {
		t.Errorf("dead letter: %+v", dead)
	}
	for {
		n := 0
		scan(st, snsKey("h"), func(_ []byte, _ *httpDelivery) error { n++; return nil })
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outbox still holds %d deliveries", n)
		}
		time.Sleep(5 * time.Millisecond) // waiting for the background attempt, not timing it
	}
	hook.quiet(t)
}

// TestClientErrorsAreNotRetried checks that a 4xx answer ends the
// delivery at once, and that an unsubscribed endpoint gets no more.
func TestClientErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	f := newHTTPFixture(t)
	s, st, clk, hook, topic, sub := f.s, f.st, f.clk, f.hook, f.topic, f.sub
	ctx := context.Background()
	hook.status.Store(404)
	if _, err := s.publish(ctx, &PublishInput{TopicArn: topic, Message: ptr("m")}); err != nil {
		t.Fatal(err)
	}
	hook.next(t)
	waitOutboxEmpty(t, st, "a 404 to a notification")
	clk.Advance(time.Hour)
	if _, err := s.unsubscribe(ctx, &UnsubscribeInput{SubscriptionArn: sub}); err != nil {
		t.Fatal(err)
	}
	if kind, _ := hook.next(t); kind != "UnsubscribeConfirmation" {
		t.Fatalf("after Unsubscribe the endpoint got a %s", kind)
	}
	waitOutboxEmpty(t, st, "a 404 to an UnsubscribeConfirmation")
	if _, err := s.publish(ctx, &PublishInput{TopicArn: topic, Message: ptr("m2")}); err != nil {
		t.Fatal(err)
	}
	n := 0
	scan(st, snsKey("h"), func(_ []byte, _ *httpDelivery) error { n++; return nil })
	if n != 0 {
		t.Errorf("a publish after Unsubscribe left %d deliveries", n)
	}
	hook.quiet(t)
}

// waitOutboxEmpty waits until the outbox holds no delivery.
func waitOutboxEmpty(t *testing.T, st store.Store, after string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := 0
		scan(st, snsKey("h"), func(_ []byte, _ *httpDelivery) error { n++; return nil })
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s left %d deliveries in the outbox", after, n)
		}
		time.Sleep(5 * time.Millisecond) // waiting for the background attempt, not timing it
	}
}

// TestUnsubscribedIsRestorableForTwoDays checks that an unsubscribed
// HTTP subscription is kept across a restart and restored by its
// UnsubscribeConfirmation's token, and that the token stops working
// two days after the Unsubscribe.
func TestUnsubscribedIsRestorableForTwoDays(t *testing.T) {
	t.Parallel()
	f := newHTTPFixture(t)
	ctx := context.Background()
	unsubscribe := func(sub *string) string {
		t.Helper()
		if _, err := f.s.unsubscribe(ctx, &UnsubscribeInput{SubscriptionArn: sub}); err != nil {
			t.Fatal(err)
		}
		kind, body := f.hook.next(t)
		var c struct{ Token string }
		if err := json.Unmarshal([]byte(body), &c); kind != "UnsubscribeConfirmation" || err != nil || c.Token == "" {
			t.Fatalf("after Unsubscribe: %s %s", kind, body)
		}
		return c.Token
	}
	confirm := func(tok string) (*ConfirmSubscriptionResponse, error) {
		return f.s.confirmSubscription(ctx, &ConfirmSubscriptionInput{TopicArn: f.topic, Token: &tok})
	}

	tok := unsubscribe(f.sub)
	waitOutboxEmpty(t, f.st, "the UnsubscribeConfirmation")
	f.s.stop()
	f.s = start(t, f.st, f.clk, &fakeQueues{})
	f.clk.Advance(tokenLife - time.Second)
	if out, err := confirm(tok); err != nil || *out.SubscriptionArn != *f.sub {
		t.Fatalf("restoring after a restart: %v %v", out, err)
	}

	tok = unsubscribe(f.sub)
	f.clk.Advance(tokenLife)
	_, err := confirm(tok)
	var ae *apierr.Error
	if !errors.As(err, &ae) || ae.Code != "InvalidParameter" {
		t.Fatalf("a token two days old: %v", err)
	}
	// Run's sweep deletes the expired record; a fresh one stays.
	_, sub := f.subscribe(t, "t")
	unsubscribe(sub)
	n := 0
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) { // waiting for Run's sweep, not timing it
		n = 0
		scan(f.st, snsKey("u"), func(_ []byte, _ *subscriptionRecord) error { n++; return nil })
		if n == 1 || time.Now().After(deadline) {
			break
		}
	}
	if n != 1 {
		t.Errorf("%d unsubscribed subscriptions kept, want 1", n)
	}
}

// httpFixture is a Service on a new in-memory store with a fake clock,
// and a topic with a confirmed HTTP subscription to a hook server.
type httpFixture struct {
	s          running
	st         store.Store
	clk        *clock.Fake
	hook       *hookServer
	topic, sub *string
}

func newHTTPFixture(t *testing.T) *httpFixture {
	t.Helper()
	st, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &httpFixture{st: st, clk: clock.NewFake(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)), hook: newHookServer(t)}
	f.s = start(t, st, f.clk, &fakeQueues{})
	f.topic, f.sub = f.subscribe(t, "t")
	return f
}

// subscribe subscribes the hook server to the topic (made if need be)
// and confirms the subscription.
func (f *httpFixture) subscribe(t *testing.T, topicName string) (topicARN, subARN *string) {
	t.Helper()
	ctx := context.Background()
	topic, err := f.s.createTopic(ctx, &CreateTopicInput{Name: &topicName})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := f.s.subscribe(ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: ptr("http"), Endpoint: ptr(f.hook.URL), ReturnSubscriptionArn: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	_, body := f.hook.next(t)
	var c struct{ Token string }
	json.Unmarshal([]byte(body), &c)
	if _, err := f.s.confirmSubscription(ctx, &ConfirmSubscriptionInput{TopicArn: topic.TopicArn, Token: &c.Token}); err != nil {
		t.Fatal(err)
	}
	return topic.TopicArn, sub.SubscriptionArn
}

// TestPendingSubscriptionExpiresAfterTwoDays checks that a subscription
// confirmation token works for two days after Subscribe, as AWS's do,
// and that the subscription left unconfirmed is then gone: its token is
// an invalid parameter, Run deletes it from the store, and subscribing
// the endpoint again makes a new one with a new token.
func TestPendingSubscriptionExpiresAfterTwoDays(t *testing.T) {
	t.Parallel()
	f := newHTTPFixture(t)
	ctx := context.Background()
	topic, err := f.s.createTopic(ctx, &CreateTopicInput{Name: ptr("pending")})
	if err != nil {
		t.Fatal(err)
	}
	// subscribe subscribes the hook server's path and returns the
	// subscription's ARN and the token it was sent.
	subscribe := func(path string) (string, string) {
		t.Helper()
		out, err := f.s.subscribe(ctx, &SubscribeInput{TopicArn: topic.TopicArn, Protocol: ptr("http"), Endpoint: ptr(f.hook.URL + path), ReturnSubscriptionArn: ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		kind, body := f.hook.next(t)
		var c struct{ Token string }
		if err := json.Unmarshal([]byte(body), &c); kind != "SubscriptionConfirmation" || err != nil || c.Token == "" {
			t.Fatalf("after Subscribe: %s %s", kind, body)
		}
		return *out.SubscriptionArn, c.Token
	}
	confirm := func(tok string) error {
		_, err := f.s.confirmSubscription(ctx, &ConfirmSubscriptionInput{TopicArn: topic.TopicArn, Token: &tok})
		return err
	}
	listed := func() []string {
		t.Helper()
		out, err := f.s.listSubscriptionsByTopic(ctx, &ListSubscriptionsByTopicInput{TopicArn: topic.TopicArn})
		if err != nil {
			t.Fatal(err)
		}
		var eps []string
		for _, s := range out.Subscriptions {
			eps = append(eps, strings.TrimPrefix(*s.Endpoint, f.hook.URL))
		}
		return eps
	}
	isInvalidToken := func(err error) bool {
		var ae *apierr.Error
		return errors.As(err, &ae) && ae.Code == "InvalidParameter" && ae.Message == "Invalid parameter: Token"
	}

	_, tokA := subscribe("/a")
	arnB, tokB := subscribe("/b")
	f.clk.Advance(tokenLife - time.Second)
	if err := confirm(tokA); err != nil {
		t.Fatalf("a token a second short of two days old: %v", err)
	}
	f.clk.Advance(time.Second)
	if err := confirm(tokB); !isInvalidToken(err) {
		t.Fatalf("a token two days old: %v", err)
	}
	if _, err := f.s.getSubscriptionAttributes(ctx, &GetSubscriptionAttributesInput{SubscriptionArn: &arnB}); !errors.Is(err, ErrNotFound) {
		t.Errorf("the expired subscription: %v", err)
	}

	// One nobody tries to confirm is deleted in the background.
	_, tokC := subscribe("/c")
	f.clk.Advance(tokenLife)
	for deadline := time.Now().Add(10 * time.Second); strings.Join(listed(), ",") != "/a"; {
		if time.Now().After(deadline) {
			t.Fatalf("subscriptions two days after Subscribe: %v", listed())
		}
		time.Sleep(10 * time.Millisecond) // waiting for Run's sweep, not timing it
	}
	f.s.stop()
	f.s = start(t, f.st, f.clk, &fakeQueues{})
	if got := listed(); strings.Join(got, ",") != "/a" {
		t.Errorf("subscriptions after a restart: %v", got)
	}
	if err := confirm(tokC); !isInvalidToken(err) {
		t.Errorf("the deleted subscription's token: %v", err)
	}
	_, tokC2 := subscribe("/c")
	if tokC2 == tokC {
		t.Error("subscribing again gave the expired token")
	}
	if err := confirm(tokC2); err != nil {
		t.Errorf("the new token: %v", err)
	}
}
