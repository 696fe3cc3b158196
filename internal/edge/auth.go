package edge

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/sigv4"
	"github.com/virga/virga/internal/clock"
)

// CredentialSource finds credentials that are not in the configuration:
// IAM users' access keys and STS's temporary credentials.
type CredentialSource interface {
	// LookupCredential returns the credential with the access key id, or
	// nil if it does not know it.
	LookupCredential(accessKeyID string) (*awsproto.Credential, error)
}

// Authenticator decides who a request is from.
type Authenticator struct {
	// Verify checks signatures (--auth sigv4); otherwise any well-formed
	// signature, or none, is accepted (--auth accept).
	Verify bool
	// Static are the long-term credentials from the configuration.
	Static map[string]awsproto.Credential
	// Temporary finds credentials IAM (access keys) and STS (temporary
	// credentials) issued.
	Temporary CredentialSource
	// Account is the account of callers that are not otherwise known.
	Account string
	Clock   clock.Clock
}

// Authenticate sets c.Caller, or returns the AWS error that refuses the
// request in its service's dialect.
func (a *Authenticator) Authenticate(c *awsproto.Call) error {
	dialect := dialectOf(c.Service)
	auth, err := sigv4.Parse(c.Request)
	if err != nil {
		return apiError(err, dialect)
	}
	c.Caller.Account = a.Account
	if a.Verify {
		c.PolicySigner = policySigner{a, dialect}
	}
	if auth == nil {
		if a.Verify {
			return (&sigv4.Error{Kind: sigv4.Missing}).APIError(dialect)
		}
		return nil
	}
	if auth.Region != "" {
		c.Region = auth.Region
	}
	c.Caller.AccessKeyID = auth.AccessKeyID
	cred, err := a.lookup(auth.AccessKeyID)
	if err != nil {
		return err
	}
	if cred != nil {
		c.Caller = cred.Caller
		if c.Caller.Account == "" {
			c.Caller.Account = a.Account
		}
		c.Caller.AccessKeyID = auth.AccessKeyID
	}
	if !a.Verify {
		return nil
	}
	if cred == nil {
		return (&sigv4.Error{Kind: sigv4.UnknownAccessKey}).APIError(dialect)
	}
	if cred.SessionToken != "" {
		if auth.SecurityToken != cred.SessionToken {
			return (&sigv4.Error{Kind: sigv4.InvalidToken}).APIError(dialect)
		}
		if !a.Clock.Now().Before(cred.Expires) {
			return (&sigv4.Error{Kind: sigv4.ExpiredToken}).APIError(dialect)
		}
	}
	if err := sigv4.Verify(c.Request, c.Body, auth, cred.SecretAccessKey, a.Clock.Now()); err != nil {
		return apiError(err, dialect)
	}
	if strings.HasPrefix(c.Request.Header.Get("X-Amz-Content-Sha256"), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") {
		c.ChunkSigner = sigv4.NewChunkSigner(auth, cred.SecretAccessKey)
	}
	return nil
}

// Identify returns who signed r, as GetCallerIdentity would name them;
// false for an unsigned request. With --auth sigv4 or iam (Verify) the
// signature is verified as Authenticate verifies it, and a request whose
// signature does not hold is taken as unsigned; otherwise it is not
// checked. Data
// planes that pass the caller to a function (function URLs and HTTP API
// routes with AWS_IAM authorization) use it.
func (a *Authenticator) Identify(r *http.Request) (awsproto.Caller, bool) {
	auth, err := sigv4.Parse(r)
	if err != nil || auth == nil {
		return awsproto.Caller{}, false
	}
	c := awsproto.Caller{Account: a.Account}
	cred, err := a.lookup(auth.AccessKeyID)
	if err == nil && cred != nil {
		c = cred.Caller
		if c.Account == "" {
			c.Account = a.Account
		}
	}
	if a.Verify && !a.verifyDataPlane(r, auth, cred, err) {
		return awsproto.Caller{}, false
	}
	c.AccessKeyID = auth.AccessKeyID
	if c.ARN == "" {
		// A long-term key is the account root's (IAM users come with IAM).
		c.ARN = "arn:aws:iam::" + c.Account + ":root"
		c.UserID = c.Account
	}
	return c, true
}

// maxVerifiedBody bounds the body Identify reads to verify a data
// plane request's signature; a larger request is taken as unsigned.
const maxVerifiedBody = 10 << 20

// verifyDataPlane checks, with --auth sigv4 or iam, the signature of a
// data plane request as Authenticate checks an API call's: a known key,
// its session token, and the signature over the body, which it reads
// and puts back for the data plane.
func (a *Authenticator) verifyDataPlane(r *http.Request, auth *sigv4.Auth, cred *awsproto.Credential, err error) bool {
	if err != nil || cred == nil {
		return false
	}
	if cred.SessionToken != "" && (auth.SecurityToken != cred.SessionToken || !a.Clock.Now().Before(cred.Expires)) {
		return false
	}
	var body []byte
	if r.Body != nil {
		body, err = io.ReadAll(io.LimitReader(r.Body, maxVerifiedBody+1))
		if err != nil || len(body) > maxVerifiedBody {
			return false
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	signed := r
	if orig, ok := r.Context().Value(signedRequestKey{}).(*http.Request); ok {
		// A path-form address was rewritten: the client signed its own.
		signed = orig
	}
	return sigv4.Verify(signed, body, auth, cred.SecretAccessKey, a.Clock.Now()) == nil
}

func (a *Authenticator) lookup(accessKeyID string) (*awsproto.Credential, error) {
	if cred, ok := a.Static[accessKeyID]; ok {
		return &cred, nil
	}
	if a.Temporary == nil {
		return nil, nil
	}
	return a.Temporary.LookupCredential(accessKeyID)
}

// apiError renders a sigv4 error in the dialect; other errors pass through.
func apiError(err error, d sigv4.Dialect) error {
	if se, ok := err.(*sigv4.Error); ok {
		return se.APIError(d)
	}
	return err
}

// dialectOf is the family of authentication errors a service answers with.
func dialectOf(s *awsproto.Service) sigv4.Dialect {
	switch name := s.Protocol.Name(); {
	case name == "awsQuery":
		return sigv4.Query
	case name == "restJson1":
		return sigv4.RestJSON
	case name == "restXml":
		return sigv4.S3
	default:
		return sigv4.JSON
	}
}

// policySigner checks browser forms' policy signatures with the
// credentials the Authenticator knows.
type policySigner struct {
	a       *Authenticator
	dialect sigv4.Dialect
}

func (p policySigner) CheckPolicy(credential, policy, signature string, v2 bool) error {
	key, scope, _ := strings.Cut(credential, "/")
	cred, err := p.a.lookup(key)
	if err != nil {
		return err
	}
	if cred == nil {
		return (&sigv4.Error{Kind: sigv4.UnknownAccessKey}).APIError(p.dialect)
	}
	var want string
	if v2 {
		want = sigv4.PolicySignatureV2(cred.SecretAccessKey, policy)
	} else {
		parts := strings.Split(scope, "/")
		if len(parts) != 4 || parts[3] != "aws4_request" {
			return (&sigv4.Error{Kind: sigv4.Malformed}).APIError(p.dialect)
		}
		want = sigv4.PolicySignature(cred.SecretAccessKey, parts[0], parts[1], parts[2], policy)
	}
	if !sigv4.Equal(want, signature) {
		return (&sigv4.Error{Kind: sigv4.SignatureMismatch}).APIError(p.dialect)
	}
	return nil
}
