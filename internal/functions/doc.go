// Package functions runs Lambda functions: execution environments that
// speak the Lambda Runtime API, pooled per function version.
//
//	lambda service ─► Manager.Invoke(spec, invocation)
//	                    pool of the version (spec.Key)
//	                      idle provisioned environment? ─ yes ─► hand it the invocation
//	                      warm, idle environment? ─ yes ─► hand it the invocation
//	                      no: below the concurrency limit? start one (cold start:
//	                          sandboxed process + runtime init), else 429
//	                    environment ◄─► Runtime API (/2018-06-01/runtime/...)
//	                      next → invocation; response / error → Result
//	                    timeout / crash / out of memory → error Result, environment replaced
//	                    init error or timeout (10 s) on a cold start → the init retried
//	                      once within the invocation, bounded by the function's timeout
//	                      (INIT_REPORT Phase: init, then Phase: invoke)
//	                    idle too long → reaped (never a provisioned one)
//	lambda service ─► Manager.Provision(spec, n)
//	                    n environments start and run their init now, with
//	                    AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency;
//	                    one that ends is replaced; Provisioned reports them
//
// One environment serves one invocation at a time. The sandbox is a
// process in its own namespaces and cgroup when virga runs as root
// (cgroup v1 or v2), a plain process otherwise (package sandbox), or,
// for a container image function (Spec.Image), a container the node
// agent runs (Options.Containers, package agent; container.go). Both
// kinds are a process to the environment (Done, Exit, Kill, peak
// memory): the pools, the Runtime API, timeouts, logs and REPORT lines
// are the same. The container is a task of its own with Spec.MemoryMB
// as its memory limit, the image's ENTRYPOINT, CMD and WORKDIR unless
// Image overrides them (each override replaces only its own setting: an
// EntryPoint keeps the image's CMD), and Lambda's variables added to the image's
// (less PATH and LD_LIBRARY_PATH, which the image sets, and
// AWS_EXECUTION_ENV, which custom runtimes lack). Its network namespace
// has only loopback; the agent's callbacks make the environment's
// Runtime API (AWS_LAMBDA_RUNTIME_API) and virga's edge
// (AWS_ENDPOINT_URL, when on loopback) reachable inside at their host
// addresses. Its output reaches the environment's pipe a line at a
// time. The image is pulled by digest before an environment's init
// begins (the agent's Pull; the first one fetches it, later ones find
// it), so Init Duration counts the container's start and the runtime's
// init, not the download; the cold invocation waits for both. A container
// that cannot start (no such entry point) is Runtime.InvalidEntrypoint
// with runc's reason; a pull that fails is a ServiceException. Package
// functions knows nothing of the Lambda API's wire shapes or of where
// code is stored: the lambda service resolves a function version to a
// Spec and asks for an Invoke. README.md follows one invocation through.
//
// What it owns: pools (pool.go), environments and their life cycle
// (environment.go), the environment variables AWS sets (envvars.go),
// runtime identifiers and entrypoints (runtimes.go), and each
// environment's output: lines to its CloudWatch log stream with START,
// END and REPORT, the invocation's 4 KB tail, a cap on what one
// environment may log (output.go), and LoggingConfig's JSON format:
// Lambda's lines as platform.* records filtered by the system log level,
// the function's output filtered by the application log level
// (logformat.go, platformlog.go). Subpackages: runtimeapi (the HTTP
// Runtime API and its state machine), sandbox (namespaces, cgroups,
// plain processes), bootstraps (our Python, Node.js and Ruby runtimes).
//
// Interpreted runtimes run on the host's interpreter, found once on PATH
// (or as Options.Python, Node and Ruby name it): python3.x on python3,
// nodejs*.x on node, ruby3.x and ruby4.0 on ruby. runtimes.go holds the one table of
// the runtime identifiers virga runs, with the Debian package that gives
// each family its interpreter; package lambda asks it through
// CheckRuntime, whose RuntimeError tells an unknown identifier from a
// runtime virga cannot run yet and from one whose interpreter the host
// lacks (naming the package to install). The host's version may differ from
// the runtime's (Debian 12 has Python 3.11, Ruby 3.1); the function still
// sees its runtime's identifier (AWS_EXECUTION_ENV), and virga logs once
// which interpreter version runs it. Ruby's GEM_PATH names the gem
// directories of both versions' ABIs (3.1.0, then 3.3.0 for ruby3.3).
// A function sees the libraries AWS's runtime has, not the host's: a
// Python function the standard library and boto3 with its dependencies
// (botocore, s3transfer, jmespath, dateutil, urllib3, six), linked from
// the host interpreter's copies into the runtime directory's
// site-packages, made once in the background when a Python runtime is
// first resolved (pysdk.go; environments wait for it; a host without
// boto3 gets a warning, and its functions' `import boto3` fails); a Node
// function the AWS SDK for JavaScript v3 (nodesdk.go: the packages its
// code names, installed before it starts, and those whose names it
// builds as it runs, at their first require or import), not node's global
// folders or node_modules above its code; a Ruby function the standard
// library and its own gems (GEM_PATH leaves the host's gems out), not
// what the host's distribution installs in site_ruby or vendor_ruby
// (Debian's ruby-* packages). Anything else fails to import or require
// with Runtime.ImportModuleError as on AWS (package bootstraps says how).
// The links follow what the host's boto3 imports: where the host's
// botocore needs more than AWS's (Debian's imports requests, with
// certifi, idna, chardet and charset_normalizer; a pip-installed
// botocore uses certifi when it is there), those modules are importable
// too.
//
// Calling virga by name, over HTTPS: code written for AWS builds URLs
// from what its event carries, such as a WebSocket API's
// https://{requestContext.domainName}/{requestContext.stage} for the API
// Gateway Management API. Sandboxed environments get an /etc/hosts of
// their own (hosts.go): the host's, with the names AddHostNames was given
// (every API's ID.execute-api.localhost) at 127.0.0.1, appended as APIs
// are made. With Options.CAFile and CABundleFile (virga's certificate
// authority, package localtls) every environment gets AWS_CA_BUNDLE
// (the system's roots and virga's: botocore and aws-sdk-go-v2 use it in
// place of their own) and NODE_EXTRA_CA_CERTS (virga's, added to Node's
// roots), at /var/virga/ in a sandbox and at their host paths in a plain
// process, and bound at /var/virga/ in an image function's container,
// whose /etc/hosts maps the names known when it starts; a function may
// override either. Plain processes (virga not
// root) resolve names as the host does, except that the Python and Node
// runtimes resolve *.localhost names the host does not know to loopback
// (package bootstraps); a Go or custom runtime's lookup of
// ID.execute-api.localhost succeeds only where the host's resolver maps
// *.localhost to loopback (systemd-resolved does).
//
// Provisioned concurrency: a pool keeps Provision's number of
// environments initialized ahead of invocations, in a stack of their own
// that invocations take from first; an invocation finding none idle
// spills to an on-demand environment (a cold start, within the pool's
// limit), as on AWS. A provisioned environment's first invocation has
// no init in its REPORT: the init ran when it started. An environment
// that fails to start is not retried until Provision is called again;
// Provisioned reports why. Spec.Concurrency is not part of a pool's
// Key: each Invoke and Provision sets the pool's limit, so that a new
// concurrency keeps the environments.
//
// Invariants:
//   - An environment is in exactly one of: busy (starting or serving, held
//     by one Invoke, or starting for provisioned concurrency), idle (in its
//     pool's LIFO stack: the provisioned or the on-demand one), dead. Only the
//     holder of a busy environment dispatches to it; only pool.mu moves it
//     between states.
//   - A pool never holds more than its limit of environments, counting
//     those starting (provisioned ones included).
//   - A pool with provisioned environments wanted is never reaped; an
//     environment keeps the initialization type it started with.
//   - An environment whose process ended is never handed out again; an
//     invocation that an environment ended before its runtime took it is
//     retried on a fresh one (the function never saw it).
//   - Every environment's process, cgroup, listener and goroutines end
//     with it: on its exit, a timeout, an out-of-memory kill, Retire,
//     reaping or Close.
//
// Lock order: Pools.mu before pool.mu; neither is held while a process
// starts, an invocation runs or a log line is written.
//
// Response streaming: a runtime that answers in the Runtime API's
// streaming mode has its bytes handed to the Invocation's ResponseStream
// as they arrive (InvokeWithResponseStream, function URLs in
// RESPONSE_STREAM mode), or collected up to 6 MB when the caller wants
// the whole response (Invoke); an error in the stream's trailers is the
// invocation's function error. The Node.js bootstrap streams
// awslambda.streamifyResponse handlers this way.
//
// Metrics: Pools.Stats (stats.go) reports each function's invocations,
// errors, throttles, cold starts, durations and environments, for
// GET /_virga/metrics. Invocations count with atomics in a per-function
// record their pools share, so counting takes no lock; Stats takes each
// pool's lock briefly to count environments, when metrics are scraped.
//
// Built-in extensions: a Spec with ParamsSecrets has its environments
// served the AWS Parameters and Secrets Lambda Extension's API by
// Options.ParamsSecrets (package paramsecrets) from the moment its
// process starts until it ends, and told when its init is over (the
// extension answers nothing before); the session token the environment holds
// (AWS_SESSION_TOKEN) is what the extension recognizes it by.
//
// External extensions (extensions.go): a pool finds the executables of
// its layers' extensions/ directories once, when it is made (a function
// without them pays nothing per environment). An environment with
// extensions starts its process as a small /bin/sh launcher, in the
// same sandbox and with the same variables: it starts each extension
// (/opt/extensions/NAME), reports on a pipe when one ends, and starts the
// runtime once virga closes a second pipe, when every extension has
// registered through the Extensions API (package runtimeapi, same
// AWS_LAMBDA_RUNTIME_API); AWS's runtime interface likewise starts the
// runtime after the extensions registered. Init completes when the
// runtime and every extension have asked for an event; an extension
// that ends before that fails the init with Extension.Crash (the
// message is virga's wording), and an extension's /init/error with
// Extension.InitError. The caller has its answer as soon as the runtime
// has given it, as on AWS (pool.invokeEarly), unless it asked for the
// log tail (LogType Tail), whose answer waits for the REPORT. The
// invocation ends (REPORT, whose Duration covers the extensions' work,
// and the environment idle again) when each extension subscribed to
// INVOKE has asked for its next event, within the function's timeout.
// An environment with external extensions that is retired or reaped
// (reason spindown), whose invocation timed out (timeout) or whose
// init failed with an /init/error of the runtime or an extension
// (failure), or whose runtime ended (failure: a crash, or an out of
// memory kill, during an invocation, during the init, or between
// invocations) has a Shutdown phase in the background, within AWS's
// 2,000 ms, in AWS's order: the runtime is sent SIGTERM and has its
// share (300 ms; 500 ms when an internal extension registered) to end,
// then the extensions subscribed to SHUTDOWN get it (deadlineMs 2,000
// ms after the phase began) and have until they ask for their next
// event or the deadline, before everything is killed. The launcher
// stays as the environment's first process (the first of its PID
// namespace in a sandbox): it passes SIGTERM to the runtime, reports
// the runtime's end on its pipe (its status is the runtime's exit
// error; an out of memory kill is read from the cgroup), and keeps the
// extensions through it. Close's brief wait may end a Shutdown phase
// sooner. The extensions' processes end with the environment's.
//
// The Telemetry API and the Logs API (telemetry.go): an extension's
// subscription (package runtimeapi) is delivered to its listener on
// loopback, whatever host its URI names (the environment shares the
// host's network; a sandbox's /etc/hosts maps sandbox.localdomain and
// sandbox to 127.0.0.1), as batches of maxItems events, maxBytes, or
// what timeoutMs gathered: a POST of a JSON array (HTTP) or newline
// delimited JSON (TCP), retried with backoff while the listener is not
// there or answers an error. Past maxItems (or twice maxBytes) waiting,
// events are dropped and counted, and the next batch begins with
// platform.logsDropped. The events are the platform records of the JSON
// log format (platform.initStart, initRuntimeDone, initReport, start,
// runtimeDone with its metrics and the responseLatency and
// responseDuration spans, sent as soon as the runtime answered, and
// report once the extensions are done), platform.extension for each
// registration, platform.telemetrySubscription (platform.logsSubscription)
// for each subscription, and the function's and the external
// extensions' lines (types function and extension: the extensions
// write to a pipe of their own, whose lines share the log stream and
// the log tail; a JSON object in the JSON log format, else a string); the Logs API gets its own shapes
// (platform.start, platform.runtimeDone from schema 2021-03-18,
// platform.end, platform.report, platform.fault; lines as strings). An
// environment with external extensions keeps its init's events until
// the init is reported, for the extensions that subscribe during it;
// one without subscribers after its init pays nothing per line or per
// invocation. What is buffered is delivered (within 500 ms) before the
// extensions get SHUTDOWN.
//
// Not supported yet: platform.restoreStart and the other SnapStart
// events, the tracing member of the platform records, the differences
// between the Telemetry API's schema versions (every version gets the
// latest shapes), subscriptions of image functions (refused as closed:
// their listeners are inside the container's network), the name
// sandbox.localdomain for plain processes (virga not root), extensions
// of container image functions (an image's /opt/extensions is not
// started), SHUTDOWN with reason failure when an init times out (the
// environment is killed), resetting the environment
// when an extension ends after init or posts /exit/error (it is only no
// longer waited for), a REPORT status of timeout when the extensions
// outlast the function's timeout after the runtime answered (the
// environment is reset with SHUTDOWN timeout, the REPORT keeps the
// runtime's status), the log tail (LogType Tail) of an answer given
// before the extensions finished (such an invocation is answered with
// its REPORT), the limit of 10 extensions for external ones,
// SnapStart, X-Ray daemon access from containers
// (AWS_XRAY_DAEMON_ADDRESS is not set in them), host names added while
// an image function's container runs (its /etc/hosts holds the names
// known when it started), the .NET runtimes (their invocations fail
// with InvalidRuntimeException naming the runtime), the AWS SDK for
// Ruby that AWS's Ruby runtimes include (a Ruby function bundles it),
// custom serializers
// (aws-lambda-java-serialization's CustomPojoSerializer) and the events'
// own Jackson mix-ins (the Java bootstrap's JSON mapper has general rules
// instead: see package bootstraps), AWS_LAMBDA_EXEC_WRAPPER, the
// timestamp condition of JSON log-level
// filtering (a line's "level" counts with or without a valid timestamp),
// and callbackWaitsForEmptyEventLoop = false semantics beyond "reply when
// the callback is called" in Node.js.
package functions
