package acm

import (
	"context"
	"sync"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is ACM's X-Amz-Target prefix.
const TargetPrefix = "CertificateManager"

// Service is AWS Certificate Manager.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string
	dns     DNS
	users   Users

	// mu serializes read-modify-write of certificates.
	mu sync.Mutex
}

// DNS is what ACM reads of public DNS to validate certificates: virga's
// Route 53 public hosted zones.
type DNS interface {
	// Lookup returns the values of the record set of the type at the
	// name, and whether any zone holds the name at all (false: the
	// name's DNS lies outside virga).
	Lookup(name, typ string) (values []string, hosted bool, err error)
}

// Users names the resources that use certificates.
type Users interface {
	// CertificateUsers returns the ARNs of the resources (API Gateway
	// custom domain names, load balancers) that use the certificate.
	CertificateUsers(arn string) []string
}

// Deps are what ACM needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// DNS is where DNS validation records are looked up; nil issues
	// DNS-validated certificates at once.
	DNS DNS
	// Users names a certificate's users; nil names none.
	Users Users
}

// New returns ACM over the store.
func New(d Deps) *Service {
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region, dns: d.DNS, users: d.Users}
}

// API returns ACM as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "acm",
		Protocol:        awsjson.New("1.1", TargetPrefix),
		Resources:       resources,
		ValidationError: ErrValidation,
		Operations:      s.operations(),
	}).Init()
}

// resources names the certificate a call acts on by its ARN, for IAM;
// RequestCertificate, ImportCertificate of a new certificate and
// ListCertificates are authorized on "*".
func resources(_ *awsproto.Call, in any) []string {
	if arn := awsproto.InputString(in, "CertificateArn"); arn != "" {
		return []string{arn}
	}
	return nil
}

// update runs f under the service's lock on a batch and commits what
// f wrote.
func (s *Service) update(_ context.Context, f func(b store.Batch) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.NewBatch()
	defer b.Close()
	if err := f(b); err != nil {
		return err
	}
	return b.Commit()
}
