// Package logs is Amazon CloudWatch Logs (awsJson 1.1, Logs_20140328):
// log groups, log streams and their events, with filter patterns and
// retention, so that `aws logs tail /aws/lambda/NAME --follow` works.
// Functions write their output here through FunctionSink (a
// functions.LogSink), whose events in CloudWatch's embedded metric
// format publish their metrics to CloudWatch (emf.go), as Lambda's logs
// do, and those PutLogEvents stores when the request carries
// x-amzn-logs-format: json/emf (as the CloudWatch agent sends them).
//
// Store layout (tuples, package keys):
//
//	("logs", "group", group)                         → group (JSON)
//	("logs", "stream", group, stream)                → stream (JSON)
//	("logs", "event", group, stream, ts, seq)        → event (JSON)
//	("logs", "time", group, ts, stream, seq)         → "" (group-wide time order)
//	("logs", "respolicy", name)                      → resource policy (JSON)
//
// Events are kept in two orders: per stream (GetLogEvents) and per group
// by time (FilterLogEvents); both keys are written in one batch. seq is a
// per-service counter that keeps events with equal timestamps apart and
// in arrival order.
//
// Concurrency: Service.mu serializes writes to stream metadata; reads
// use store iterators.
//
// Logs Insights (op_queries.go, the language in package insights):
// StartQuery parses the query (MalformedQueryException with
// queryCompileError's offsets) and runs it in the background over each
// group's time index between startTime and endTime (seconds, both
// inclusive); GetQueryResults, StopQuery, DescribeQueries and
// GetLogRecord (whose @ptr is the event's key) follow. Queries and their
// results live in memory (Service.queries, its own mutex, taken after
// nothing else), not in the store: a restart forgets them. Up to 30 run
// at once; one times out after 60 minutes. Each runs in a goroutine that
// queryTable.running counts: when Run ends it cancels them and waits for
// them (the store closes after Run), and StartQuery answers
// ServiceUnavailableException from then on.
//
// Saved query definitions (op_querydefs.go) are kept in the store,
//
//	("logs", "querydef", id)                         → definition (JSON)
//
// written under Service.mu. PutQueryDefinition compiles the query as
// StartQuery does and, given a queryDefinitionId, replaces every field
// (no current value is retained); DescribeQueryDefinitions lists them by
// name, then id, with an offset as nextToken.
//
// Subscription filters (subscriptions.go) deliver matching events to
// Lambda functions, asynchronously, as {"awslogs":{"data":...}}: at most
// two per group; events are batched per filter and log stream, with the
// named fields of a space-delimited pattern as extractedFields. They add
//
//	("logs", "subscription", group, filter)          → filter (JSON)
//	("logs", "pending", group, seq)                  → event awaiting delivery
//
// where, while a group has filters, Append writes each event's pending
// entry in the batch that stores the event; the delivery loop hands a
// batch to Lambda's durable asynchronous queue before it deletes its
// pending entries, so an event PutLogEvents acknowledged is delivered at least
// once, even across a crash (a crash between the two delivers that batch
// twice). A function's own output is not synced (Append), so what a
// crash loses of it is not delivered either. Filters are kept in memory
// (under Service.mu) for Append; the delivery loop copies them and never
// holds the lock while it delivers. A function subscribed to its own log
// group is invoked over and over, as on AWS, but at most once per stream
// per flush interval, and its logging never waits for a delivery.
//
// Metric filters (metricfilters.go, op_metricfilters.go) turn the
// events Append stores, from PutLogEvents and from functions' own
// output alike, into CloudWatch datapoints at the events' timestamps,
// through Metrics (the app hands them to CloudWatch's aggregator; this
// package does not know CloudWatch): a number per match, or the value of
// a JSON field ($.field) or a named space-delimited field ($name), with
// up to three dimensions read from fields the same way, the filter's
// unit, and defaultValue once for an Append batch in which nothing
// matched. At most 100 per group. They add
//
//	("logs", "metricfilter", group, filter)          → filter (JSON)
//
// and are held in memory under Service.mu; Append reads a group's slice
// (replaced, never changed in place) under the lock and matches after
// releasing it. TestMetricFilter answers the named fields of a
// space-delimited pattern as extractedValues ($name) and nothing for
// other patterns.
//
// Resource policies (PutResourcePolicy, DescribeResourcePolicies,
// DeleteResourcePolicy) are the account's, at most 10, by name; they are
// stored and listed but not evaluated: services that write into log
// groups (an EventBridge rule's log group target, through
// PutTargetEvent) are not held to them, even with --auth iam.
// Policies scoped to one log group (resourceArn, expectedRevisionId)
// are not in the model virga is generated from.
//
// Not supported yet: queryLanguage SQL and PPL,
// StartLiveTail, data protection, exports, deliveries. Query
// definitions' queryLanguage, parameters and clientToken are not in the
// model virga is generated from, so they are ignored.
// Metric filters: the quota of five patterns with regular expressions
// per group is not enforced (two per pattern is, for every pattern); a filter is never disabled for
// producing too many dimension values; emitSystemFieldDimensions and
// fieldSelectionCriteria are not modelled; applyOnTransformedLogs is
// stored and shown only.
// Subscription filters deliver to Lambda functions (the awslogs event),
// and to Kinesis data streams and Firehose streams (each delivery one
// gzip-compressed record, sharded by log stream whatever the
// Distribution; PutSubscriptionFilter first sends the stream a
// CONTROL_MESSAGE and refuses the filter if it cannot). Cross-account
// destinations (PutDestination) are refused as AWS refuses destinations
// it cannot reach; RoleArn is kept but not assumed; account-level
// subscription policies, emitSystemFields and fieldSelectionCriteria
// are not modelled; applyOnTransformedLogs is stored and shown but has
// no effect (there are no transformers); PutSubscriptionFilter checks
// that the function exists but not that its resource policy lets
// CloudWatch Logs invoke it; a delivery its destination refuses (the
// function or stream was deleted) is dropped and logged.
package logs
