package applicationautoscaling

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
)

// TargetPrefix is Application Auto Scaling's X-Amz-Target prefix.
const TargetPrefix = "AnyScaleFrontendService"

// SigningName is the service name in its SigV4 scope and IAM actions.
const SigningName = "application-autoscaling"

// Caller runs another service's operation in process (DynamoDB's
// UpdateTable, Lambda's PutProvisionedConcurrencyConfig, ECS's
// UpdateService, CloudWatch's PutMetricAlarm). The service is its
// signing name, the input and output the operation's shapes as JSON.
type Caller func(ctx context.Context, service, op string, input map[string]any) (map[string]any, error)

// Deps are what Application Auto Scaling needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Call reaches the scalable resources and CloudWatch's alarms.
	Call Caller
}

// Service is Application Auto Scaling.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string
	call    Caller

	// mu serializes every change, so that a read-modify-write of a
	// target and its policies and actions is atomic.
	mu sync.Mutex
}

// New returns Application Auto Scaling over the store.
func New(d Deps) *Service {
	return &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region, call: d.Call}
}

// API returns Application Auto Scaling as the edge serves it: awsJson
// 1.1, signed as "application-autoscaling".
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            SigningName,
		Protocol:        awsjson.New("1.1", TargetPrefix),
		Resources:       s.resources,
		ValidationError: ErrValidation,
		Operations:      s.operations(),
	}).Init()
}

// resources names the scalable target a tagging call acts on, for IAM
// authorization; the other operations are authorized on "*" as AWS's
// service authorization reference gives them.
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if arn := awsproto.InputString(in, "ResourceARN"); arn != "" {
		return []string{arn}
	}
	return nil
}

func (s *Service) targetARN(id string) string {
	return "arn:aws:application-autoscaling:" + s.region + ":" + s.account + ":scalable-target/" + id
}

// resourcePath is how policy and scheduled action ARNs name their
// target's resource: resource/NAMESPACE/RESOURCE-ID.
func resourcePath(k targetKey) string { return "resource/" + k.Namespace + "/" + k.ResourceID }

func (s *Service) policyARN(k targetKey, name string) string {
	return "arn:aws:autoscaling:" + s.region + ":" + s.account + ":scalingPolicy:" + s.ids.UUID() + ":" +
		resourcePath(k) + ":policyName/" + name
}

func (s *Service) actionARN(k targetKey, name string) string {
	return "arn:aws:autoscaling:" + s.region + ":" + s.account + ":scheduledAction:" + s.ids.UUID() + ":" +
		resourcePath(k) + ":scheduledActionName/" + name
}

// commit writes a batch built by fill; the caller holds s.mu.
func (s *Service) commit(fill func(b store.Batch) error) error {
	b := s.store.NewBatch()
	defer b.Close()
	if err := fill(b); err != nil {
		return err
	}
	return b.Commit()
}

// pollTick is how often scheduled actions are looked at.
const pollTick = time.Second

// Run runs scheduled actions at their times until ctx ends.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	log = log.With("service", SigningName)
	t := time.NewTicker(pollTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.RunDue(ctx, log)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// keyOf is the target a request names.
func keyOf(ns *ServiceNamespace, resource *string, dim *ScalableDimension) targetKey {
	return targetKey{string(deref(ns)), deref(resource), string(deref(dim))}
}
