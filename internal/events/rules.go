package events

import (
	"context"
	"encoding/base64"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/eventpattern"
	"github.com/virga/virga/internal/schedexpr"
)

const (
	stateEnabled  = "ENABLED"
	stateDisabled = "DISABLED"
	// stateEnabledCloudTrail is a rule that also matches the read-only
	// management events CloudTrail sends (readOnlyManagementEvent); for
	// everything else it is enabled.
	stateEnabledCloudTrail = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
	maxTargets             = 5
)

// enabled reports whether a rule in state sends events to its targets.
func enabled(state string) bool {
	return state == stateEnabled || state == stateEnabledCloudTrail
}

func (s *Service) createEventBus(ctx context.Context, in *CreateEventBusRequest) (*CreateEventBusResponse, error) {
	name := *in.Name
	if name == defaultBus || strings.Contains(name, "/") && in.EventSourceName == nil {
		return nil, ErrValidation.Withf("Event bus name must not contain '/'.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buses[name] != nil {
		return nil, ErrAlreadyExists.Withf("Event bus %s already exists.", name)
	}
	if err := checkBusSettings(in.DeadLetterConfig, in.LogConfig); err != nil {
		return nil, err
	}
	rec := busRecord{Name: name, Created: s.clock.Now(), Tags: tagMap(in.Tags), Description: deref(in.Description),
		KmsKeyIdentifier: deref(in.KmsKeyIdentifier), DeadLetterConfig: in.DeadLetterConfig, LogConfig: in.LogConfig}
	if err := s.put(busKey(name), rec); err != nil {
		return nil, err
	}
	s.buses[name] = &bus{rec: rec, rules: map[string]*rule{}}
	return &CreateEventBusResponse{EventBusArn: ptr(s.busARN(name)), Description: optional(rec.Description),
		KmsKeyIdentifier: optional(rec.KmsKeyIdentifier), DeadLetterConfig: rec.DeadLetterConfig, LogConfig: rec.LogConfig}, nil
}

// checkDeadLetter checks a bus's or a target's dead-letter queue:
// EventBridge sends undelivered events only to an SQS queue, so any other
// ARN is refused.
func checkDeadLetter(dlq *DeadLetterConfig) error {
	if dlq != nil && dlq.Arn != nil && deliver.Service(*dlq.Arn) != "sqs" {
		return ErrValidation.Withf("Parameter DeadLetterConfig.Arn is not valid. Reason: %s is not an Amazon SQS queue ARN.", *dlq.Arn)
	}
	return nil
}

// checkBusSettings checks a bus's dead-letter queue and log settings: the
// queue must be an SQS queue, as for a target, and the log settings take
// the model's values.
func checkBusSettings(dlq *DeadLetterConfig, logs *LogConfig) error {
	if err := checkDeadLetter(dlq); err != nil {
		return err
	}
	if logs != nil {
		if v := deref(logs.IncludeDetail); v != "" && v != "NONE" && v != "FULL" {
			return ErrValidation.Withf("1 validation error detected: Value '%s' at 'logConfig.includeDetail' failed to satisfy constraint: Member must satisfy enum value set: [NONE, FULL]", v)
		}
		if v := deref(logs.Level); v != "" && !slices.Contains([]string{"OFF", "ERROR", "INFO", "TRACE"}, v) {
			return ErrValidation.Withf("1 validation error detected: Value '%s' at 'logConfig.level' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ERROR, INFO, TRACE]", v)
		}
	}
	return nil
}

// updateEventBus changes a bus's description, key, dead-letter queue and
// log settings; a member the request leaves out keeps its value.
func (s *Service) updateEventBus(ctx context.Context, in *UpdateEventBusRequest) (*UpdateEventBusResponse, error) {
	name := s.busName(in.Name)
	if err := checkBusSettings(in.DeadLetterConfig, in.LogConfig); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(name)
	if err != nil {
		return nil, err
	}
	rec := b.rec
	if in.Description != nil {
		rec.Description = *in.Description
	}
	if in.KmsKeyIdentifier != nil {
		rec.KmsKeyIdentifier = *in.KmsKeyIdentifier
	}
	if in.DeadLetterConfig != nil {
		rec.DeadLetterConfig = in.DeadLetterConfig
		if deref(in.DeadLetterConfig.Arn) == "" {
			rec.DeadLetterConfig = nil
		}
	}
	if in.LogConfig != nil {
		rec.LogConfig = in.LogConfig
	}
	rec.Modified = s.clock.Now()
	if err := s.put(busKey(name), rec); err != nil {
		return nil, err
	}
	b.rec = rec
	return &UpdateEventBusResponse{Arn: ptr(s.busARN(name)), Name: ptr(name), Description: optional(rec.Description),
		KmsKeyIdentifier: optional(rec.KmsKeyIdentifier), DeadLetterConfig: rec.DeadLetterConfig, LogConfig: rec.LogConfig}, nil
}

// times are a bus's CreationTime and LastModifiedTime, nil when unknown
// (the default bus, which was there before virga).
func (r busRecord) times() (created, modified *time.Time) {
	if r.Created.IsZero() {
		return nil, nil
	}
	m := r.Created
	if !r.Modified.IsZero() {
		m = r.Modified
	}
	return &r.Created, &m
}

func (s *Service) deleteEventBus(ctx context.Context, in *DeleteEventBusRequest) (*noOutput, error) {
	name := *in.Name
	if name == defaultBus {
		return nil, ErrValidation.WithMessage("Cannot delete event bus default.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buses[name]
	if b == nil {
		return &noOutput{}, nil // deleting a missing bus succeeds
	}
	if len(b.rules) > 0 {
		return nil, ErrValidation.WithMessage("Cannot delete event bus because it still has rules.")
	}
	if err := s.del(busKey(name)); err != nil {
		return nil, err
	}
	delete(s.buses, name)
	return &noOutput{}, nil
}

func (s *Service) describeEventBus(ctx context.Context, in *DescribeEventBusRequest) (*DescribeEventBusResponse, error) {
	name := s.busName(in.Name)
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(name)
	if err != nil {
		return nil, err
	}
	created, modified := b.rec.times()
	return &DescribeEventBusResponse{Name: ptr(name), Arn: ptr(s.busARN(name)), Policy: optional(b.rec.Policy),
		Description: optional(b.rec.Description), CreationTime: created, LastModifiedTime: modified,
		KmsKeyIdentifier: optional(b.rec.KmsKeyIdentifier), DeadLetterConfig: b.rec.DeadLetterConfig, LogConfig: b.rec.LogConfig}, nil
}

func (s *Service) listEventBuses(ctx context.Context, in *ListEventBusesRequest) (*ListEventBusesResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, n := range sortedNames(s.buses) {
		if in.NamePrefix == nil || strings.HasPrefix(n, *in.NamePrefix) {
			names = append(names, n)
		}
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &ListEventBusesResponse{EventBuses: []EventBus{}, NextToken: next}
	for _, n := range page {
		rec := s.buses[n].rec
		created, modified := rec.times()
		out.EventBuses = append(out.EventBuses, EventBus{Name: ptr(n), Arn: ptr(s.busARN(n)), Policy: optional(rec.Policy),
			Description: optional(rec.Description), CreationTime: created, LastModifiedTime: modified})
	}
	return out, nil
}

// paginate returns the page of names after a NextToken (the last name of
// the previous page), and the token of the next.
func paginate(names []string, token *string, limit *int32) ([]string, *string, error) {
	start := 0
	if token != nil && *token != "" {
		b, err := base64.RawURLEncoding.DecodeString(*token)
		if err != nil {
			return nil, nil, ErrValidation.WithMessage("The nextToken provided is invalid.")
		}
		for start < len(names) && names[start] <= string(b) {
			start++
		}
	}
	n := 100
	if limit != nil {
		n = int(*limit)
	}
	end := min(start+n, len(names))
	var next *string
	if end < len(names) {
		next = ptr(base64.RawURLEncoding.EncodeToString([]byte(names[end-1])))
	}
	return names[start:end], next, nil
}

func (s *Service) putRule(ctx context.Context, in *PutRuleRequest) (*PutRuleResponse, error) {
	busName := s.busName(in.EventBusName)
	pattern, schedule := deref(in.EventPattern), deref(in.ScheduleExpression)
	if pattern == "" && schedule == "" {
		return nil, ErrValidation.WithMessage("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	if schedule != "" && busName != defaultBus {
		return nil, ErrValidation.WithMessage("ScheduleExpression is supported only on the default event bus.")
	}
	state := stateEnabled
	if in.State != nil {
		switch *in.State {
		case stateEnabled, stateDisabled, stateEnabledCloudTrail:
			state = *in.State
		default:
			return nil, ErrValidation.Withf("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", *in.State)
		}
	}
	now := s.clock.Now()
	rec := ruleRecord{Name: *in.Name, Bus: busName, EventPattern: pattern, Schedule: schedule, State: state,
		Description: deref(in.Description), RoleArn: deref(in.RoleArn), Tags: tagMap(in.Tags), Anchor: now}
	if pattern != "" {
		if _, err := eventpattern.Compile([]byte(pattern), eventpattern.EventBridge); err != nil {
			var pe *eventpattern.Error
			if errors.As(err, &pe) {
				return nil, ErrInvalidPattern.WithMessage(pe.Error())
			}
			return nil, ErrInvalidPattern.WithMessage("Event pattern is not valid. Reason: " + err.Error())
		}
	}
	if schedule != "" {
		if _, err := schedexpr.Parse(schedule, schedexpr.Options{Dialect: schedexpr.DialectRule, Start: now}); err != nil {
			return nil, ErrValidation.WithMessage(err.Error())
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(busName)
	if err != nil {
		return nil, err
	}
	if old := b.rules[rec.Name]; old != nil {
		// PutRule updates a rule: its targets stay, its tags are replaced
		// only when given, and a schedule keeps counting from its start.
		rec.Targets = old.rec.Targets
		if in.Tags == nil {
			rec.Tags = old.rec.Tags
		}
		if old.rec.Schedule == schedule {
			rec.Anchor = old.rec.Anchor
		}
	}
	ru, err := compileRule(rec)
	if err != nil {
		return nil, ErrValidation.WithMessage(err.Error())
	}
	if old := b.rules[rec.Name]; old != nil && old.rec.Anchor.Equal(rec.Anchor) {
		ru.lastFired = old.lastFired
	}
	if err := s.put(ruleKey(busName, rec.Name), rec); err != nil {
		return nil, err
	}
	b.rules[rec.Name] = ru
	return &PutRuleResponse{RuleArn: ptr(s.ruleARN(busName, rec.Name))}, nil
}

func (s *Service) describeRule(ctx context.Context, in *DescribeRuleRequest) (*DescribeRuleResponse, error) {
	busName := s.busName(in.EventBusName)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, err := s.lookupRule(busName, *in.Name)
	if err != nil {
		return nil, err
	}
	return &DescribeRuleResponse{
		Name: ptr(r.rec.Name), Arn: ptr(s.ruleARN(busName, r.rec.Name)), EventPattern: optional(r.rec.EventPattern),
		ScheduleExpression: optional(r.rec.Schedule), State: ptr(r.rec.State), Description: optional(r.rec.Description),
		RoleArn: optional(r.rec.RoleArn), EventBusName: ptr(busName), CreatedBy: ptr(s.account),
	}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Service) listRules(ctx context.Context, in *ListRulesRequest) (*ListRulesResponse, error) {
	busName := s.busName(in.EventBusName)
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(busName)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range sortedNames(b.rules) {
		if in.NamePrefix == nil || strings.HasPrefix(n, *in.NamePrefix) {
			names = append(names, n)
		}
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &ListRulesResponse{Rules: []Rule{}, NextToken: next}
	for _, n := range page {
		r := b.rules[n].rec
		out.Rules = append(out.Rules, Rule{Name: ptr(n), Arn: ptr(s.ruleARN(busName, n)), EventPattern: optional(r.EventPattern),
			ScheduleExpression: optional(r.Schedule), State: ptr(r.State), Description: optional(r.Description),
			RoleArn: optional(r.RoleArn), EventBusName: ptr(busName)})
	}
	return out, nil
}

func (s *Service) enableRule(ctx context.Context, in *EnableRuleRequest) (*noOutput, error) {
	return s.setState(s.busName(in.EventBusName), *in.Name, stateEnabled)
}

func (s *Service) disableRule(ctx context.Context, in *DisableRuleRequest) (*noOutput, error) {
	return s.setState(s.busName(in.EventBusName), *in.Name, stateDisabled)
}

func (s *Service) setState(busName, name, state string) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, err := s.lookupRule(busName, name)
	if err != nil {
		return nil, err
	}
	if r.rec.State == state {
		return &noOutput{}, nil
	}
	rec := r.rec
	rec.State = state
	if state == stateEnabled && rec.Schedule != "" {
		// A re-enabled rate() schedule counts from now.
		rec.Anchor = s.clock.Now()
	}
	ru, err := compileRule(rec)
	if err != nil {
		return nil, err
	}
	ru.lastFired = r.lastFired
	if err := s.put(ruleKey(busName, name), rec); err != nil {
		return nil, err
	}
	s.buses[busName].rules[name] = ru
	return &noOutput{}, nil
}

func (s *Service) deleteRule(ctx context.Context, in *DeleteRuleRequest) (*noOutput, error) {
	busName := s.busName(in.EventBusName)
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(busName)
	if err != nil {
		return nil, err
	}
	r := b.rules[*in.Name]
	if r == nil {
		return &noOutput{}, nil // deleting a missing rule succeeds
	}
	if len(r.rec.Targets) > 0 {
		return nil, ErrValidation.WithMessage("Rule can't be deleted since it has targets.")
	}
	if err := s.del(ruleKey(busName, *in.Name), firedKey(busName, *in.Name)); err != nil {
		return nil, err
	}
	delete(b.rules, *in.Name)
	return &noOutput{}, nil
}

func (s *Service) testEventPattern(ctx context.Context, in *TestEventPatternRequest) (*TestEventPatternResponse, error) {
	p, err := eventpattern.Compile([]byte(*in.EventPattern), eventpattern.EventBridge)
	if err != nil {
		return nil, ErrInvalidPattern.WithMessage(err.Error())
	}
	ev, err := parseTestEvent(*in.Event)
	if err != nil {
		return nil, err
	}
	return &TestEventPatternResponse{Result: ptr(p.Match(ev))}, nil
}

// tagMap turns a Tags list into a map.
func tagMap(tags []Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[deref(t.Key)] = deref(t.Value)
	}
	return m
}

// resourceByARN finds the bus or rule a tagging ARN names; the caller
// holds s.mu. It returns a function that stores new tags.
func (s *Service) taggable(arn string) (map[string]string, func(map[string]string) error, error) {
	prefix := "arn:aws:events:" + s.region + ":" + s.account + ":"
	rest, ok := strings.CutPrefix(arn, prefix)
	if ok {
		if name, ok := strings.CutPrefix(rest, "event-bus/"); ok {
			if b := s.buses[name]; b != nil && name != defaultBus {
				return b.rec.Tags, func(t map[string]string) error {
					rec := b.rec
					rec.Tags = t
					if err := s.put(busKey(name), rec); err != nil {
						return err
					}
					b.rec = rec
					return nil
				}, nil
			}
		}
		if path, ok := strings.CutPrefix(rest, "rule/"); ok {
			busName, name := defaultBus, path
			if i := strings.LastIndex(path, "/"); i >= 0 {
				busName, name = path[:i], path[i+1:]
			}
			if b := s.buses[busName]; b != nil && b.rules[name] != nil {
				r := b.rules[name]
				return r.rec.Tags, func(t map[string]string) error {
					rec := r.rec
					rec.Tags = t
					if err := s.put(ruleKey(busName, name), rec); err != nil {
						return err
					}
					r.rec = rec
					return nil
				}, nil
			}
		}
	}
	return nil, nil, ErrNotFound.Withf("Resource %s does not exist.", arn)
}

func (s *Service) tagResource(ctx context.Context, in *TagResourceRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, save, err := s.taggable(*in.ResourceARN)
	if err != nil {
		return nil, err
	}
	t := maps.Clone(tags)
	if t == nil {
		t = map[string]string{}
	}
	maps.Copy(t, tagMap(in.Tags))
	if len(t) > 50 {
		return nil, ErrLimitExceeded.WithMessage("The maximum number of tags has been exceeded.")
	}
	return &noOutput{}, save(t)
}

func (s *Service) untagResource(ctx context.Context, in *UntagResourceRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, save, err := s.taggable(*in.ResourceARN)
	if err != nil {
		return nil, err
	}
	t := maps.Clone(tags)
	for _, k := range in.TagKeys {
		delete(t, k)
	}
	return &noOutput{}, save(t)
}

func (s *Service) listTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, _, err := s.taggable(*in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceResponse{Tags: []Tag{}}
	for _, k := range sortedNames(tags) {
		out.Tags = append(out.Tags, Tag{Key: ptr(k), Value: ptr(tags[k])})
	}
	return out, nil
}
