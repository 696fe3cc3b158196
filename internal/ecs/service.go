package ecs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/vpcref"
)

// TargetPrefix is Amazon ECS's X-Amz-Target prefix.
const TargetPrefix = "AmazonEC2ContainerServiceV20141113"

// SigningName is the name ECS requests are signed for.
const SigningName = "ecs"

// Service is Amazon ECS: clusters, task definitions, tasks and services.
type Service struct {
	store        store.Store
	clock        clock.Clock
	ids          *ids.Generator
	account      string
	region       string
	runtime      Runtime
	logs         Logs
	lbs          LoadBalancers
	network      vpcref.Network
	roles        Roles
	secretValues SecretValues
	parameters   Parameters
	objects      Objects
	// events receives task state change events; nil sends none.
	events      deliver.Deliverer
	stateEvents stateEvents
	// execCheck authorizes what the agent does with tasks' execution
	// roles (EnforceExecutionRoles); nil uses virga's own rights.
	execCheck ExecutionCheck
	// endpoint is virga's URL as containers reach it; nil gives
	// containers no endpoints (tests of the scheduler alone).
	endpoint func() string
	log      *slog.Logger
	tick     time.Duration
	// stopSlack is how long past their stop timeout a task's containers
	// may take to stop (stopSlack, tests shorten it).
	stopSlack time.Duration

	// mu guards the state below and every write of it to the store.
	// Runtime calls are made without it.
	mu       sync.Mutex
	clusters map[string]*cluster         // by name
	families map[string]*family          // by family name
	tasks    map[string]*task            // by task id
	services map[string]*service         // by cluster name + "/" + service name
	stops    map[string]chan stopRequest // by task id: tasks whose lifecycle runs here
	secrets  map[string]string           // task id by secret: running tasks' endpoints
	tasksWG  sync.WaitGroup              // task lifecycles in flight
	wake     chan struct{}               // nudges the scheduler loop
	ctx      context.Context             // ends when Close is called
	cancel   context.CancelFunc
}

// Deps are what ECS needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Runtime runs tasks' containers; it must not be nil.
	Runtime Runtime
	// Logs receives the output of containers whose log driver is
	// awslogs; nil discards it.
	Logs Logs
	// LoadBalancers registers services' tasks in their target groups;
	// nil makes every target group unknown.
	LoadBalancers LoadBalancers
	// Network is EC2: the subnets and security groups of awsvpc tasks
	// must be ones it keeps. Nil takes any ids.
	Network vpcref.Network
	// Endpoint is virga's URL ("http://127.0.0.1:4566"), which the
	// runtime makes containers reach at the same address: they get it as
	// AWS_ENDPOINT_URL and their metadata and credential endpoints under
	// it. Nil sets none of them.
	Endpoint func() string
	// Roles issues task roles' credentials; nil serves none.
	Roles Roles
	// SecretValues, Parameters and Objects read containers' secrets
	// and environmentFiles; nil finds none.
	SecretValues SecretValues
	Parameters   Parameters
	Objects      Objects
	// Events is where task state change events go (the default event
	// bus); nil sends none.
	Events deliver.Deliverer
	Logger *slog.Logger
	// Tick is how often the service scheduler looks at services and
	// stopped tasks; zero is 100 ms.
	Tick time.Duration
}

// New returns ECS over the store. Tasks a previous process left running
// are recorded as stopped: their containers did not outlive it.
func New(d Deps) (*Service, error) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Tick == 0 {
		d.Tick = 100 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region,
		runtime: d.Runtime, logs: d.Logs, lbs: d.LoadBalancers, network: d.Network, roles: d.Roles, secretValues: d.SecretValues, parameters: d.Parameters, objects: d.Objects, events: d.Events, endpoint: d.Endpoint, log: d.Logger, tick: d.Tick, stopSlack: stopSlack,
		clusters: map[string]*cluster{}, families: map[string]*family{}, tasks: map[string]*task{},
		services: map[string]*service{}, stops: map[string]chan stopRequest{}, secrets: map[string]string{}, wake: make(chan struct{}, 1),
		ctx: ctx, cancel: cancel}
	if err := s.load(); err != nil {
		cancel()
		return nil, err
	}
	return s, nil
}

// API returns ECS as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            SigningName,
		Protocol:        awsjson.New("1.1", TargetPrefix),
		Resources:       s.resources,
		ValidationError: ErrClient,
		Operations:      s.operations(),
	}).Init()
}

// Close stops every task this process runs, records them stopped, and
// waits for their lifecycles to end.
func (s *Service) Close() error {
	s.cancel()
	s.tasksWG.Wait()
	return nil
}

// nudge wakes the scheduler loop.
func (s *Service) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
