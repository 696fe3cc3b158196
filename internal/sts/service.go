package sts

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/query"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
)

// APIVersion and Namespace identify STS's awsQuery API.
const (
	APIVersion = "2011-06-15"
	Namespace  = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// Service is STS.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	roles   Roles
	// providers are IAM's OpenID Connect providers; tokenKeys verifies
	// the tokens of issuers virga runs; federatedTrust, set with --auth
	// iam, weighs roles' trust policies for web identities (see
	// FederateWith).
	providers      Providers
	tokenKeys      TokenKeys
	federatedTrust FederatedTrust

	// unknownKeys remembers access keys STS never issued (see
	// LookupCredential); unknownCount bounds it.
	unknownKeys  sync.Map
	unknownCount atomic.Int64
}

// Deps are what STS needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string // the account callers belong to
	// Roles, when set, gives roles' trust policies, which the edge
	// checks AssumeRole against when it enforces IAM policies.
	Roles Roles
	// Providers, when set, are the OpenID Connect providers whose tokens
	// AssumeRoleWithWebIdentity accepts.
	Providers Providers
}

// Providers are IAM's OpenID Connect providers as STS sees them.
type Providers interface {
	// OpenIDConnectProvider returns the ARN and client ids of the
	// provider for issuer (its URL without https://), and false when the
	// account has none.
	OpenIDConnectProvider(issuer string) (arn string, clientIDs []string, ok bool, err error)
}

// TokenKeys verifies the signatures of web identity tokens whose
// issuers virga runs itself (its Cognito user pools and identity pools).
type TokenKeys interface {
	// VerifyToken reports whether virga holds the keys of issuer (the
	// token's iss) and, when it does, whether token's signature verifies
	// with them (a nil error).
	VerifyToken(issuer, token string) (known bool, err error)
}

// FederatedTrust reports whether role's trust policy lets a web identity
// of the federated principal (an OpenID Connect provider's ARN,
// cognito-identity.amazonaws.com) perform sts:AssumeRoleWithWebIdentity,
// with the token's condition keys (ISSUER:aud, :sub, :amr) in the
// request context.
type FederatedTrust func(ctx context.Context, principal, role string, keys map[string][]string) (bool, error)

// Roles are IAM's roles as STS sees them.
type Roles interface {
	// TrustPolicy returns the trust policy of the role with the ARN, and
	// false when there is no such role.
	TrustPolicy(roleARN string) (string, bool, error)
	// RoleID returns the unique id (AROA...) of the role with the ARN,
	// and false when there is no such role.
	RoleID(roleARN string) (string, bool, error)
	// MaxSessionDuration returns the role's longest session in seconds,
	// and false when there is no such role.
	MaxSessionDuration(roleARN string) (int32, bool, error)
}

// New returns STS over the given store.
func New(d Deps) *Service {
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, roles: d.Roles, providers: d.Providers}
}

// VerifyTokensWith has AssumeRoleWithWebIdentity check the signatures of
// the tokens of virga's own issuers with keys.
func (s *Service) VerifyTokensWith(keys TokenKeys) { s.tokenKeys = keys }

// EnforceWebIdentityTrust, which virga calls when it enforces IAM
// policies, has AssumeRoleWithWebIdentity issue credentials only when
// the role's trust policy allows the token (trust), and refuse tokens
// whose signature virga cannot check (an issuer outside virga, which it
// has no network to fetch keys from).
func (s *Service) EnforceWebIdentityTrust(trust FederatedTrust) { s.federatedTrust = trust }

// API returns STS as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "sts",
		Protocol:        query.New(APIVersion, Namespace),
		ValidationError: ErrValidation,
		Operations:      s.operations(),
		// AssumeRole acts on the role, whose trust policy is its
		// resource-based policy: IAM's "Policy evaluation logic" requires
		// it to allow the caller.
		Resources: func(c *awsproto.Call, in any) []string {
			if arn := awsproto.InputString(in, "RoleArn"); arn != "" {
				return []string{arn}
			}
			return nil
		},
		ResourcePolicy:         s.trustPolicy,
		ResourcePolicyRequired: true,
	}).Init()
}

// trustPolicy is the resource-based policy of a role: its trust policy;
// a role that does not exist trusts no one.
func (s *Service) trustPolicy(ctx context.Context, roleARN string) (string, error) {
	if s.roles == nil {
		return "", nil
	}
	doc, ok, err := s.roles.TrustPolicy(roleARN)
	if err != nil || !ok {
		return "", err
	}
	return doc, nil
}
