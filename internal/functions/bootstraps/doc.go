// Package bootstraps holds virga's own Lambda runtimes for interpreted
// languages: a Python, a Node.js and a Ruby Runtime API client, each
// written with its language's standard library only, embedded in the
// virga binary and written to disk for environments to mount at
// /var/runtime.
//
// Each loads the handler named by _HANDLER from LAMBDA_TASK_ROOT, gives it
// an event and a context with AWS's fields and methods, and shapes errors
// as AWS's runtimes do (Python: errorMessage, errorType, requestId,
// stackTrace; Node.js: errorType, errorMessage, trace; Ruby:
// errorMessage, errorType, stackTrace), with AWS's Runtime.* types for
// import, syntax and handler-name failures in Python and Node.js.
//
// Ruby: the handler is FILE.METHOD (a top-level method) or
// FILE.CLASS.METHOD (a class method, CLASS a constant path such as
// Module::Class), called with the keywords event: and context:. An
// exception's errorType is its class after where it was raised:
// Function<ArgumentError> from the handler, Init<LoadError> while the
// file loads (the runtime then exits). A NameError or NoMethodError (a
// handler method that does not exist) or an exception beyond
// StandardError ends the runtime after it is reported, as on AWS, and
// the next invocation starts a new environment. A result is sent as its
// to_json, a StringIO or IO as its bytes. puts writes one log event per
// call (its lines joined by carriage returns), and a Logger on standard
// output or error writes AWS's lines, the request id after the
// severity: "I, [time #pid]  INFO <request id> -- : message"; in JSON log
// format a Logger writes JSON records at AWS_LAMBDA_LOG_LEVEL.
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
package bootstraps
