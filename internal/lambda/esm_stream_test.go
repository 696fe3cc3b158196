package lambda

import (
	"encoding/json"
	"testing"
	"time"
)

func TestIndexOfID(t *testing.T) {
	ddb := []StreamRecord{{Seq: 7}, {Seq: 9}}
	for id, want := range map[string]int{"9": 1, "000000000000000000007": 0, "8": -1, "x": -1} {
		if got := indexOfID(ddb, id); got != want {
			t.Errorf("DynamoDB %q: got %d, want %d", id, got, want)
		}
	}
	seq := "49000000000000000000000000000000000012"
	kin := []StreamRecord{{Seq: 12, ID: seq}, {Seq: 13, ID: seq + "3"}}
	if got := indexOfID(kin, seq); got != 0 {
		t.Errorf("Kinesis sequence number: got %d", got)
	}
	// A Kinesis record is named by its sequence number only.
	if got := indexOfID(kin, "12"); got != -1 {
		t.Errorf("Kinesis position: got %d", got)
	}
}

func TestFilterDoc(t *testing.T) {
	r := StreamRecord{Data: []byte(`{"temp": 30}`), Key: "k", JSON: []byte(`{"kinesis":{}}`)}
	doc := filterDoc(true, &r)
	if b, _ := json.Marshal(doc); string(b) != `{"data":{"temp":30}}` {
		t.Errorf("Kinesis JSON data: %s", b)
	}
	r.Data = []byte("not json")
	if doc := filterDoc(true, &r); len(doc) != 0 {
		t.Errorf("Kinesis other data: %v", doc)
	}
	d := StreamRecord{JSON: []byte(`{"eventName":"INSERT"}`)}
	if doc := filterDoc(false, &d); doc["eventName"] != "INSERT" {
		t.Errorf("DynamoDB: %v", doc)
	}
}

func TestPartitionKey(t *testing.T) {
	a := StreamRecord{JSON: []byte(`{"dynamodb":{"Keys":{"pk":{"S":"a"}},"NewImage":{"v":{"S":"1"}}}}`)}
	b := StreamRecord{JSON: []byte(`{"dynamodb":{"Keys":{"pk":{"S":"a"}},"NewImage":{"v":{"S":"2"}}}}`)}
	if string(partitionKey(false, &a)) != string(partitionKey(false, &b)) || len(partitionKey(false, &a)) == 0 {
		t.Errorf("one item's records have different keys: %s, %s", partitionKey(false, &a), partitionKey(false, &b))
	}
	if string(partitionKey(true, &StreamRecord{Key: "p"})) != "p" {
		t.Error("Kinesis partition key")
	}
}

func TestRenderKinesis(t *testing.T) {
	s := &Service{region: "us-east-1", functions: map[string]*function{}}
	arrived := time.UnixMilli(1545084650987)
	recs := []StreamRecord{{Seq: 1, ID: "4900", Shard: "shardId-000000000006", Key: "1", Data: []byte("Hello"), Arrived: arrived}}
	arn, fn := "arn:aws:kinesis:us-east-1:000000000000:stream/s", "arn:aws:lambda:us-east-1:000000000000:function:f"
	s.account = "000000000000"
	s.renderKinesis(EventSourceMappingConfiguration{EventSourceArn: &arn, FunctionArn: &fn}, recs)
	want := `{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"1","sequenceNumber":"4900","data":"SGVsbG8=","approximateArrivalTimestamp":1545084650.987},` +
		`"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"shardId-000000000006:4900","eventName":"aws:kinesis:record",` +
		`"invokeIdentityArn":"","awsRegion":"us-east-1","eventSourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s"}`
	if string(recs[0].JSON) != want {
		t.Errorf("event record:\n got %s\nwant %s", recs[0].JSON, want)
	}
}
