package lambda

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/restjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/eventsource"
	"github.com/virga/virga/internal/functions"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/pkginstall"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/vpcref"
)

// DefaultAccountConcurrency is the account's concurrent executions limit
// when Deps does not set one (AWS's default quota).
const DefaultAccountConcurrency = 1000

// RoleCredentials issues the temporary credentials a function's
// execution role gives its environments, as STS's AssumeRole does.
type RoleCredentials interface {
	AssumeRole(ctx context.Context, roleARN, sessionName string) (functions.Credentials, error)
}

// RoleCredentialsFunc adapts a function to RoleCredentials.
type RoleCredentialsFunc func(ctx context.Context, roleARN, sessionName string) (functions.Credentials, error)

// AssumeRole calls f.
func (f RoleCredentialsFunc) AssumeRole(ctx context.Context, roleARN, sessionName string) (functions.Credentials, error) {
	return f(ctx, roleARN, sessionName)
}

// Deps are what Lambda needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Endpoint returns virga's base URL (http://127.0.0.1:4566), which
	// functions' SDK calls are pointed at (AWS_ENDPOINT_URL) and which
	// Code.Location URLs use when the request's own Host is not known.
	// It is a function so that the app can answer with the port it bound
	// after building the services.
	Endpoint func() string
	// DataDir is where deployment packages and layers are extracted
	// (DataDir/lambda/code/<sha256>). Empty means a temporary directory,
	// removed by Close.
	DataDir string
	// Functions runs invocations.
	Functions functions.Manager
	// Roles issues the credentials of functions' execution roles; nil
	// gives environments no credentials.
	Roles RoleCredentials
	// Logs receives functions' output; nil discards it.
	Logs functions.LogSink
	// AccountConcurrency is the account's concurrent executions limit;
	// zero means DefaultAccountConcurrency.
	AccountConcurrency int
	// Queues is SQS, for event source mappings; nil refuses SQS mappings.
	Queues eventsource.QueueSource
	// Streams is DynamoDB Streams, for event source mappings; nil refuses
	// stream mappings.
	Streams eventsource.StreamSource
	// Kinesis is Kinesis Data Streams, for event source mappings; nil
	// refuses Kinesis mappings.
	Kinesis eventsource.StreamSource
	// Destinations receives asynchronous invocations' records and dead
	// letters; nil drops them.
	Destinations Destinations
	// Artifacts holds packages virga deploy uploaded; nil refuses Code
	// from the artifact bucket.
	Artifacts Artifacts
	// Objects is S3, where Code.S3Bucket and S3Key are read; nil answers
	// every S3 location as a bucket that does not exist.
	Objects Objects
	// Images is ECR, where container image functions' images are; nil
	// answers every ImageUri as an image that does not exist.
	Images Images
	// Metrics receives invocations for Lambda's CloudWatch metrics; nil
	// keeps none.
	Metrics Metrics
	// Traces is X-Ray, where functions with Active tracing have their
	// segments written; nil writes none.
	Traces Traces
	// Subnets, when set, is EC2, which a function's VpcConfig is
	// checked against and whose VPC the configuration reports; nil
	// takes any ids.
	Subnets vpcref.Network
}

