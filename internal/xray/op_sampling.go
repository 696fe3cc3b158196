package xray

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/virga/virga/internal/awsproto/shape"
)

// The default sampling rule, as X-Ray documents it: "By default, the
// X-Ray SDK records the first request each second, and five percent of
// any additional requests" — a reservoir of 1 a second and a fixed rate
// of 0.05, matching every request, at the lowest priority (10000).
const (
	defaultRuleName      = "Default"
	defaultReservoir     = 1
	defaultFixedRate     = 0.05
	defaultRulePriority  = 10000
	samplingTargetPeriod = 10 // seconds: how often SDKs report statistics and fetch targets
)

// maxSamplingRules: "Sampling rules: 25 per Region per account" (X-Ray
// quotas), besides the Default rule.
const maxSamplingRules = 25

// samplingRulesPage is the most rules one GetSamplingRules page holds.
const samplingRulesPage = 100

// samplingStats is what SDKs reported to GetSamplingTargets, per rule,
// for GetSamplingStatisticSummaries; it is kept in memory only.
type samplingStats map[string]*SamplingStatisticSummary

// errNoSuchRule is X-Ray's answer for a rule name or ARN it does not know.
var errNoSuchRule = ErrInvalidRequest.WithMessage("Sampling rule does not exist")

func (s *Service) defaultRule() *ruleRecord {
	epoch := time.Unix(0, 0).UTC()
	return &ruleRecord{CreatedAt: epoch, ModifiedAt: epoch, Rule: SamplingRule{
		RuleName: ptr(defaultRuleName), RuleARN: ptr(s.arn("sampling-rule/" + defaultRuleName)),
		ResourceARN: ptr("*"), Priority: ptr(int32(defaultRulePriority)), FixedRate: ptr(defaultFixedRate),
		ReservoirSize: ptr(int32(defaultReservoir)), ServiceName: ptr("*"), ServiceType: ptr("*"), Host: ptr("*"),
		HTTPMethod: ptr("*"), URLPath: ptr("*"), Version: ptr(int32(1)), Attributes: map[string]string{},
	}}
}

func (r *ruleRecord) output() SamplingRuleRecord {
	rule := r.Rule
	if rule.Attributes == nil {
		rule.Attributes = map[string]string{}
	}
	return SamplingRuleRecord{SamplingRule: &rule, CreatedAt: ptr(r.CreatedAt), ModifiedAt: ptr(r.ModifiedAt)}
}

// sortedRulesLocked is the rules in the order they are applied: by
// priority, then by name. The caller holds s.mu.
func (s *Service) sortedRulesLocked() []*ruleRecord {
	out := make([]*ruleRecord, 0, len(s.rules))
	for _, r := range s.rules {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *ruleRecord) int {
		return cmp.Or(cmp.Compare(*a.Rule.Priority, *b.Rule.Priority), cmp.Compare(*a.Rule.RuleName, *b.Rule.RuleName))
	})
	return out
}

// findRuleLocked finds a rule by name or ARN. The caller holds s.mu.
func (s *Service) findRuleLocked(name, arn *string) (*ruleRecord, error) {
	if name == nil && arn == nil {
		return nil, invalid("RuleName or RuleARN must be specified")
	}
	for _, r := range s.rules {
		if (name == nil || *name == *r.Rule.RuleName) && (arn == nil || *arn == *r.Rule.RuleARN) {
			return r, nil
		}
	}
	return nil, errNoSuchRule
}

// commitRule writes (or, with del, deletes) a rule. The caller holds s.mu.
func (s *Service) commitRule(r *ruleRecord, del bool) error {
	return s.commitJSON(ruleKey(s.account, *r.Rule.RuleName), r, del)
}

