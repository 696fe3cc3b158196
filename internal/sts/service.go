package sts

import (
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
}

// New returns STS over the given store.
func New(d Deps) *Service {
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account}
}

// API returns STS as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "sts",
		Protocol:        query.New(APIVersion, Namespace),
		ValidationError: ErrValidation,
		Operations:      s.operations(),
	}).Init()
}
