package cognitoidp

import (
	"crypto/rand"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/virga/virga/internal/acm"
	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/sealed"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is Cognito user pools' X-Amz-Target prefix.
const TargetPrefix = "AWSCognitoIdentityProviderService"

// SigningName is the service name in Cognito user pools' SigV4 scope.
const SigningName = "cognito-idp"

// Service is Amazon Cognito user pools.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	rand    io.Reader
	box     *sealed.Box
	account string
	region  string
	log     *slog.Logger

	mu sync.Mutex // serializes read-modify-write of pools, clients, users and groups

	// sessions are the challenges InitiateAuth has issued and not yet
	// answered, by session string; they live in memory only, as a
	// session's few minutes do not outlast a restart that matters.
	sessions map[string]*session
	// srp are the PASSWORD_VERIFIER challenges in progress, by their
	// SECRET_BLOCK (base64), in memory like sessions.
	srp       map[string]*srpSession
	functions Functions
	certs     Certificates
	// customHosts are the custom domains' names (CustomDomain).
	customHosts atomic.Pointer[map[string]bool]
	// authCodes are the authorization codes /login issued and the token
	// endpoint has not redeemed, in memory like sessions (oauth.go).
	authCodes map[string]*authCode
	// webSessions are browsers' sessions on pools' domains, by cookie.
	webSessions map[string]*webSession
	// keys caches pools' unsealed signing keys, by pool id.
	keys map[string]*poolKeys
}

// Deps are what Cognito user pools need.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Random is where ids, secrets, codes and keys come from; nil is
	// crypto/rand.
	Random io.Reader
	Logger *slog.Logger
	// Functions runs Lambda triggers; nil runs none.
	Functions Functions
	// Certificates is ACM, where custom domains' certificates are;
	// nil accepts any certificate.
	Certificates Certificates
}

// Certificates looks up ACM's certificates (acm.Service).
type Certificates interface {
	// Lookup returns the certificate an ARN names, and false when
	// there is none.
	Lookup(arn string) (acm.Certificate, bool, error)
}

// New returns Cognito user pools over the store, loading (or making)
// the data key pools' signing keys are sealed with.
func New(d Deps) (*Service, error) {
	if d.Random == nil {
		d.Random = rand.Reader
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	box, err := sealed.Load(d.Store, dataKeyKey(), d.Random)
	if err != nil {
		return nil, err
	}
	s := &Service{store: d.Store, clock: d.Clock, ids: d.IDs, rand: d.Random, box: box, account: d.Account,
		region: d.Region, log: d.Logger, functions: d.Functions, certs: d.Certificates, sessions: map[string]*session{}, srp: map[string]*srpSession{}, keys: map[string]*poolKeys{},
		authCodes: map[string]*authCode{}, webSessions: map[string]*webSession{}}
	if err := s.publishCustomDomains(); err != nil {
		return nil, err
	}
	return s, nil
}

// API returns Cognito user pools as the edge serves them.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            SigningName,
		Protocol:        awsjson.New("1.1", TargetPrefix),
		Resources:       s.resources,
		ValidationError: ErrInvalidParameter,
		Operations:      s.operations(),
	}).Init()
}
