// Package kinesis is Amazon Kinesis Data Streams (awsJson 1.1, target
// prefix Kinesis_20131202, signing name kinesis): streams of shards that
// split the 2^128 hash key space evenly, records appended to the shard
// whose range holds the MD5 of their partition key (or their
// ExplicitHashKey), and reads by shard iterator.
//
// Store layout (tuples, package keys):
//
//	("kinesis", "stream", name)                 → stream (JSON): mode, creation time, retention, tags, shards
//	("kinesis", "counter", name, shard)         → the counter the shard's next record gets (uint64, big-endian)
//	("kinesis", "record", name, shard, counter) → record (JSON): data, partition key, arrival time
//
// A record's sequence number is "49", its shard's index in 6 digits and
// its counter in 48 (56 digits, as AWS's): decimal, of one length, growing
// within a shard; the 36-digit form (a 28-digit counter) virga made
// before is still read. A
// put commits its records and the shards' counters in one durable batch
// before it answers, so an acknowledged record survives kill -9 and a
// restart never hands out a sequence number twice. PutRecords is all or
// nothing here: FailedRecordCount is always 0 (AWS fails records one by
// one only when throttled, which virga does not do).
//
// Streams are ACTIVE as soon as CreateStream answers (AWS's CREATING is
// not observable). DescribeLimits reports the shard quota, 500, and the
// on-demand stream quota, 50, which is not enforced. ON_DEMAND streams get 4 shards. StreamARN may stand
// in for StreamName everywhere. A shard iterator (base64url JSON: stream,
// its creation time, shard, next counter, issue time) expires 5 minutes
// after it was issued, by the injected clock; one of a stream deleted and
// created again is ResourceNotFoundException. Records older than the
// retention period (24 hours by default, 24-8760) are never returned and
// are deleted by Run's sweep.
//
// Resharding (op_reshard.go): SplitShard, MergeShards (adjacent shards
// only) and UpdateShardCount (UNIFORM_SCALING, by splits and merges that
// leave the ranges CreateStream would give; at most double, at least
// half, ten times per rolling 24 hours, within the account's 500 open
// shards) close their parents and open children in one durable write.
// Shards are never removed from the stream's list and keep their
// indexes; a new shard takes the next index, so a child's sequence
// numbers are greater than its parents'. A closed shard has an
// EndingSequenceNumber (the one its next record would have had) and
// serves its records within retention; with the last of them GetRecords
// answers no NextShardIterator and the ChildShards. Once its records have
// all outlived retention, ListShards (FROM_TRIM_HORIZON by default) and
// the event source mappings no longer list it; DescribeStream still does. The change is made at once; the stream then shows
// UPDATING for 100 ms, during which another reshard or UpdateStreamMode
// is ResourceInUseException. UpdateStreamMode keeps the shards as they
// are; an ON_DEMAND stream refuses the reshard operations.
//
// Concurrency: Service.mu serializes stream changes and appends, so that
// counters grow in commit order and no record goes to a shard a reshard
// closed; reads take no lock. Waiters on a stream's records get a channel
// closed when records next arrive or a reshard closes shards.
//
// Enhanced fan-out consumers (op_consumers.go) are registered, listed,
// described and deregistered, kept with their stream (at most 20), and
// are ACTIVE at once (RegisterStreamConsumer answers CREATING, as Kinesis
// does); Lambda's mappings read through them. DeleteStream refuses a
// stream with consumers unless EnforceConsumerDeletion. The wording of
// the consumer errors is virga's, unconfirmed against AWS.
//
// Server-side encryption (op_encryption.go): StartStreamEncryption
// checks its key with KMS (alias/aws/kinesis or a key of virga's KMS,
// enabled; KMS's NotFound, Disabled and InvalidState errors come back as
// KMSNotFoundException, KMSDisabledException, KMSInvalidStateException)
// and StopStreamEncryption removes it, each leaving the stream UPDATING
// as a reshard does. DescribeStream(Summary) report EncryptionType and
// KeyId (as given), PutRecord(s) the EncryptionType; records are kept as
// they were, not encrypted with the key.
//
// Not supported: on-demand streams never scale by themselves,
// SubscribeToShard (its HTTP/2 event stream), consumer tags,
// shard-level metrics (enhanced monitoring keeps the metrics a stream
// has enabled, op_monitoring.go, without publishing them or passing
// through UPDATING), resource policies, throughput limits and
// ProvisionedThroughputExceededException, SequenceNumberForOrdering (the
// order is commit order regardless), the limit on how often
// UpdateStreamMode may switch, the CBOR encoding the Java SDK can use,
// and the StreamId, warm throughput and 10 MiB records AWS added in 2025.
//
// Lambda's event source mappings read shards through esm.go (Shards,
// with each shard's parents; ShardStart; ReadShard, which tells the end
// of a closed shard) and wait on the arrival channel instead of polling
// GetRecords. Other services write to streams through deliver.go
// (StreamExists, AppendRecord, placed as PutRecord places a record):
// DynamoDB's Kinesis streaming destinations.
package kinesis
