package pipes

import (
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/eventsource"
)

// The policy of settling a stream's batches (retries, bisection, record
// age, lanes) is package eventsource's and tested there.

// The failure record names the pipe, the condition and where the
// records are.
func TestDeadLetterBody(t *testing.T) {
	t.Parallel()
	s := &Service{clock: clock.NewFake(time.UnixMilli(1687187031498)), account: "123456789012", region: "us-east-1"}
	items := []eventsource.StreamRecord{
		{Seq: 1, ID: "4961", Shard: "shardId-000000000000", Arrived: time.UnixMilli(1687187026620)},
		{Seq: 2, ID: "4962", Shard: "shardId-000000000000", Arrived: time.UnixMilli(1687187026700)},
	}
	r := &pipeRecord{Name: "p", Source: "arn:aws:kinesis:us-east-1:123456789012:stream/s"}
	want := `{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:123456789012:pipe/p","condition":"RetryAttemptsExhausted"},` +
		`"version":"1.0","timestamp":"2023-06-19T15:03:51.498Z","KinesisBatchInfo":{"shardId":"shardId-000000000000",` +
		`"startSequenceNumber":"4961","endSequenceNumber":"4962","approximateArrivalOfFirstRecord":"2023-06-19T15:03:46.620Z",` +
		`"approximateArrivalOfLastRecord":"2023-06-19T15:03:46.700Z","batchSize":2,"streamArn":"arn:aws:kinesis:us-east-1:123456789012:stream/s"}}`
	if got := string(s.deadLetterBody(r, items, eventsource.RetryAttemptsExhausted)); got != want {
		t.Errorf("Kinesis:\n got %s\nwant %s", got, want)
	}
	d := []eventsource.StreamRecord{{Seq: 7, Shard: "shardId-1", Created: 1709856000}}
	r.Source = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000"
	want = `{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:123456789012:pipe/p","condition":"RecordAgeExceeded"},` +
		`"version":"1.0","timestamp":"2023-06-19T15:03:51.498Z","DDBStreamBatchInfo":{"shardId":"shardId-1",` +
		`"startSequenceNumber":"000000000000000000007","endSequenceNumber":"000000000000000000007",` +
		`"approximateArrivalOfFirstRecord":"2024-03-08T00:00:00Z","approximateArrivalOfLastRecord":"2024-03-08T00:00:00Z",` +
		`"batchSize":1,"streamArn":"` + r.Source + `"}}`
	if got := string(s.deadLetterBody(r, d, eventsource.RecordAgeExceeded)); got != want {
		t.Errorf("DynamoDB:\n got %s\nwant %s", got, want)
	}
}
