package iam

import (
	"sync"
	"sync/atomic"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/query"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
)

// APIVersion and Namespace identify IAM's awsQuery API.
const (
	APIVersion = "2010-05-08"
	Namespace  = "https://iam.amazonaws.com/doc/2010-05-08/"
)

// Service is AWS Identity and Access Management.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string

	// mu serializes every change: each reads the records it changes,
	// checks them and commits them while holding it. Reads take no lock.
	mu sync.Mutex

	// gen counts committed changes; authCache holds callers' parsed
	// policies (principalSet), each valid while gen has not moved.
	gen       atomic.Uint64
	authCache sync.Map
	authCount atomic.Int64
}

// Deps are what IAM needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string // the account every entity belongs to
}

// New returns IAM over the given store.
func New(d Deps) *Service {
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account}
}

// API returns IAM as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "iam",
		Protocol:        query.New(APIVersion, Namespace),
		ValidationError: ErrValidation,
		Operations:      s.operations(),
		Resources:       s.resources,
	}).Init()
}
