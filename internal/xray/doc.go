// Package xray is AWS X-Ray (restJson1, signing name "xray"): segment
// documents and the traces, summaries and service graphs made of them,
// groups, sampling rules, and the encryption configuration.
//
// # What it owns
//
// Segment documents, groups, sampling rules and the encryption
// configuration, in the store under "xray/" (storage.go). A trace is the
// segments stored under its id; a document is kept as it was sent and
// read again for every query, so that what BatchGetTraces returns is what
// was put.
//
// # Segments in
//
//	PutTraceSegments ─► parseSegment (segment.go) ─► one synced commit
//	                       invalid ─► UnprocessedTraceSegments {Id, ErrorCode, Message}
//	Record (the daemon, Lambda, API Gateway) ─► parseSegment ─► queue
//	    ─► Run writes up to 256 at a time (CommitNoWait); a full queue drops
//
// The queue holds at most 4096 documents and 16 MiB of them, as the
// daemon's buffers are bounded.
//
// # Segments out
//
// With Deps.Spans (virga --otlp-endpoint), each stored segment and the
// subsegments it holds go on as OpenTelemetry spans (otlp.go) to the
// OTLP exporter's batch processor, which posts them to a collector in
// the background. The trace id keeps its 128 bits, as AWS's
// OpenTelemetry distribution converts them: 1-58406520-a006649127e371903a2de979
// is 58406520a006649127e371903a2de979; a segment id is the span id, its
// parent_id (or the enclosing segment's id) the parent span id. A segment
// is a SERVER span, a subsegment in the "aws" or "remote" namespace a
// CLIENT span, any other subsegment INTERNAL; fault is the ERROR status.
// The resource's service.name is the segment's name (a subsegment's
// segment's). HTTP request and response fields, user and an AWS call's
// operation, region and request id become the semantic conventions'
// attributes, annotations attributes of their own name. Documents in
// progress are not exported: their complete document is.
//
// A document must have what AWS requires: name (at most 200 characters),
// id (16 hexadecimal digits), trace_id ("1-" 8 hex "-" 24 hex), start_time,
// and end_time or in_progress; a subsegment sent on its own (type
// "subsegment") also parent_id. A document is at most 64 kB. A document
// sent again with the same trace and id replaces the earlier one (an
// in-progress segment completed). Traces whose newest segment arrived more
// than 30 days ago are deleted (X-Ray's retention), hourly, and are not
// returned meanwhile.
//
// # The daemon
//
// ListenDaemon (daemon.go) receives segments on UDP as AWS's X-Ray daemon
// does: each datagram is the header line {"format": "json", "version": 1}
// and one segment document; anything else is dropped. virga listens on
// --xray-daemon (127.0.0.1:2000 by default; 0 turns it off) and gives
// functions the address as AWS_XRAY_DAEMON_ADDRESS, with
// AWS_XRAY_CONTEXT_MISSING=LOG_ERROR, as Lambda does; the runtime clients
// set _X_AMZN_TRACE_ID from each invocation's Lambda-Runtime-Trace-Id.
// On the same address over TCP, virga answers what the daemon proxies for
// the SDKs' centralized sampling (GetSamplingRules, SamplingTargets),
// unsigned, through the edge (Daemon.ServeTCP).
//
// # Reading
//
// A trace's root is its earliest segment without a parent; its duration
// runs from the root's start to the last end of any segment or
// subsegment; its response time is the root's. GetTraceSummaries walks
// the traces in id order, 100 summaries a page, with TimeRangeType TraceId
// (the time in the trace id, the default) or Event (the root's start).
// Filter expressions (filter.go) support the boolean keywords ok, error,
// throttle, fault and partial; responsetime, duration and http.status with
// numeric comparisons; http.url, http.method, http.useragent,
// http.clientip and user with =, !=, CONTAINS, BEGINSWITH and ENDSWITH;
// annotation.KEY (presence or comparison); service("name"), optionally
// with { filter } applied to that service's own segments; AND, OR, !
// and parentheses (edge() and id() are not read). The service graph (graph.go) has a node per segment
// name and origin, and one per downstream call recorded as a subsegment
// in the "aws" or "remote" namespace that no segment answers (AWS::NAME
// or remote); edges go from caller to callee with their statistics. A
// subsegment sent on its own (as an instrumented Lambda function's SDK
// sends them) counts with the segment its parent_id leads to.
//
// # Sampling
//
// The Default rule (reservoir 1 a second, fixed rate 0.05, priority
// 10000, as AWS documents it) and up to 25 rules of the account's own,
// stored like groups; of the Default rule only FixedRate and
// ReservoirSize change. GetSamplingTargets answers each known rule's
// whole reservoir and fixed rate for 10 seconds (virga counts one client
// per rule rather than sharing the reservoir among the SDKs that report)
// and keeps the reported statistics in memory for
// GetSamplingStatisticSummaries. Sample (sampler.go) is how virga's own
// services decide for a request no caller decided for: the first rule by
// priority, then name, whose globs ('*', '?', case ignored) match the
// request's ServiceName, ServiceType, Host, HTTPMethod, URLPath and
// ResourceARN, and which has no Attributes, takes from its reservoir
// each second and then samples its fixed rate. Lambda's Active tracing
// and API Gateway's tracing stages use it.
//
// # Locks
//
// Service.mu guards groups, the encryption configuration, sampling rules,
// their reservoirs and statistics, and is held across their commits.
// flushMu serializes the writer's batches. Segment writes take neither lock of the other kind.
//
// # Not supported yet
//
// Insights; resource policies; GetTimeSeriesServiceStatistics. UnprocessedTraceSegments' error codes
// are virga's own (InvalidSegment, SegmentTooLarge): AWS does not document
// its codes. Subsegments sent on their own are returned by BatchGetTraces
// as the separate documents they were sent as. GetTraceSummaries' Sampling and SamplingStrategy are accepted and
// ignored (every matching trace is returned); the filter language's
// edge(), id(), rootcause and json keywords are refused. LimitExceeded is
// always false; Insights configuration is recorded only. Groups'
// FilterExpression applies to GetServiceGraph only. Encryption with a KMS
// key is recorded, and nothing is encrypted.
package xray
