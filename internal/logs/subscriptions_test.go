package logs

import (
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func TestExtractedFields(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, msg string
		want         map[string]string
	}{
		{`[ip, user, status=404, bytes]`, `10.0.0.1 alice 404 512`,
			map[string]string{"ip": "10.0.0.1", "user": "alice", "status": "404", "bytes": "512"}},
		{`[ip, user, status=404, bytes]`, `10.0.0.1 alice 200 512`, nil},
		// The ellipsis takes what lies between the named fields.
		{`[ip, ..., status, size>100]`, `1.2.3.4 - - [10/Oct/2000:13:55:36] "GET /a" 500 2326`,
			map[string]string{"ip": "1.2.3.4", "status": "500", "size": "2326"}},
		{`[..., level=ERROR || level=WARN, msg]`, `t1 t2 ERROR boom`,
			map[string]string{"level": "ERROR", "msg": "boom"}},
		// Other patterns extract nothing.
		{`ERROR`, `ERROR boom`, nil},
		{`{ $.level = "error" }`, `{"level":"error"}`, nil},
	}
	for _, c := range cases {
		p, err := ParseFilterPattern(c.pattern)
		if err != nil {
			t.Fatalf("ParseFilterPattern(%q): %v", c.pattern, err)
		}
		got := p.ExtractedFields(c.msg)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ExtractedFields(%q, %q) = %v, want %v", c.pattern, c.msg, got, c.want)
		}
		if got != nil && !p.Match(c.msg) {
			t.Errorf("%q extracts fields of %q but does not match it", c.pattern, c.msg)
		}
	}
}

func TestDataMessagesRoundTrip(t *testing.T) {
	t.Parallel()
	evs := []LogEventRecord{
		{ID: eventID(1), Timestamp: 1000, Message: "ERROR one"},
		{ID: eventID(2), Timestamp: 1001, Message: "10.0.0.1 404", ExtractedFields: map[string]string{"ip": "10.0.0.1", "status": "404"}},
	}
	payloads, dropped := DataMessages(LambdaEvent, "000000000000", "/app", "s1", []string{"errors"}, evs)
	if dropped != 0 || len(payloads) != 1 {
		t.Fatalf("got %d payloads, %d dropped", len(payloads), dropped)
	}
	// The Lambda event has exactly one key, awslogs, holding data.
	var raw map[string]map[string]string
	if err := json.Unmarshal(payloads[0], &raw); err != nil || len(raw) != 1 || raw["awslogs"]["data"] == "" {
		t.Fatalf("event %s: %v", payloads[0], err)
	}
	m, err := DecodeDataMessage(payloads[0])
	if err != nil {
		t.Fatal(err)
	}
	want := &DataMessage{MessageType: "DATA_MESSAGE", Owner: "000000000000", LogGroup: "/app", LogStream: "s1",
		SubscriptionFilters: []string{"errors"}, LogEvents: evs}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("decoded %+v, want %+v", m, want)
	}
	if len(m.LogEvents[0].ID) != 56 {
		t.Errorf("id %q is not 56 digits", m.LogEvents[0].ID)
	}
	// Events without extracted fields carry no extractedFields key.
	data := decodeRaw(t, payloads[0])
	if strings.Count(data, "extractedFields") != 1 {
		t.Errorf("extractedFields appears other than once in %s", data)
	}
}

