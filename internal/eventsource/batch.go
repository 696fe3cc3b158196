package eventsource

import (
	"encoding/json"
	"hash/fnv"
	"time"
)

// BatchTimeLayout is how a failure record writes Kinesis' arrival times
// and its own timestamp: UTC, to the millisecond.
const BatchTimeLayout = "2006-01-02T15:04:05.000Z"

// BatchInfo locates a stream batch given up on, as the failure records
// of Lambda's OnFailure destinations and of Pipes' dead-letter queues
// carry it (KinesisBatchInfo or DDBStreamBatchInfo): the records
// themselves are not sent, only where they are in the stream.
type BatchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamArn                       string `json:"streamArn"`
}

// NewBatchInfo locates batch (not empty) in the stream arn. Kinesis'
// arrival times are written to the millisecond, DynamoDB's to the
// second.
func NewBatchInfo(kinesis bool, arn string, batch []StreamRecord) *BatchInfo {
	first, last := &batch[0], &batch[len(batch)-1]
	info := &BatchInfo{ShardID: first.Shard, StartSequenceNumber: first.SequenceNumber(),
		EndSequenceNumber: last.SequenceNumber(), BatchSize: len(batch), StreamArn: arn}
	if kinesis {
		info.ApproximateArrivalOfFirstRecord = first.ArrivedAt().UTC().Format(BatchTimeLayout)
		info.ApproximateArrivalOfLastRecord = last.ArrivedAt().UTC().Format(BatchTimeLayout)
	} else {
		info.ApproximateArrivalOfFirstRecord = time.Unix(first.Created, 0).UTC().Format(time.RFC3339)
		info.ApproximateArrivalOfLastRecord = time.Unix(last.Created, 0).UTC().Format(time.RFC3339)
	}
	return info
}

// Lane is which of n concurrent lanes a record of a shard's batch is
// processed in (ParallelizationFactor n): the records of one partition
// key, a Kinesis record's partition key or a DynamoDB record's item key,
// always share a lane, so that they are processed in order.
func Lane(kinesis bool, r *StreamRecord, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write(PartitionKey(kinesis, r))
	return int(h.Sum32() % uint32(n))
}

// PartitionKey is what keeps a stream's records in order: a Kinesis
// record's partition key, a DynamoDB record's item key (its Keys).
func PartitionKey(kinesis bool, r *StreamRecord) []byte {
	if kinesis {
		return []byte(r.Key)
	}
	var doc struct {
		DynamoDB struct {
			Keys json.RawMessage `json:"Keys"`
		} `json:"dynamodb"`
	}
	json.Unmarshal(r.JSON, &doc)
	return doc.DynamoDB.Keys
}
