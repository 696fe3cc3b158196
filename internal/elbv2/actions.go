package elbv2

import (
	"fmt"
	"slices"
	"strings"
)

// Action limits, from the Action, ForwardActionConfig and
// FixedResponseActionConfig API references.
const (
	maxForwardTargetGroups = 5   // "You can specify up to 5 target groups"
	maxWeight              = 999 // target group weights are 0-999
)

var fixedContentTypes = []string{"text/plain", "text/css", "text/html", "application/javascript", "application/json"}

// nlbTargetProtocols are the target group protocols a Network Load
// Balancer listener of each protocol forwards to: a TCP_UDP listener
// needs a TCP_UDP target group ("The target groups for a TCP_UDP listener
// must use the TCP_UDP protocol"), a UDP listener a UDP or TCP_UDP one, a
// TCP listener a TCP or TCP_UDP one, a TLS listener a TCP or TLS one.
var nlbTargetProtocols = map[string][]string{
	"TCP":     {"TCP", "TCP_UDP"},
	"TLS":     {"TCP", "TLS"},
	"UDP":     {"UDP", "TCP_UDP"},
	"TCP_UDP": {"TCP_UDP"},
}

// isNetworkProtocol reports whether a listener or target group protocol
// is a Network Load Balancer's.
func isNetworkProtocol(p string) bool {
	_, ok := nlbTargetProtocols[p]
	return ok
}

// checkActionsLocked checks a rule's (or a listener's default) actions
// for the listener l: one forward, redirect or fixed-response action,
// whose target groups exist and can serve the listener's load balancer
// and protocol. A Network Load Balancer's listener takes forward actions
// only.
func (s *Service) checkActionsLocked(actions []Action, l *listener) error {
	if len(actions) == 0 {
		return validation("At least one action must be specified")
	}
	// A target group serves one load balancer.
	for _, arn := range targetGroupARNs(actions) {
		if slices.ContainsFunc(s.tgLoadBalancersLocked(arn), func(lb string) bool { return lb != l.LoadBalancer }) {
			return ErrTargetGroupAssociationLimit.WithMessage("The following target groups cannot be associated with more than one load balancer: " + arn)
		}
	}
	if lb := s.lbs[l.LoadBalancer]; lb != nil && lb.isNetwork() {
		return s.checkNetworkActionsLocked(actions, l)
	}
	if len(actions) > 1 {
		return ErrTooManyActions.WithMessage("virga's Application Load Balancers support one action per rule: authenticate actions are not supported")
	}
	a := actions[0]
	switch typ := deref(a.Type); typ {
	case "forward":
		if a.TargetGroupArn == nil && (a.ForwardConfig == nil || len(a.ForwardConfig.TargetGroups) == 0) {
			return validation("A target group ARN must be specified for a forward action")
		}
		if a.ForwardConfig != nil {
			if len(a.ForwardConfig.TargetGroups) > maxForwardTargetGroups {
				return ErrTooManyTargetGroups.WithMessage(fmt.Sprintf("A forward action can have at most %d target groups", maxForwardTargetGroups))
			}
			if a.TargetGroupArn != nil && (len(a.ForwardConfig.TargetGroups) != 1 || deref(a.ForwardConfig.TargetGroups[0].TargetGroupArn) != *a.TargetGroupArn) {
				return validation("You cannot specify both a top-level target group ARN and a different target group in the forward config")
			}
			for _, t := range a.ForwardConfig.TargetGroups {
				if w := deref(t.Weight); w < 0 || w > maxWeight {
					return validation("Target group weight '%d' must be between 0 and %d", w, maxWeight)
				}
			}
		}
		for _, arn := range targetGroupARNs(actions) {
			tg, err := s.tgLocked(arn)
			if err != nil {
				return err
			}
			if tg.TargetType != "lambda" && tg.Protocol != "HTTP" && tg.Protocol != "HTTPS" {
				return incompatible(arn)
			}
		}
	case "fixed-response":
		c := a.FixedResponseConfig
		if c == nil {
			return validation("A fixed response config must be specified for a fixed-response action")
		}
		if ct := deref(c.ContentType); ct != "" && !slices.Contains(fixedContentTypes, ct) {
			return validation("Content type '%s' must be one of [%s]", ct, strings.Join(fixedContentTypes, ", "))
		}
	case "redirect":
		c := a.RedirectConfig
		if c == nil {
			return validation("A redirect config must be specified for a redirect action")
		}
		if code := deref(c.StatusCode); code != "HTTP_301" && code != "HTTP_302" {
			return validation("Redirect status code '%s' must be one of [HTTP_301, HTTP_302]", code)
		}
		if p := deref(c.Path); p != "" && !strings.HasPrefix(p, "/") {
			return validation("The redirect path must start with a '/'")
		}
	case "authenticate-oidc", "authenticate-cognito":
		return ErrInvalidLoadBalancerAction.WithMessage(fmt.Sprintf("Action type '%s' is not supported by virga", typ))
	default:
		return validation("Action type '%s' must be one of [forward, redirect, fixed-response, authenticate-oidc, authenticate-cognito]", typ)
	}
	return nil
}

