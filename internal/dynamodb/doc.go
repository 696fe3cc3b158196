// Package dynamodb is Amazon DynamoDB on virga's store: tables, items,
// expressions, queries and scans, secondary indexes, batches and
// transactions, speaking awsJson 1.0 (X-Amz-Target DynamoDB_20120810.*).
//
// The wire shapes (zz_shapes.go) are generated from AWS's model; handlers
// convert AttributeValues to the domain's attr.Value at the edge of each
// operation and work on attr.Items, with expressions parsed and evaluated
// by package expr. How tables and items are laid out in the store is in
// storage.go.
//
// Requests are checked in DynamoDB's order: the model's constraints, as
// DynamoDB reports them (validation.go: item operations' table names, the
// members reported alone, the batch operations' own sentences); then the
// request itself (values, expressions, placeholders, legacy conditions),
// before any table is looked up; then the request against the table.
// Errors found reading the request are requestErrors, which each
// operation words as DynamoDB's validation layer for it does (errors.go:
// bare, inside "1 validation error detected: ", or the older layer's
// wording).
//
// Concurrency: table metadata is cached in memory under Service.mu and
// written through to the store; an item's read-modify-write (conditions,
// updates) holds the item's lock from Service.itemLocks, a fixed set of
// mutexes chosen by hashing the item's key, taken in ascending order when
// several are needed (transactions). Lock order: Service.mu before item
// locks; never the reverse.
//
// A table's class and warm throughput are remembered and reported, never
// enforced: there is no capacity to pre-warm, so a warm throughput (at
// least the baseline, 12,000 read and 4,000 write units per second, and
// never lowered) is ACTIVE at once, as is a change of class.
//
// A global secondary index's key may have several partition key and sort
// key attributes (up to four of each, index.MoreHash and MoreRange). Its
// entries are stored under the partition key attributes' values, then the
// sort key attributes', in key schema order, so one partition is one
// prefix and sorts by its sort key attributes from the first; a Query
// names every partition key attribute by equality and a leading run of
// sort key attributes, all but the last by equality, which narrows the
// prefix. PartiQL reads such an index by scanning it through its WHERE
// clause. Legacy KeyConditions cannot query it. The wording of the errors
// for a malformed multi-attribute key schema or key condition is virga's,
// unconfirmed against AWS.
//
// PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction) is
// parsed by package partiql and runs on the same item writes and pages as
// the item API (partiql_exec.go).
//
// On-demand backups (op_backups.go) copy a table's items from one store
// snapshot, with its definition, under the backup's ARN; they outlive the
// table. Point-in-time recovery (pitr.go) keeps, while it is on, every
// item's previous image with its commit time, written in the same batch
// as the change, so a table can be restored exactly as it was at any
// moment of the recovery period (RecoveryPeriodInDays, 35 days unless
// set); history older than the period is trimmed by Sweep. Deleting a
// table with recovery on keeps a SYSTEM backup of it for 35 days. A restore, of either kind, copies the items into a new
// table under an unused id and publishes the table, ACTIVE, when the copy
// is done. Backups, restores and PITR changes are synchronous: a backup
// is AVAILABLE once CreateBackup returns.
//
// Kinesis streaming destinations (kinesis_dest.go): every change to an
// item of a table with an active destination is staged, in the change's
// own batch, as a record in an outbox that Run's deliverer appends to
// the Kinesis stream (Deps.Kinesis) and then removes, so a change is
// delivered at least once, as DynamoDB's are. The record is DynamoDB's
// JSON (recordFormat application/json, tableName, both images whatever
// the table's stream, ApproximateCreationDateTime in milliseconds unless
// the destination asks for MICROSECOND). Its partition key, the upper-case
// hex MD5 of the item's key values, is virga's choice (DynamoDB's is
// undocumented): it keeps one item's changes on one shard, in order.
// Enable, disable and UpdateKinesisStreamingDestination (the precision)
// take effect at once, answering ENABLING, DISABLING and UPDATING. A record whose stream has been deleted is dropped. The
// default precision (MILLISECOND) and the wording of the errors for a
// missing stream (ResourceNotFoundException), a destination enabled twice
// (ResourceInUseException) and one that is not streaming are virga's,
// unconfirmed against AWS.
//
// Exports to S3 and imports from S3 are jobs (jobs.go): the request
// stores the job IN_PROGRESS and returns, a goroutine does the work and
// stores it COMPLETED or FAILED; a job a restart interrupted is FAILED
// when virga starts again. ExportTableToPointInTime (op_exports.go)
// needs point-in-time recovery on and reads the table exactly as it was
// at ExportTime (the request's time without one) from the recovery
// history, in one store snapshot taken when the request is accepted; it
// writes DynamoDB's layout (export_files.go: _started, gzipped
// DYNAMODB_JSON data files, manifest-files and manifest-summary with
// their .md5). A bucket that does not exist fails the export
// (S3NoSuchBucket), as DynamoDB's does. ImportTable (op_imports.go)
// reserves the new table's name and id at once, reads the objects under
// the prefix in key order (import_format.go: DYNAMODB_JSON or CSV; GZIP,
// ZSTD or none) and publishes the table when they are read, the way a
// restore does (table_fill.go). As on DynamoDB, the first invalid line of
// an object abandons the rest of it and counts one error, which is an
// event of the stream IMPORT-ID/error in the log group
// /aws-dynamodb/imports (Deps.ImportLogs; its itemS3Pointer names the
// object and the item's index in it); an import with errors is FAILED
// (ItemValidationError) and keeps its table; a ClientToken conflicts only
// with another table name; the counters stay zero until the job ends.
// Not supported: the ION format (ValidationException: virga has no Ion
// reader), INCREMENTAL_EXPORT (validated, then ValidationException),
// logging a missing bucket's failure to the log group, S3 encryption
// settings (recorded and described, not applied), S3BucketOwner checks,
// and cancelling a job.
//
// Legacy (2017.11.29) global tables answer as DynamoDB does now that
// none can be created (op_global_tables.go); DescribeTableReplicaAutoScaling
// lists no replicas, as for a DynamoDB table without any, and
// UpdateTableReplicaAutoScaling is not supported. Contributor insights
// (op_contributor_insights.go) are a setting of a table and of each of its
// global secondary indexes: UpdateContributorInsights answers ENABLING or
// DISABLING and takes effect at once; the rules DescribeContributorInsights
// names exist in no CloudWatch and virga gathers no top-N data;
// ListContributorInsights lists what is enabled; ContributorInsightsMode,
// newer than virga's model, is not supported. Not supported yet (the
// operation answers UnknownOperationException): resource policies; UpdateTable's ReplicaUpdates (2019.11.21 global
// tables) are refused. Of backups: AWS Backup's (AWS_BACKUP) backups,
// cross-Region restores, and the restore of a deleted table to a point
// in time other than its deletion.
package dynamodb