// createSamplingRule adds a rule.
func (s *Service) createSamplingRule(ctx context.Context, in *CreateSamplingRuleRequest) (*CreateSamplingRuleResult, error) {
	rule := *in.SamplingRule
	if rule.RuleName == nil {
		return nil, invalid("RuleName must be specified")
	}
	if *rule.Version != 1 {
		return nil, invalid("Version must be 1")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rules[*rule.RuleName] != nil {
		return nil, invalid("Sampling rule already exists")
	}
	if len(s.rules)-1 >= maxSamplingRules {
		return nil, ErrRuleLimitExceeded.Withf("You have reached the maximum number of sampling rules (%d)", maxSamplingRules)
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	rule.RuleARN = ptr(s.arn("sampling-rule/" + *rule.RuleName))
	r := &ruleRecord{Rule: rule, CreatedAt: now, ModifiedAt: now, Tags: map[string]string{}}
	for _, t := range in.Tags {
		r.Tags[*t.Key] = *t.Value
	}
	if err := s.commitRule(r, false); err != nil {
		return nil, err
	}
	s.rules[*rule.RuleName] = r
	return &CreateSamplingRuleResult{SamplingRuleRecord: ptr(r.output())}, nil
}

// updateSamplingRule changes the fields of a rule the update sets. Of the
// Default rule only FixedRate and ReservoirSize change.
func (s *Service) updateSamplingRule(ctx context.Context, in *UpdateSamplingRuleRequest) (*UpdateSamplingRuleResult, error) {
	u := in.SamplingRuleUpdate
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.findRuleLocked(u.RuleName, u.RuleARN)
	if err != nil {
		return nil, err
	}
	if *r.Rule.RuleName == defaultRuleName && (u.ResourceARN != nil || u.Priority != nil || u.Host != nil || u.ServiceName != nil ||
		u.ServiceType != nil || u.HTTPMethod != nil || u.URLPath != nil || u.Attributes != nil) {
		return nil, invalid("Invalid update request for default sampling rule")
	}
	nr := *r
	rule := &nr.Rule
	set(&rule.ResourceARN, u.ResourceARN)
	set(&rule.Priority, u.Priority)
	set(&rule.FixedRate, u.FixedRate)
	set(&rule.ReservoirSize, u.ReservoirSize)
	set(&rule.Host, u.Host)
	set(&rule.ServiceName, u.ServiceName)
	set(&rule.ServiceType, u.ServiceType)
	set(&rule.HTTPMethod, u.HTTPMethod)
	set(&rule.URLPath, u.URLPath)
	if u.Attributes != nil {
		rule.Attributes = u.Attributes
	}
	// The rule as updated takes the constraints a new one does, but for
	// the Default rule's priority, 10000, beyond the 9999 others may take.
	check := *rule
	if *rule.RuleName == defaultRuleName {
		check.Priority = ptr(int32(1))
	}
	if vs := shape.Validate(&check); len(vs) > 0 {
		return nil, invalid("%s", shape.Message(vs))
	}
	nr.ModifiedAt = s.clock.Now().UTC().Truncate(time.Second)
	if err := s.commitRule(&nr, false); err != nil {
		return nil, err
	}
	s.rules[*rule.RuleName] = &nr
	delete(s.reservoirs, *rule.RuleName)
	return &UpdateSamplingRuleResult{SamplingRuleRecord: ptr(nr.output())}, nil
}

func set[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}

// deleteSamplingRule deletes a rule; the Default rule stays.
func (s *Service) deleteSamplingRule(ctx context.Context, in *DeleteSamplingRuleRequest) (*DeleteSamplingRuleResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.findRuleLocked(in.RuleName, in.RuleARN)
	if err != nil {
		return nil, err
	}
	if *r.Rule.RuleName == defaultRuleName {
		return nil, invalid("Cannot delete the default sampling rule")
	}
	if err := s.commitRule(r, true); err != nil {
		return nil, err
	}
	delete(s.rules, *r.Rule.RuleName)
	delete(s.reservoirs, *r.Rule.RuleName)
	s.rulesDeleted = s.clock.Now().UTC()
	return &DeleteSamplingRuleResult{SamplingRuleRecord: ptr(r.output())}, nil
}

// getSamplingRules returns the rules, Default among them, in the order
// they apply.
func (s *Service) getSamplingRules(ctx context.Context, in *GetSamplingRulesRequest) (*GetSamplingRulesResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rules := s.sortedRulesLocked()
	start := 0
	if in.NextToken != nil {
		n, err := strconv.Atoi(*in.NextToken)
		if err != nil || n < 0 || n > len(rules) {
			return nil, invalid("Invalid NextToken")
		}
		start = n
	}
	out := &GetSamplingRulesResult{SamplingRuleRecords: []SamplingRuleRecord{}}
	end := min(start+samplingRulesPage, len(rules))
	for _, r := range rules[start:end] {
		out.SamplingRuleRecords = append(out.SamplingRuleRecords, r.output())
	}
	if end < len(rules) {
		out.NextToken = ptr(strconv.Itoa(end))
	}
	return out, nil
}

// getSamplingTargets records the statistics SDKs report and answers each
// rule's quota for the next period: its whole reservoir (virga counts one
// client per rule) and its fixed rate.
func (s *Service) getSamplingTargets(ctx context.Context, in *GetSamplingTargetsRequest) (*GetSamplingTargetsResult, error) {
	now := s.clock.Now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &GetSamplingTargetsResult{SamplingTargetDocuments: []SamplingTargetDocument{}, UnprocessedStatistics: []UnprocessedStatistics{},
		LastRuleModification: ptr(s.lastRuleModificationLocked())}
	if s.sampling == nil {
		s.sampling = samplingStats{}
	}
	for _, d := range in.SamplingStatisticsDocuments {
		name := *d.RuleName
		r := s.rules[name]
		if r == nil {
			out.UnprocessedStatistics = append(out.UnprocessedStatistics, UnprocessedStatistics{RuleName: ptr(name),
				ErrorCode: ptr("400"), Message: ptr("Sampling rule " + name + " does not exist")})
			continue
		}
		sum := s.sampling[name]
		if sum == nil {
			sum = &SamplingStatisticSummary{RuleName: ptr(name), RequestCount: ptr(int32(0)), BorrowCount: ptr(int32(0)), SampledCount: ptr(int32(0))}
			s.sampling[name] = sum
		}
		*sum.RequestCount += *d.RequestCount
		*sum.SampledCount += *d.SampledCount
		if d.BorrowCount != nil {
			*sum.BorrowCount += *d.BorrowCount
		}
		sum.Timestamp = ptr(now)
		out.SamplingTargetDocuments = append(out.SamplingTargetDocuments, SamplingTargetDocument{
			RuleName: ptr(name), FixedRate: r.Rule.FixedRate, ReservoirQuota: r.Rule.ReservoirSize,
			ReservoirQuotaTTL: ptr(now.Add(samplingTargetPeriod * time.Second)), Interval: ptr(int32(samplingTargetPeriod))})
	}
	return out, nil
}

// lastRuleModificationLocked is when a rule last changed, which tells
// SDKs to fetch the rules again. The caller holds s.mu.
func (s *Service) lastRuleModificationLocked() time.Time {
	last := time.Unix(0, 0).UTC()
	for _, r := range s.rules {
		if r.ModifiedAt.After(last) {
			last = r.ModifiedAt
		}
	}
	if s.rulesDeleted.After(last) {
		last = s.rulesDeleted
	}
	return last
}

// getSamplingStatisticSummaries returns the statistics reported so far.
func (s *Service) getSamplingStatisticSummaries(ctx context.Context, in *GetSamplingStatisticSummariesRequest) (*GetSamplingStatisticSummariesResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &GetSamplingStatisticSummariesResult{SamplingStatisticSummaries: []SamplingStatisticSummary{}}
	for _, sum := range s.sampling {
		out.SamplingStatisticSummaries = append(out.SamplingStatisticSummaries, *sum)
	}
	return out, nil
}

// loadRules reads the stored rules, and the Default rule as stored or as
// AWS starts it.
func (s *Service) loadRules() error {
	s.rules = map[string]*ruleRecord{defaultRuleName: s.defaultRule()}
	return scan(s.store, rootKey(s.account, "r"), func(_, v []byte) error {
		var r ruleRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		s.rules[*r.Rule.RuleName] = &r
		return nil
	})
}
