package apigatewayv2

import (
	"context"
	"crypto"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/virga/virga/internal/accesslog"
	"github.com/virga/virga/internal/apigateway"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/restjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
	"github.com/virga/virga/internal/throttle"
	"github.com/virga/virga/internal/vpcref"
)

// SigningName is the SigV4 service name HTTP APIs are managed under. API
// Gateway's REST APIs (version 1) share it; the edge tells the two apart
// by their REST routes (version 2's all start with /v2/).
const SigningName = "apigateway"

// Functions invokes Lambda functions, for proxy integrations and Lambda
// authorizers. *lambda.Service implements it.
type Functions interface {
	// InvokeSync runs a synchronous invocation of the function (or
	// version or alias) the ARN names and returns its response payload
	// and its error type ("" when it succeeded, "Unhandled" when it
	// failed). err is Lambda's own failure to invoke it.
	InvokeSync(ctx context.Context, function string, payload []byte) (response []byte, functionError string, err error)
}

// Service is API Gateway's HTTP APIs: the control plane (the apigatewayv2
// operations) and the data plane that serves the APIs' stages.
type Service struct {
	store     store.Store
	clock     clock.Clock
	ids       *ids.Generator
	account   string
	region    string
	functions Functions
	services  Services
	aws       apigateway.AWSServices
	domains   Domains
	log       *slog.Logger
	// client sends HTTP_PROXY integrations' requests.
	client *http.Client
	// identify names who signed a request, for AWS_IAM authorization.
	identify func(*http.Request) (awsproto.Caller, bool)
	// policyCheck decides AWS_IAM routes and AWS_IAM function URLs with
	// --auth iam (EnforcePolicies); nil otherwise.
	policyCheck PolicyCheck
	// urlPolicy is Deps.URLPolicy.
	urlPolicy PolicyCheck
	// hostNames is Deps.HostNames, never nil.
	hostNames func(names ...string)
	// permitted is Deps.Permitted.
	permitted func(ctx context.Context, function, sourceARN, roleARN string) error
	// accessLogs receives the access log lines of stages that have
	// access log settings; nil writes none.
	accessLogs accesslog.Sink

	// mu guards apis and deployed. Operations hold it across their store
	// commit; the data plane reads under RLock. Records are replaced,
	// never changed, so a reader may keep one after unlocking.
	mu   sync.RWMutex
	apis map[string]*apiRecord
	// deployed holds the compiled deployment of every stage, by
	// deployedKey(api, deployment).
	deployed map[string]*deployment
	// vpcLinks are the VPC links, by id.
	vpcLinks map[string]*vpcLinkRecord
	// network is Deps.Network; listeners is Deps.Listeners.
	network   vpcref.Network
	listeners Listeners

	// accountBucket and buckets throttle requests (throttling.go); they
	// synchronize themselves and are used without mu.
	accountBucket *throttle.Bucket
	buckets       throttle.Buckets

	authCache *authorizerCache
	jwks      *jwksCache
	// ws holds WebSocket APIs' open connections.
	ws *wsHub
	// wsDisconnects counts the $disconnect routes running, which Close
	// waits for.
	wsDisconnects sync.WaitGroup
}

