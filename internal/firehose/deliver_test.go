package firehose

import (
	"context"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store/pebble"
)

// hookBuckets runs during each PutObject a function, as another request
// would while a delivery writes its object.
type hookBuckets struct {
	during func()
	keys   []string
}

func (b *hookBuckets) PutObject(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	b.keys = append(b.keys, key)
	if f := b.during; f != nil {
		b.during = nil
		f()
	}
	return nil
}

// newTestService is Firehose over a new in-memory store, with d's clock,
// buckets and source, in account 000000000000 of us-east-1.
func newTestService(t *testing.T, d Deps) (*Service, *pebble.DB) {
	t.Helper()
	db, err := pebble.Open(pebble.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d.Store, d.IDs, d.Account, d.Region = db, ids.New(nil), "000000000000", "us-east-1"
	return New(d), db
}

// TestDeliverKeepsRecreatedStreamRecords: a stream deleted and made
// again under the same name while a delivery of the old one writes its
// object keeps the records the new one acknowledged.
func TestDeliverKeepsRecreatedStreamRecords(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	buckets := &hookBuckets{}
	s, _ := newTestService(t, Deps{Clock: clk, Buckets: buckets})
	ctx := context.Background()
	create := func() {
		t.Helper()
		_, err := s.createDeliveryStream(ctx, &CreateDeliveryStreamInput{DeliveryStreamName: ptr("s"),
			S3DestinationConfiguration: &S3DestinationConfiguration{BucketARN: ptr("arn:aws:s3:::b"), RoleARN: ptr("arn:aws:iam::000000000000:role/r"),
				BufferingHints: &BufferingHints{SizeInMBs: ptr(int32(1)), IntervalInSeconds: ptr(int32(60))}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	create()
	if _, err := s.put("s", [][]byte{[]byte("old1"), []byte("old2")}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(61 * time.Second)
	buckets.during = func() {
		if _, err := s.deleteDeliveryStream(ctx, &DeleteDeliveryStreamInput{DeliveryStreamName: ptr("s")}); err != nil {
			t.Error(err)
		}
		create()
		if _, err := s.put("s", [][]byte{[]byte("new1"), []byte("new2"), []byte("new3")}); err != nil {
			t.Error(err)
		}
	}
	if err := s.deliver(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	delete(s.buffers, "s")
	buf, err := s.bufferOf("s")
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if n := buf.next - buf.first; n != 3 || buf.size != len("new1")*3 {
		t.Fatalf("the recreated stream's buffer holds %d records of %d bytes, want 3 of 12", n, buf.size)
	}
}
