package cloudcontrol

import (
	"context"
	"log/slog"
	"sync"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/cloudformation"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is the Cloud Control API's X-Amz-Target prefix.
const TargetPrefix = "CloudApiService"

// Stacks is the part of CloudFormation the Cloud Control API reads and
// changes resources through: the resources its stacks hold, and an
// update of one through its type's provider that the stack records.
type Stacks interface {
	Resources(typ string) []cloudformation.HeldResource
	UpdateResource(ctx context.Context, r cloudformation.HeldResource, props map[string]any) (cloudformation.HeldResource, error)
}

// IDs makes request tokens.
type IDs interface {
	UUID() string
}

// Deps are what the Cloud Control API needs.
type Deps struct {
	Store  store.Store
	Stacks Stacks
	Clock  clock.Clock
	IDs    IDs
	Logger *slog.Logger
}

// Service is the Cloud Control API.
type Service struct {
	store  store.Store
	stacks Stacks
	clock  clock.Clock
	ids    IDs
	log    *slog.Logger

	// mu serializes the writes of request records.
	mu sync.Mutex
}

// New returns the Cloud Control API over CloudFormation's stacks.
func New(d Deps) *Service {
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: d.Store, stacks: d.Stacks, clock: d.Clock, ids: d.IDs, log: log}
}

// API returns the Cloud Control API as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "cloudcontrolapi",
		Protocol:        awsjson.New("1.0", TargetPrefix),
		ValidationError: ErrValidation,
		Operations:      s.operations(),
	}).Init()
}
