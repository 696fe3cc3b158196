// Package sigv4 is the server side of AWS Signature Version 4: it reads the
// authentication a request carries and checks its signature, and it renders
// authentication failures as the AWS error each protocol family returns.
//
// The edge calls it on every request:
//
//	service, region, ok := sigv4.Scope(r)  // cheap: which service is this for?
//	a, err := sigv4.Parse(r)               // nil, nil: anonymous
//	secret, found := keys.Lookup(a.AccessKeyID)
//	if !found { err = &sigv4.Error{Kind: sigv4.UnknownAccessKey, AccessKeyID: a.AccessKeyID} }
//	err = sigv4.Verify(r, body, a, secret, clock.Now())
//	var se *sigv4.Error
//	if errors.As(err, &se) { encode(se.APIError(sigv4.Query)) }
//
// # What it owns
//
// Parsing the Authorization header (any spacing between parameters) and
// presigned query parameters; rebuilding the canonical request over exactly
// the headers the client listed in SignedHeaders; the time windows (15
// minutes either way for header signatures, X-Amz-Date to X-Amz-Date +
// X-Amz-Expires for presigned URLs, at most 7 days); the comparison, in
// constant time; and one table (errors.go) of AWS's codes, statuses and
// messages per failure Kind and Dialect.
//
// The canonical request is written by hand rather than with the SDK's
// signer, because the signer chooses which headers to sign and a server
// must use the client's choice. Tests sign thousands of generated requests
// with aws-sdk-go-v2's signer and check that they verify, and that any
// one-byte change does not.
//
// Where clients legitimately differ, Verify accepts each form a client may
// have signed, every one derived from the request itself: the path as sent
// and (not S3) normalized as AWS's test suite does, or (S3) the decoded key
// encoded once; a presigned query with and without X-Amz-Security-Token;
// and, for a presigned URL without X-Amz-Content-Sha256, UNSIGNED-PAYLOAD
// and the body's hash.
//
// # What it does not do
//
// It holds no keys and no clock: the caller looks up the secret for
// Auth.AccessKeyID, checks Auth.SecurityToken, passes the time, and reports
// unknown keys and bad tokens with an Error of kind UnknownAccessKey,
// InvalidToken or ExpiredToken. It does not check that the credential
// scope's region and service are the ones the request reached. It does not
// verify the per-chunk signatures of aws-chunked bodies
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): the seed signature is checked like
// any other, with the header's value as the payload hash. SigV4a
// (AWS4-ECDSA-P256-SHA256) and SigV2 are reported as Unsupported.
//
// The package has no mutable state; every function is safe for concurrent
// use.
package sigv4
