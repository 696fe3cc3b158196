// Package bootstraps holds virga's own Lambda runtimes for interpreted
// languages: a Python and a Node.js Runtime API client, each written with
// its language's standard library only, embedded in the virga binary and
// written to disk for environments to mount at /var/runtime.
//
// Both load the handler named by _HANDLER from LAMBDA_TASK_ROOT, give it
// an event and a context with AWS's fields and methods, and shape errors
// as AWS's runtimes do (Python: errorMessage, errorType, requestId,
// stackTrace; Node.js: errorType, errorMessage, trace), with AWS's
// Runtime.* types for import, syntax and handler-name failures.
//
// Logging follows AWS_LAMBDA_LOG_FORMAT. In text, Python's logging and
// Node.js's console write AWS's tab-separated lines. In JSON they write
// one JSON object a line, below AWS_LAMBDA_LOG_LEVEL nothing: Python's
// timestamp, level, message, logger, requestId, an exception's
// errorType, errorMessage and stackTrace, location and `extra` fields;
// Node.js's timestamp, level, requestId, message (a lone object or error
// as a value), and the errorType, errorMessage and stackTrace of an error
// among several arguments. print and process.stdout.write stay plain
// text in both formats.
//
// Node.js response streaming: awslambda.streamifyResponse(handler) makes
// handler(event, responseStream, context) write its answer to a stream
// that is posted to the Runtime API as it is written (chunked, with
// Lambda-Runtime-Function-Response-Mode: streaming; content type
// application/octet-stream unless setContentType says otherwise). An
// error after the first byte ends the post with the
// Lambda-Runtime-Function-Error-Type and -Body trailers; one before it
// goes to /error as for any handler. awslambda.HttpResponseStream.from
// writes a function URL's prelude (JSON, then eight zero bytes) under
// application/vnd.awslambda.http-integration-response. Python has no
// streaming handlers, as on AWS.
//
// Names under .localhost: both runtimes answer a lookup the system's
// resolver fails for a *.localhost name with the loopback address, as
// RFC 6761 (section 6.3) asks of resolver libraries (Python's
// socket.getaddrinfo, Node.js's dns.lookup, which net and every HTTP
// client use; not dns.promises or dns.resolve). Names the system
// resolves keep its answer. This is what lets a function that runs as a
// plain process, without a sandbox's /etc/hosts, reach virga at a
// WebSocket event's domainName (ID.execute-api.localhost:PORT).
package bootstraps
