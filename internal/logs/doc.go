// Package logs is Amazon CloudWatch Logs (awsJson 1.1, Logs_20140328):
// log groups, log streams and their events, with filter patterns and
// retention, so that `aws logs tail /aws/lambda/NAME --follow` works.
// Functions write their output here through Sink (a functions.LogSink).
//
// Store layout (tuples, package keys):
//
//	("logs", "group", group)                         → group (JSON)
//	("logs", "stream", group, stream)                → stream (JSON)
//	("logs", "event", group, stream, ts, seq)        → event (JSON)
//	("logs", "time", group, ts, stream, seq)         → "" (group-wide time order)
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
// at once; one times out after 60 minutes.
//
// Not supported yet: metric filters, subscription filters, query
// definitions, queryLanguage SQL and PPL, StartLiveTail, data protection,
// exports, deliveries.
package logs
