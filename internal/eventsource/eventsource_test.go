package eventsource

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

func TestMatchesAny(t *testing.T) {
	t.Parallel()
	fs := CompileFilters([]string{`{"body":{"kind":["order"]}}`, `not a pattern`})
	if len(fs) != 1 {
		t.Fatalf("compiled %d filters, want the one that compiles", len(fs))
	}
	for _, c := range []struct {
		record map[string]any
		want   bool
	}{
		{map[string]any{"body": `{"kind":"order"}`}, true},
		{map[string]any{"body": `{"kind":"note"}`}, false},
		{map[string]any{"body": `plain`}, false},
	} {
		if got := MatchesAny(fs, c.record); got != c.want {
			t.Errorf("MatchesAny(%v) = %v, want %v", c.record, got, c.want)
		}
	}
	if !MatchesAny(nil, map[string]any{"body": "x"}) {
		t.Error("no filters must pass every record")
	}
}

func TestStreamFilterDoc(t *testing.T) {
	t.Parallel()
	k := StreamRecord{Data: []byte(`{"temp":30}`)}
	if doc := StreamFilterDoc(true, &k); doc["data"].(map[string]any)["temp"] != 30.0 {
		t.Errorf("Kinesis doc: %v", doc)
	}
	if doc := StreamFilterDoc(true, &StreamRecord{Data: []byte("x")}); len(doc) != 0 {
		t.Errorf("Kinesis doc of non-JSON data: %v", doc)
	}
	d := StreamRecord{JSON: []byte(`{"eventName":"INSERT"}`)}
	if doc := StreamFilterDoc(false, &d); doc["eventName"] != "INSERT" {
		t.Errorf("DynamoDB doc: %v", doc)
	}
}

func TestNewQueueRecord(t *testing.T) {
	t.Parallel()
	rec := NewQueueRecord(QueueMessage{MessageID: "m", ReceiptHandle: "h", Body: "b", MD5OfBody: "5",
		Attributes:        map[string]string{"SenderId": "s", "ApproximateReceiveCount": "1", "Zeta": "z"},
		MessageAttributes: map[string]QueueMessageAttribute{"k": {DataType: "String", StringValue: "v"}}}, "arn:q", "us-east-1")
	b, _ := json.Marshal(rec)
	want := `{"messageId":"m","receiptHandle":"h","body":"b","attributes":{"ApproximateReceiveCount":"1","SenderId":"s","Zeta":"z"},` +
		`"messageAttributes":{"k":{"stringValue":"v","stringListValues":[],"binaryListValues":[],"dataType":"String"}},` +
		`"md5OfMessageAttributes":null,"md5OfBody":"5","eventSource":"aws:sqs","eventSourceARN":"arn:q","awsRegion":"us-east-1"}`
	if string(b) != want {
		t.Errorf("record:\n got %s\nwant %s", b, want)
	}
}

// shardSource is a stream whose shard "c" a reshard made of "p".
type shardSource struct{}

func (shardSource) StreamShards(string) ([]StreamShard, bool) {
	return []StreamShard{{ID: "p"}, {ID: "c", Parents: []string{"p"}}}, true
}
func (shardSource) StreamStart(string, string, string, time.Time) (uint64, error) { return 0, nil }
func (shardSource) StreamRead(string, string, uint64, int) ([]StreamRecord, <-chan struct{}, bool, error) {
	return nil, nil, true, nil
}

// A child shard is read only once its parent was read to its end.
func TestRunShardsParentsFirst(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var order []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunShards(ctx, shardSource{}, "arn", nil, func(ctx context.Context, shard string) bool {
			mu.Lock()
			order = append(order, shard)
			n := len(order)
			mu.Unlock()
			if n == 2 {
				cancel()
			}
			return true
		})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunShards did not read both shards within 10s")
	}
	if len(order) != 2 || order[0] != "p" || order[1] != "c" {
		t.Errorf("shards read in the order %v, want [p c]", order)
	}
}

func TestNewBatchInfo(t *testing.T) {
	t.Parallel()
	k := []StreamRecord{{ID: "49", Shard: "shardId-000000000001", Arrived: time.UnixMilli(1573691884835)},
		{ID: "50", Shard: "shardId-000000000001", Arrived: time.UnixMilli(1573691885580)}}
	b, _ := json.Marshal(NewBatchInfo(true, "arn:k", k))
	want := `{"shardId":"shardId-000000000001","startSequenceNumber":"49","endSequenceNumber":"50",` +
		`"approximateArrivalOfFirstRecord":"2019-11-14T00:38:04.835Z","approximateArrivalOfLastRecord":"2019-11-14T00:38:05.580Z",` +
		`"batchSize":2,"streamArn":"arn:k"}`
	if string(b) != want {
		t.Errorf("Kinesis:\n got %s\nwant %s", b, want)
	}
	d := []StreamRecord{{Seq: 3, Shard: "s", Created: 1573691884}}
	if info := NewBatchInfo(false, "arn:d", d); info.StartSequenceNumber != "000000000000000000003" ||
		info.ApproximateArrivalOfFirstRecord != "2019-11-14T00:38:04Z" {
		t.Errorf("DynamoDB: %+v", info)
	}
}

// One item's records, and one partition key's, share a lane.
func TestLane(t *testing.T) {
	t.Parallel()
	a := StreamRecord{JSON: []byte(`{"dynamodb":{"Keys":{"pk":{"S":"a"}},"NewImage":{"v":{"S":"1"}}}}`)}
	b := StreamRecord{JSON: []byte(`{"dynamodb":{"Keys":{"pk":{"S":"a"}},"NewImage":{"v":{"S":"2"}}}}`)}
	if Lane(false, &a, 7) != Lane(false, &b, 7) || len(PartitionKey(false, &a)) == 0 {
		t.Error("one item's records are in different lanes")
	}
	lanes := map[int]bool{}
	for i := range 50 {
		r := StreamRecord{Key: string(rune('a'+i%26)) + "x"}
		l := Lane(true, &r, 4)
		if l < 0 || l >= 4 {
			t.Fatalf("lane %d of 4", l)
		}
		lanes[l] = true
	}
	if len(lanes) < 2 || Lane(true, &StreamRecord{Key: "k"}, 1) != 0 {
		t.Errorf("lanes used: %v", lanes)
	}
}
