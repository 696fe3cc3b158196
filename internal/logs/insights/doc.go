// Package insights is the CloudWatch Logs Insights query language: a
// lexer and parser (Parse) that answer compile errors with their
// character offsets, as MalformedQueryException's queryCompileError
// does, and an evaluator (Query.Start, Exec.Add, Exec.Finish) that runs a
// query over log records fed in time order.
//
// Commands: fields, display, filter, stats, sort, limit, parse (glob with
// * and regular expression with named groups) and dedup (which only
// limit may follow). Expressions: arithmetic (+ - * / % ^), comparisons,
// like / =~ with a string (substring) or /regex/, in and not in [..],
// and, or, not. Functions: abs, ceil, floor, round, greatest, least, log,
// sqrt, tonumber, ispresent, coalesce, isempty, isblank, concat, ltrim,
// rtrim, trim, strlen, toupper, tolower, substr, replace, strcontains,
// bin, datefloor, dateceil, fromMillis, toMillis; in stats: count,
// count_distinct, sum, avg, min, max, stddev, pct (percentile), earliest,
// latest, and expressions over them and over earlier aliases.
//
// Fields: the system fields @timestamp, @message, @logStream, @log,
// @ingestionTime and @ptr; those of Lambda's START, END, REPORT and XRAY
// lines (@type, @requestId, @duration, @billedDuration, @memorySize and
// @maxMemoryUsed in bytes, @initDuration, @xrayTraceId, @xraySegmentId);
// and those of the first JSON object in a message, flattened with dots.
//
// Results: without fields, display or stats a row shows @timestamp and
// @message; records (not stats' rows) carry @ptr; without sort, the
// newest records come first; stats' groups come in the order their first
// record arrived.
//
// Not supported: unnest, lookup, pattern, diff, anomaly, filterIndex,
// SOURCE, limit any, parse's logfmt/JSON modes, jsonParse and the JSON,
// IP address and hashing functions, regex_replace, split, case/if,
// values, and the time-series functions (rate, histogram...).
//
// The package has no locks and no state beyond one Exec.
package insights
