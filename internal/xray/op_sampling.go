package xray

import (
	"context"
	"time"
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

// samplingStats is what SDKs reported to GetSamplingTargets, per rule,
// for GetSamplingStatisticSummaries; it is kept in memory only.
type samplingStats map[string]*SamplingStatisticSummary

func (s *Service) defaultRule() SamplingRuleRecord {
	epoch := time.Unix(0, 0).UTC()
	return SamplingRuleRecord{
		CreatedAt:  &epoch,
		ModifiedAt: &epoch,
		SamplingRule: &SamplingRule{
			RuleName: ptr(defaultRuleName), RuleARN: ptr(s.arn("sampling-rule/" + defaultRuleName)),
			ResourceARN: ptr("*"), Priority: ptr(int32(defaultRulePriority)), FixedRate: ptr(defaultFixedRate),
			ReservoirSize: ptr(int32(defaultReservoir)), ServiceName: ptr("*"), ServiceType: ptr("*"), Host: ptr("*"),
			HTTPMethod: ptr("*"), URLPath: ptr("*"), Version: ptr(int32(1)), Attributes: map[string]string{},
		},
	}
}

// getSamplingRules returns the rules: the default one.
func (s *Service) getSamplingRules(ctx context.Context, in *GetSamplingRulesRequest) (*GetSamplingRulesResult, error) {
	return &GetSamplingRulesResult{SamplingRuleRecords: []SamplingRuleRecord{s.defaultRule()}}, nil
}

// getSamplingTargets records the statistics SDKs report and answers each
// rule's quota: the default rule's reservoir for the next period.
func (s *Service) getSamplingTargets(ctx context.Context, in *GetSamplingTargetsRequest) (*GetSamplingTargetsResult, error) {
	now := s.clock.Now().UTC()
	out := &GetSamplingTargetsResult{SamplingTargetDocuments: []SamplingTargetDocument{}, UnprocessedStatistics: []UnprocessedStatistics{},
		LastRuleModification: ptr(time.Unix(0, 0).UTC())}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sampling == nil {
		s.sampling = samplingStats{}
	}
	for _, d := range in.SamplingStatisticsDocuments {
		name := *d.RuleName
		if name != defaultRuleName {
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
			RuleName: ptr(name), FixedRate: ptr(defaultFixedRate), ReservoirQuota: ptr(int32(defaultReservoir)),
			ReservoirQuotaTTL: ptr(now.Add(samplingTargetPeriod * time.Second)), Interval: ptr(int32(samplingTargetPeriod))})
	}
	return out, nil
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
