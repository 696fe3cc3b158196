package elbv2

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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
		delete(s.health, healthKey{tg.ARN, next.Targets[i]})
		next.Targets = slices.Delete(next.Targets, i, i+1)
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
	list := tg.Targets
	if len(in.Targets) > 0 {
		list = nil
		for _, t := range in.Targets {
			id := deref(t.Id)
			found := false
			for _, x := range tg.Targets {
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
