// Package firehose is Amazon Data Firehose (awsJson 1.1, target prefix
// Firehose_20150804, signing name firehose): Firehose streams that
// buffer records and deliver them as objects to an S3 bucket.
//
// Store layout (tuples, package keys):
//
//	("firehose", "stream", name)                → stream (JSON): type, creation time, version, source, destination, tags
//	("firehose", "buffer", name, seq)           → a record not yet delivered (JSON): arrival time, data
//	("firehose", "checkpoint", name, shard)     → how far a Kinesis-sourced stream has read a shard (uint64, big-endian)
//
// Records arrive by PutRecord and PutRecordBatch (DirectPut streams) or
// are read from a Kinesis data stream (KinesisStreamAsSource streams,
// from the stream's creation on, each shard's checkpoint written with
// the records it moved). Either way they are committed to the buffer in
// one durable batch before the call answers (or the checkpoint moves),
// so an acknowledged record survives kill -9 and is delivered after a
// restart. A PutRecordBatch is all or nothing: FailedPutCount is always
// 0 (AWS fails records one by one only when throttled, which virga does
// not do).
//
// Delivery (buffer.go): Run looks at every stream four times a second
// and at once when a put fills a buffer to its SizeInMBs. A buffer is
// due when it holds SizeInMBs or its oldest record is IntervalInSeconds
// old, as the injected clock says; it is then written to the bucket in
// objects of at most SizeInMBs (a larger record alone), the records'
// data concatenated as sent, GZIP-compressed when CompressionFormat says
// so (key suffix .gz). An object's key is Firehose's default:
//
//	Prefix + YYYY/MM/dd/HH/ + NAME-VERSION-YYYY-MM-DD-HH-MM-SS-UUID
//
// in UTC, of the oldest record's arrival; VERSION is the stream's
// VersionId, one more at each UpdateDestination. Records leave the
// buffer only once their object is stored; a failed write (no such
// bucket) is tried again 5 seconds later, for as long as it takes
// (AWS gives up after 24 hours and writes under ErrorOutputPrefix).
//
// Data transformation (process.go): when the destination has a Lambda
// processor (ProcessingConfiguration enabled, one processor of Type
// Lambda), the records of a due buffer are sent to the function,
// synchronously, in batches of at most its BufferSizeInMBs, in the event
// Firehose's guide documents; Ok records are written as the function
// returned them, Dropped ones are not, and ProcessingFailed ones (with
// every record of an invocation that failed NumberOfRetries+1 times)
// are written as JSON documents, one a line, to an object of the same
// key form under ErrorOutputPrefix (processing-failed/ when not given).
// A write that fails after the function ran runs it again on retry.
//
// A new stream is CREATING for one second of the clock, then ACTIVE;
// records put while it is CREATING are buffered. Deleting a stream
// drops what it has not delivered.
//
// Not supported, refused with InvalidArgumentException rather than
// accepted and ignored: destinations other than S3 (Redshift,
// OpenSearch, OpenSearch Serverless, Elasticsearch, Splunk, HTTP
// endpoints, Snowflake, Iceberg), MSK and DatabaseAsSource sources,
// processors other than Lambda (RecordDeAggregation, Decompression,
// CloudWatchLogProcessing, AppendDelimiterToRecord, MetadataExtraction),
// record format conversion
// (DataFormatConversionConfiguration), dynamic partitioning,
// expressions in prefixes (!{timestamp:...}), S3 backup, compression
// formats other than UNCOMPRESSED and GZIP, and server-side encryption
// of the stream (DeliveryStreamEncryptionConfigurationInput;
// StartDeliveryStreamEncryption and StopDeliveryStreamEncryption are
// not implemented). An S3 destination's EncryptionConfiguration and
// CloudWatchLoggingOptions are kept and described but not acted on:
// objects are stored as S3 stores them, and no delivery errors are
// logged to CloudWatch Logs. ErrorOutputPrefix receives only
// records a processor failed: a failing bucket is retried without end.
package firehose
