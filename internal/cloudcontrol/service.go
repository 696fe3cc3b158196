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
//
// It runs the providers for the resources no stack holds too, those
// the Cloud Control API made (their StackID empty), which the API
// records itself, and the types' read handlers, which describe the
// resources the services have, whoever made them.
type Stacks interface {
	Resources(typ string) []cloudformation.HeldResource
	CreateResource(ctx context.Context, typ, logicalID string, props map[string]any) (cloudformation.HeldResource, error)
	UpdateResource(ctx context.Context, r cloudformation.HeldResource, props map[string]any) (cloudformation.HeldResource, error)
	DeleteResource(ctx context.Context, r cloudformation.HeldResource) error
	Described(ctx context.Context, typ string) ([]cloudformation.HeldResource, error)
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

	// mu serializes the writes of request records and of the API's own
	// resources, and guards busy.
	mu sync.Mutex
	// busy holds the resources of the API's own a request is changing
	// (type and physical ID), which another request may not change
	// meanwhile.
	busy map[string]bool
}

// New returns the Cloud Control API over CloudFormation's stacks.
func New(d Deps) *Service {
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: d.Store, stacks: d.Stacks, clock: d.Clock, ids: d.IDs, log: log, busy: map[string]bool{}}
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
