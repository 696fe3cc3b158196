// Package rpcv2cbor implements Smithy's RPC v2 CBOR protocol
// (smithy.protocols#rpcv2Cbor), which CloudWatch's current SDKs speak:
// every request is a POST to /service/{ServiceName}/operation/{Operation}
// with the header "Smithy-Protocol: rpc-v2-cbor" and, when the input has
// members, a CBOR body (Content-Type: application/cbor). Responses carry
// the same header and a CBOR body; an error is a CBOR map with __type
// (the error's shape id) and message.
//
// The CBOR codec (RFC 8949) is written here: cbor.go decodes any
// well-formed item, definite or indefinite length, into the generic values
// package jsoncodec reads (byte strings become base64 text, tag 1 epoch
// timestamps and all numbers become json.Number, NaN and the infinities
// their JSON strings), so that one decoder and one validator serve both
// JSON and CBOR inputs; encode.go writes shape structs as CBOR, with
// definite lengths, blobs as byte strings and timestamps as tag 1 epoch
// seconds.
//
// A service that also speaks awsQuery (Smithy's awsQueryCompatible trait)
// serves both on one operation table through package querycompat; its
// errors then carry their awsQuery code and fault in the
// X-Amzn-Query-Error header, which SDKs report as the error's code.
//
// Not supported: event streams; CBOR inputs with Smithy document members
// (no rpcv2Cbor service virga serves has them); bignums (tags 2 and 3) and
// decimal fractions, which Smithy's bigInteger and bigDecimal would need.
package rpcv2cbor
