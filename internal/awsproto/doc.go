// Package awsproto is where an HTTP request becomes an AWS operation call
// and its result becomes an AWS response. It owns the shape of a service
// (a name, a protocol, an operation table) and the one path every call
// takes:
//
//	edge ─► Service.Serve(call)
//	          Protocol.Resolve   which operation (X-Amz-Target, Action, REST route)
//	          Protocol.Decode    wire → input struct     (malformed → protocol's error)
//	          shape.Validate     required, lengths, ranges, patterns, enums → ValidationException
//	          Call.Authorizer    --auth iam only: Operation.Action on Service.Resources → AccessDenied
//	          Handler.Serve      the service's code, which knows nothing of HTTP
//	          Protocol.Encode    output struct → wire    (or EncodeError for an *apierr.Error)
//
// The protocols live in subpackages, one each: awsjson (awsJson 1.0 and
// 1.1), query (awsQuery), restjson (restJson1), restxml (restXml) and
// rpcv2cbor (Smithy's rpcv2Cbor); querycompat serves awsQuery beside
// awsJson or rpcv2Cbor on one operation table. They
// share package shape, which describes input and output structs by
// reflection. Errors are *apierr.Error values. SigV4 parsing and
// verification is package sigv4; the edge runs it before Serve.
//
// The edge reads a request's body into Call.Body before Serve, except for
// operations marked StreamBody (S3's uploads), whose stream payload reads
// Call.BodyStream as the handler consumes it; and it authenticates every
// call, except that an Anonymous operation (S3's CORS preflights) may be
// unsigned.
//
// Adding an operation: write its input and output structs and its
// handler, and add one Operation to the service's table.
package awsproto
