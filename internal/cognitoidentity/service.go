package cognitoidentity

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/sealed"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is Cognito identity pools' X-Amz-Target prefix.
const TargetPrefix = "AWSCognitoIdentityService"

// SigningName is the service name in Cognito identity pools' SigV4 scope.
const SigningName = "cognito-identity"

// UserPools verifies the tokens of virga's Cognito user pools
// (cognitoidp.Service.CheckToken): it returns a token's claims, or one
// of cognitoidp's ErrToken errors saying why it is refused.
type UserPools interface {
	CheckToken(poolID, token, use string) (map[string]any, error)
}

// RoleCredentials are temporary AWS credentials for a role session.
type RoleCredentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
}

// Roles issues a role's temporary credentials, the ones STS's
// AssumeRole would give (sts.Service.AssumeRoleForIdentity), which the
// edge accepts as a session of the role signed for by identity.
type Roles interface {
	AssumeRole(roleARN, sessionName string, duration time.Duration, identity awsproto.CognitoIdentity) (RoleCredentials, error)
}

// Trusts reports whether role's trust policy lets Cognito identity
// pools (the federated principal cognito-identity.amazonaws.com)
// assume it for an identity, given the condition keys AWS sets:
// cognito-identity.amazonaws.com:aud (the pool), :sub (the identity) and
// :amr ("authenticated" or "unauthenticated", and the providers).
type Trusts func(ctx context.Context, role string, keys map[string][]string) (bool, error)

// Service is Amazon Cognito identity pools.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	rand    io.Reader
	box     *sealed.Box
	account string
	region  string
	log     *slog.Logger
	pools   UserPools
	roles   Roles
	// trusts, when set (EnforceTrust), decides whether a role's trust
	// policy lets Cognito identity pools issue its credentials.
	trusts Trusts

	// mu serializes read-modify-write of identity pools and identities,
	// and guards key.
	mu sync.Mutex
	// key is the unsealed key GetOpenIdToken signs with, once loaded.
	key *signingKey
}

// Deps are what Cognito identity pools need.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Random is where keys come from; nil is crypto/rand.
	Random io.Reader
	Logger *slog.Logger
	// UserPools verifies user pools' ID tokens in Logins.
	UserPools UserPools
	// Roles issues the credentials GetCredentialsForIdentity returns.
	Roles Roles
}

// New returns Cognito identity pools over the store, loading (or
// making) the data key its signing key is sealed with.
func New(d Deps) (*Service, error) {
	if d.Random == nil {
		d.Random = rand.Reader
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	box, err := sealed.Load(d.Store, dataKeyKey(), d.Random)
	if err != nil {
		return nil, err
	}
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, rand: d.Random, box: box, account: d.Account,
		region: d.Region, log: d.Logger, pools: d.UserPools, roles: d.Roles}, nil
}

// EnforceTrust makes GetCredentialsForIdentity issue a role's
// credentials only when the role's trust policy allows it, as AWS's
// AssumeRoleWithWebIdentity does (virga calls it with --auth iam).
func (s *Service) EnforceTrust(t Trusts) { s.trusts = t }

// API returns Cognito identity pools as the edge serves them.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            SigningName,
		Protocol:        awsjson.New("1.1", TargetPrefix),
		Resources:       s.resources,
		ValidationError: ErrInvalidParameter,
		Operations:      s.operations(),
	}).Init()
}

// resources names the identity pool a call acts on
// (arn:aws:cognito-identity:REGION:ACCOUNT:identitypool/ID), for IAM
// authorization; calls that name none are authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if arn := awsproto.InputString(in, "ResourceArn"); arn != "" {
		return []string{arn}
	}
	if id := awsproto.InputString(in, "IdentityPoolId"); id != "" {
		return []string{s.poolARN(id)}
	}
	return nil
}

func (s *Service) poolARN(id string) string {
	return "arn:aws:cognito-identity:" + s.region + ":" + s.account + ":identitypool/" + id
}
