// Package runtimeapi is the Lambda Runtime API, version 2018-06-01, for one
// execution environment: the HTTP interface a runtime (aws-lambda-go, our
// Python, Node and Ruby bootstraps, any custom `bootstrap`) polls for invocations
// and answers through.
//
//	GET  /2018-06-01/runtime/invocation/next              long poll → payload + Lambda-Runtime-* headers
//	POST /2018-06-01/runtime/invocation/{id}/response     202 {"status":"OK"}
//	     (Lambda-Runtime-Function-Response-Mode: streaming: chunked, read as it comes; stream.go)
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
// The environment (package functions) hands invocations in with Dispatch
// and reads what the runtime did from Events, in order. The package knows
// nothing of processes, pools or logs.
//
// Lock order: Server.mu is a leaf; it is never held while writing to a
// connection or emitting an event.
package runtimeapi
