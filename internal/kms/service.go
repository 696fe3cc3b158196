package kms

import (
	"crypto/rand"
	"io"
	"sync"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/sealed"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is KMS's X-Amz-Target prefix.
const TargetPrefix = "TrentService"

// SigningName is KMS's SigV4 signing name.
const SigningName = "kms"

// Service is AWS Key Management Service.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	rand    io.Reader
	box     *sealed.Box
	account string
	region  string

	mu sync.Mutex // serializes read-modify-write of keys and aliases
}

// Deps are what KMS needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Random is where key material, nonces and GenerateRandom's bytes
	// come from; nil is crypto/rand.
	Random io.Reader
}

// New returns KMS over the store, loading (or making) the data key that
// seals key material at rest.
func New(d Deps) (*Service, error) {
	if d.Random == nil {
		d.Random = rand.Reader
	}
	box, err := sealed.Load(d.Store, dataKeyKey(), d.Random)
	if err != nil {
		return nil, err
	}
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, rand: d.Random, box: box, account: d.Account, region: d.Region}, nil
}

// API returns KMS as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            SigningName,
		Protocol:        awsjson.New("1.1", TargetPrefix),
		ValidationError: ErrValidation,
		Operations:      s.operations(),
		Resources:       s.resources,
		ResourcePolicy:  s.resourcePolicy,
		// "Every KMS key must have exactly one key policy", and only it
		// can let IAM policies grant access to the key.
		ResourcePolicyRequired: true,
	}).Init()
}
