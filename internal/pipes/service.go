package pipes

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/restjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/eventsource"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
)

// Functions is Lambda as pipes invoke it: synchronously for enrichments
// and REQUEST_RESPONSE targets, asynchronously for FIRE_AND_FORGET ones.
type Functions interface {
	InvokeSync(ctx context.Context, function string, payload []byte) (response []byte, functionError string, err error)
	InvokeAsync(ctx context.Context, function string, payload []byte) (string, error)
}

// Caller runs another service's operation in process (Step Functions'
// StartExecution and StartSyncExecution, Kinesis' PutRecord, CloudWatch
// Logs' PutLogEvents). The service is its signing name, the input and
// output the operation's shapes as JSON.
type Caller func(ctx context.Context, service, op string, input map[string]any) (map[string]any, error)

// HTTPTargets reach API destinations and API Gateway REST API stages
// the way EventBridge's rules reach them: one request, its body the
// event, its path values, query string and headers p's; the answer's
// body when it is a 2xx, an error otherwise.
type HTTPTargets interface {
	CallHTTP(ctx context.Context, arn string, p *PipeTargetHttpParameters, body []byte) ([]byte, error)
}

// RoleCheck decides whether a session of roleARN may perform action on
// resource (--auth iam).
type RoleCheck func(ctx context.Context, roleARN, session, action, resource string) error

// Deps are what Pipes needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Queues, Streams (DynamoDB Streams) and Kinesis are the sources.
	Queues           eventsource.QueueSource
	Streams, Kinesis eventsource.StreamSource
	// Functions, Call, Targets and HTTP reach enrichments and targets.
	Functions Functions
	Call      Caller
	Targets   deliver.Deliverer
	HTTP      HTTPTargets
}

// Service is Amazon EventBridge Pipes.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string
	queues  eventsource.QueueSource
	streams eventsource.StreamSource
	kinesis eventsource.StreamSource
	fns     Functions
	call    Caller
	targets deliver.Deliverer
	http    HTTPTargets

	// roleCheck and trust hold deliveries to the pipe's role (--auth
	// iam); nil otherwise.
	roleCheck RoleCheck
	trust     deliver.Trust

	// mu guards pipes, runCtx and log. Operations hold it across their
	// store commit.
	mu     sync.Mutex
	pipes  map[string]*entry
	runCtx context.Context
	log    *slog.Logger
	wg     sync.WaitGroup

	// ckMu orders readers' checkpoint writes with DeletePipe: a reader
	// writes a checkpoint only while its entry is not gone, and
	// DeletePipe marks the entry gone and deletes the checkpoints under
	// it, so that a batch a reader finishes after DeletePipe answered
	// leaves nothing behind. Lock order: mu, then ckMu.
	ckMu sync.Mutex
}

// entry is a pipe in memory: its record and its running reader.
type entry struct {
	rec *pipeRecord
	// reader runs its reader, one at a time.
	reader eventsource.Relay
	// gone is set, under Service.ckMu, when the pipe is deleted.
	gone bool
}

// New returns Pipes over the store, with the pipes it holds.
func New(d Deps) (*Service, error) {
	s := &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region,
		queues: d.Queues, streams: d.Streams, kinesis: d.Kinesis, fns: d.Functions, call: d.Call, targets: d.Targets, http: d.HTTP,
		pipes: map[string]*entry{}, log: slog.New(slog.DiscardHandler)}
	err := scan(s.store, rootKey(s.account, "p"), func(v []byte) error {
		var r pipeRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("pipes: pipe record: %w", err)
		}
		s.pipes[r.Name] = &entry{rec: &r}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// EnforceRoles makes pipes read their source and reach their enrichment
// and target as a session of their RoleArn (--auth iam): the role must
// trust pipes.amazonaws.com, and allow each action.
func (s *Service) EnforceRoles(check RoleCheck, trust deliver.Trust) {
	s.roleCheck, s.trust = check, trust
}

// API returns Pipes as the edge serves it: restJson1, signed as "pipes".
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "pipes",
		Protocol:        restjson.New(),
		Resources:       s.resources,
		ValidationError: ErrValidation,
		Operations:      s.operations(),
	}).Init()
}

// resources names the pipe a call acts on, for IAM authorization.
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if arn := awsproto.InputString(in, "ResourceArn"); arn != "" {
		return []string{arn}
	}
	if name := awsproto.InputString(in, "Name"); name != "" {
		return []string{s.pipeARN(name)}
	}
	return nil
}

func (s *Service) pipeARN(name string) string {
	return "arn:aws:pipes:" + s.region + ":" + s.account + ":pipe/" + name
}

// nameFromARN returns the pipe a pipe ARN of this account and region
// names.
func (s *Service) nameFromARN(arn string) (string, bool) {
	prefix := "arn:aws:pipes:" + s.region + ":" + s.account + ":pipe/"
	if len(arn) <= len(prefix) || arn[:len(prefix)] != prefix {
		return "", false
	}
	return arn[len(prefix):], true
}

// commit writes a batch built by fill; the caller holds s.mu.
func (s *Service) commit(fill func(b store.Batch) error) error {
	b := s.store.NewBatch()
	defer b.Close()
	if err := fill(b); err != nil {
		return err
	}
	return b.Commit()
}

// Run settles every pipe's state and runs the readers of running pipes
// until ctx ends; it returns once they have stopped.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	s.mu.Lock()
	s.runCtx, s.log = ctx, log.With("service", "pipes")
	for _, e := range s.pipes {
		s.settle(e)
	}
	s.mu.Unlock()
	<-ctx.Done()
	s.mu.Lock()
	for _, e := range s.pipes {
		s.stopReader(e)
	}
	s.mu.Unlock()
	s.wg.Wait()
}
