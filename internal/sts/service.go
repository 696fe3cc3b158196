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
}

// Roles are IAM's roles as STS sees them.
type Roles interface {
	// TrustPolicy returns the trust policy of the role with the ARN, and
	// false when there is no such role.
	TrustPolicy(roleARN string) (string, bool, error)
	// RoleID returns the unique id (AROA...) of the role with the ARN,
	// and false when there is no such role.
	RoleID(roleARN string) (string, bool, error)
}

// New returns STS over the given store.
func New(d Deps) *Service {
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, roles: d.Roles}
}

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
