package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	// Time zones are evaluated the same on every host, whatever tzdata
	// it has installed.
	_ "time/tzdata"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/restjson"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
)

// Service is EventBridge Scheduler.
type Service struct {
	store   store.Store
	clock   clock.Clock
	ids     *ids.Generator
	account string
	region  string
	targets deliver.Deliverer
	// universalOps is Deps.Operations.
	universalOps func(service, action string) bool

	// mu guards the groups, the schedules and the queue of due schedules.
	// Operations hold it across their store commit, and so does the loop
	// when it claims occurrences, so that what is in memory is always
	// what the store holds.
	mu        sync.Mutex
	groups    map[string]*groupRecord
	schedules map[scheduleID]*entry
	due       dueQueue

	deliveries deliveryQueue

	// trust decides whether Scheduler may assume a target's role
	// (EnforceTrust, --auth iam); nil otherwise.
	trust deliver.Trust
}

// EnforceTrust makes CreateSchedule and UpdateSchedule refuse a target
// role Scheduler cannot assume (--auth iam), as AWS does.
func (s *Service) EnforceTrust(trust deliver.Trust) { s.trust = trust }

// checkTrust refuses a target role that does not exist or whose trust
// policy does not let scheduler.amazonaws.com assume it for the group
// (aws:SourceAccount, and the group's ARN as aws:SourceArn), with
// CreateSchedule's ValidationException. It takes no lock.
func (s *Service) checkTrust(ctx context.Context, group, roleARN string) error {
	if s.trust == nil {
		return nil
	}
	ok, err := s.trust(ctx, deliver.Role{ARN: roleARN, Principal: servicePrincipal, SourceARN: s.groupARN(group), SourceAccount: s.account})
	if err != nil || ok {
		return err
	}
	return ErrValidation.WithMessage("The execution role you provide must allow AWS EventBridge Scheduler to assume the role.")
}

// checkUniversal refuses, with ValidationException, a universal target
// whose API action the targets do not reach. Other targets pass.
func (s *Service) checkUniversal(arn string) error {
	service, action, ok := deliver.Universal(arn)
	if !ok {
		return nil
	}
	if s.universalOps == nil || !s.universalOps(service, action) {
		return invalid("The universal target %s is not supported in this version of virga: it calls the write actions of the services virga has.", arn)
	}
	return nil
}

// Deps are what Scheduler needs.
type Deps struct {
	Store   store.Store
	Clock   clock.Clock
	IDs     *ids.Generator
	Account string
	Region  string
	// Targets invokes schedules' targets and sends their dead letters.
	// It is also given universal targets' ARNs, with their request
	// parameters as the message body.
	Targets deliver.Deliverer
	// Operations reports whether the targets reach a service's API
	// action, named as in a universal target's ARN; CreateSchedule and
	// UpdateSchedule refuse a universal target it does not know. Nil
	// refuses every universal target.
	Operations func(service, action string) bool
}

// scheduleID names a schedule: names are unique within a group.
type scheduleID struct{ group, name string }

// entry is a schedule in memory: its record, its plan, and where the
// loop stands with it.
type entry struct {
	rec  *scheduleRecord
	arn  string
	plan plan
	// fired is the last occurrence claimed for firing (zero: none).
	fired time.Time
	// next is the occurrence the loop waits for and fireAt when it fires;
	// the entry is in the due queue at index (-1 when it is not: the
	// schedule is disabled or has no occurrence left).
	next, fireAt time.Time
	index        int
}

