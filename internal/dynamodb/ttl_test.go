package dynamodb

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func newTestService(t *testing.T, clk clock.Clock) *Service {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Deps{Store: db, Clock: clk, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTTLSweepDeletesExpiredItemsIntoTheStream(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := newTestService(t, clk)
	ctx := context.Background()
	ct, err := s.createTable(ctx, &CreateTableInput{
		TableName:            ptr("sessions"),
		BillingMode:          ptr(BillingMode("PAY_PER_REQUEST")),
		AttributeDefinitions: []AttributeDefinition{{AttributeName: ptr("id"), AttributeType: ptr(ScalarAttributeType("S"))}},
		KeySchema:            []KeySchemaElement{{AttributeName: ptr("id"), KeyType: ptr(KeyType("HASH"))}},
		StreamSpecification:  &StreamSpecification{StreamEnabled: ptr(true), StreamViewType: ptr(StreamViewType("OLD_IMAGE"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.updateTimeToLive(ctx, &UpdateTimeToLiveInput{TableName: ptr("sessions"),
		TimeToLiveSpecification: &TimeToLiveSpecification{AttributeName: ptr("exp"), Enabled: ptr(true)}}); err != nil {
		t.Fatal(err)
	}
	now := clk.Now().Unix()
	items := map[string]*AttributeValue{
		"past":     {N: ptr(strconv.FormatInt(now-10, 10))},
		"future":   {N: ptr(strconv.FormatInt(now+3600, 10))},
		"ancient":  {N: ptr(strconv.FormatInt(now-6*365*24*3600, 10))}, // older than five years: kept
		"notnum":   {S: ptr("yesterday")},                              // not a number: kept
		"noexpiry": nil,
	}
	for id, exp := range items {
		item := map[string]AttributeValue{"id": {S: ptr(id)}}
		if exp != nil {
			item["exp"] = *exp
		}
		if _, err := s.putItem(ctx, &PutItemInput{TableName: ptr("sessions"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	changed := s.StreamChanged("sessions")
	if err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	default:
		t.Error("StreamChanged was not signalled by the TTL deletion")
	}
	exists := func(id string) bool {
		out, err := s.getItem(ctx, &GetItemInput{TableName: ptr("sessions"), Key: map[string]AttributeValue{"id": {S: ptr(id)}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item != nil
	}
	for id, want := range map[string]bool{"past": false, "future": true, "ancient": true, "notnum": true, "noexpiry": true} {
		if got := exists(id); got != want {
			t.Errorf("item %s exists = %v, want %v", id, got, want)
		}
	}
	clk.Advance(2 * time.Hour)
	if err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	if exists("future") {
		t.Error("item expired an hour ago was not deleted")
	}

	arn := ct.TableDescription.LatestStreamArn
	d, err := s.describeStream(ctx, &DescribeStreamInput{StreamArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	it, err := s.getShardIterator(ctx, &GetShardIteratorInput{StreamArn: arn, ShardId: d.StreamDescription.Shards[0].ShardId, ShardIteratorType: ptr(ShardIteratorType("TRIM_HORIZON"))})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := s.getRecords(ctx, &GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	var ttlRemoves int
	for _, r := range recs.Records {
		if *r.EventName == "REMOVE" {
			if r.UserIdentity == nil || *r.UserIdentity.PrincipalId != "dynamodb.amazonaws.com" || *r.UserIdentity.Type != "Service" {
				t.Errorf("TTL removal without the service identity: %+v", r.UserIdentity)
			}
			if r.Dynamodb.OldImage == nil {
				t.Errorf("OLD_IMAGE stream record without an old image")
			}
			ttlRemoves++
		} else if r.UserIdentity != nil {
			t.Errorf("a user's write carries userIdentity %+v", r.UserIdentity)
		}
	}
	if ttlRemoves != 2 {
		t.Errorf("%d TTL removals in the stream, want 2", ttlRemoves)
	}

	// Records older than 24 hours are gone.
	clk.Advance(25 * time.Hour)
	if err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	// (The first iterator has expired by now: take a new one.)
	it, err = s.getShardIterator(ctx, &GetShardIteratorInput{StreamArn: arn, ShardId: d.StreamDescription.Shards[0].ShardId, ShardIteratorType: ptr(ShardIteratorType("TRIM_HORIZON"))})
	if err != nil {
		t.Fatal(err)
	}
	recs, err = s.getRecords(ctx, &GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs.Records) != 0 {
		t.Errorf("%d records kept past 24 hours", len(recs.Records))
	}
}
