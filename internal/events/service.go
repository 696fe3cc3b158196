package events

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/background"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/eventpattern"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/schedexpr"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// TargetPrefix is EventBridge's X-Amz-Target prefix.
const TargetPrefix = "AWSEvents"

// defaultBus is the bus every account has.
const defaultBus = "default"

// EventBridge's errors, with AWS's codes.
var (
	ErrValidation      = apierr.New("ValidationException", 400, "")
	ErrNotFound        = apierr.New("ResourceNotFoundException", 400, "")
	ErrAlreadyExists   = apierr.New("ResourceAlreadyExistsException", 400, "")
	ErrInvalidPattern  = apierr.New("InvalidEventPatternException", 400, "")
	ErrLimitExceeded   = apierr.New("LimitExceededException", 400, "")
	ErrConcurrentMod   = apierr.New("ConcurrentModificationException", 400, "")
	ErrManagedRule     = apierr.New("ManagedRuleException", 400, "")
	ErrIllegalStatus   = apierr.New("IllegalStatusException", 400, "")
	ErrInternal        = apierr.New("InternalException", 500, "")
	ErrOperationDenied = apierr.New("OperationDisabledException", 400, "")
)

// Service is Amazon EventBridge: event buses, rules (event patterns and
// schedules), targets and PutEvents.
type Service struct {
	// log is Run's logger, which first deliveries (made by PutEvents)
	// report dropped events to as retries do; nil until Run starts.
	log atomic.Pointer[slog.Logger]

	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string
	targets deliver.Deliverer
	// restAPIs serves API Gateway targets' stages (restapi_target.go).
	restAPIs RestAPIs

	mu       sync.Mutex
	buses    map[string]*bus
	archives map[string]*archive
	replays  map[string]*replayRecord
	// lastSweep is when expireArchives last ran.
	lastSweep time.Time

	// connections and apiDests are guarded by s.mu, with the rest.
	connections map[string]*connectionRecord
	apiDests    map[string]*apiDestRecord

	// retries are deliveries waiting for another attempt.
	retryMu sync.Mutex
	retries []*delivery

	// http makes API destinations' requests and fetches OAuth tokens.
	http *http.Client
	// tokens are OAuth connections' access tokens (oauth.go).
	tokenMu sync.Mutex
	tokens  map[string]oauthToken
	// windows count API destinations' invocations per second (invoke.go).
	limitMu sync.Mutex
	windows map[string]*rateWindow

	// work runs the goroutines started outside Run (API destination
	// requests, OAuth token fetches); Run stops it as it returns, after
	// which it starts none.
	work background.Group
}

// Deps are what EventBridge needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Targets delivers to rules' targets; nil drops what matches.
	Targets deliver.Deliverer
	// RestAPIs serves API Gateway targets' stages; nil fails them.
	RestAPIs RestAPIs
}

// bus is an event bus and its rules.
type bus struct {
	rec   busRecord
	rules map[string]*rule
}

// busRecord is a bus as the store keeps it.
type busRecord struct {
	Name    string            `json:"name"`
	Created time.Time         `json:"created"`
	Tags    map[string]string `json:"tags,omitempty"`
	// Description is the bus's own, "" for none; Modified is when its
	// description or policy last changed (zero: never since Created).
	Description string    `json:"description,omitempty"`
	Modified    time.Time `json:"modified,omitzero"`
	// Policy is the bus's resource policy (permissions.go), "" for none.
	Policy string `json:"policy,omitempty"`
	// KmsKeyIdentifier, DeadLetterConfig and LogConfig are recorded as
	// given and returned: virga encrypts no event with a customer managed
	// key, so no event fails on one and reaches the bus's dead-letter
	// queue, and it writes no event bus logs.
	KmsKeyIdentifier string            `json:"kmsKey,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"dlq,omitempty"`
	LogConfig        *LogConfig        `json:"logConfig,omitempty"`
}

// rule is a rule with its compiled pattern or schedule.
type rule struct {
	rec      ruleRecord
	pattern  *eventpattern.Pattern
	schedule *schedexpr.Schedule
	// lastFired is a schedule rule's last occurrence that fired.
	lastFired time.Time
}