// Deps are what the service needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Functions runs Lambda proxy integrations and Lambda authorizers.
	Functions Functions
	// Services runs AWS service integrations (IntegrationSubtype); nil
	// answers them 500.
	Services Services
	// AWS runs WebSocket APIs' AWS (non-proxy) integrations, as REST
	// APIs' are run; nil answers them as failed integrations.
	AWS apigateway.AWSServices
	// Domains keeps custom domain names and their API mappings, which
	// REST APIs share (apigateway.Service); nil answers the domain
	// operations NotImplementedException.
	Domains Domains
	// HTTPClient sends HTTP_PROXY integrations' requests and fetches JWT
	// issuers' keys; nil is a client of its own.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Identify names who signed a request (the edge's
	// Authenticator.Identify), for the caller an AWS_IAM route or
	// function URL passes to its function; nil passes the access key
	// alone, as the account root's.
	Identify func(*http.Request) (awsproto.Caller, bool)
	// WebSocketIdleTimeout and WebSocketMaxDuration close WebSocket
	// connections that have been idle, or open, that long (on Clock);
	// zero is AWS's 10 minutes and 2 hours.
	WebSocketIdleTimeout time.Duration
	WebSocketMaxDuration time.Duration
	// AccessLogs receives the access log lines of HTTP API stages with
	// AccessLogSettings (accesslog.go); nil writes none.
	AccessLogs accesslog.Sink
	// AccountThrottle is the account's token bucket, which REST APIs
	// share; nil gives HTTP and WebSocket APIs one of their own at AWS's
	// default account limits.
	AccountThrottle *throttle.Bucket
	// Issuers holds the keys of issuers virga itself is (Cognito user
	// pools): JWT authorizers of those issuers verify tokens with them,
	// in process, instead of fetching the issuer's keys; nil fetches
	// every issuer's.
	Issuers Issuers
	// Permitted, when set, returns an error when API Gateway may not
	// invoke the function for sourceARN (--auth iam): without roleARN,
	// the function's policy must allow apigateway.amazonaws.com with
	// that aws:SourceArn; with it (an integration's CredentialsArn, an
	// authorizer's AuthorizerCredentialsArn), the role must trust API
	// Gateway and allow lambda:InvokeFunction. The request then fails
	// as on AWS, with 500 Internal Server Error.
	Permitted func(ctx context.Context, function, sourceARN, roleARN string) error
	// Network is EC2's subnets and security groups, which VPC links'
	// must be; nil checks none.
	Network vpcref.Network
	// Listeners serves private integrations' requests as load
	// balancers' listeners receive them; nil answers them as failed
	// integrations.
	Listeners Listeners
	// URLPolicy decides, whatever --auth says, whether an unsigned
	// request may call a function URL with AuthType NONE: the function's
	// resource-based policy must allow everyone (caller nil), as it must
	// on AWS. nil lets every such request through.
	URLPolicy PolicyCheck
	// HostNames, when set, is told the host name of every API, made or
	// loaded (ID.execute-api.localhost), so that virga's functions
	// resolve it: a WebSocket API's function calls the API Gateway
	// Management API at https://{requestContext.domainName}/{stage}.
	HostNames func(names ...string)
}

// hostSuffix ends the host names of APIs here, as
// .execute-api.REGION.amazonaws.com ends them on AWS.
const hostSuffix = ".execute-api.localhost"

// Issuers finds the public keys of JWT issuers virga is.
type Issuers interface {
	// IssuerKey returns the key with the id of the issuer; found is
	// false when virga is not the issuer, and key nil when it is but has
	// no such key.
	IssuerKey(issuer, kid string) (key crypto.PublicKey, found bool)
}

// New returns the service over the store, with the APIs it holds.
func New(d Deps) (*Service, error) {
	s := &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region,
		functions: d.Functions, services: d.Services, aws: d.AWS, domains: d.Domains, log: d.Logger, client: d.HTTPClient, identify: d.Identify,
		accessLogs: d.AccessLogs, accountBucket: d.AccountThrottle, permitted: d.Permitted, urlPolicy: d.URLPolicy,
		network: d.Network, listeners: d.Listeners,
		apis: map[string]*apiRecord{}, deployed: map[string]*deployment{}, vpcLinks: map[string]*vpcLinkRecord{}}
	if s.hostNames = d.HostNames; s.hostNames == nil {
		s.hostNames = func(...string) {}
	}
	if s.accountBucket == nil {
		s.accountBucket = throttle.New(throttle.AccountRate, throttle.AccountBurst)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.client == nil {
		s.client = &http.Client{
			// A proxy integration passes redirects to its client.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	s.ws = newWSHub(d.WebSocketIdleTimeout, d.WebSocketMaxDuration)
	s.authCache = newAuthorizerCache(s.clock)
	s.jwks = newJWKSCache(s.client, s.clock)
	s.jwks.local = d.Issuers
	err := scan(s.store, rootKey(s.account, "a"), func(v []byte) error {
		var a apiRecord
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("apigatewayv2: API record: %w", err)
		}
		a.ensureMaps()
		s.apis[a.ID] = &a
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.loadVpcLinks(); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(s.apis))
	for _, a := range s.apis {
		if err := s.compileStages(a, nil); err != nil {
			return nil, err
		}
		names = append(names, a.ID+hostSuffix)
	}
	s.hostNames(names...)
	return s, nil
}

// API returns the control plane as the edge serves it: restJson1, signed
// as "apigateway".
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            SigningName,
		Protocol:        restjson.New(),
		ValidationError: ErrBadRequest,
		Operations:      s.operations(),
		// Its actions are HTTP verbs on resource paths ("apigateway:GET"
		// on arn:aws:apigateway:REGION::/restapis/ID).
		Resources: awsproto.PathResource("apigateway", s.region),
	}).Init()
}

