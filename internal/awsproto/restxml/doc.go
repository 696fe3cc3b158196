// Package restxml implements AWS's restXml protocol, which S3, Route 53
// and CloudFront speak: operations are bound to HTTP methods and paths
// ("PUT /{Bucket}/{Key+}", "GET /{Bucket}?list-type=2") exactly as in
// restJson1 (package httpbinding routes and binds both), and bodies are
// XML.
//
// # Requests
//
// URI labels, query parameters and headers are bound by httpbinding. A
// blob, string or stream payload member receives the raw body; a
// structure payload, or else the input's body members, are read from the
// XML document by xmlcodec.Unmarshal, whatever its root element is
// called.
//
// # Responses
//
// The status is the operation's (or the output's loc=status member), and
// header members become headers. A blob, string or stream payload is the
// body as it is. Otherwise the body is an XML document with one root
// element:
//
//   - for a structure payload, the element is named after the payload
//     member (its name=), unless the member keeps its Go name and the
//     payload's type names its root (below);
//   - for body members, the element is named after the output type, or what
//     the type's root tag says.
//
// The root tag is a blank field carrying the element's name and namespace
// in an aws tag, as aws-sdk-go v1 declared its shapes:
//
//	type ListBucketsOutput struct {
//		_       struct{} `aws:"name=ListAllMyBucketsResult,xmlns=http://s3.amazonaws.com/doc/2006-03-01/"`
//		Buckets []Bucket `aws:"member=Bucket"`
//		Owner   *Owner
//	}
//
// Package shape ignores the blank field. Without xmlns= the root carries
// the protocol's namespace (WithNamespace), if any. An output without
// body members has an empty body, as have HEAD, 204 and 304 responses.
//
// # Errors
//
// Errors are <ErrorResponse><Error><Type/><Code/><Message/>…</Error>
// <RequestId/></ErrorResponse> (Route 53, CloudFront), or with
// WithNoErrorWrapping <Error><Code/><Message/>…<RequestId/></Error> (S3).
// The error's Details members go after Message; its header members
// become headers. HEAD errors have no body: clients take the code from
// the status.
//
// The request id headers (S3: x-amz-request-id and x-amz-id-2) are the
// edge's to set, as for every protocol.
//
// A Protocol belongs to one service: Service.Init compiles the service's
// routes into it.
package restxml
