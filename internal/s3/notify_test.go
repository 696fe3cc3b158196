package s3

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func TestFormEncode(t *testing.T) {
	for key, want := range map[string]string{
		"red flower.jpg":      "red+flower.jpg",
		"images/a.jpg":        "images/a.jpg",
		"year=2020/x:y.csv":   "year%3D2020/x%3Ay.csv",
		"a+b&c?d%e":           "a%2Bb%26c%3Fd%25e",
		"caf\u00e9~*-._":      "caf%C3%A9%7E*-._",
		"":                    "",
		"\x00\n":              "%00%0A",
		"100% (copy) [1].txt": "100%25+%28copy%29+%5B1%5D.txt",
	} {
		if got := formEncode(key); got != want {
			t.Errorf("formEncode(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestKeyFilterOverlap(t *testing.T) {
	for _, c := range []struct {
		a, b keyFilter
		want bool
	}{
		{keyFilter{}, keyFilter{}, true},
		{keyFilter{prefix: "images/"}, keyFilter{suffix: ".jpg"}, true},
		{keyFilter{prefix: "images/"}, keyFilter{prefix: "logs/"}, false},
		{keyFilter{prefix: "images/"}, keyFilter{prefix: "images/raw/"}, true},
		{keyFilter{suffix: ".jpg"}, keyFilter{suffix: ".png"}, false},
		{keyFilter{suffix: ".jpg"}, keyFilter{suffix: "thumb.jpg"}, true},
		{keyFilter{prefix: "images/", suffix: ".jpg"}, keyFilter{prefix: "images/", suffix: ".png"}, false},
		{keyFilter{prefix: "a", suffix: ".jpg"}, keyFilter{prefix: "b", suffix: ".jpg"}, false},
		{keyFilter{prefix: "a"}, keyFilter{prefix: "ab", suffix: "x"}, true},
	} {
		if got := c.a.overlaps(c.b); got != c.want {
			t.Errorf("%+v overlaps %+v = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := c.b.overlaps(c.a); got != c.want {
			t.Errorf("%+v overlaps %+v = %v, want %v (reversed)", c.b, c.a, got, c.want)
		}
	}
}

func TestEventsOverlap(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"s3:ObjectCreated:*", "s3:ObjectCreated:Put", true},
		{"s3:ObjectCreated:Put", "s3:ObjectCreated:*", true},
		{"s3:ObjectCreated:Put", "s3:ObjectCreated:Copy", false},
		{"s3:ObjectCreated:*", "s3:ObjectRemoved:*", false},
		{"s3:ObjectRemoved:Delete", "s3:ObjectRemoved:Delete", true},
		{"s3:ObjectTagging:*", "s3:ObjectCreated:Put", false},
	} {
		if got := eventsOverlap(c.a, c.b); got != c.want {
			t.Errorf("eventsOverlap(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if !eventMatches("s3:ObjectCreated:*", "ObjectCreated:CompleteMultipartUpload") || eventMatches("s3:ObjectCreated:Put", "ObjectCreated:Copy") {
		t.Error("eventMatches")
	}
}

func TestValidateNotification(t *testing.T) {
	s := &Service{ids: nil}
	q := "arn:aws:sqs:us-east-1:000000000000:q"
	rule := func(name, value string) FilterRule { return FilterRule{Name: &name, Value: &value} }
	filter := func(rules ...FilterRule) *NotificationConfigurationFilter {
		return &NotificationConfigurationFilter{Key: &S3KeyFilter{FilterRules: rules}}
	}
	id := "x"
	for _, c := range []struct {
		name string
		cfg  NotificationConfiguration
		msg  string
	}{
		{"unknown event", NotificationConfiguration{QueueConfigurations: []QueueConfiguration{{Id: &id, QueueArn: &q, Events: []string{"s3:ObjectCreated:Nope"}}}},
			msgUnsupportedEvent},
		{"bad rule name", NotificationConfiguration{QueueConfigurations: []QueueConfiguration{{Id: &id, QueueArn: &q, Events: []string{"s3:ObjectCreated:*"},
			Filter: filter(rule("middle", "x"))}}}, msgFilterRuleName},
		{"two prefixes", NotificationConfiguration{QueueConfigurations: []QueueConfiguration{{Id: &id, QueueArn: &q, Events: []string{"s3:ObjectCreated:*"},
			Filter: filter(rule("prefix", "a"), rule("Prefix", "b"))}}}, "Cannot specify more than one prefix rule in a filter."},
		{"overlap across kinds", NotificationConfiguration{
			QueueConfigurations:          []QueueConfiguration{{Id: &id, QueueArn: &q, Events: []string{"s3:ObjectCreated:*"}, Filter: filter(rule("prefix", "images/"))}},
			LambdaFunctionConfigurations: []LambdaFunctionConfiguration{{Id: &id, LambdaFunctionArn: &q, Events: []string{"s3:ObjectCreated:Put"}, Filter: filter(rule("suffix", ".jpg"))}},
		}, msgOverlap},
		{"no overlap", NotificationConfiguration{QueueConfigurations: []QueueConfiguration{
			{Id: &id, QueueArn: &q, Events: []string{"s3:ObjectCreated:*"}, Filter: filter(rule("prefix", "images/"), rule("suffix", ".jpg"))},
			{Id: &id, QueueArn: &q, Events: []string{"s3:ObjectCreated:*"}, Filter: filter(rule("prefix", "images/"), rule("suffix", ".png"))},
			{Id: &id, QueueArn: &q, Events: []string{"s3:ObjectRemoved:*"}},
		}}, ""},
	} {
		err := s.validateNotification(&c.cfg)
		switch {
		case c.msg == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.msg != "" && (err == nil || !containsMessage(err, c.msg)):
			t.Errorf("%s: got %v, want %q", c.name, err, c.msg)
		}
	}
}

func containsMessage(err error, msg string) bool {
	var ae *apierr.Error
	return errors.As(err, &ae) && ae.Message == msg
}

// recorder is a Deliverer that keeps what it is given.
type recorder struct {
	mu   sync.Mutex
	msgs []recorded
}

type recorded struct {
	arn string
	m   deliver.Message
}

func (r *recorder) Deliver(_ context.Context, arn string, m deliver.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, recorded{arn, m})
	return nil
}

// TestNotificationOutboxSurvivesRestart: an event's messages are
// committed with the object, so a service that stops before it delivers
// them (a crash right after the answer) leaves them for the next one.
func TestNotificationOutboxSurvivesRestart(t *testing.T) {
	t.Parallel()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	first := &recorder{}
	deps := Deps{Store: db, Clock: clock.NewFake(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)), IDs: ids.New(nil),
		Account: "000000000000", Region: "us-east-1", Targets: first}
	s, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	serve(s, "PUT", "/bkt", nil)
	cfg := `<NotificationConfiguration><QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue>` +
		`<Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>`
	if w := serve(s, "PUT", "/bkt?notification", []byte(cfg)); w.Code != 200 {
		t.Fatalf("PutBucketNotificationConfiguration: %d %s", w.Code, w.Body)
	}
	if len(first.msgs) != 1 || !strings.Contains(string(first.msgs[0].m.Body), `"s3:TestEvent"`) {
		t.Fatalf("test event: %+v", first.msgs)
	}
	if w := serve(s, "PUT", "/bkt/a%20b", []byte("data")); w.Code != 200 {
		t.Fatalf("PutObject: %d %s", w.Code, w.Body)
	}

	// The service is gone without delivering; another starts.
	second := &recorder{}
	deps.Targets = second
	s2, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	s2.deliverOutbox(context.Background(), slog.New(slog.DiscardHandler))
	if len(second.msgs) != 1 || second.msgs[0].arn != "arn:aws:sqs:us-east-1:000000000000:q" {
		t.Fatalf("after restart: %+v", second.msgs)
	}
	body := string(second.msgs[0].m.Body)
	for _, want := range []string{`"eventName":"ObjectCreated:Put"`, `"key":"a+b"`, `"configurationId":"q"`, `"size":4`,
		`"x-amz-request-id":"REQ"`, `"eventTime":"2025-01-02T03:04:05.000Z"`} {
		if !strings.Contains(body, want) {
			t.Errorf("record %s lacks %s", body, want)
		}
	}
	// Delivered messages leave the outbox.
	s2.deliverOutbox(context.Background(), slog.New(slog.DiscardHandler))
	if len(second.msgs) != 1 {
		t.Errorf("delivered twice: %+v", second.msgs)
	}
}
