package elbv2

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/virga/virga/internal/acm"
	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/query"
	"github.com/virga/virga/internal/awsproto/shape"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/vpcref"
)

// APIVersion, Namespace and SigningName identify the Elastic Load
// Balancing v2 awsQuery API.
const (
	APIVersion  = "2015-12-01"
	Namespace   = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"
	SigningName = "elasticloadbalancing"
	// HostSuffix is the suffix of load balancers' DNS names, which the
	// edge routes to the data plane.
	HostSuffix = ".elb.localhost"
	// servicePrincipal is who invokes Lambda targets.
	servicePrincipal = "elasticloadbalancing.amazonaws.com"
)

// Functions is what the load balancer needs of Lambda: invoking a
// function target synchronously, and checking that its resource-based
// policy lets Elastic Load Balancing do so. internal/app wires Lambda.
type Functions interface {
	// InvokeSync runs a RequestResponse invocation and returns the
	// response payload and the function error type ("" when it
	// succeeded). err is Lambda's own failure to invoke.
	InvokeSync(ctx context.Context, function string, payload []byte) (response []byte, functionError string, err error)
	// AllowsService reports whether the function's policy lets the
	// service principal invoke it on behalf of sourceARN.
	AllowsService(function, service, sourceARN, sourceAccount string) bool
	// FunctionExists reports whether the function exists.
	FunctionExists(function string) bool
}

// Deps are what the service needs.
type Deps struct {
	Store     store.Store
	Clock     clock.Clock
	IDs       *ids.Generator
	Account   string
	Region    string
	Functions Functions
	// Subnets, when set, is EC2: load balancers' subnets and security
	// groups must be ones it keeps, and their VpcId and zones are those
	// of their subnets. Without it any ids are taken and a subnet is
	// reported in a zone of the region by its position.
	Subnets vpcref.Network
	// ListenHost is the address listeners bind their ports on;
	// "" is 127.0.0.1. "-" binds none (tests reach listeners through
	// the edge only).
	ListenHost string
	// Logger records listeners whose port cannot be bound; nil discards.
	Logger *slog.Logger
	// Requests, when set, is told the HTTP status of each request a
	// listener answers on its own port, for metrics (the edge counts
	// those that reach a load balancer through it).
	Requests func(status int)
	// Certificates is ACM, where the certificates of HTTPS and TLS
	// listeners must exist; nil takes every certificate as given.
	Certificates Certificates
}

// Certificates looks up ACM's certificates (acm.Service).
type Certificates interface {
	// Lookup returns the certificate an ARN names, and false when
	// there is none.
	Lookup(arn string) (acm.Certificate, bool, error)
}

// Service is Elastic Load Balancing v2 (Application Load Balancers): the
// control plane and the data plane that serves listeners.
type Service struct {
	store      store.Store
	clock      clock.Clock
	ids        *ids.Generator
	account    string
	region     string
	functions  Functions
	subnets    vpcref.Network
	listenHost string
	log        *slog.Logger
	requests   func(status int)
	certs      Certificates

	// mu guards the resources and the data plane's state (health,
	// round-robin positions, bound ports). Control plane operations hold
	// it while they write the store.
	mu        sync.RWMutex
	lbs       map[string]*loadBalancer // by ARN
	tgs       map[string]*targetGroup
	listeners map[string]*listener
	rules     map[string]*rule
	health    map[healthKey]*targetState
	next      map[string]int // round-robin position by target group ARN
	servers   map[string]*boundListener
	// closed is set by Close: no health check starts after it.
	closed bool

	// checks counts the health checks in flight; Close waits for them.
	// closing is cancelled by Close so that they end at once.
	checks     sync.WaitGroup
	closing    context.Context
	stopChecks context.CancelFunc

	transport *http.Transport
}

// boundListener is a listener's own port: an HTTP server for an
// Application Load Balancer's listener, a TCP listener and/or UDP socket
// for a Network Load Balancer's (l4.go).
type boundListener struct {
	port   int32
	server *http.Server
	l4     *l4Listener
}

// close closes the listener's port (and a Network Load Balancer's
// connections and flows).
func (b *boundListener) close() {
	if b.server != nil {
		b.server.Close()
	}
	if b.l4 != nil {
		b.l4.close()
	}
}

// New returns the service over the store, with the resources it holds,
// and binds its listeners' ports.
func New(d Deps) (*Service, error) {
	s := &Service{
		store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region,
		functions: d.Functions, subnets: d.Subnets, listenHost: d.ListenHost, log: d.Logger, requests: d.Requests,
		certs: d.Certificates, lbs: map[string]*loadBalancer{}, tgs: map[string]*targetGroup{},
		listeners: map[string]*listener{}, rules: map[string]*rule{},
		health: map[healthKey]*targetState{}, next: map[string]int{}, servers: map[string]*boundListener{},
	}
	if s.listenHost == "" {
		s.listenHost = "127.0.0.1"
	}
	s.closing, s.stopChecks = context.WithCancel(context.Background())
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.transport = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     60 * time.Second,
		// HTTPS targets are reached with whatever certificate they have
		// (self-signed ones included): the load balancer is not their
		// client's judge of identity.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}
	if err := scan(s.store, kindLB, func(v *loadBalancer) { s.lbs[v.ARN] = v }); err != nil {
		return nil, err
	}
	if err := scan(s.store, kindTG, func(v *targetGroup) { s.tgs[v.ARN] = v }); err != nil {
		return nil, err
	}
	if err := scan(s.store, kindListener, func(v *listener) { s.listeners[v.ARN] = v }); err != nil {
		return nil, err
	}
	if err := scan(s.store, kindRule, func(v *rule) { s.rules[v.ARN] = v }); err != nil {
		return nil, err
	}
	// Listeners bind their ports now, so that they serve once virga
	// says it is up; Close (or Run's end) closes them.
	for _, l := range s.listeners {
		s.bindLocked(l)
	}
	return s, nil
}

// API returns the service as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            SigningName,
		Protocol:        query.New(APIVersion, Namespace),
		Resources:       s.resources,
		ValidationError: ErrValidation,
		ViolationError:  func(_ any, vs []shape.Violation) error { return ErrValidation.WithMessage(shape.Message(vs)) },
		Operations:      s.operations(),
	}).Init()
}

// Run runs health checks until ctx is done, then closes the listeners'
// ports.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	if log != nil {
		s.log = log
	}
	tick := time.NewTicker(healthTick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			s.Close()
			return
		case <-tick.C:
			s.checkHealth(ctx)
			s.sweepDraining()
		}
	}
}

// Close closes the listeners' ports, ends the health checks in flight and
// waits for them: none is left running, nor starts, once it returns. It
// waits too, for up to l4CloseWait, for the connections and flows of
// Network Load Balancers' listeners to end.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	var l4 []*l4Listener
	for arn, b := range s.servers {
		if b.l4 != nil {
			l4 = append(l4, b.l4)
		}
		s.unbindLocked(arn)
	}
	s.mu.Unlock()
	s.stopChecks()
	s.checks.Wait()
	deadline := time.Now().Add(l4CloseWait)
	for _, b := range l4 {
		if !b.wait(deadline) {
			s.log.Warn("a Network Load Balancer listener's connections did not end in time")
			break
		}
	}
	s.transport.CloseIdleConnections()
	return nil
}

func (s *Service) now() time.Time { return s.clock.Now() }