// update changes an API: fn works on a copy of its record, which is
// committed and then replaces it. When redeploy is set the change is to
// the API's configuration, and every stage with AutoDeploy gets a new
// deployment of it in the same commit.
func (s *Service) update(apiID string, redeploy bool, fn func(a *apiRecord) error) (*apiRecord, error) {
	return s.change(apiID, func(a *apiRecord) ([]*stageRecord, error) {
		if err := fn(a); err != nil || !redeploy {
			return nil, err
		}
		return autoDeployStages(a), nil
	})
}

// change changes an API as update does; fn returns the stages that get a
// new deployment of the API's configuration.
func (s *Service) change(apiID string, fn func(a *apiRecord) (deployTo []*stageRecord, err error)) (*apiRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.apis[apiID]
	if old == nil {
		return nil, s.apiNotFound(apiID)
	}
	a, err := old.clone()
	if err != nil {
		return nil, err
	}
	stages, err := fn(a)
	if err != nil {
		return nil, err
	}
	if err := s.commit(a, s.deploy(a, stages), nil); err != nil {
		return nil, err
	}
	return a, nil
}

// commit writes a's record and new deployments' snapshots, deletes the
// snapshots of gone deployments, and then publishes a: its record, and
// its stages' compiled deployments. The caller holds s.mu.
func (s *Service) commit(a *apiRecord, snaps map[string]*snapshot, goneDeployments []string) error {
	b := s.store.NewBatch()
	defer b.Close()
	if err := putAPI(b, s.account, a); err != nil {
		return err
	}
	for id, snap := range snaps {
		if err := putSnapshot(b, s.account, a.ID, id, snap); err != nil {
			return err
		}
	}
	for _, id := range goneDeployments {
		b.Delete(snapshotKey(s.account, a.ID, id))
	}
	if err := b.Commit(); err != nil {
		return err
	}
	if s.apis[a.ID] == nil {
		s.hostNames(a.ID + hostSuffix)
	}
	s.apis[a.ID] = a
	return s.compileStages(a, snaps)
}

// compileStages makes sure every stage of a has its deployment compiled,
// from snaps or the store, and forgets compiled deployments no stage of
// a uses any more. The caller holds s.mu (or owns s, in New).
func (s *Service) compileStages(a *apiRecord, snaps map[string]*snapshot) error {
	used := map[string]bool{}
	for _, st := range a.Stages {
		if st.DeploymentID == "" {
			continue
		}
		k := deployedKey(a.ID, st.DeploymentID)
		used[k] = true
		if s.deployed[k] != nil {
			continue
		}
		snap := snaps[st.DeploymentID]
		if snap == nil {
			var err error
			if snap, err = loadSnapshot(s.store, s.account, a.ID, st.DeploymentID); err != nil {
				return err
			}
		}
		s.deployed[k] = compile(snap)
	}
	prefix := a.ID + "/"
	for k := range s.deployed {
		if strings.HasPrefix(k, prefix) && !used[k] {
			delete(s.deployed, k)
		}
	}
	return nil
}

func deployedKey(apiID, deploymentID string) string { return apiID + "/" + deploymentID }

// autoDeployStages returns a's stages with AutoDeploy.
func autoDeployStages(a *apiRecord) []*stageRecord {
	var out []*stageRecord
	for _, st := range a.Stages {
		if st.AutoDeploy {
			out = append(out, st)
		}
	}
	return out
}

// deploy makes an automatic deployment of a's configuration for the
// stages, and returns its snapshot by id (nil without stages).
func (s *Service) deploy(a *apiRecord, stages []*stageRecord) map[string]*snapshot {
	if len(stages) == 0 {
		return nil
	}
	d := s.newDeployment(a, "Automatic deployment triggered by changes to the Api configuration", true)
	for _, st := range stages {
		s.pointStage(st, d.ID)
	}
	return map[string]*snapshot{d.ID: a.snapshot()}
}