// New returns Scheduler over the store, with the groups and schedules it
// holds. The default group is created the first time.
func New(d Deps) (*Service, error) {
	s := &Service{store: d.Store, clock: d.Clock, ids: d.IDs, account: d.Account, region: d.Region, targets: d.Targets,
		universalOps: d.Operations,
		groups:       map[string]*groupRecord{}, schedules: map[scheduleID]*entry{}}
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// load reads the groups and schedules, and plans each enabled schedule's
// next occurrence.
func (s *Service) load() error {
	err := scan(s.store, groupsPrefix(s.account), func(v []byte) error {
		var g groupRecord
		if err := json.Unmarshal(v, &g); err != nil {
			return fmt.Errorf("scheduler: group record: %w", err)
		}
		s.groups[g.Name] = &g
		return nil
	})
	if err != nil {
		return err
	}
	if s.groups[defaultGroup] == nil {
		now := s.clock.Now().UTC()
		g := &groupRecord{Name: defaultGroup, Created: now, Modified: now}
		b := s.store.NewBatch()
		defer b.Close()
		if err := putGroup(b, s.account, g); err != nil {
			return err
		}
		if err := b.Commit(); err != nil {
			return err
		}
		s.groups[defaultGroup] = g
	}
	var recs []*scheduleRecord
	err = scan(s.store, rootKey(s.account, "s"), func(v []byte) error {
		var r scheduleRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("scheduler: schedule record: %w", err)
		}
		recs = append(recs, &r)
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range recs {
		fired, err := loadFired(s.store, s.account, r.Group, r.Name)
		if err != nil {
			return err
		}
		e, err := s.newEntry(r, fired)
		if err != nil {
			return fmt.Errorf("scheduler: schedule %s/%s: %w", r.Group, r.Name, err)
		}
		s.schedules[scheduleID{r.Group, r.Name}] = e
		s.plan(e)
	}
	return nil
}

// newEntry builds the in-memory entry of a schedule record.
func (s *Service) newEntry(r *scheduleRecord, fired time.Time) (*entry, error) {
	arn := s.scheduleARN(r.Group, r.Name)
	p, err := newPlan(r, arn)
	if err != nil {
		return nil, err
	}
	return &entry{rec: r, arn: arn, plan: p, fired: fired, index: -1}, nil
}

// plan queues an enabled schedule's first occurrence after the later of
// its last fired occurrence and its last modification: a new or changed
// schedule fires only what comes from then on. The caller holds s.mu (or
// owns s, in New).
func (s *Service) plan(e *entry) {
	if e.rec.State != stateEnabled {
		return
	}
	from := e.rec.Modified.Add(-time.Nanosecond) // an occurrence at the very instant counts
	if e.fired.After(from) {
		from = e.fired
	}
	s.queueAfter(e, from)
}

// queueAfter queues the schedule's first occurrence after t, if it has
// one. The caller holds s.mu.
func (s *Service) queueAfter(e *entry, t time.Time) bool {
	next, ok := e.plan.next(t)
	if !ok {
		e.next, e.fireAt = time.Time{}, time.Time{}
		return false
	}
	e.next, e.fireAt = next, e.plan.fireAt(next)
	s.due.push(e)
	return true
}

// API returns Scheduler as the edge serves it: restJson1, signed as
// "scheduler".
func (s *Service) API() *awsproto.Service {
	return (&awsproto.Service{
		Name:            "scheduler",
		Protocol:        restjson.New(),
		Resources:       s.resources,
		ValidationError: ErrValidation,
		Operations:      s.operations(),
	}).Init()
}

func (s *Service) scheduleARN(group, name string) string {
	return "arn:aws:scheduler:" + s.region + ":" + s.account + ":schedule/" + group + "/" + name
}

func (s *Service) groupARN(group string) string {
	return "arn:aws:scheduler:" + s.region + ":" + s.account + ":schedule-group/" + group
}

// groupFromARN returns the group a schedule group ARN of this account and
// region names.
func (s *Service) groupFromARN(arn string) (string, bool) {
	prefix := "arn:aws:scheduler:" + s.region + ":" + s.account + ":schedule-group/"
	if len(arn) <= len(prefix) || arn[:len(prefix)] != prefix {
		return "", false
	}
	return arn[len(prefix):], true
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