// incompatible is the error of a listener whose target group's protocol
// it cannot forward to.
func incompatible(tgARN string) error {
	return ErrIncompatibleProtocols.WithMessage(fmt.Sprintf("The listener and its associated target group '%s' have incompatible protocols", tgARN))
}

// checkNetworkActionsLocked checks a Network Load Balancer listener's
// default actions: forward only, to target groups whose protocol the
// listener's can carry (a Lambda target group has none).
func (s *Service) checkNetworkActionsLocked(actions []Action, l *listener) error {
	if len(actions) > 1 {
		return ErrTooManyActions.WithMessage("A Network Load Balancer listener can have only one default action")
	}
	a := actions[0]
	if typ := deref(a.Type); typ != "forward" {
		return ErrInvalidLoadBalancerAction.WithMessage(fmt.Sprintf("Action type '%s' is not supported for Network Load Balancers: their listeners forward only", typ))
	}
	arns := targetGroupARNs(actions)
	if len(arns) == 0 {
		return validation("A target group ARN must be specified for a forward action")
	}
	if len(arns) > 1 {
		return validation("A forward action of a Network Load Balancer listener can have only one target group")
	}
	tg, err := s.tgLocked(arns[0])
	if err != nil {
		return err
	}
	if tg.TargetType == "lambda" || !slices.Contains(nlbTargetProtocols[l.Protocol], tg.Protocol) {
		return incompatible(tg.ARN)
	}
	return nil
}

// normalizeActions fills in what AWS fills in: Order, and the
// ForwardConfig of a forward action given only a TargetGroupArn.
func normalizeActions(actions []Action) []Action {
	out := slices.Clone(actions)
	for i := range out {
		a := &out[i]
		if a.Order == nil {
			a.Order = ptr(int32(i + 1))
		}
		if deref(a.Type) != "forward" {
			continue
		}
		if a.ForwardConfig == nil {
			a.ForwardConfig = &ForwardActionConfig{TargetGroups: []TargetGroupTuple{{TargetGroupArn: a.TargetGroupArn, Weight: ptr(int32(1))}}}
		}
		if a.ForwardConfig.TargetGroupStickinessConfig == nil {
			a.ForwardConfig.TargetGroupStickinessConfig = &TargetGroupStickinessConfig{Enabled: ptr(false)}
		}
		for j := range a.ForwardConfig.TargetGroups {
			if a.ForwardConfig.TargetGroups[j].Weight == nil {
				a.ForwardConfig.TargetGroups[j].Weight = ptr(int32(1))
			}
		}
		if a.TargetGroupArn == nil && len(a.ForwardConfig.TargetGroups) == 1 {
			a.TargetGroupArn = a.ForwardConfig.TargetGroups[0].TargetGroupArn
		}
	}
	return out
}
