package elbv2

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// maxRulesPerLB is "Rules per Application Load Balancer (excluding
// default rules): 100".
const maxRulesPerLB = 100

func (s *Service) ruleShape(r *rule) Rule {
	conds := make([]RuleCondition, 0, len(r.Conditions))
	for _, c := range r.Conditions {
		conds = append(conds, describeCondition(c))
	}
	return Rule{RuleArn: ptr(r.ARN), Priority: ptr(strconv.Itoa(int(r.Priority))), Conditions: conds,
		Actions: r.Actions, IsDefault: ptr(false)}
}

// defaultRuleARN is the ARN of a listener's default rule, which
// DescribeRules lists after the others.
func (s *Service) defaultRuleARN(l *listener) string {
	id := l.ARN[strings.LastIndexByte(l.ARN, '/')+1:]
	return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:listener-rule/%s/%s", s.region, s.account, listenerIDPath(l.ARN), id)
}

func (s *Service) createRule(ctx context.Context, in *CreateRuleInput) (*CreateRuleOutput, error) {
	tags, err := newTags(ctx, in.Tags)
	if err != nil {
		return nil, err
	}
	if err := checkConditions(in.Conditions); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.listenerLocked(deref(in.ListenerArn))
	if err != nil {
		return nil, err
	}
	if lb := s.lbs[l.LoadBalancer]; lb != nil && lb.isNetwork() {
		return nil, validation("Rules cannot be created for the listeners of Network Load Balancers: a listener forwards to its default action's target group")
	}
	if err := s.checkActionsLocked(in.Actions, l); err != nil {
		return nil, err
	}
	prio := deref(in.Priority)
	n := 0
	for _, r := range s.rules {
		if lr := s.listeners[r.Listener]; lr != nil && lr.LoadBalancer == l.LoadBalancer {
			n++
		}
		if r.Listener == l.ARN && r.Priority == prio {
			return nil, ErrPriorityInUse.WithMessage(fmt.Sprintf("Priority '%d' is currently in use", prio))
		}
	}
	if n >= maxRulesPerLB {
		return nil, ErrTooManyRules.WithMessage(fmt.Sprintf("You've reached the limit on the number of rules per load balancer (%d)", maxRulesPerLB))
	}
	r := &rule{Listener: l.ARN, Priority: prio, Conditions: in.Conditions, Actions: normalizeActions(in.Actions), Tags: tags,
		ARN: fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:listener-rule/%s/%s", s.region, s.account, listenerIDPath(l.ARN), s.ids.Hex(8))}
	if err := s.commit(write{kindRule, r.ARN, r}); err != nil {
		return nil, err
	}
	s.rules[r.ARN] = r
	return &CreateRuleOutput{Rules: []Rule{s.ruleShape(r)}}, nil
}

// listenerRulesLocked returns a listener's rules by priority.
func (s *Service) listenerRulesLocked(listenerARN string) []*rule {
	var out []*rule
	for _, r := range s.rules {
		if r.Listener == listenerARN {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *rule) int { return int(a.Priority - b.Priority) })
	return out
}

func (s *Service) describeRules(ctx context.Context, in *DescribeRulesInput) (*DescribeRulesOutput, error) {
	lARN := deref(in.ListenerArn)
	if (lARN == "") == (len(in.RuleArns) == 0) {
		return nil, validation("You must specify either listener ARN or rule ARNs")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []Rule
	if lARN != "" {
		l, err := s.listenerLocked(lARN)
		if err != nil {
			return nil, err
		}
		for _, r := range s.listenerRulesLocked(l.ARN) {
			list = append(list, s.ruleShape(r))
		}
		list = append(list, Rule{RuleArn: ptr(s.defaultRuleARN(l)), Priority: ptr("default"),
			Conditions: []RuleCondition{}, Actions: l.DefaultActions, IsDefault: ptr(true)})
	}
	for _, arn := range in.RuleArns {
		r := s.rules[arn]
		if r == nil {
			found := false
			for _, l := range s.listeners {
				if s.defaultRuleARN(l) == arn {
					list = append(list, Rule{RuleArn: ptr(arn), Priority: ptr("default"),
						Conditions: []RuleCondition{}, Actions: l.DefaultActions, IsDefault: ptr(true)})
					found = true
				}
			}
			if !found {
				return nil, ErrRuleNotFound
			}
			continue
		}
		list = append(list, s.ruleShape(r))
	}
	page, next, err := paginate(list, in.Marker, in.PageSize)
	if err != nil {
		return nil, err
	}
	return &DescribeRulesOutput{Rules: page, NextMarker: next}, nil
}

func (s *Service) modifyRule(ctx context.Context, in *ModifyRuleInput) (*ModifyRuleOutput, error) {
	if in.Conditions != nil {
		if err := checkConditions(in.Conditions); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rules[deref(in.RuleArn)]
	if r == nil {
		for _, l := range s.listeners {
			if s.defaultRuleARN(l) == deref(in.RuleArn) {
				return nil, ErrOperationNotPermitted.WithMessage("Default rule cannot be modified: modify the listener's default actions instead")
			}
		}
		return nil, ErrRuleNotFound
	}
	next := *r
	if in.Conditions != nil {
		next.Conditions = in.Conditions
	}
	if in.Actions != nil {
		l, err := s.listenerLocked(r.Listener)
		if err != nil {
			return nil, err
		}
		if err := s.checkActionsLocked(in.Actions, l); err != nil {
			return nil, err
		}
		next.Actions = normalizeActions(in.Actions)
	}
	if err := s.commit(write{kindRule, r.ARN, &next}); err != nil {
		return nil, err
	}
	s.rules[r.ARN] = &next
	return &ModifyRuleOutput{Rules: []Rule{s.ruleShape(&next)}}, nil
}

func (s *Service) deleteRule(ctx context.Context, in *DeleteRuleInput) (*DeleteRuleOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rules[deref(in.RuleArn)]
	if r == nil {
		for _, l := range s.listeners {
			if s.defaultRuleARN(l) == deref(in.RuleArn) {
				return nil, ErrOperationNotPermitted.WithMessage("Default rule cannot be deleted")
			}
		}
		return nil, ErrRuleNotFound
	}
	if err := s.commit(write{kindRule, r.ARN, nil}); err != nil {
		return nil, err
	}
	delete(s.rules, r.ARN)
	return &DeleteRuleOutput{}, nil
}

func (s *Service) setRulePriorities(ctx context.Context, in *SetRulePrioritiesInput) (*SetRulePrioritiesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	updated := map[string]*rule{}
	for _, p := range in.RulePriorities {
		r := s.rules[deref(p.RuleArn)]
		if r == nil {
			return nil, ErrRuleNotFound
		}
		next := *r
		next.Priority = deref(p.Priority)
		updated[r.ARN] = &next
	}
	// No two rules of a listener may share a priority afterwards.
	taken := map[[2]string]string{}
	for arn, r := range s.rules {
		if u := updated[arn]; u != nil {
			r = u
		}
		k := [2]string{r.Listener, strconv.Itoa(int(r.Priority))}
		if other, ok := taken[k]; ok && other != arn {
			return nil, ErrPriorityInUse.WithMessage(fmt.Sprintf("Priority '%d' is currently in use", r.Priority))
		}
		taken[k] = arn
	}
	var ws []write
	for arn, r := range updated {
		ws = append(ws, write{kindRule, arn, r})
	}
	if err := s.commit(ws...); err != nil {
		return nil, err
	}
	out := &SetRulePrioritiesOutput{}
	for _, p := range in.RulePriorities {
		r := updated[deref(p.RuleArn)]
		s.rules[r.ARN] = r
		out.Rules = append(out.Rules, s.ruleShape(r))
	}
	return out, nil
}
