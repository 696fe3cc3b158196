package firehose

import (
	"context"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/eventsource"
	"github.com/virga/virga/internal/store/keys"
)

// hookSource is a Kinesis stream source of one shard holding two
// records; listing its shards first runs listing, as another request
// would between a pass's listing of streams and its reading.
type hookSource struct {
	listing func()
}

func (h *hookSource) StreamShards(string) ([]eventsource.StreamShard, bool) {
	if f := h.listing; f != nil {
		h.listing = nil
		f()
	}
	return []eventsource.StreamShard{{ID: "shardId-000000000000"}}, true
}

func (h *hookSource) StreamStart(string, string, string, time.Time) (uint64, error) { return 0, nil }

func (h *hookSource) StreamRead(_, shard string, after uint64, _ int) ([]eventsource.StreamRecord, <-chan struct{}, bool, error) {
	var recs []eventsource.StreamRecord
	for seq := after + 1; seq <= 2; seq++ {
		recs = append(recs, eventsource.StreamRecord{Seq: seq, Shard: shard, Data: []byte("rec")})
	}
	return recs, nil, false, nil
}

// TestReadSourceSkipsDeletedStream: a Kinesis-sourced stream deleted, or
// deleted and made again under its name with another source or as a
// DirectPut stream, after a pass listed it buffers none of the old
// source's records: none are left behind without a stream, and none
// land in the new stream.
func TestReadSourceSkipsDeletedStream(t *testing.T) {
	t.Parallel()
	const sourceARN = "arn:aws:kinesis:us-east-1:000000000000:stream/src"
	for _, tc := range []struct {
		name     string
		recreate string // the new stream's source, "direct" for DirectPut, "" for none
	}{
		{"deleted", ""},
		{"made again with another source", "arn:aws:kinesis:us-east-1:000000000000:stream/other"},
		{"made again as DirectPut", "direct"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := &hookSource{}
			// The clock stands still: the stream made again has the
			// deleted one's creation time.
			clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			s, db := newTestService(t, Deps{Clock: clk, Buckets: &hookBuckets{}, Kinesis: src})
			ctx := context.Background()
			create := func(source string) {
				in := &CreateDeliveryStreamInput{DeliveryStreamName: ptr("s"),
					S3DestinationConfiguration: &S3DestinationConfiguration{BucketARN: ptr("arn:aws:s3:::b"), RoleARN: ptr("arn:aws:iam::000000000000:role/r")}}
				if source != "direct" {
					in.DeliveryStreamType = ptr(DeliveryStreamType(typeKinesis))
					in.KinesisStreamSourceConfiguration = &KinesisStreamSourceConfiguration{KinesisStreamARN: ptr(source),
						RoleARN: ptr("arn:aws:iam::000000000000:role/r")}
				}
				if _, err := s.createDeliveryStream(ctx, in); err != nil {
					t.Fatal(err)
				}
			}
			create(sourceARN)
			s.mu.Lock()
			listed, err := s.load("s")
			s.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			src.listing = func() {
				if _, err := s.deleteDeliveryStream(ctx, &DeleteDeliveryStreamInput{DeliveryStreamName: ptr("s")}); err != nil {
					t.Error(err)
				}
				if tc.recreate != "" {
					create(tc.recreate)
				}
			}
			if err := s.readSource(listed); err != nil {
				t.Fatal(err)
			}
			for _, p := range [][]byte{bufferPrefix("s"), checkpointsPrefix("s")} {
				it, err := db.NewIter(p, keys.PrefixEnd(p))
				if err != nil {
					t.Fatal(err)
				}
				if it.First() {
					t.Errorf("the old source's records or checkpoint are stored under the name: %q", it.Key())
				}
				it.Close()
			}
		})
	}
}
