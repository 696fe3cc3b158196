package elbv2

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// maxTargetsPerGroup is "Targets per target group (application): 1,000";
// a Lambda target group holds one function.
const maxTargetsPerGroup = 1000

func (s *Service) registerTargets(ctx context.Context, in *RegisterTargetsInput) (*RegisterTargetsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg, err := s.tgLocked(deref(in.TargetGroupArn))
	if err != nil {
		return nil, err
	}
	next := *tg
	next.Targets = slices.Clone(tg.Targets)
	for _, t := range in.Targets {
		if err := checkTarget(tg, t); err != nil {
			return nil, err
		}
		nt := target{ID: deref(t.Id), AZ: deref(t.AvailabilityZone)}
		if tg.TargetType != "lambda" {
			nt.Port = tg.Port
			if t.Port != nil {
				nt.Port = *t.Port
			}
		} else {
			if s.functions == nil || !s.functions.FunctionExists(nt.ID) {
				return nil, ErrInvalidTarget.WithMessage(fmt.Sprintf("The function '%s' does not exist", nt.ID))
			}
			// Elastic Load Balancing needs the function's permission to
			// invoke it before it registers it.
			if !s.functions.AllowsService(nt.ID, servicePrincipal, tg.ARN, s.account) {
				return nil, ErrAccessDenied.WithMessage(fmt.Sprintf("elasticloadbalancing principal does not have permission to invoke %s from target group %s", nt.ID, tg.ARN))
			}
		}
		// A draining target registered again is a target again.
		next.Draining = slices.DeleteFunc(slices.Clone(next.Draining), func(d drainingTarget) bool { return d.Target == nt })
		if slices.Contains(next.Targets, nt) {
			continue
		}
		next.Targets = append(next.Targets, nt)
	}
	if tg.TargetType == "lambda" && len(next.Targets) > 1 {
		return nil, ErrTooManyTargets.WithMessage("A target group of type 'lambda' can have only one target")
	}
	if len(next.Targets) > maxTargetsPerGroup {
		return nil, ErrTooManyTargets.WithMessage(fmt.Sprintf("You've reached the limit on the number of targets per target group (%d)", maxTargetsPerGroup))
	}
	if err := s.commit(write{kindTG, tg.ARN, &next}); err != nil {
		return nil, err
	}
	s.tgs[tg.ARN] = &next
	return &RegisterTargetsOutput{}, nil
}

func (s *Service) deregisterTargets(ctx context.Context, in *DeregisterTargetsInput) (*DeregisterTargetsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg, err := s.tgLocked(deref(in.TargetGroupArn))
	if err != nil {
		return nil, err
	}
	next := *tg
	next.Targets = slices.Clone(tg.Targets)
	for _, t := range in.Targets {
		id := deref(t.Id)
		i := slices.IndexFunc(next.Targets, func(x target) bool {
			return x.ID == id && (t.Port == nil || x.Port == *t.Port)
		})
		if i < 0 {
			return nil, ErrInvalidTarget.WithMessage(fmt.Sprintf("The target '%s' is not registered with the target group", id))
		}
		gone := next.Targets[i]
		delete(s.health, healthKey{tg.ARN, gone})
		next.Targets = slices.Delete(next.Targets, i, i+1)
		// A target a load balancer sends requests to drains for the
		// deregistration delay; one of an unused target group goes at
		// once.
		if delay := deregistrationDelay(tg); delay > 0 && s.tgInUseLocked(tg.ARN) {
			next.Draining = append(slices.Clone(next.Draining), drainingTarget{Target: gone, Until: s.now().Add(delay).UnixMilli()})
		}
	}
	if err := s.commit(write{kindTG, tg.ARN, &next}); err != nil {
		return nil, err
	}
	s.tgs[tg.ARN] = &next
	return &DeregisterTargetsOutput{}, nil
}

func (s *Service) describeTargetHealth(ctx context.Context, in *DescribeTargetHealthInput) (*DescribeTargetHealthOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	tg, err := s.tgLocked(deref(in.TargetGroupArn))
	if err != nil {
		return nil, err
	}
	now := s.now().UnixMilli()
	list := slices.Clone(tg.Targets)
	for _, d := range tg.Draining {
		if d.Until > now {
			list = append(list, d.Target)
		}
	}
	if len(in.Targets) > 0 {
		all := list
		list = nil
		for _, t := range in.Targets {
			id := deref(t.Id)
			found := false
			for _, x := range all {
				if x.ID == id && (t.Port == nil || x.Port == *t.Port) {
					list = append(list, x)
					found = true
				}
			}
			if !found {
				// An unregistered target is described as unused.
				nt := target{ID: id}
				if t.Port != nil {
					nt.Port = *t.Port
				}
				list = append(list, nt)
			}
		}
	}
	out := &DescribeTargetHealthOutput{TargetHealthDescriptions: []TargetHealthDescription{}}
	for _, t := range list {
		d := TargetHealthDescription{Target: &TargetDescription{Id: ptr(t.ID)}, TargetHealth: s.targetHealthLocked(tg, t)}
		if tg.TargetType != "lambda" {
			d.Target.Port = ptr(t.Port)
			port := tg.Health.Port
			if port == "traffic-port" || port == "" {
				port = strconv.Itoa(int(t.Port))
			}
			d.HealthCheckPort = ptr(port)
		}
		if t.AZ != "" {
			d.Target.AvailabilityZone = ptr(t.AZ)
		}
		out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, d)
	}
	return out, nil
}

// deregistrationDelay is a target group's deregistration_delay.timeout_seconds.
func deregistrationDelay(tg *targetGroup) time.Duration {
	if tg.TargetType == "lambda" {
		return 0
	}
	v, ok := tg.Attributes["deregistration_delay.timeout_seconds"]
	if !ok {
		v = "300"
	}
	n, _ := strconv.Atoi(v)
	return time.Duration(n) * time.Second
}

// sweepDraining forgets the draining targets whose delay has ended.
func (s *Service) sweepDraining() {
	now := s.now().UnixMilli()
	s.mu.Lock()
	defer s.mu.Unlock()
	for arn, tg := range s.tgs {
		if !slices.ContainsFunc(tg.Draining, func(d drainingTarget) bool { return d.Until <= now }) {
			continue
		}
		next := *tg
		next.Draining = slices.DeleteFunc(slices.Clone(tg.Draining), func(d drainingTarget) bool { return d.Until <= now })
		if err := s.commit(write{kindTG, arn, &next}); err != nil {
			s.log.Warn("forgetting drained targets", "targetGroup", arn, "err", err)
			continue
		}
		s.tgs[arn] = &next
	}
}
