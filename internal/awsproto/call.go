package awsproto

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

// Call is one request to one service, from the edge's first look at it to
// the response. The edge creates it; protocols and services fill it in;
// the request log reads it at the end. A Call belongs to one goroutine.
type Call struct {
	// Request is the HTTP request; Body is its body, read in full.
	Request *http.Request
	Body    []byte
	// BodyStream is the body of a request to an operation that streams
	// its input (Operation.StreamBody), which the edge leaves unread:
	// Body is nil then, and the operation's stream payload reads from
	// BodyStream.
	BodyStream io.Reader
	// ChunkSigner, set by the edge when it verified the signature of a
	// request whose body is signed chunk by chunk
	// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), gives each chunk's expected
	// signature, for the operation to check as it reads the body.
	ChunkSigner ChunkSigner
	// PolicySigner, set by the edge when it verifies signatures (--auth
	// sigv4), checks the signature a browser form gives its policy (S3's
	// POST Object, whose request itself is not signed); nil when
	// signatures are not verified.
	PolicySigner PolicySigner
	// Authorizer, set by the edge when it enforces IAM policies (--auth
	// iam), decides whether the caller may make the call once its input
	// is decoded and valid; nil otherwise, and then nothing is checked.
	Authorizer Authorizer
	// Service and Op are what the request calls, once resolved.
	Service *Service
	Op      *Operation
	// Params are what the protocol parsed while resolving the operation,
	// for its decoder: a REST route's URI labels (decoded), or the
	// awsQuery form's parameters.
	Params map[string]string
	// RequestID is sent back in the protocol's request id header and body.
	RequestID string
	// TraceID is the X-Ray trace header value (Root=…;Parent=…;Sampled=…).
	TraceID string
	// Caller is who signed the request.
	Caller Caller
	// Region is the region the request addresses.
	Region string
	// Started is when the edge received the request.
	Started time.Time
	// Status, ErrorCode and Err record the outcome for the request log;
	// Err is an internal error the client did not see.
	Status    int
	ErrorCode string
	Err       error
	// ErrorMessage is the message of the AWS error the client was
	// answered with, for CloudTrail's errorMessage.
	ErrorMessage string
	// Input and Output are the operation's decoded input and its
	// output, once each exists, for recorders that run after the
	// response (CloudTrail's requestParameters and responseElements).
	// They are read, never changed, after the handler returns.
	Input, Output any

	ctx context.Context
}

// ChunkSigner computes the signatures of a chunked upload's chunks and
// trailer, in order (sigv4.ChunkSigner).
type ChunkSigner interface {
	Chunk(dataSHA256 []byte) string
	Trailer(headers string) string
}

// Caller is the identity a request was made with.
type Caller struct {
	// AccessKeyID is the access key the request was signed with (empty
	// for an unsigned request).
	AccessKeyID string
	// SessionToken is the temporary credentials' token, if any.
	SessionToken string
	// Account is the account the caller belongs to.
	Account string
	// ARN and UserID are the caller's identity as GetCallerIdentity
	// reports it.
	ARN    string
	UserID string
	// SessionPolicy and SessionPolicyARNs are the session policies a
	// role session was given (AssumeRole's Policy and PolicyArns, one
	// ARN a line, so that a Caller stays comparable), which cap what the
	// role's policies allow.
	SessionPolicy     string
	SessionPolicyARNs string
	// Federator is, for a federated user (GetFederationToken's
	// arn:aws:sts::ACCOUNT:federated-user/NAME), the ARN of the IAM user
	// or account root whose long-term credentials asked for the token:
	// the federated user has that identity's permissions, capped by its
	// session policies.
	Federator string
	// Cognito is the identity pool identity whose credentials these are
	// (GetCredentialsForIdentity), zero for any other caller. API Gateway
	// reports it to the functions of AWS_IAM methods.
	Cognito CognitoIdentity
}

