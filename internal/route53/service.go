package route53

import (
	"context"
	"sync"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/restxml"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
)

// Namespace is the XML namespace of Route 53's documents.
const Namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

// Service is Route 53's hosted zones and record sets.
type Service struct {
	store store.Store
	clock clock.Clock
	ids   *ids.Generator

	// mu serializes changes: each reads a zone, checks the change
	// against it and writes it back in one batch.
	mu sync.Mutex
	// changesOrdered is set (under mu) once the changes an earlier
	// virga stored have order keys (expireChanges).
	changesOrdered bool
}

// Deps are what Route 53 needs.
type Deps struct {
	Store store.Store
	Clock clock.Clock
	IDs   *ids.Generator
}

// New returns Route 53 over the given store.
func New(d Deps) *Service {
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs}
}

// API returns Route 53 as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name: "route53",
		Protocol: restxml.New(
			restxml.WithNamespace(Namespace),
			restxml.WithMalformedXML(ErrMalformedInput.WithMessage("The XML document is not well-formed.")),
		),
		ValidationError: ErrInvalidInput,
		Resources:       s.resources,
		Operations:      s.operations(),
	}).Init()
}

// update runs f on a batch under the service's lock and commits what f
// wrote.
func (s *Service) update(ctx context.Context, f func(r store.Reader, b store.Batch) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.NewBatch()
	defer b.Close()
	if err := f(s.store, b); err != nil {
		return err
	}
	return b.Commit()
}
