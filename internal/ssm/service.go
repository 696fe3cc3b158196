package ssm

import (
	"context"
	"io"
	"sync"
	"sync/atomic"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/sealed"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is Systems Manager's X-Amz-Target prefix.
const TargetPrefix = "AmazonSSM"

// Service is Systems Manager's Parameter Store.
type Service struct {
	store   store.Store
	clock   clock.Clock
	box     *sealed.Box
	account string
	region  string

	keys Keys

	mu sync.Mutex // serializes read-modify-write of parameters

	events Events
	// nextDue is when the earliest pending policy acts (epoch ms), 0
	// when none is known to; Run looks at the parameters then.
	nextDue atomic.Int64
}

// Keys checks the KMS keys SecureString values are encrypted with.
type Keys interface {
	// CheckEncryptionKey is nil if the key a KeyId names (key id, key
	// ARN, alias name or alias ARN) can encrypt and decrypt now, and
	// KMS's error otherwise.
	CheckEncryptionKey(ref string) error
}

// Deps are what Parameter Store needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	Account string
	Region  string
	// Random seeds SecureString nonces and the data key; nil is
	// crypto/rand.
	Random io.Reader
	// Events receives parameter policies' events, for the default
	// EventBridge bus; nil drops them.
	Events Events
	// Keys checks SecureString parameters' KMS keys; nil checks none.
	Keys Keys
}

// New returns Parameter Store over the store, loading (or making) the
// data key SecureString values are sealed with.
func New(d Deps) (*Service, error) {
	box, err := sealed.Load(d.Store, dataKeyKey(), d.Random)
	if err != nil {
		return nil, err
	}
	return &Service{store: d.Store, clock: d.Clock, box: box, account: d.Account, region: d.Region, events: d.Events, keys: d.Keys}, nil
}

// API returns Parameter Store as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "ssm",
		Protocol:        awsjson.New("1.1", TargetPrefix),
		Resources:       s.resources,
		ValidationError: ErrValidation,
		Operations:      s.operations(),
	}).Init()
}

// Value is a parameter's value as CloudFormation's dynamic references
// and SSM-typed template parameters read it.
type Value struct {
	Name    string
	Type    string // String, StringList or SecureString
	Value   string // decrypted
	Version int64
}

// Resolve returns the parameter a selector ("name", "name:3",
// "name:label") names, decrypted, for in-process callers.
func (s *Service) Resolve(_ context.Context, ref string) (Value, error) {
	sel, ok := parseSelector(ref)
	if !ok {
		return Value{}, ErrParameterNotFound
	}
	p, err := s.load(sel.name)
	if err != nil {
		return Value{}, err
	}
	if p == nil {
		return Value{}, ErrParameterNotFound
	}
	v, err := p.pick(sel)
	if err != nil {
		return Value{}, err
	}
	plain, err := s.plain(v)
	if err != nil {
		return Value{}, err
	}
	return Value{Name: p.Name, Type: v.Type, Value: plain, Version: v.Version}, nil
}

// checkKey is InvalidKeyId when the KMS key of a SecureString parameter
// (alias/aws/ssm, the AWS managed key, by default) cannot be used:
// missing, disabled, pending deletion, or not a symmetric encryption
// key.
func (s *Service) checkKey(ref string) error {
	if s.keys == nil || ref == "" {
		return nil
	}
	if err := s.keys.CheckEncryptionKey(ref); err != nil {
		if apierr.As(err) != nil {
			return ErrInvalidKeyID
		}
		return err
	}
	return nil
}
