package secretsmanager

import (
	"context"
	"crypto/rand"
	"io"
	"sync"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/sealed"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is Secrets Manager's X-Amz-Target prefix.
const TargetPrefix = "secretsmanager"

// Service is AWS Secrets Manager.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	rand    io.Reader
	box     *sealed.Box
	account string
	region  string

	mu sync.Mutex // serializes read-modify-write of secrets

	functions Functions
	keys      Keys
	rotations sync.WaitGroup // rotations running in the background
}

// Functions runs rotation functions.
type Functions interface {
	// InvokeSync invokes the function the ARN names and returns its
	// response; functionError is set when the function failed.
	InvokeSync(ctx context.Context, function string, payload []byte) (response []byte, functionError string, err error)
}

// Keys checks the KMS keys secret values are encrypted with.
type Keys interface {
	// CheckEncryptionKey is nil if the key a KmsKeyId names (key id,
	// key ARN, alias name or alias ARN) can encrypt and decrypt now, and
	// KMS's error otherwise.
	CheckEncryptionKey(ref string) error
}

// Deps are what Secrets Manager needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Random is where passwords, ARN suffixes and the data key come
	// from; nil is crypto/rand.
	Random io.Reader
	// Functions invokes rotation functions; nil refuses RotateSecret.
	Functions Functions
	// Keys checks secrets' KMS keys; nil checks none.
	Keys Keys
}

// New returns Secrets Manager over the store, loading (or making) the
// data key secret values are sealed with.
func New(d Deps) (*Service, error) {
	if d.Random == nil {
		d.Random = rand.Reader
	}
	box, err := sealed.Load(d.Store, dataKeyKey(), d.Random)
	if err != nil {
		return nil, err
	}
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, rand: d.Random, box: box, account: d.Account, region: d.Region, functions: d.Functions, keys: d.Keys}, nil
}

// Close waits for the rotations in progress.
func (s *Service) Close() error {
	s.rotations.Wait()
	return nil
}

// API returns Secrets Manager as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "secretsmanager",
		Protocol:        awsjson.New("1.1", TargetPrefix),
		Resources:       s.resources,
		DeniedResource:  deniedResource,
		ValidationError: ErrValidation,
		Operations:      s.operations(),
	}).Init()
}

// SecretValue is one version of a secret, for CloudFormation's
// {{resolve:secretsmanager:...}} references.
type SecretValue struct {
	ARN, Name, VersionID string
	String               *string
	Binary               []byte
}

// Resolve returns a secret's value by id (name or ARN) and version id
// or staging label (AWSCURRENT when both are empty), with the errors
// GetSecretValue gives.
func (s *Service) Resolve(ctx context.Context, id, versionID, stage string) (SecretValue, error) {
	in := &GetSecretValueRequest{SecretId: &id}
	if versionID != "" {
		in.VersionId = &versionID
	}
	if stage != "" {
		in.VersionStage = &stage
	}
	out, err := s.getSecretValue(ctx, in)
	if err != nil {
		return SecretValue{}, err
	}
	return SecretValue{ARN: *out.ARN, Name: *out.Name, VersionID: *out.VersionId, String: out.SecretString, Binary: out.SecretBinary}, nil
}

// defaultKey is the AWS managed key that encrypts secrets that name no
// KMS key.
const defaultKey = "alias/aws/secretsmanager"

// checkKey fails with fail (EncryptionFailure or DecryptionFailure) when
// the secret's KMS key, or the AWS managed key if it names none, cannot
// be used: missing, disabled, pending deletion, or not a symmetric
// encryption key.
func (s *Service) checkKey(sec *secret, fail *apierr.Error) error {
	if s.keys == nil {
		return nil
	}
	ref := sec.KmsKeyID
	if ref == "" {
		ref = defaultKey
	}
	if err := s.keys.CheckEncryptionKey(ref); err != nil {
		if apierr.As(err) != nil {
			return fail
		}
		return err
	}
	return nil
}
