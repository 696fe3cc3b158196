package ecr

import (
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is Amazon ECR's X-Amz-Target prefix.
const TargetPrefix = "AmazonEC2ContainerRegistry_V20150921"

// SigningName is ECR's SigV4 signing name.
const SigningName = "ecr"

// Service is Amazon ECR: the API and the registry both serve it.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string
	// requireAuth makes the registry refuse requests without a valid
	// GetAuthorizationToken password (virga's --auth sigv4 and above).
	requireAuth bool
	authKey     []byte
	// api is the API as the edge serves it (its resources and
	// repository policies, for the registry's authorization); authz,
	// when set (--auth iam), authorizes the registry's requests.
	api   *awsproto.Service
	authz awsproto.Authorizer

	mu        sync.Mutex // serializes read-modify-write of repositories, images and tags
	uploads   uploadLocks
	lifecycle lifecycleState
}

// Deps are what ECR needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// RequireAuth makes the registry ask for the password
	// GetAuthorizationToken gives; otherwise any request, with or
	// without credentials, is served.
	RequireAuth bool
	// Random is where the key authorization tokens are signed with
	// comes from; nil is crypto/rand.
	Random io.Reader
}

// New returns ECR over the store, loading (or making) the key its
// authorization tokens are signed with.
func New(d Deps) (*Service, error) {
	if d.Random == nil {
		d.Random = rand.Reader
	}
	key, err := d.Store.Get(authKeyKey())
	if errors.Is(err, store.ErrNotFound) {
		key = make([]byte, 32)
		if _, err := io.ReadFull(d.Random, key); err != nil {
			return nil, err
		}
		b := d.Store.NewBatch()
		defer b.Close()
		b.Set(authKeyKey(), key)
		err = b.Commit()
	}
	if err != nil {
		return nil, err
	}
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region,
		requireAuth: d.RequireAuth, authKey: key}, nil
}

// API returns ECR's API as the edge serves it.
func (s *Service) API() *awsproto.Service {
	if s.api != nil {
		return s.api
	}
	s.api = (&awsproto.Service{
		Name:            SigningName,
		Protocol:        awsjson.New("1.1", TargetPrefix),
		Resources:       s.resources,
		ResourcePolicy:  s.resourcePolicy,
		ValidationError: ErrInvalidParameter,
		Operations:      s.operations(),
		// UploadLayerPart carries up to 20 MiB of layer, base64 in JSON.
		MaxBodyBytes: 32 << 20,
	}).Init()
	return s.api
}

// Registry returns the registry's HTTP handler (OCI Distribution).
func (s *Service) Registry() http.Handler { return &registry{s: s} }

// RegistryHost is the host name of the account's registry:
// ACCOUNT.dkr.ecr.REGION.localhost.
func (s *Service) RegistryHost() string {
	return s.account + ".dkr.ecr." + s.region + ".localhost"
}

// registryAddr is the registry's host with the port of the request
// (host:port as the client sent it), for repositoryUri and
// proxyEndpoint.
func (s *Service) registryAddr(requestHost string) string {
	if _, port, err := net.SplitHostPort(requestHost); err == nil && port != "" {
		return s.RegistryHost() + ":" + port
	}
	return s.RegistryHost()
}

func (s *Service) repoARN(name string) string {
	return "arn:aws:ecr:" + s.region + ":" + s.account + ":repository/" + name
}
