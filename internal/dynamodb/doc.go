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
// Concurrency: table metadata is cached in memory under Service.mu and
// written through to the store; an item's read-modify-write (conditions,
// updates) holds the item's lock from Service.itemLocks, a fixed set of
// mutexes chosen by hashing the item's key, taken in ascending order when
// several are needed (transactions). Lock order: Service.mu before item
// locks; never the reverse.
//
// Not supported yet (the operation answers UnknownOperationException):
// backups and restores, global tables, exports and imports, Kinesis
// streaming destinations, contributor insights, PartiQL
// (ExecuteStatement and friends), resource policies.
package dynamodb
