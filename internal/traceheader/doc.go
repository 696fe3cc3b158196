// Package traceheader reads and writes the fields of an X-Ray trace
// header (X-Amzn-Trace-Id, an SQS message's AWSTraceHeader, a function's
// _X_AMZN_TRACE_ID): Key=Value pairs separated by semicolons, such as
// Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1.
//
// Its Lineage field is how Lambda's recursive loop detection counts the
// invocations of each function in one chain of requests: entries
// separated by "|", each a function's hash and the number of times that
// function has run before in the chain ("a87bd80c:0|68fd508a:5"), an
// entry optionally led by a format version ("1:a87bd80c:0"). The AWS
// SDKs inside a function copy the function's header onto the calls it
// makes (botocore percent-encodes the "|"), and SQS, SNS and S3 carry it
// on to the next invocation. The package knows nothing of Lambda: which
// hash names a function, and what a count means, are package lambda's.
//
// NewContext and FromContext carry a header to work a service does
// after the call that caused it (S3's notifications, sent from an
// outbox), so that the work still continues the call's trace.
//
// Parsing is lenient where a header is only passed along (Field, With)
// and strict where a count is read (ParseLineage), so that a malformed
// Lineage counts for nothing rather than failing the call that carried
// it.
package traceheader
