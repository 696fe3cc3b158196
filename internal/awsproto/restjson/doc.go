// Package restjson implements AWS's restJson1 protocol, which Lambda, API
// Gateway and EventBridge Scheduler speak: each operation is bound to an
// HTTP method and path ("GET /2015-03-31/functions/{FunctionName}/configuration"),
// its input travels in URI labels, query parameters, headers and a JSON
// body (or a raw payload), and errors carry their code in the
// X-Amzn-ErrorType header.
//
// Routing and the bindings outside the body are package httpbinding's,
// shared with restxml; this package reads and writes the JSON body with
// jsoncodec. What it answers:
//
//   - A success has the operation's status (Operation.Status, or the
//     output's loc=status member) and its header members. A blob or stream
//     payload is written as it is (application/octet-stream unless a
//     header member sets Content-Type; text/plain for a string), a
//     structure payload as JSON, and
//     otherwise the body members as a JSON object, "{}" when there are
//     none, as Smithy's restJson1 tests expect of servers. HEAD, 204 and 304
//     responses carry no body.
//   - An unknown route is UnknownOperationException, status 404.
//   - A body that is not JSON, or a member of the wrong type anywhere (body,
//     label, query, header), is SerializationException, status 400.
//   - An error is X-Amzn-ErrorType: <code> with a JSON body carrying the
//     message and the error's Details members; its header members become
//     headers. The body's spelling is the service's ErrorStyle.
//
// A loc=querymap member receives every query parameter, those bound to
// members of their own included, as Smithy specifies for servers. The
// request id header (x-amzn-RequestId) is the edge's to set, as for every
// protocol.
//
// A Protocol belongs to one service: Service.Init compiles the service's
// routes into it.
package restjson