func decodeRaw(t *testing.T, payload []byte) string {
	t.Helper()
	m, err := DecodeDataMessage(payload)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestDataMessagesSplit(t *testing.T) {
	t.Parallel()
	// Random-looking messages that gzip cannot shrink much: 40 of 16 KiB
	// make more than one delivery's worth.
	var evs []LogEventRecord
	for i := 0; i < 40; i++ {
		var b strings.Builder
		x := uint32(i*7919 + 1)
		for b.Len() < 16*1024 {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			b.WriteByte(byte('!' + x%90))
		}
		evs = append(evs, LogEventRecord{ID: eventID(uint64(i)), Timestamp: int64(i), Message: b.String()})
	}
	// And one event too large for any delivery.
	huge := strings.Repeat("x", 1) + evs[0].Message
	for len(huge) < 2*maxDeliveryBytes {
		huge += evs[len(huge)%40].Message
	}
	evs = append(evs, LogEventRecord{ID: eventID(99), Timestamp: 99, Message: huge})
	payloads, dropped := DataMessages(LambdaEvent, "000000000000", "/g", "s", []string{"f"}, evs)
	if dropped != 1 {
		t.Errorf("dropped %d, want 1", dropped)
	}
	if len(payloads) < 2 {
		t.Fatalf("%d payloads, want a split", len(payloads))
	}
	n := 0
	for _, p := range payloads {
		if len(p) > maxDeliveryBytes {
			t.Errorf("payload of %d bytes exceeds %d", len(p), maxDeliveryBytes)
		}
		m, err := DecodeDataMessage(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range m.LogEvents {
			if e.Timestamp != int64(n) {
				t.Fatalf("event %d out of order (timestamp %d)", n, e.Timestamp)
			}
			n++
		}
	}
	if n != 40 {
		t.Errorf("%d events delivered, want 40", n)
	}
}

// recordingDestinations accepts every function and records deliveries.
type recordingDestinations struct {
	mu  sync.Mutex
	got []deliver.Message
}

func (d *recordingDestinations) FunctionExists(string) bool { return true }

func (d *recordingDestinations) Deliver(ctx context.Context, arn string, m deliver.Message) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.got = append(d.got, m)
	return nil
}

// TestSubscriptionPendingSurvivesRestart checks that an event
// PutLogEvents acknowledged is delivered by the next run when virga
// stopped before delivering it, and only once.
func TestSubscriptionPendingSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	open := func(d Destinations) (*Service, func()) {
		db, err := pebblestore.Open(pebblestore.Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Deps{Store: db, Clock: clock.Real{}, Account: "000000000000", Region: "us-east-1", Destinations: d})
		if err != nil {
			t.Fatal(err)
		}
		return s, func() { db.Close() }
	}
	s, closeDB := open(&recordingDestinations{})
	if _, err := s.createLogGroup(ctx, &CreateLogGroupRequest{LogGroupName: ptr("/g")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.createLogStream(ctx, &CreateLogStreamRequest{LogGroupName: ptr("/g"), LogStreamName: ptr("s")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.putSubscriptionFilter(ctx, &PutSubscriptionFilterRequest{LogGroupName: ptr("/g"), FilterName: ptr("f"),
		FilterPattern: ptr("ERROR"), DestinationArn: ptr("arn:aws:lambda:us-east-1:000000000000:function:fn")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	if _, err := s.putLogEvents(ctx, &PutLogEventsRequest{LogGroupName: ptr("/g"), LogStreamName: ptr("s"), LogEvents: []InputLogEvent{
		{Timestamp: ptr(now), Message: ptr("ERROR one")}, {Timestamp: ptr(now + 1), Message: ptr("INFO two")},
	}}); err != nil {
		t.Fatal(err)
	}
	closeDB() // stopped before the delivery loop ran

	rec := &recordingDestinations{}
	s, closeDB = open(rec)
	defer closeDB()
	log := slog.New(slog.DiscardHandler)
	if n, err := s.deliverPending(ctx, log); err != nil || n != 2 {
		t.Fatalf("deliverPending read %d, %v; want the 2 pending events", n, err)
	}
	if len(rec.got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(rec.got))
	}
	m, err := DecodeDataMessage(rec.got[0].Body)
	if err != nil || len(m.LogEvents) != 1 || m.LogEvents[0].Message != "ERROR one" || m.SubscriptionFilters[0] != "f" {
		t.Fatalf("delivery %+v, %v", m, err)
	}
	if n, err := s.deliverPending(ctx, log); err != nil || n != 0 || len(rec.got) != 1 {
		t.Fatalf("a second round read %d (%v) and made %d deliveries; want nothing more", n, err, len(rec.got))
	}
	// Deleting the group drops its filters and what it still had pending.
	if _, err := s.putLogEvents(ctx, &PutLogEventsRequest{LogGroupName: ptr("/g"), LogStreamName: ptr("s"), LogEvents: []InputLogEvent{
		{Timestamp: ptr(now + 2), Message: ptr("ERROR three")},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.deleteLogGroup(ctx, &DeleteLogGroupRequest{LogGroupName: ptr("/g")}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.deliverPending(ctx, log); n != 0 || len(rec.got) != 1 {
		t.Fatalf("after DeleteLogGroup: read %d, %d deliveries", n, len(rec.got))
	}
}
