package apigateway

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/virga/virga/internal/accesslog"
	"github.com/virga/virga/internal/acm"
	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/restjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/throttle"
)

// Functions runs Lambda functions synchronously, for proxy integrations
// and Lambda authorizers. Lambda's (*Service).InvokeSync implements it:
// response is the function's payload, functionError its error type ("" on
// success), err Lambda's own failure to run it.
type Functions interface {
	InvokeSync(ctx context.Context, function string, payload []byte) (response []byte, functionError string, err error)
}

// Deps are what API Gateway needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Functions runs Lambda integrations and authorizers; nil answers
	// every Lambda integration with 500 Internal server error.
	Functions Functions
	// AWS carries AWS service integrations (other than Lambda) to
	// virga's services; nil answers them with 500 Internal server error.
	AWS AWSServices
	// AccessLogs receives the access log lines of stages with access log
	// settings (accesslog.go); nil writes none.
	AccessLogs accesslog.Sink
	// AccountThrottle is the account's token bucket, which HTTP and
	// WebSocket APIs share; nil gives the REST APIs one of their own at
	// AWS's default account limits.
	AccountThrottle *throttle.Bucket
	// Traces is X-Ray, where stages with tracing enabled write their
	// segments; nil writes none.
	Traces Traces
	// UserPools verifies the tokens of Cognito user pools for
	// COGNITO_USER_POOLS authorizers; nil refuses every token (401).
	UserPools UserPools
	// Certificates is ACM, where the certificates custom domain names
	// name must exist, be issued and cover the domain; nil takes every
	// certificate as given.
	Certificates Certificates
	// Permitted, when set, returns an error when API Gateway may not
	// invoke the function for the method or authorizer sourceARN names
	// (--auth iam): without roleARN, the function's policy must allow
	// apigateway.amazonaws.com with that aws:SourceArn; with it (an
	// integration's credentials, an authorizer's
	// authorizerCredentials), the role must trust API Gateway and allow
	// lambda:InvokeFunction. The invocation then fails as on AWS, with
	// 500 Internal server error.
	Permitted func(ctx context.Context, function, sourceARN, roleARN string) error
	// Identify tells who signed a request to an AWS_IAM method, for the
	// event's requestContext.identity and $context.identity; nil leaves
	// them empty. With --auth iam, EnforcePolicies's identify (which
	// also checks the signature) takes its place.
	Identify func(*http.Request) (awsproto.Caller, bool)
}

// Certificates looks up ACM's certificates (acm.Service).
type Certificates interface {
	// Lookup returns the certificate an ARN names, and false when
	// there is none.
	Lookup(arn string) (acm.Certificate, bool, error)
}

// UserPools verifies Cognito user pools' tokens.
type UserPools interface {
	// VerifyToken returns the claims of a token of use "id" or
	// "access" that one of the pools the ARNs name signed and that has
	// not expired; ok is false otherwise.
	VerifyToken(poolARNs []string, token, use string) (claims map[string]any, ok bool)
}

// Service is Amazon API Gateway's REST APIs: the control plane and the
// data plane that serves deployed stages.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string
	fns     Functions
	// permitted is Deps.Permitted.
	permitted func(ctx context.Context, function, sourceARN, roleARN string) error
	// identify tells who signed a request to an AWS_IAM method
	// (Deps.Identify); with --auth iam (EnforcePolicies) it verifies the
	// signature too, and policyCheck, nil otherwise, decides.
	identify    func(*http.Request) (awsproto.Caller, bool)
	policyCheck PolicyCheck
	aws         AWSServices
	logs        accesslog.Sink
	traces      Traces
	pools       UserPools
	certs       Certificates

	// mu guards apis and everything they hold, and serializes writes: a
	// handler holds it from reading what it changes until its commit.
	// Definitions, deployments and stages are replaced, never changed in
	// place, so the data plane may keep one after unlocking.
	mu   sync.RWMutex
	apis map[string]*apiState
	// keys and plans are the account's API keys and usage plans, by id.
	keys  map[string]*apiKeyRecord
	plans map[string]*usagePlanRecord
	// domains are the account's custom domain names, by name.
	domains map[string]*domainRecord
	// clientCerts and vpcLinks are the account's client certificates and
	// VPC links, by id, and settings its API Gateway settings
	// (op_account.go).
	clientCerts *accountRecords[clientCertRecord]
	vpcLinks    *accountRecords[vpcLinkRecord]
	settings    accountRecord
	// domainHosts are the domains' names in lower case, published for
	// the edge, which asks of every request whether its host is one,
	// without s.mu (publishDomains).
	domainHosts atomic.Pointer[map[string]bool]

	auth authCache

	// accountBucket is the account-level token bucket every request takes a
	// token from; buckets are the per-client and per-method ones
	// (throttling.go); usage counts requests against quotas (usage.go).
	// Each has its own synchronization and is used without s.mu.
	accountBucket *throttle.Bucket
	buckets       throttle.Buckets
	usage         usageTable
}