// ruleRecord is a rule as the store keeps it, targets included.
type ruleRecord struct {
	Name         string            `json:"name"`
	Bus          string            `json:"bus"`
	EventPattern string            `json:"pattern,omitempty"`
	Schedule     string            `json:"schedule,omitempty"`
	State        string            `json:"state"`
	Description  string            `json:"description,omitempty"`
	RoleArn      string            `json:"roleArn,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	// Anchor is when the rule's schedule started: rate() counts from it.
	Anchor  time.Time `json:"anchor"`
	Targets []Target  `json:"targets,omitempty"`
}

// Store layout:
//
//	("events", "bus", NAME)              busRecord
//	("events", "rule", BUS, NAME)        ruleRecord
//	("events", "fired", BUS, NAME)       a schedule rule's last fired occurrence (RFC 3339)
func busKey(name string) []byte { return eventsKey("bus", name) }
func ruleKey(busName, name string) []byte {
	return eventsKey("rule", busName, name)
}
func firedKey(busName, name string) []byte { return eventsKey("fired", busName, name) }

func eventsKey(parts ...string) []byte {
	k := keys.AppendString(nil, "events")
	for _, p := range parts {
		k = keys.AppendString(k, p)
	}
	return k
}

// New returns EventBridge over the store, with the buses and rules it
// holds.
func New(d Deps) (*Service, error) {
	s := &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region,
		targets: d.Targets, restAPIs: d.RestAPIs, buses: map[string]*bus{}, archives: map[string]*archive{}, replays: map[string]*replayRecord{},
		connections: map[string]*connectionRecord{}, apiDests: map[string]*apiDestRecord{},
		http: newHTTPClient(), tokens: map[string]oauthToken{}, windows: map[string]*rateWindow{}}
	s.buses[defaultBus] = &bus{rec: busRecord{Name: defaultBus}, rules: map[string]*rule{}}
	for _, load := range []func() error{s.load, s.loadArchives, s.loadReplays, s.loadConnections} {
		if err := load(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// loadConnections reads connections and API destinations; a connection
// that was being authorized when virga stopped is authorized again.
func (s *Service) loadConnections() error {
	if err := s.scan(eventsKey("connection"), func(k, v []byte) error {
		var c connectionRecord
		if err := json.Unmarshal(v, &c); err != nil {
			return err
		}
		s.connections[c.Name] = &c
		if c.State == connAuthorizing {
			s.work.Go(func() { s.authorizeOAuth(c.Name, c.Modified) })
		}
		return nil
	}); err != nil {
		return err
	}
	return s.scan(eventsKey("api-destination"), func(k, v []byte) error {
		var d apiDestRecord
		if err := json.Unmarshal(v, &d); err != nil {
			return err
		}
		s.apiDests[d.Name] = &d
		return nil
	})
}

func (s *Service) load() error {
	if err := s.scan(eventsKey("bus"), func(k, v []byte) error {
		var r busRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		s.buses[r.Name] = &bus{rec: r, rules: map[string]*rule{}}
		return nil
	}); err != nil {
		return err
	}
	if err := s.scan(eventsKey("rule"), func(k, v []byte) error {
		var r ruleRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		b := s.buses[r.Bus]
		if b == nil {
			return nil // its bus is gone
		}
		ru, err := compileRule(r)
		if err != nil {
			return err
		}
		b.rules[r.Name] = ru
		return nil
	}); err != nil {
		return err
	}
	return s.scan(eventsKey("fired"), func(k, v []byte) error {
		parts, err := keys.Decode(k)
		if err != nil || len(parts) != 4 {
			return nil
		}
		busName, _ := parts[2].(string)
		name, _ := parts[3].(string)
		if b := s.buses[busName]; b != nil && b.rules[name] != nil {
			t, err := time.Parse(time.RFC3339, string(v))
			if err == nil {
				b.rules[name].lastFired = t
			}
		}
		return nil
	})
}

func (s *Service) scan(prefix []byte, f func(k, v []byte) error) error {
	it, err := s.store.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		if err := f(it.Key(), it.Value()); err != nil {
			return fmt.Errorf("events: %w", err)
		}
	}
	return it.Error()
}

// compileRule compiles a stored rule's pattern or schedule.
func compileRule(r ruleRecord) (*rule, error) {
	ru := &rule{rec: r}
	if r.EventPattern != "" {
		p, err := eventpattern.Compile([]byte(r.EventPattern), eventpattern.EventBridge)
		if err != nil {
			return nil, err
		}
		ru.pattern = p
	}
	if r.Schedule != "" {
		sc, err := schedexpr.Parse(r.Schedule, schedexpr.Options{Dialect: schedexpr.DialectRule, Start: r.Anchor})
		if err != nil {
			return nil, err
		}
		ru.schedule = &sc
	}
	return ru, nil
}

// API returns EventBridge as the edge serves it.
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "events",
		Protocol:        awsjson.New("1.1", TargetPrefix),
		Resources:       s.resources,
		ValidationError: ErrValidation,
		Operations: []awsproto.Operation{
			{Name: "CreateEventBus", Handler: awsproto.Handle(s.createEventBus)},
			{Name: "DeleteEventBus", Handler: awsproto.Handle(s.deleteEventBus)},
			{Name: "DescribeEventBus", Handler: awsproto.Handle(s.describeEventBus)},
			{Name: "UpdateEventBus", Handler: awsproto.Handle(s.updateEventBus)},
			{Name: "ListEventBuses", Handler: awsproto.Handle(s.listEventBuses)},
			{Name: "PutRule", Handler: awsproto.Handle(s.putRule)},
			{Name: "DescribeRule", Handler: awsproto.Handle(s.describeRule)},
			{Name: "ListRules", Handler: awsproto.Handle(s.listRules)},
			{Name: "EnableRule", Handler: awsproto.Handle(s.enableRule)},
			{Name: "DisableRule", Handler: awsproto.Handle(s.disableRule)},
			{Name: "DeleteRule", Handler: awsproto.Handle(s.deleteRule)},
			{Name: "PutTargets", Handler: awsproto.Handle(s.putTargets)},
			{Name: "ListTargetsByRule", Handler: awsproto.Handle(s.listTargetsByRule)},
			{Name: "RemoveTargets", Handler: awsproto.Handle(s.removeTargets)},
			{Name: "ListRuleNamesByTarget", Handler: awsproto.Handle(s.listRuleNamesByTarget)},
			{Name: "PutEvents", Handler: awsproto.Handle(s.putEvents)},
			{Name: "TestEventPattern", Handler: awsproto.Handle(s.testEventPattern)},
			{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
			{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},
			{Name: "ListTagsForResource", Handler: awsproto.Handle(s.listTagsForResource)},
			{Name: "PutPermission", Handler: awsproto.Handle(s.putPermission)},
			{Name: "RemovePermission", Handler: awsproto.Handle(s.removePermission)},
			{Name: "CreateArchive", Handler: awsproto.Handle(s.createArchive)},
			{Name: "DescribeArchive", Handler: awsproto.Handle(s.describeArchive)},
			{Name: "ListArchives", Handler: awsproto.Handle(s.listArchives)},
			{Name: "UpdateArchive", Handler: awsproto.Handle(s.updateArchive)},
			{Name: "DeleteArchive", Handler: awsproto.Handle(s.deleteArchive)},
			{Name: "StartReplay", Handler: awsproto.Handle(s.startReplay)},
			{Name: "DescribeReplay", Handler: awsproto.Handle(s.describeReplay)},
			{Name: "ListReplays", Handler: awsproto.Handle(s.listReplays)},
			{Name: "CancelReplay", Handler: awsproto.Handle(s.cancelReplay)},
			{Name: "CreateConnection", Handler: awsproto.Handle(s.createConnection)},
			{Name: "DescribeConnection", Handler: awsproto.Handle(s.describeConnection)},
			{Name: "UpdateConnection", Handler: awsproto.Handle(s.updateConnection)},
			{Name: "DeleteConnection", Handler: awsproto.Handle(s.deleteConnection)},
			{Name: "ListConnections", Handler: awsproto.Handle(s.listConnections)},
			{Name: "DeauthorizeConnection", Handler: awsproto.Handle(s.deauthorizeConnection)},
			{Name: "CreateApiDestination", Handler: awsproto.Handle(s.createApiDestination)},
			{Name: "DescribeApiDestination", Handler: awsproto.Handle(s.describeApiDestination)},
			{Name: "UpdateApiDestination", Handler: awsproto.Handle(s.updateApiDestination)},
			{Name: "DeleteApiDestination", Handler: awsproto.Handle(s.deleteApiDestination)},
			{Name: "ListApiDestinations", Handler: awsproto.Handle(s.listApiDestinations)},
		},
	}).Init()
}

// noOutput is the output of operations that return nothing.
type noOutput struct{}

func (s *Service) busARN(name string) string {
	return "arn:aws:events:" + s.region + ":" + s.account + ":event-bus/" + name
}

func (s *Service) ruleARN(busName, name string) string {
	if busName == defaultBus {
		return "arn:aws:events:" + s.region + ":" + s.account + ":rule/" + name
	}
	return "arn:aws:events:" + s.region + ":" + s.account + ":rule/" + busName + "/" + name
}

// busName reads an EventBusName parameter: a name or a bus ARN, default
// when absent.
func (s *Service) busName(p *string) string {
	if p == nil || *p == "" {
		return defaultBus
	}
	if i := strings.LastIndex(*p, ":event-bus/"); i >= 0 && strings.HasPrefix(*p, "arn:") {
		return (*p)[i+len(":event-bus/"):]
	}
	return *p
}

// lookupBus finds a bus; the caller holds s.mu.
func (s *Service) lookupBus(name string) (*bus, error) {
	b := s.buses[name]
	if b == nil {
		return nil, ErrNotFound.Withf("Event bus %s does not exist.", name)
	}
	return b, nil
}

// lookupRule finds a rule; the caller holds s.mu.
func (s *Service) lookupRule(busName, name string) (*bus, *rule, error) {
	b, err := s.lookupBus(busName)
	if err != nil {
		return nil, nil, err
	}
	r := b.rules[name]
	if r == nil {
		return nil, nil, ErrNotFound.Withf("Rule %s does not exist on EventBus %s.", name, busName)
	}
	return b, r, nil
}

func (s *Service) put(key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(key, data)
	return b.Commit()
}

func (s *Service) del(keys ...[]byte) error {
	b := s.store.NewBatch()
	defer b.Close()
	for _, k := range keys {
		b.Delete(k)
	}
	return b.Commit()
}

// Run fires schedule rules, retries failed deliveries, moves replays
// along and expires archived events until ctx is done.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s.log.Store(log)
	defer s.work.Stop()
	tick := time.NewTicker(runTick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.fireSchedules(ctx, log)
			s.retryDue(ctx, log)
			s.advanceReplays(ctx, log)
			s.expireArchives(log)
		}
	}
}

// runTick bounds how late a schedule fires or a retry starts; times are
// the injected clock's.
const runTick = 100 * time.Millisecond

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func ptr[T any](v T) *T { return &v }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