// newDeployment adds a deployment to a.
func (s *Service) newDeployment(a *apiRecord, description string, auto bool) *deploymentRecord {
	d := &deploymentRecord{ID: newID(s.ids, a.Deployments, 6), Description: description, AutoDeployed: auto, Created: s.now()}
	a.Deployments[d.ID] = d
	return d
}

// pointStage makes a stage serve a deployment.
func (s *Service) pointStage(st *stageRecord, deploymentID string) {
	st.DeploymentID = deploymentID
	st.Updated = s.now()
	st.LastDeploymentStatus = fmt.Sprintf("Successfully deployed stage with deployment ID '%s'", deploymentID)
}

// now is the clock's time, to the millisecond, as AWS reports times.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

// idAlphabet is what AWS's API Gateway ids are made of.
const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns a random id of n lowercase letters and digits that is not
// a key of taken.
func newID[V any](g *ids.Generator, taken map[string]V, n int) string {
	for {
		raw, _ := hex.DecodeString(g.Hex(n))
		for i := range raw {
			raw[i] = idAlphabet[int(raw[i])%len(idAlphabet)]
		}
		if _, ok := taken[string(raw)]; !ok {
			return string(raw)
		}
	}
}

// endpoint is an API's invoke URL for the call in ctx: the execute-api
// host name on the port the call came in on, which the edge routes to the
// data plane (clients that do not resolve *.localhost can use
// http://127.0.0.1:PORT/_aws/execute-api/ID/ instead).
func (s *Service) endpoint(ctx context.Context, apiID string) string {
	port := ""
	if c := awsproto.CallFrom(ctx); c != nil {
		if _, p, err := net.SplitHostPort(c.Request.Host); err == nil {
			port = ":" + p
		}
	}
	return "http://" + apiID + hostSuffix + port
}

// apiEndpoint is an API's ApiEndpoint: its invoke URL, with the ws
// scheme for a WebSocket API, whose clients connect to
// ws://ID.execute-api.localhost:PORT/STAGE.
func (s *Service) apiEndpoint(ctx context.Context, a *apiRecord) string {
	u := s.endpoint(ctx, a.ID)
	if a.ProtocolType == protocolWebSocket {
		return "ws" + strings.TrimPrefix(u, "http")
	}
	return u
}

// get returns an API's record, for reading.
func (s *Service) get(apiID string) (*apiRecord, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := s.apis[apiID]
	if a == nil {
		return nil, s.apiNotFound(apiID)
	}
	return a, nil
}

// Close closes every open WebSocket connection, as a stopping server
// does (close code 1001), and runs their $disconnect routes.
func (s *Service) Close() error {
	for _, c := range s.ws.connections() {
		s.closeConnection(c, closeGoingAway, "Going away", true)
	}
	// The routes run functions, which the app stops after this: wait
	// for them, for at most an integration's timeout.
	done := make(chan struct{})
	go func() {
		s.wsDisconnects.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(maxWebSocketIntegrationTimeout * time.Millisecond):
	}
	return nil
}

// deleteAPI removes an API and its snapshots. As on AWS, an API a
// custom domain's API mapping still names is not deleted: the mapping
// would lead nowhere.
func (s *Service) deleteAPI(apiID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.apis[apiID] == nil {
		return s.apiNotFound(apiID)
	}
	if s.mapped(apiID) {
		return badRequest("Deleting API %s failed. Please remove all API mappings for the API from your custom domain names.", apiID)
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(apiKey(s.account, apiID))
	p := snapshotsPrefix(s.account, apiID)
	b.DeleteRange(p, keys.PrefixEnd(p))
	if err := b.Commit(); err != nil {
		return err
	}
	delete(s.apis, apiID)
	for k := range s.deployed {
		if strings.HasPrefix(k, apiID+"/") {
			delete(s.deployed, k)
		}
	}
	s.authCache.resetAPI(apiID)
	return nil
}

// mapped reports whether an API mapping of a custom domain names the API.
func (s *Service) mapped(apiID string) bool {
	if s.domains == nil {
		return false
	}
	for _, d := range s.domains.CustomDomains() {
		for _, m := range d.Mappings {
			if m.APIID == apiID {
				return true
			}
		}
	}
	return false
}
