// Package runtimeapi is the Lambda Runtime API, version 2018-06-01, for one
// execution environment: the HTTP interface a runtime (aws-lambda-go, our
// Python, Node and Ruby bootstraps, any custom `bootstrap`) polls for invocations
// and answers through.
//
//	GET  /2018-06-01/runtime/invocation/next              long poll → payload + Lambda-Runtime-* headers
//	POST /2018-06-01/runtime/invocation/{id}/response     202 {"status":"OK"}
//	     (Lambda-Runtime-Function-Response-Mode: streaming, or a chunked body
//	     for an Invocation that is Streaming: read as it comes; stream.go)
//	POST /2018-06-01/runtime/invocation/{id}/error        202 {"status":"OK"}
//	POST /2018-06-01/runtime/init/error                   202 {"status":"OK"}
//
// Each Server listens on its own 127.0.0.1 port (AWS_LAMBDA_RUNTIME_API is
// host:port, so a listener per environment is what tells environments
// apart without a lookup on every request) and speaks HTTP/1.1 itself
// (wire.go: keep-alive, pipelining, chunked bodies, Expect:
// 100-continue): one read and one write per exchange, where net/http
// spent a goroutine, a background read and several allocations per
// request on the hottest path of every invocation.
//
// It drives an explicit state machine (state.go):
//
//	Starting ──next──► Ready ──dispatch──► Invoking ──response|error──► Idle ──next──► Ready ...
//	Starting ──init/error──► InitFailed
//	Ready ──next (a new poll supersedes an abandoned one)──► Ready
//	Invoking ──answer could not be written──► Idle (the invocation waits for the next poll)
//	any ──Close──► Closed
//
// A streamed response (stream.go) moves the state to Idle when it begins,
// so that a later /error is refused; the environment dispatches the next
// invocation only after EventStreamEnd. Its chunks are events as they
// are read (EventStreamStart, EventStreamChunk..., EventStreamEnd), at
// Lambda's bandwidth: the first 6 MB uncapped, then 2 MB a second; past
// 200 MB the stream ends with Function.ResponseSizeTooLarge and a 413.
// The trailers Lambda-Runtime-Function-Error-Type and
// Lambda-Runtime-Function-Error-Body (base64) report an error that
// happened after the response began; a runtime that breaks off ends
// the stream with Runtime.TruncatedResponse.
//
// A request that does not fit the state is refused as AWS refuses it: 400
// InvalidRequestID for an id that is not the current invocation's, 403
// InvalidStateTransition for a call out of order, 413
// RequestEntityTooLarge for a response over 6 MB, 500 once the
// environment is shutting down (the runtime should exit).
//
// The Extensions API, version 2020-01-01 (extensions.go), is served on
// the same address, for the external extensions of /opt/extensions and
// for internal ones (registered by the runtime process under any other
// name):
//
//	POST /2020-01-01/extension/register    Lambda-Extension-Name, {"events":["INVOKE","SHUTDOWN"]}
//	     → 200 {"functionName","functionVersion","handler"[,"accountId"]}, Lambda-Extension-Identifier
//	GET  /2020-01-01/extension/event/next  → {"eventType":"INVOKE","deadlineMs","requestId","invokedFunctionArn","tracing"}
//	                                         or {"eventType":"SHUTDOWN","shutdownReason","deadlineMs"}
//	POST /2020-01-01/extension/init/error  Lambda-Extension-Function-Error-Type → 202
//	POST /2020-01-01/extension/exit/error  Lambda-Extension-Function-Error-Type → 202
//
// accountId is in the register answer only for an extension that sends
// Lambda-Extension-Accept-Feature: accountId. An extension's state is
// Registered ──next──► Ready ──event──► Running ──next──► Ready ..., or
// InitError / ExitError, which are final. Init (EventReady) completes
// when the runtime and every live extension have asked for an event;
// registration closes at the runtime's first /next (internal
// extensions register during the runtime's init; the environment starts
// the runtime only once the external ones have registered:
// ExpectExtensions). Dispatch hands INVOKE to the extensions subscribed
// to it; ExtensionsDone says when each has asked for its next event
// again. Shutdown sends SHUTDOWN. An extension whose process ended
// (ExtensionExited) is waited for no more. Refusals are 403 with the
// error types of AWS's runtime interface emulator:
// Extension.InvalidExtensionName (no name), InvalidRequestFormat (a body
// that is not JSON, or deprecated configurationKeys),
// Extension.InvalidEventType (an unknown event; SHUTDOWN for an internal
// extension), Extension.RegistrationClosed, Extension.TooManyExtensions
// (MaxExtensions), Extension.MissingExtensionIdentifier,
// Extension.InvalidExtensionIdentifier (not a UUID),
// Extension.UnknownExtensionIdentifier, Extension.MissingHeader (no
// Lambda-Extension-Function-Error-Type) and
// Extension.InvalidExtensionState (a call out of order, or an external
// extension registering twice). The wording of InvalidEventType's
// message is virga's (AWS's is not published). A new /event/next
// supersedes an extension's pending one, as the runtime's does.
//
// The Telemetry API, version 2022-07-01, and the Logs API, version
// 2020-08-15 (telemetry.go), take an extension's subscription:
//
//	PUT /2022-07-01/telemetry  Lambda-Extension-Identifier, {"schemaVersion","types","buffering","destination"} → 200 "OK"
//	PUT /2020-08-15/logs       the same, schemaVersion optional → 200 "OK"
//
// A subscription is validated as AWS documents it (schema versions
// 2022-07-01, 2022-12-13, 2025-01-29, or 2020-08-15 and 2021-03-18 for
// the Logs API; types platform, function, extension; buffering maxItems
// 1,000 to 10,000, maxBytes 262,144 to 1,048,576, timeoutMs 25 to
// 30,000; an HTTP or TCP destination with a port) and refused with 400
// ValidationError (Logs.ValidationError), its problems joined by "; "
// as AWS's example joins them; the wording of each problem is virga's.
// An extension subscribes through one API only (a second API is a
// ValidationError), until the init completes (CloseSubscriptions; then
// 403 Telemetry.SubscriptionClosed or Logs.SubscriptionClosed, as AWS's
// runtime interface names them); a new subscription replaces its
// earlier one. The Observer (the environment) is handed each
// subscription and each registration, and delivers.
//
// virga's own endpoint (sdk.go), for its Node.js bootstrap: a package of
// the AWS SDK that the function's code requires and does not find is
// installed on request, by the environment's SDKProvider:
//
//	POST /_virga/sdk/{package}  → 204 once installed; 404 Runtime.SDKUnavailable (with the reason)
//
// The environment (package functions) hands invocations in with Dispatch
// and reads what the runtime did from Events, in order. The package knows
// nothing of processes, pools or logs.
//
// Lock order: Server.mu is a leaf; it is never held while writing to a
// connection or emitting an event.
package runtimeapi
