package xray

import (
	"strconv"

	"github.com/virga/virga/internal/traceheader"
	"github.com/virga/virga/internal/wildcard"
)

// ruleGlob is how a sampling rule's fields match a request: '*' any run
// of characters, '?' one, case ignored (the X-Ray SDKs' wildcard match).
const ruleGlob = wildcard.Question | wildcard.FoldCase

// reservoir is what Sample has taken from a rule's reservoir in one
// second.
type reservoir struct {
	second int64
	used   int32
}

// matches reports whether the rule applies to the request: each of its
// globs matches the request's field, and the request has each of its
// attributes (virga's own requests have none, so a rule with attributes
// applies to none of them).
func (r *ruleRecord) matches(req traceheader.SamplingRequest) bool {
	rule := &r.Rule
	return len(rule.Attributes) == 0 &&
		wildcard.Match(deref(rule.ResourceARN), req.ResourceARN, ruleGlob) &&
		wildcard.Match(deref(rule.ServiceName), req.ServiceName, ruleGlob) &&
		wildcard.Match(deref(rule.ServiceType), req.ServiceType, ruleGlob) &&
		wildcard.Match(deref(rule.Host), req.Host, ruleGlob) &&
		wildcard.Match(deref(rule.HTTPMethod), req.HTTPMethod, ruleGlob) &&
		wildcard.Match(deref(rule.URLPath), req.URLPath, ruleGlob)
}

// Sample decides whether virga traces a request nothing upstream decided
// for, as an X-Ray SDK applies the account's sampling rules: the first
// rule by priority (then name) that matches, Default when none does,
// samples up to its ReservoirSize requests each second, then its
// FixedRate of the rest.
func (s *Service) Sample(req traceheader.SamplingRequest) bool {
	now := s.clock.Now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	var rule *ruleRecord
	for _, r := range s.sortedRulesLocked() {
		if r.matches(req) {
			rule = r
			break
		}
	}
	if rule == nil {
		rule = s.rules[defaultRuleName]
	}
	name := *rule.Rule.RuleName
	if s.reservoirs == nil {
		s.reservoirs = map[string]*reservoir{}
	}
	res := s.reservoirs[name]
	if res == nil || res.second != now {
		res = &reservoir{second: now}
		s.reservoirs[name] = res
	}
	if res.used < *rule.Rule.ReservoirSize {
		res.used++
		return true
	}
	// The fixed rate: a uniform draw of 32 random bits below rate·2³².
	n, _ := strconv.ParseUint(s.ids.Hex(4), 16, 32)
	return float64(n) < *rule.Rule.FixedRate*(1<<32)
}