// apiState is one REST API with its deployments and stages.
type apiState struct {
	def         *restAPI
	deployments map[string]*deployment
	stages      map[string]*stage
}

// New returns API Gateway over the store, with the APIs it holds.
func New(d Deps) (*Service, error) {
	s := &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region,
		fns: d.Functions, permitted: d.Permitted, identify: d.Identify, aws: d.AWS, logs: d.AccessLogs, traces: d.Traces, pools: d.UserPools, certs: d.Certificates, apis: map[string]*apiState{},
		keys: map[string]*apiKeyRecord{}, plans: map[string]*usagePlanRecord{}, domains: map[string]*domainRecord{},
		clientCerts: newClientCerts(), vpcLinks: newVpcLinks(), accountBucket: d.AccountThrottle}
	if s.accountBucket == nil {
		s.accountBucket = throttle.New(throttle.AccountRate, throttle.AccountBurst)
	}
	s.auth.init()
	if err := s.load(); err != nil {
		return nil, err
	}
	if err := s.loadUsage(); err != nil {
		return nil, err
	}
	for _, st := range s.apis {
		for _, dep := range st.deployments {
			dep.compile()
		}
	}
	return s, nil
}

// API returns API Gateway as the edge serves it. Its signing name is
// "apigateway", which HTTP APIs (apigatewayv2) share; the edge tells the
// two apart by their REST paths.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "apigateway",
		Protocol:        restjson.New(),
		ValidationError: ErrBadRequest,
		ViolationError:  violations,
		Operations:      s.operations(),
		// Its actions are HTTP verbs on resource paths ("apigateway:GET"
		// on arn:aws:apigateway:REGION::/restapis/ID).
		Resources: awsproto.PathResource("apigateway", s.region),
		// ImportRestApi's limit: an OpenAPI definition of up to 6 MB.
		MaxBodyBytes: maxDefinitionBytes,
	}).Init()
}

// idAlphabet is the alphabet of API Gateway's identifiers.
const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// Identifier lengths, as AWS's: APIs and root resources have ten
// characters, other resources, deployments and authorizers six.
const (
	longIDLength  = 10
	shortIDLength = 6
)

// newID returns a random identifier of n lowercase letters and digits
// for which taken is false.
func (s *Service) newID(n int, taken func(string) bool) string {
	for {
		raw, _ := hex.DecodeString(s.ids.Hex(n))
		for i, b := range raw {
			raw[i] = idAlphabet[int(b)%len(idAlphabet)]
		}
		if id := string(raw); !taken(id) {
			return id
		}
	}
}

// extendedRequestID returns an id in the form of API Gateway's
// x-amz-apigw-id: eleven random bytes in base64 ("TWegAcC4EowCHnA=").
func (s *Service) extendedRequestID() string {
	raw, _ := hex.DecodeString(s.ids.Hex(11))
	return base64.StdEncoding.EncodeToString(raw)
}

// Paging: AWS's default page is 25 items and the largest 500.
const (
	defaultPageSize = 25
	maxPageSize     = 500
)

// page returns the page of items (sorted by key) that starts at the
// position token, which is the key of its first item, and the token of
// the next page (nil on the last).
func page[T any](items []T, key func(T) string, position *string, limit *int32) ([]T, *string) {
	n := defaultPageSize
	if limit != nil && *limit > 0 {
		n = min(int(*limit), maxPageSize)
	}
	start := 0
	if position != nil && *position != "" {
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) >= *position })
	}
	end := min(start+n, len(items))
	var next *string
	if end < len(items) {
		k := key(items[end])
		next = &k
	}
	return slices.Clip(items[start:end]), next
}

// api returns the state of the API with the given id, or NotFoundException.
// The caller holds s.mu.
func (s *Service) api(id *string) (*apiState, error) {
	if id == nil {
		return nil, s.apiNotFound("")
	}
	st := s.apis[*id]
	if st == nil {
		return nil, s.apiNotFound(*id)
	}
	return st, nil
}
