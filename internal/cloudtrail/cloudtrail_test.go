package cloudtrail

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func newService(t testing.TB) *Service {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Deps{Store: db, Clock: clock.NewFake(time.Unix(1_700_000_000, 0)), IDs: ids.New(nil),
		Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCheckTrailName(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{
		"abc": true, "My.Trail_1-x": true, strings.Repeat("a", 128): true,
		"ab": false, strings.Repeat("a", 129): false, "-abc": false, "abc.": false,
		"my--trail": false, "my-_trail": false, "my trail": false, "192.168.5.4": false, "tráil": false,
	} {
		err := checkTrailName(name)
		if (err == nil) != ok {
			t.Errorf("%q: %v", name, err)
		}
	}
}

func TestSelectorsTake(t *testing.T) {
	t.Parallel()
	put := &facts{readOnly: false, name: "PutObject", source: "s3.amazonaws.com", resourceType: typeS3Object,
		resourceARN: "arn:aws:s3:::uploads/in/a.csv"}
	get := &facts{readOnly: true, name: "GetObject", source: "s3.amazonaws.com", resourceType: typeS3Object,
		resourceARN: "arn:aws:s3:::uploads/in/a.csv"}
	mgmt := &facts{management: true, name: "CreateTable", source: "dynamodb.amazonaws.com"}
	cases := []struct {
		name  string
		trail trailRecord
		f     *facts
		want  bool
	}{
		{"default takes management", trailRecord{}, mgmt, true},
		{"default takes no data", trailRecord{}, put, false},
		{"bucket prefix", trailRecord{Custom: true, EventSelectors: []EventSelector{{DataResources: []DataResource{
			{Type: ptr(typeS3Object), Values: []string{"arn:aws:s3:::uploads/in/"}}}}}}, put, true},
		{"other prefix", trailRecord{Custom: true, EventSelectors: []EventSelector{{DataResources: []DataResource{
			{Type: ptr(typeS3Object), Values: []string{"arn:aws:s3:::uploads/out/"}}}}}}, put, false},
		{"all buckets", trailRecord{Custom: true, EventSelectors: []EventSelector{{DataResources: []DataResource{
			{Type: ptr(typeS3Object), Values: []string{"arn:aws:s3"}}}}}}, put, true},
		{"write only skips reads", trailRecord{Custom: true, EventSelectors: []EventSelector{{ReadWriteType: ptr(ReadWriteType("WriteOnly")),
			DataResources: []DataResource{{Type: ptr(typeS3Object), Values: []string{"arn:aws:s3"}}}}}}, get, false},
		{"management excluded", trailRecord{Custom: true, EventSelectors: []EventSelector{{IncludeManagementEvents: ptr(false)}}}, mgmt, false},
		{"advanced data by ARN prefix", trailRecord{Custom: true, AdvancedEventSelectors: []AdvancedEventSelector{{FieldSelectors: []AdvancedFieldSelector{
			{Field: ptr("eventCategory"), Equals: []string{"Data"}},
			{Field: ptr("resources.type"), Equals: []string{typeS3Object}},
			{Field: ptr("resources.ARN"), StartsWith: []string{"arn:aws:s3:::uploads/"}},
			{Field: ptr("eventName"), NotEquals: []string{"DeleteObject"}}}}}}, put, true},
		{"advanced readOnly", trailRecord{Custom: true, AdvancedEventSelectors: []AdvancedEventSelector{{FieldSelectors: []AdvancedFieldSelector{
			{Field: ptr("eventCategory"), Equals: []string{"Data"}},
			{Field: ptr("readOnly"), Equals: []string{"false"}}}}}}, get, false},
		{"advanced management only", trailRecord{Custom: true, AdvancedEventSelectors: []AdvancedEventSelector{{FieldSelectors: []AdvancedFieldSelector{
			{Field: ptr("eventCategory"), Equals: []string{"Management"}}}}}}, put, false},
	}
	for _, c := range cases {
		if got := c.trail.takes(c.f); got != c.want {
			t.Errorf("%s: takes = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestIdentity(t *testing.T) {
	t.Parallel()
	id, user := identity(awsproto.Caller{Account: "000000000000", AccessKeyID: "test"})
	if id.Type != "Root" || id.ARN != "arn:aws:iam::000000000000:root" || user != "root" {
		t.Errorf("root: %+v %q", id, user)
	}
	id, user = identity(awsproto.Caller{Account: "1", ARN: "arn:aws:iam::1:user/ops/alice", UserID: "AIDA1"})
	if id.Type != "IAMUser" || id.UserName != "alice" || user != "alice" {
		t.Errorf("user: %+v %q", id, user)
	}
	id, user = identity(awsproto.Caller{Account: "1", ARN: "arn:aws:sts::1:assumed-role/app/run-7", UserID: "AROA1:run-7"})
	if id.Type != "AssumedRole" || user != "run-7" || id.SessionContext.SessionIssuer.ARN != "arn:aws:iam::1:role/app" ||
		id.SessionContext.SessionIssuer.PrincipalID != "AROA1" {
		t.Errorf("assumed role: %+v %q", id, user)
	}
}

// fakeCall is an answered call to op of a service named name.
func fakeCall(name, op string) *awsproto.Call {
	r := httptest.NewRequest("POST", "/", nil)
	c := awsproto.NewCall(r, "req-1", time.Unix(1_700_000_000, 0))
	c.Service = &awsproto.Service{Name: name}
	c.Op = &awsproto.Operation{Name: op}
	c.Input = &GetTrailRequest{Name: ptr("x")}
	return c
}

// TestRecordDropsDataEvents: a data event is not queued unless a
// logging trail's selectors take its type; a management event is.
func TestRecordDropsDataEvents(t *testing.T) {
	t.Parallel()
	s := newService(t)
	s.Record(fakeCall("dynamodb", "GetItem"))
	if len(s.queue) != 0 {
		t.Fatalf("GetItem queued with no trail")
	}
	s.Record(fakeCall("dynamodb", "DescribeTable"))
	s.Record(fakeCall("s3", "PreflightObject"))
	if len(s.queue) != 1 {
		t.Fatalf("queued %d, want DescribeTable alone", len(s.queue))
	}
}

// BenchmarkRecord measures what the edge pays per call: a data event
// with no trail taking it, and a management event (queued, then
// drained by the benchmark outside the timer's concern).
func BenchmarkRecord(b *testing.B) {
	s := newService(b)
	b.Run("GetItem-no-trail", func(b *testing.B) {
		c := fakeCall("dynamodb", "GetItem")
		b.ReportAllocs()
		for b.Loop() {
			s.Record(c)
		}
	})
	b.Run("DescribeTable-queued", func(b *testing.B) {
		c := fakeCall("dynamodb", "DescribeTable")
		b.ReportAllocs()
		for b.Loop() {
			s.Record(c)
			if len(s.queue) == cap(s.queue) {
				b.StopTimer()
				s.drainLocked()
				b.StartTimer()
			}
		}
	})
}

// FuzzTrailName: the name check never panics, and what it accepts
// keeps CloudTrail's rules on length and edges.
func FuzzTrailName(f *testing.F) {
	for _, s := range []string{"abc", "my-trail", "my--trail", "1.2.3.4", "", "a_b.c-d", "::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkTrailName(s) == nil && (len(s) < 3 || len(s) > 128 || strings.ContainsAny(s[:1]+s[len(s)-1:], "._-")) {
			t.Fatalf("accepted %q", s)
		}
		_ = trailNameOf(s)
	})
}

// FuzzResourceOf: any ARN-like text names a resource or is refused,
// never a panic; what it names has a type.
func FuzzResourceOf(f *testing.F) {
	for _, s := range []string{"arn:aws:dynamodb:us-east-1:1:table/t", "arn:aws:s3:::b", "arn:aws:sqs:us-east-1:1:q",
		"arn:aws:iam::1:role/r", "arn:::::", "x", "arn:aws:cloudtrail:us-east-1:1:trail/t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, ok := resourceOf(s); ok && (r.Type == "" || r.ARN != s) {
			t.Fatalf("%q: %+v", s, r)
		}
	})
}

// busRecorder keeps what is put on EventBridge.
type busRecorder struct {
	mu   sync.Mutex
	sent []deliver.Message
}

func (b *busRecorder) Deliver(_ context.Context, _ string, m deliver.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent = append(b.sent, m)
	return nil
}

// TestEventGoesToTrailsLoggingAtTheCall: the trails logging when a call
// is answered take its event, not those logging when the writer gets to
// it (a busy machine can hold the writer back past a StartLogging).
func TestEventGoesToTrailsLoggingAtTheCall(t *testing.T) {
	t.Parallel()
	bus := &busRecorder{}
	s := newService(t)
	s.events = bus
	s.Record(fakeCall("dynamodb", "CreateTable")) // no trail logs yet
	s.mu.Lock()
	s.trails["audit"] = &trailRecord{Name: "audit", Logging: true}
	s.publish()
	s.mu.Unlock()
	s.Record(fakeCall("dynamodb", "DeleteTable"))
	s.flush()
	bus.mu.Lock()
	defer bus.mu.Unlock()
	if len(bus.sent) != 1 || !strings.Contains(string(bus.sent[0].Body), `"eventName":"DeleteTable"`) {
		var names []string
		for _, m := range bus.sent {
			names = append(names, string(m.Body))
		}
		t.Errorf("EventBridge got %d events, want DeleteTable's alone: %v", len(bus.sent), names)
	}
}
