// Package bootstraps holds virga's own Lambda runtimes for interpreted
// languages: a Python, a Node.js, a Ruby and a Java Runtime API client, each
// written with its language's standard library only, embedded in the
// virga binary and written to disk for environments to mount at
// /var/runtime. The Java one is embedded as source and compiled with the
// host JDK's javac on first need (CompileJava), into classes/ beside it,
// once per source and JDK: about 3 s of javac, against about half a
// second that the JDK's single-file source launcher (`java
// Bootstrap.java`) would add to every cold start.
//
// Java: the bootstrap loads the package with a class loader over
// LAMBDA_TASK_ROOT, its lib/*.jar and the layers' java/lib/*.jar, and the
// handler as Lambda's Java runtime does: "pkg.Class::method" (public
// methods of that name, preferring non-bridge methods and the longest
// signatures, a trailing Context counting one more; forms (), (input),
// (Context), (input, Context), (InputStream), (OutputStream),
// (InputStream, OutputStream), (InputStream, Context), (OutputStream,
// Context), (InputStream, OutputStream, Context)), or "pkg.Class"
// implementing RequestStreamHandler or RequestHandler. The
// aws-lambda-java-core types it needs (Context, LambdaLogger, ...) are the
// function's own: it implements them with proxies. Its JSON mapper matches
// names without regard to case, '-' or '_' (the events' "Records",
// "eventSourceARN", "x-amz-request-id"), through setters or fields (final
// ones too, for classes such as the S3 event's records that take their
// properties through constructors: those are made without running one),
// makes a value of a type with a static parse(CharSequence) or a public
// constructor of one String or Object (java.time's types, Joda's
// DateTime) from a JSON string, ignores unknown names and leaves nulls
// out of what it writes. Errors
// are Lambda's Java documents: a thrown exception as errorMessage,
// errorType (its class) and stackTrace (its frames, the runtime's cut
// off); a fault of the package (no such class, method or interface) as
// errorMessage and errorType only, at every invocation; a class that
// fails to load or initialize, or a constructor that throws, as an
// init error. LambdaLogger writes its messages as they are in text (lines
// joined by carriage returns, one record each), and in JSON as records of
// timestamp, message, level (UNDEFINED for log(String)) and AWSRequestId,
// filtered by AWS_LAMBDA_LOG_LEVEL; the runtime's own error reports are
// ERROR records there.
//
// Each loads the handler named by _HANDLER from LAMBDA_TASK_ROOT, gives it
// an event and a context with AWS's fields and methods, and shapes errors
// as AWS's runtimes do (Python: errorMessage, errorType, requestId,
// stackTrace; Node.js: errorType, errorMessage, trace; Ruby:
// errorMessage, errorType, stackTrace), with AWS's Runtime.* types for
// import, syntax and handler-name failures in Python and Node.js.
//
// What a function can import is what AWS's runtime gives it, not what
// the host's interpreter has. Python runs without the site module
// (python -S: no site-packages, dist-packages, .pth files or user site)
// and the bootstrap sets sys.path in AWS's documented order: the task
// root, the layers' /opt/python/lib/python3.x/site-packages and
// /opt/python, the runtime's site-packages (boto3 and its dependencies,
// links virga makes to the host's copies), the runtime directory,
// PYTHONPATH's other entries, then the standard library; it restores the
// builtins site would add (exit, quit, help, copyright, credits,
// license). Node.js (command line: the task root, the runtime directory
// and the layers' directories) resolves bare module names only inside
// those and NODE_PATH's directories: not in node_modules above the code
// nor in node's global folders, for require (Module._resolveLookupPaths)
// and import (a module.register resolve hook) alike. The handler is
// required from the runtime directory's index.mjs, so a missing module's
// require stack ends with it, as on AWS. A require or import, from the
// function's code, of an @aws-sdk package that none of those
// directories holds first asks virga to install it (POST /_virga/sdk/
// on the Runtime API's address; require waits in Atomics.wait while a
// worker thread asks), then resolves as usual. Ruby's require (prepended to
// Kernel, before RubyGems') refuses a file it would find only in the
// host ruby's site_ruby or vendor_ruby directories, with Ruby's own
// LoadError, unless a gem on GEM_PATH provides it; RubyGems and Bundler,
// which Debian installs in vendor_ruby, load.
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
//
// Names under .localhost: both runtimes answer a lookup the system's
// resolver fails for a *.localhost name with the loopback address, as
// RFC 6761 (section 6.3) asks of resolver libraries (Python's
// socket.getaddrinfo, Node.js's dns.lookup, which net and every HTTP
// client use; not dns.promises or dns.resolve). Names the system
// resolves keep its answer. This is what lets a function that runs as a
// plain process, without a sandbox's /etc/hosts, reach virga at a
// WebSocket event's domainName (ID.execute-api.localhost:PORT). Both
// also resolve AWS_ENDPOINT_URL's host with a host prefix the SDKs put
// before it for some operations (sync- for Step Functions'
// StartSyncExecution, stream- for CloudWatch Logs' StartLiveTail) as
// that host, without asking DNS: sync-127.0.0.1 is virga.
//
// virga's own URLs over HTTPS without their port: the Node.js runtime's
// https.request and https.get send a request given as options for a
// path under /_virga/ on the host of AWS_ENDPOINT_URL, with no port or
// port 443, to AWS_ENDPOINT_URL's port (whose listener answers TLS too).
// On AWS a custom resource's ResponseURL is on port 443, and the
// response senders the AWS CDK bundles into its Node.js custom resource
// handlers (and AWS's cfn-response module) pass https.request only the
// URL's hostname and path, or port 443.
package bootstraps
