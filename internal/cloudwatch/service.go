package cloudwatch

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/awsproto/query"
	"github.com/virga/virga/internal/awsproto/querycompat"
	"github.com/virga/virga/internal/awsproto/rpcv2cbor"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/store"
)

// CloudWatch's API identities: its awsQuery version and namespace, and
// the service shape rpcv2Cbor requests name.
const (
	APIVersion     = "2010-08-01"
	Namespace      = "http://monitoring.amazonaws.com/doc/2010-08-01/"
	ServiceShape   = "GraniteServiceVersion20100801"
	ShapeNamespace = "com.amazonaws.cloudwatch"
)

// Notifier is what alarms need of SNS: publishing a notification to a
// topic. internal/app adapts SNS to it.
type Notifier interface {
	// Publish sends message, with subject, to the topic with the ARN.
	Publish(ctx context.Context, topicARN, subject, message string) error
}

// Functions is what alarms need of Lambda: invoking a function
// asynchronously with an alarm's event, on behalf of the alarm (whose
// ARN the function's resource policy must allow, as AWS requires for
// the service principal lambda.alarms.cloudwatch.amazonaws.com).
// internal/app adapts Lambda to it.
type Functions interface {
	InvokeAlarmAction(ctx context.Context, functionARN, alarmARN string, event []byte) error
}

// ScalingPolicies run the scaling policies that are alarm actions
// (arn:aws:autoscaling:...:scalingPolicy:...): Application Auto
// Scaling's ExecutePolicy, given the alarm's name and its state reason
// data, whose recentDatapoints hold the values that breached.
type ScalingPolicies interface {
	ExecutePolicy(ctx context.Context, policyARN, alarmName, reasonData string) error
}

// Deps are what CloudWatch needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	Account string
	Region  string
	// Notifier publishes alarm notifications; nil leaves alarm actions
	// without deliveries.
	Notifier Notifier
	// Functions runs Lambda function alarm actions; nil leaves them
	// without invocations.
	Functions Functions
	// Logger records actions that fail; nil discards.
	Logger *slog.Logger
}

// Service is CloudWatch metrics and metric alarms.
type Service struct {
	store    store.Store
	clock    clock.Clock
	account  string
	region   string
	notifier Notifier
	fns      Functions
	scaling  ScalingPolicies
	log      *slog.Logger

	// mu guards series, seq and alarms, and is held while they are
	// written to the store. Nothing else is locked under it.
	mu     sync.Mutex
	series map[string]*series // by series id
	seq    uint64
	alarms map[string]*alarm // by name
}

// ScaleWith makes scaling policies that are alarm actions run when
// their alarm goes into the state they are an action of. It is called
// once, before Run.
func (s *Service) ScaleWith(p ScalingPolicies) { s.scaling = p }

// New returns CloudWatch over the store, with the metrics and alarms it
// holds.
func New(d Deps) (*Service, error) {
	s := &Service{store: d.Store, clock: d.Clock, account: d.Account, region: d.Region, notifier: d.Notifier,
		fns: d.Functions, log: d.Logger, series: map[string]*series{}, alarms: map[string]*alarm{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.loadSeries(); err != nil {
		return nil, err
	}
	if err := s.loadAlarms(); err != nil {
		return nil, err
	}
	s.seq = uint64(s.clock.Now().UnixNano())
	return s, nil
}

// API returns CloudWatch as the edge serves it, on one operation table:
// rpcv2Cbor (aws-sdk-go-v2 and other current SDKs), awsJson 1.0 with
// X-Amz-Target GraniteServiceVersion20100801.<Operation> (current
// botocore), and awsQuery (older clients).
func (s *Service) API() *awsproto.Service {
	j := awsjson.New("1.0", ServiceShape)
	j.ErrorNamespace = ShapeNamespace + "#"
	return (&awsproto.Service{
		Name:            "monitoring",
		Protocol:        querycompat.NewCBOR(rpcv2cbor.New(ServiceShape, ShapeNamespace), j, query.New(APIVersion, Namespace)),
		Resources:       s.resources,
		ValidationError: ErrValidation,
		Operations:      s.operations(),
		MaxBodyBytes:    maxPutPayload + 64<<10,
	}).Init()
}

// EvaluationInterval is how often Run looks for alarms due for
// evaluation and sweeps expired datapoints; alarms are evaluated on the
// service's clock, once a period.
const EvaluationInterval = time.Second

// Run evaluates alarms and applies retention until ctx ends.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	tick := time.NewTicker(EvaluationInterval)
	defer tick.Stop()
	lastSweep := s.clock.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			now := s.clock.Now()
			s.EvaluateAlarms(ctx, now)
			if now.Sub(lastSweep) >= time.Hour {
				lastSweep = now
				if err := s.sweep(now); err != nil {
					log.Error("cloudwatch: applying retention", "err", err)
				}
			}
		}
	}
}