// CognitoIdentity is an identity of a Cognito identity pool as API
// Gateway describes the caller it signed for: requestContext.identity's
// cognitoIdentityPoolId, cognitoIdentityId, cognitoAuthenticationType and
// cognitoAuthenticationProvider, and the authorizer.iam.cognitoIdentity
// amr of HTTP APIs. It holds only strings, so that a Caller stays
// comparable.
type CognitoIdentity struct {
	PoolID     string `json:"poolId,omitempty"`
	IdentityID string `json:"identityId,omitempty"`
	// AuthenticationType is "authenticated" or "unauthenticated" (a guest).
	AuthenticationType string `json:"authenticationType,omitempty"`
	// AuthenticationProvider is, for a signed-in user, each login's
	// provider and then provider:CognitoSignIn:SUB, comma-separated; empty
	// for a guest.
	AuthenticationProvider string `json:"authenticationProvider,omitempty"`
	// AMR is the identity's authentication methods, one a line: its
	// authentication type, then for each login its provider and
	// provider:CognitoSignIn:SUB.
	AMR string `json:"amr,omitempty"`
}

// EventFields are the identity as requestContext.identity's
// cognitoIdentityPoolId, cognitoIdentityId, cognitoAuthenticationType and
// cognitoAuthenticationProvider report it: all nil for a caller that is
// no identity's, and the provider nil for a guest. They point into c.
func (c *CognitoIdentity) EventFields() (poolID, identityID, authType, provider *string) {
	if c.IdentityID == "" {
		return nil, nil, nil, nil
	}
	if c.AuthenticationProvider != "" {
		provider = &c.AuthenticationProvider
	}
	return &c.PoolID, &c.IdentityID, &c.AuthenticationType, provider
}

// AMRList is the identity's authentication methods as a list.
func (c CognitoIdentity) AMRList() []string {
	if c.AMR == "" {
		return []string{}
	}
	return strings.Split(c.AMR, "\n")
}

type callKey struct{}

// NewCall starts a call for r. The call is reachable from the context it
// hands to handlers (see CallFrom).
func NewCall(r *http.Request, requestID string, started time.Time) *Call {
	c := &Call{Request: r, RequestID: requestID, Started: started}
	c.ctx = context.WithValue(r.Context(), callKey{}, c)
	return c
}

// Context returns the context handlers run in.
func (c *Call) Context() context.Context { return c.ctx }

// CallFrom returns the call a handler's context belongs to, or nil outside
// a call (a background task, say).
func CallFrom(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey{}).(*Call)
	return c
}

// SentTraceHeader is the X-Ray trace header of the call ctx belongs to
// when its caller sent one (X-Amzn-Trace-Id): the caller's Root, Sampled
// decision and Lineage, with the edge's Parent (Call.TraceID). It is ""
// when the caller sent none, for a service that passes a trace on to the
// work it causes only where its caller traced the call.
func SentTraceHeader(ctx context.Context) string {
	if c := CallFrom(ctx); c != nil && c.Request != nil && c.Request.Header.Get("X-Amzn-Trace-Id") != "" {
		return c.TraceID
	}
	return ""
}

// Credential is an access key virga knows, with the identity it stands
// for: a long-term key from the configuration, or temporary credentials
// STS issued.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken is set for temporary credentials; requests signed with
	// them must carry it.
	SessionToken string
	// Expires is when temporary credentials stop working (zero: never).
	Expires time.Time
	// Caller is who requests signed with this key are made by.
	Caller Caller
}

// Authorizer decides whether a call's caller may make it.
type Authorizer interface {
	// Authorize returns nil to let the call run, or the error (the
	// service's AccessDenied) that refuses it. in is the decoded input.
	Authorize(c *Call, in any) error
}

// PolicySigner checks the signature of a browser form's policy.
type PolicySigner interface {
	// CheckPolicy returns nil when signature signs policy (the form's
	// base64 text) with the secret of the credential's access key, or
	// the error the service answers: with SigV4, credential is the form's
	// x-amz-credential (KEY/DATE/REGION/SERVICE/aws4_request); with SigV2
	// (v2), the form's AWSAccessKeyId.
	CheckPolicy(credential, policy, signature string, v2 bool) error
}
