package sigv4

import (
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// Kind classifies why a request failed authentication. Each kind renders as
// a different AWS error, and the rendering depends on the protocol family
// (see Dialect and Error.APIError).
type Kind int

// The ways authentication fails. The zero Kind is not a valid kind.
const (
	// Missing means the request carries no credentials where the operation
	// requires them.
	Missing Kind = iota + 1
	// Malformed means the Authorization header or the presigning query
	// parameters are incomplete or unparsable (AWS's IncompleteSignature,
	// S3's AuthorizationHeaderMalformed and AuthorizationQueryParametersError).
	Malformed
	// Unsupported means the request uses an authentication scheme other than
	// AWS4-HMAC-SHA256 (SigV2, SigV4a, a bearer token).
	Unsupported
	// UnknownAccessKey means no secret is known for the access key id.
	UnknownAccessKey
	// SignatureMismatch means the signature the client sent is not the one
	// computed over the request, or the credential scope is inconsistent.
	SignatureMismatch
	// PayloadMismatch means the X-Amz-Content-Sha256 header, which the
	// signature covers, is not the SHA-256 of the body that arrived.
	PayloadMismatch
	// Skewed means a header-signed request's time is more than 15 minutes
	// away from the server's clock.
	Skewed
	// Expired means a presigned URL is used after X-Amz-Date + X-Amz-Expires.
	Expired
	// NotYetValid means a presigned URL's X-Amz-Date is more than 15
	// minutes in the future.
	NotYetValid
	// ExpiredToken means the session token belongs to temporary credentials
	// that have expired.
	ExpiredToken
	// InvalidToken means the session token is not recognised.
	InvalidToken

	kindCount
)

// String returns the kind's name for logs.
func (k Kind) String() string {
	switch k {
	case Missing:
		return "missing"
	case Malformed:
		return "malformed"
	case Unsupported:
		return "unsupported"
	case UnknownAccessKey:
		return "unknown access key"
	case SignatureMismatch:
		return "signature mismatch"
	case PayloadMismatch:
		return "payload mismatch"
	case Skewed:
		return "skewed"
	case Expired:
		return "expired"
	case NotYetValid:
		return "not yet valid"
	case ExpiredToken:
		return "expired token"
	case InvalidToken:
		return "invalid token"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Dialect is the protocol family an error is rendered for: AWS services of
// different families answer the same authentication failure with different
// codes and statuses.
type Dialect int

// The protocol families.
const (
	// Query is awsQuery: STS, IAM, SQS (query), SNS, CloudFormation.
	Query Dialect = iota
	// JSON is awsJson 1.0 and 1.1: DynamoDB, SQS (JSON), Kinesis, KMS.
	JSON
	// RestJSON is restJson1: Lambda, API Gateway.
	RestJSON
	// S3 is S3's restXml.
	S3

	dialectCount
)

// Limits of request time, from the SigV4 and S3 documentation.
const (
	// maxSkew is how far a header-signed request's time may be from the
	// server's clock, and how far in the future a presigned URL's
	// X-Amz-Date may be ("within 15 minutes of the timestamp").
	maxSkew = 15 * time.Minute
	// maxPresignExpires is S3's limit on X-Amz-Expires: "The minimum value
	// you can set is 1, and the maximum is 604800 (seven days)".
	maxPresignExpires = 7 * 24 * time.Hour
	// defaultPresignExpires is the validity of a presigned URL to a service
	// other than S3 that omits X-Amz-Expires (STS's presigned
	// GetCallerIdentity lives for 15 minutes).
	defaultPresignExpires = 15 * time.Minute
)

// Error is an authentication failure. Detail is AWS's message for the
// specific failure when there is one (a parse error, the skew message);
// the other fields are the facts AWS echoes in its error bodies, filled in
// where they are known.
type Error struct {
	// Kind is what went wrong.
	Kind Kind
	// Detail is the message for this failure, in AWS's wording where it is
	// known. Empty means the dialect's standard message for the kind.
	Detail string
	// Presigned reports whether the credentials came from the query
	// string; S3 names malformed query authentication differently.
	Presigned bool
	// AccessKeyID is the access key the request claimed.
	AccessKeyID string
	// SignatureProvided is the signature the request carried.
	SignatureProvided string
	// CanonicalRequest and StringToSign are what the server computed, for
	// a SignatureMismatch. They contain no secret; AWS returns them so that
	// a client author can find the difference.
	CanonicalRequest string
	StringToSign     string
	// RequestTime and ServerTime are the request's signing time and the
	// server's clock, for Skewed, Expired and NotYetValid.
	RequestTime time.Time
	ServerTime  time.Time
	// Expires is a presigned URL's X-Amz-Expires, for Expired and
	// NotYetValid.
	Expires time.Duration
}

// Error describes the failure for logs.
func (e *Error) Error() string {
	if e.Detail == "" {
		return "sigv4: " + e.Kind.String()
	}
	return "sigv4: " + e.Kind.String() + ": " + e.Detail
}

// rendering is how one dialect answers one kind of failure.
type rendering struct {
	code   string
	status int
	// message is the standard message. It gives way to Error.Detail unless
	// fixed is set, because some dialects answer with one message whatever
	// the detail.
	message string
	fixed   bool
	// presignedCode, when set, replaces code for query-string
	// authentication.
	presignedCode string
}

// Messages AWS uses in several places.
const (
	msgMismatch       = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgMismatchS3     = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	msgIncomplete     = "The request signature does not conform to AWS standards."
	msgTokenInvalid   = "The security token included in the request is invalid."
	msgTokenExpired   = "The security token included in the request is expired"
	msgMissingToken   = "Request is missing Authentication Token"
	msgUnsupported    = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
	msgRequestExpired = "Request has expired"
	msgNotYetValid    = "Request is not yet valid"
)

// renderings is the table of AWS's answers: one row per kind, one column per
// dialect. It is a function so that the table is not mutable package state.
func renderings() *[kindCount][dialectCount]rendering {
	return &[kindCount][dialectCount]rendering{
		Missing: {
			Query:    {code: "MissingAuthenticationToken", status: 403, message: msgMissingToken},
			JSON:     {code: "MissingAuthenticationTokenException", status: 400, message: msgMissingToken},
			RestJSON: {code: "MissingAuthenticationTokenException", status: 403, message: "Missing Authentication Token"},
			S3:       {code: "AccessDenied", status: 403, message: "Access Denied"},
		},
		Malformed: {
			Query:    {code: "IncompleteSignature", status: 400, message: msgIncomplete},
			JSON:     {code: "IncompleteSignatureException", status: 400, message: msgIncomplete},
			RestJSON: {code: "IncompleteSignatureException", status: 403, message: msgIncomplete},
			S3: {code: "AuthorizationHeaderMalformed", status: 400, message: "The authorization header is malformed.",
				presignedCode: "AuthorizationQueryParametersError"},
		},
		Unsupported: {
			Query:    {code: "IncompleteSignature", status: 400, message: msgUnsupported},
			JSON:     {code: "IncompleteSignatureException", status: 400, message: msgUnsupported},
			RestJSON: {code: "IncompleteSignatureException", status: 403, message: msgUnsupported},
			S3:       {code: "InvalidRequest", status: 400, message: msgUnsupported, fixed: true},
		},
		UnknownAccessKey: {
			Query:    {code: "InvalidClientTokenId", status: 403, message: msgTokenInvalid},
			JSON:     {code: "UnrecognizedClientException", status: 400, message: msgTokenInvalid},
			RestJSON: {code: "UnrecognizedClientException", status: 403, message: msgTokenInvalid},
			S3:       {code: "InvalidAccessKeyId", status: 403, message: "The AWS Access Key Id you provided does not exist in our records.", fixed: true},
		},
		SignatureMismatch: {
			Query:    {code: "SignatureDoesNotMatch", status: 403, message: msgMismatch},
			JSON:     {code: "InvalidSignatureException", status: 400, message: msgMismatch},
			RestJSON: {code: "InvalidSignatureException", status: 403, message: msgMismatch},
			S3:       {code: "SignatureDoesNotMatch", status: 403, message: msgMismatchS3},
		},
		PayloadMismatch: {
			Query:    {code: "SignatureDoesNotMatch", status: 403, message: msgMismatch, fixed: true},
			JSON:     {code: "InvalidSignatureException", status: 400, message: msgMismatch, fixed: true},
			RestJSON: {code: "InvalidSignatureException", status: 403, message: msgMismatch, fixed: true},
			S3:       {code: "XAmzContentSHA256Mismatch", status: 400, message: "The provided 'x-amz-content-sha256' header does not match what was computed.", fixed: true},
		},
		Skewed: {
			Query:    {code: "SignatureDoesNotMatch", status: 403, message: "Signature expired"},
			JSON:     {code: "InvalidSignatureException", status: 400, message: "Signature expired"},
			RestJSON: {code: "InvalidSignatureException", status: 403, message: "Signature expired"},
			S3:       {code: "RequestTimeTooSkewed", status: 403, message: "The difference between the request time and the current time is too large.", fixed: true},
		},
		Expired: {
			Query:    {code: "SignatureDoesNotMatch", status: 403, message: msgRequestExpired},
			JSON:     {code: "InvalidSignatureException", status: 400, message: msgRequestExpired},
			RestJSON: {code: "InvalidSignatureException", status: 403, message: msgRequestExpired},
			S3:       {code: "AccessDenied", status: 403, message: msgRequestExpired, fixed: true},
		},
		NotYetValid: {
			Query:    {code: "SignatureDoesNotMatch", status: 403, message: msgNotYetValid},
			JSON:     {code: "InvalidSignatureException", status: 400, message: msgNotYetValid},
			RestJSON: {code: "InvalidSignatureException", status: 403, message: msgNotYetValid},
			S3:       {code: "AccessDenied", status: 403, message: msgNotYetValid, fixed: true},
		},
		ExpiredToken: {
			Query:    {code: "ExpiredToken", status: 403, message: msgTokenExpired, fixed: true},
			JSON:     {code: "ExpiredTokenException", status: 400, message: msgTokenExpired, fixed: true},
			RestJSON: {code: "ExpiredTokenException", status: 403, message: msgTokenExpired, fixed: true},
			S3:       {code: "ExpiredToken", status: 400, message: "The provided token has expired.", fixed: true},
		},
		InvalidToken: {
			Query:    {code: "InvalidClientTokenId", status: 403, message: msgTokenInvalid, fixed: true},
			JSON:     {code: "UnrecognizedClientException", status: 400, message: msgTokenInvalid, fixed: true},
			RestJSON: {code: "UnrecognizedClientException", status: 403, message: msgTokenInvalid, fixed: true},
			S3:       {code: "InvalidToken", status: 400, message: "The provided token is malformed or otherwise invalid.", fixed: true},
		},
	}
}

// APIError renders e as the error a service of dialect d returns, with
// AWS's code, status and message. An Error with an unknown Kind or Dialect
// renders as apierr.ErrInternal, because it is a bug.
func (e *Error) APIError(d Dialect) *apierr.Error {
	if e.Kind <= 0 || e.Kind >= kindCount || d < 0 || d >= dialectCount {
		return apierr.ErrInternal
	}
	row := renderings()[e.Kind][d]
	out := &apierr.Error{Code: row.code, Status: row.status, Message: row.message}
	if e.Presigned && row.presignedCode != "" {
		out.Code = row.presignedCode
	}
	if e.Detail != "" && !row.fixed {
		out.Message = e.Detail
	}
	if e.Kind == SignatureMismatch && d != S3 && e.Detail == "" && e.CanonicalRequest != "" {
		// Every family but S3 spells out what it computed in the message.
		out.Message += "\n\nThe Canonical String for this request should have been\n'" + e.CanonicalRequest +
			"'\n\nThe String-to-Sign should have been\n'" + e.StringToSign + "'\n"
	}
	if d == S3 {
		out.Details = e.s3Details()
	}
	return out
}

// s3Details returns the extra elements S3 puts in the error body for e, or
// nil.
func (e *Error) s3Details() any {
	const iso = "2006-01-02T15:04:05Z"
	switch e.Kind {
	case SignatureMismatch:
		if e.CanonicalRequest == "" {
			return nil
		}
		return &S3SignatureDetails{
			AWSAccessKeyID:        e.AccessKeyID,
			StringToSign:          e.StringToSign,
			SignatureProvided:     e.SignatureProvided,
			StringToSignBytes:     spacedHex(e.StringToSign),
			CanonicalRequest:      e.CanonicalRequest,
			CanonicalRequestBytes: spacedHex(e.CanonicalRequest),
		}
	case UnknownAccessKey:
		return &S3AccessKeyDetails{AWSAccessKeyID: e.AccessKeyID}
	case Skewed:
		return &S3SkewDetails{
			RequestTime:                e.RequestTime.UTC().Format(amzDateLayout),
			ServerTime:                 e.ServerTime.UTC().Format(iso),
			MaxAllowedSkewMilliseconds: maxSkew.Milliseconds(),
		}
	case Expired:
		return &S3ExpiredDetails{
			XAmzExpires: int64(e.Expires / time.Second),
			Expires:     e.RequestTime.Add(e.Expires).UTC().Format(iso),
			ServerTime:  e.ServerTime.UTC().Format(iso),
		}
	case NotYetValid:
		// S3 really writes X-Amz-Date here in Unix milliseconds.
		return &S3NotYetValidDetails{
			XAmzDate:   strconv.FormatInt(e.RequestTime.UnixMilli(), 10),
			Expires:    e.RequestTime.Add(e.Expires).UTC().Format(iso),
			ServerTime: e.ServerTime.UTC().Format(iso),
		}
	}
	return nil
}

// S3SignatureDetails are the elements S3 adds to a SignatureDoesNotMatch
// error body.
type S3SignatureDetails struct {
	AWSAccessKeyID        string `aws:"name=AWSAccessKeyId"`
	StringToSign          string
	SignatureProvided     string
	StringToSignBytes     string
	CanonicalRequest      string
	CanonicalRequestBytes string
}

// S3AccessKeyDetails are the elements S3 adds to an InvalidAccessKeyId
// error body.
type S3AccessKeyDetails struct {
	AWSAccessKeyID string `aws:"name=AWSAccessKeyId"`
}

// S3SkewDetails are the elements S3 adds to a RequestTimeTooSkewed error
// body.
type S3SkewDetails struct {
	RequestTime                string
	ServerTime                 string
	MaxAllowedSkewMilliseconds int64
}

// S3ExpiredDetails are the elements S3 adds to the AccessDenied it returns
// for an expired presigned URL.
type S3ExpiredDetails struct {
	XAmzExpires int64 `aws:"name=X-Amz-Expires"`
	Expires     string
	ServerTime  string
}

// S3NotYetValidDetails are the elements S3 adds to the AccessDenied it
// returns for a presigned URL dated in the future.
type S3NotYetValidDetails struct {
	XAmzDate   string `aws:"name=X-Amz-Date"`
	Expires    string
	ServerTime string
}

// spacedHex renders s as S3 does in StringToSignBytes: two hex digits per
// byte, separated by spaces.
func spacedHex(s string) string {
	const digits = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) * 3)
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(digits[s[i]>>4])
		b.WriteByte(digits[s[i]&0xf])
	}
	return b.String()
}