// Service is AWS Lambda's control plane and Invoke.
type Service struct {
	store        store.Store
	clock        clock.Clock
	ids          *ids.Generator
	account      string
	region       string
	endpoint     func() string
	codeRoot     string // DataDir/lambda/code
	ownedDir     string // a temporary DataDir Close removes
	fns          functions.Manager
	roles        RoleCredentials
	logs         functions.LogSink
	queues       eventsource.QueueSource
	streams      eventsource.StreamSource
	kinesis      eventsource.StreamSource
	destinations Destinations
	// roleCheck decides what functions' execution roles may do
	// (EnforceRoles, --auth iam); nil otherwise.
	roleCheck RoleCheck
	// trust decides whether Lambda may assume an execution role
	// (EnforceRoles, --auth iam); nil otherwise.
	trust       deliver.Trust
	artifacts   Artifacts
	objects     Objects
	images      Images
	imageAccess ImageAccess // nil: every repository is readable
	traces      Traces
	subnets     vpcref.Network
	accountMax  int
	urlKey      []byte // signs Code.Location URLs

	// mu guards functions and layers, and serializes
	// writes: a handler that changes a function holds it from reading the
	// function to replacing it. Values in the maps are replaced, never
	// changed in place, so a reader may keep one after unlocking.
	mu        sync.RWMutex
	functions map[string]*function
	layers    map[string]*layer
	urlIndex  map[string]target // function URL id → function and qualifier
	// reservedTotal and provisionedShared are the account's reserved
	// concurrency and the provisioned concurrency of functions without
	// any, recomputed (tally) under mu after every change and read
	// without it by admit.
	reservedTotal     atomic.Int64
	provisionedShared atomic.Int64

	inflight inflight
	metrics  Metrics
	running  running
	specs    specCache
	extracts extractLocks
	// layerBuilds remembers the AWS-published layers whose build failed
	// (buildAWSLayer), so that each is refused without the installer
	// for a while instead of costing an installer run per request or
	// environment start.
	layerBuilds *pkginstall.Failures
	async       asyncQueue
	esm         mappings
}

// New returns Lambda over the store, with the functions and layers it
// already holds.
func New(d Deps) (*Service, error) {
	s := &Service{
		store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region, subnets: d.Subnets,
		endpoint: d.Endpoint, fns: d.Functions, roles: d.Roles, logs: d.Logs, queues: d.Queues, streams: d.Streams, kinesis: d.Kinesis,
		destinations: d.Destinations, artifacts: d.Artifacts, objects: d.Objects, images: d.Images, metrics: d.Metrics, traces: d.Traces,
		accountMax: d.AccountConcurrency,
		functions:  map[string]*function{},
		layers:     map[string]*layer{},
		urlIndex:   map[string]target{},
	}
	s.layerBuilds = pkginstall.NewFailures(s.clock)
	if s.accountMax <= 0 {
		s.accountMax = DefaultAccountConcurrency
	}
	if s.endpoint == nil {
		s.endpoint = func() string { return "http://127.0.0.1:4566" }
	}
	dataDir := d.DataDir
	if dataDir == "" {
		dir, err := os.MkdirTemp("", "virga-lambda-")
		if err != nil {
			return nil, fmt.Errorf("lambda: %w", err)
		}
		dataDir, s.ownedDir = dir, dir
	}
	s.codeRoot = filepath.Join(dataDir, "lambda", "code")
	if err := os.MkdirAll(s.codeRoot, 0o755); err != nil {
		return nil, fmt.Errorf("lambda: %w", err)
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	if err := s.loadMappings(); err != nil {
		return nil, err
	}
	key, err := s.loadURLKey()
	if err != nil {
		return nil, err
	}
	s.urlKey = key
	s.async.init()
	// Stored provisioned concurrency configurations start their
	// environments again.
	s.provisionAll()
	return s, nil
}

// API returns Lambda as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "lambda",
		Protocol:        restjson.New(restjson.WithErrorStyle(restjson.LambdaErrors)),
		ValidationError: ErrValidation,
		ViolationError:  violationError,
		Operations:      s.operations(),
		Resources:       s.resources,
		ResourcePolicy:  s.resourcePolicy,
		ResourceTags:    s.resourceTags,
		// CreateFunction's limit: a 50 MB package, base64-encoded, in JSON.
		MaxBodyBytes: maxRequestBody,
		BodyTooLarge: bodyTooLarge,
	}).Init()
}

// Close removes the temporary data directory, if New made one. The app
// closes the functions.Manager itself.
func (s *Service) Close() error {
	if s.ownedDir != "" {
		return os.RemoveAll(s.ownedDir)
	}
	return nil
}
