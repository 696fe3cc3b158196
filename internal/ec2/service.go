package ec2

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/query"
	"github.com/virga/virga/internal/awsproto/shape"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/vpcref"
)

// APIVersion and Namespace identify EC2's API.
const (
	APIVersion = "2016-11-15"
	Namespace  = "http://ec2.amazonaws.com/doc/2016-11-15/"
)

// Service is EC2's VPC resources.
type Service struct {
	store   store.Store
	ids     *ids.Generator
	clock   clock.Clock
	account string
	region  string

	// mu serializes changes: each reads resources, checks them and
	// writes them in one batch. Users are called with it held.
	mu sync.Mutex
	// defaultsMu serializes making the default VPC, which defaultsMade
	// records. Reads take only it, never mu, so other services may call
	// Subnet and SecurityGroup under their own locks while a change
	// here holds mu and asks them (through users) whether they use a
	// resource. Lock order: mu, then defaultsMu.
	defaultsMu   sync.Mutex
	defaultsMade atomic.Bool
	// users are the other services' answers to whether they use a
	// subnet or security group, registered at wiring time.
	users []User
	// interfaces are the other services' network interfaces (Lambda's
	// Hyperplane ENIs), registered at wiring time.
	interfaces []func() ([]vpcref.Interface, error)
}

// RegisterInterfaces adds f to the services whose network interfaces
// DescribeNetworkInterfaces lists with EC2's own: made by AWS for their
// resources, as Lambda's are for functions in a VPC. internal/app
// registers them before EC2 serves requests.
func (s *Service) RegisterInterfaces(f func() ([]vpcref.Interface, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interfaces = append(s.interfaces, f)
}

// A User reports whether resources of another service (a function's
// VpcConfig, a load balancer, an awsvpc task) use the subnet or security
// group with the id. It must not call back into EC2's changes.
type User func(id string) (bool, error)

// RegisterUser adds u to the services EC2 asks before it deletes a
// subnet or security group: one in use is a DependencyViolation, as on
// AWS. internal/app registers each service that places resources in
// subnets, before EC2 serves requests.
func (s *Service) RegisterUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = append(s.users, u)
}

// inUse reports whether a registered user uses the resource with the
// id. s.mu is held.
func (s *Service) inUse(id string) (bool, error) {
	for _, u := range s.users {
		if used, err := u(id); err != nil || used {
			return used, err
		}
	}
	return false, nil
}

// Deps are what EC2 needs.
type Deps struct {
	Store store.Store
	// Clock dates NAT gateways; the real clock when nil.
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
}

// New returns EC2 over the given store.
func New(d Deps) *Service {
	c := d.Clock
	if c == nil {
		c = clock.Real{}
	}
	return &Service{store: d.Store, ids: d.IDs, clock: c, account: d.Account, region: d.Region}
}

// API returns EC2 as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "ec2",
		Protocol:        query.NewEC2(APIVersion, Namespace),
		ValidationError: ErrInvalidParameterValue,
		ViolationError:  violationError,
		Operations:      s.operations(),
	}).Init()
}

// violationError reports the model's constraint violations as EC2
// does: a member left out is MissingParameter, another violation
// InvalidParameterValue.
func violationError(in any, vs []shape.Violation) error {
	if v := vs[0]; v.Value == "null" {
		return missing(v.Path)
	}
	return ErrInvalidParameterValue.WithMessage(shape.Message(vs))
}

// newID returns a resource id in AWS's form: the kind's prefix and 17
// hexadecimal digits.
func (s *Service) newID(prefix string) string { return s.ids.ResourceID(prefix) }

// update runs f on a batch under the service's lock, after making the
// default VPC if it is not made yet, and commits what f wrote.
func (s *Service) update(ctx context.Context, f func(r store.Reader, b store.Batch) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.makeDefaults(); err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	if err := f(s.store, b); err != nil {
		return err
	}
	return b.Commit()
}

// read runs f on the store, after making the default VPC if it is not
// made yet.
func (s *Service) read(ctx context.Context, f func(r store.Reader) error) error {
	if err := s.makeDefaults(); err != nil {
		return err
	}
	return f(s.store)
}

// makeDefaults makes the default VPC unless it is made already,
// taking only defaultsMu.
func (s *Service) makeDefaults() error {
	if s.defaultsMade.Load() {
		return nil
	}
	s.defaultsMu.Lock()
	defer s.defaultsMu.Unlock()
	if err := s.ensureDefaults(); err != nil {
		return err
	}
	s.defaultsMade.Store(true)
	return nil
}

// Subnet returns the VPC and availability zone of the subnet with the
// id, and false when there is none: what load balancers, functions and
// tasks placed in it report (see vpcref.Network).
func (s *Service) Subnet(id string) (vpcID, zone string, ok bool, err error) {
	rec, err := s.lookup(kindSubnet, id)
	if err != nil || rec == nil {
		return "", "", false, err
	}
	return rec.VpcID, rec.Zone, true, nil
}

// SecurityGroup returns the VPC of the security group with the id, and
// false when there is none.
func (s *Service) SecurityGroup(id string) (vpcID string, ok bool, err error) {
	rec, err := s.lookup(kindSecurityGroup, id)
	if err != nil || rec == nil {
		return "", false, err
	}
	return rec.VpcID, true, nil
}

// lookup returns the resource of kind k with the id, or nil.
func (s *Service) lookup(k *kind, id string) (*record, error) {
	if kindOf(id) != k {
		return nil, nil
	}
	var rec *record
	err := s.read(context.Background(), func(r store.Reader) error {
		var err error
		rec, err = get(r, id)
		return err
	})
	return rec, err
}
