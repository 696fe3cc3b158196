package stepfunctions

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/stepfunctions/asl"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is Step Functions' X-Amz-Target prefix.
const TargetPrefix = "AWSStepFunctions"

// SigningName is Step Functions' SigV4 service name.
const SigningName = "states"

// Functions runs Lambda functions for Task states.
type Functions interface {
	InvokeSync(ctx context.Context, function string, payload []byte) (response []byte, functionError string, err error)
	InvokeAsync(ctx context.Context, function string, payload []byte) (string, error)
}

// Objects reads and writes objects in S3, for Distributed Map states'
// ItemReader and ResultWriter.
type Objects interface {
	Object(ctx context.Context, bucket, key, versionID string) (io.ReadCloser, int64, error)
	PutObject(ctx context.Context, bucket, key string, body []byte, contentType string) error
}

// Caller runs another service's operation in process, for the
// optimized integrations (DynamoDB, SQS, SNS, EventBridge). The service
// is its signing name ("dynamodb"), the input and output are the
// operation's shapes as JSON.
type Caller func(ctx context.Context, service, op string, input map[string]any) (map[string]any, error)

// Service is AWS Step Functions.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string
	fns     Functions
	call    Caller
	sdk     SDKOperation
	objects Objects
	// apis is the API Gateway data plane, for apigateway:invoke.
	apis http.Handler
	log  *slog.Logger
	// roleCheck decides the calls tasks make as the state machine's
	// role (EnforceRoles, --auth iam); nil otherwise.
	roleCheck RoleCheck
	// roleCall runs service integrations as the state machine's role
	// (EnforceRoles, --auth iam); nil otherwise.
	roleCall RoleCaller
	// trust decides whether Step Functions may assume a state
	// machine's role (EnforceRoles, --auth iam); nil otherwise.
	trust deliver.Trust
	// logs is where executions of machines with a LoggingConfiguration
	// write their events; nil writes nothing.
	logs Logs
	// events receives the standard executions' status changes, for
	// the default event bus (status_events.go); nil sends none.
	events Events
	// statusQueue holds the status change events not sent yet, oldest
	// first; statusWake wakes the sender when one is queued.
	statusMu    sync.Mutex
	statusQueue []statusEvent
	statusWake  chan struct{}

	base    context.Context // executions run under it; Close ends it
	stop    context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex // guards running, tokens, the activity queues and machine/execution read-modify-write
	running map[string]*run
	tokens  map[string]*waiter
	// activityQueue holds each activity's scheduled tasks, oldest
	// first, until a worker takes them; activityWake is closed (and
	// replaced) when a task is scheduled, waking GetActivityTask.
	activityQueue map[string][]*activityTask
	activityWake  chan struct{}

	// mapRunMu guards mapRuns, the Map Runs running now by ARN, which
	// UpdateMapRun changes; taken after run.mu.
	mapRunMu sync.Mutex
	mapRuns  map[string]*asl.MapRun

	logMu      sync.Mutex        // guards logStreams; taken after run.mu
	logStreams map[string]string // the log stream each machine writes to, by group and machine
}

// Deps are what Step Functions needs.
type Deps struct {
	Store     store.Store
	Clock     clock.Clock
	IDs       *ids.Generator
	Account   string
	Region    string
	Functions Functions
	Call      Caller
	// SDK finds the operation an AWS SDK integration's resource
	// names; the operation then runs through Call.
	SDK SDKOperation
	// Objects is S3, where ItemReaders read; nil fails them.
	Objects Objects
	// APIs is API Gateway's data plane (REST and HTTP APIs, by host
	// ID.execute-api.localhost), where apigateway:invoke tasks send
	// their requests; nil fails them.
	APIs   http.Handler
	Logger *slog.Logger
	// Logs receives the executions' log records (LoggingConfiguration).
	Logs Logs
	// Events receives the standard executions' status change events,
	// for the default EventBridge bus; nil drops them.
	Events Events
}

// New returns Step Functions over the store.
func New(d Deps) *Service {
	ctx, stop := context.WithCancel(context.Background())
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region,
		fns: d.Functions, call: d.Call, sdk: d.SDK, objects: d.Objects, apis: d.APIs, log: d.Logger, logs: d.Logs, events: d.Events, statusWake: make(chan struct{}, 1), logStreams: map[string]string{}, base: ctx, stop: stop,
		running: map[string]*run{}, tokens: map[string]*waiter{},
		activityQueue: map[string][]*activityTask{}, activityWake: make(chan struct{}), mapRuns: map[string]*asl.MapRun{}}
}

// API returns Step Functions as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            SigningName,
		Protocol:        awsjson.New("1.0", TargetPrefix),
		Resources:       s.resources,
		ValidationError: ErrValidation,
		Operations:      s.operations(),
	}).Init()
}

// Run resumes the standard executions a previous run of virga left
// RUNNING, from the state each had entered last, and sends the
// executions' status change events until ctx ends.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	s.resume(log)
	if s.events == nil {
		<-ctx.Done()
		return
	}
	s.sendStatusEvents(ctx, log)
}

// Close stops the running executions (they stay RUNNING in the store,
// and resume when virga starts again) and waits for them.
func (s *Service) Close() error {
	s.stop()
	s.wg.Wait()
	return nil
}
