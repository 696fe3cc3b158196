package ecs

import (
	"context"
	"fmt"
	"time"
)

// LoadBalancers is Elastic Load Balancing seen from ECS: the target
// groups a service's tasks are registered in. internal/app wires elbv2;
// its methods never call back into ECS.
type LoadBalancers interface {
	// TargetGroup describes a target group; ok is false when there is
	// none.
	TargetGroup(arn string) (tg TargetGroup, ok bool)
	// RegisterTarget registers ip:port in the target group.
	RegisterTarget(ctx context.Context, targetGroupARN, ip string, port int) error
	// DeregisterTarget deregisters ip:port and returns how long the
	// target drains (the group's deregistration delay while a load
	// balancer uses it). A target that is not registered is no error.
	DeregisterTarget(ctx context.Context, targetGroupARN, ip string, port int) (drain time.Duration, err error)
	// TargetHealth is the target's health as DescribeTargetHealth
	// reports it.
	TargetHealth(ctx context.Context, targetGroupARN, ip string, port int) (TargetHealth, error)
}

// TargetGroup is what ECS checks of a target group.
type TargetGroup struct {
	Name       string
	TargetType string
	// HasLoadBalancer says a load balancer's listener or rule forwards
	// to the group.
	HasLoadBalancer bool
}

// TargetHealth is a target's state ("initial", "healthy", "unhealthy",
// "unused", "draining", "unavailable") with its reason code and
// description.
type TargetHealth struct {
	State       string
	Reason      string
	Description string
}

// lbTarget is a task registered in a target group.
type lbTarget struct {
	TargetGroup string `json:"tg"`
	IP          string `json:"ip"`
	Port        int    `json:"port"`
}

// targetIP is the address a task's targets are registered with:
// containers' ports are published on the node's loopback address.
const targetIP = "127.0.0.1"

// checkLoadBalancers validates a service's load balancers against the
// task definition it runs, as CreateService does. s.mu is held; the
// LoadBalancers calls made here never call back into ECS.
func (s *Service) checkLoadBalancers(lbs []LoadBalancer, r *revision) error {
	for _, lb := range lbs {
		arn := deref(lb.TargetGroupArn)
		if arn == "" {
			if lb.LoadBalancerName != nil {
				return ErrInvalidParameter.WithMessage("Classic Load Balancers are not supported: specify a targetGroupArn.")
			}
			return ErrInvalidParameter.WithMessage("Target Group Arn can not be blank.")
		}
		if s.lbs == nil {
			return ErrInvalidParameter.WithMessage("Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.")
		}
		tg, ok := s.lbs.TargetGroup(arn)
		if !ok {
			return ErrInvalidParameter.WithMessage("Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.")
		}
		if !tg.HasLoadBalancer {
			return ErrInvalidParameter.WithMessage(fmt.Sprintf("The target group with targetGroupArn %s does not have an associated load balancer.", arn))
		}
		mode := deref(r.Def.NetworkMode)
		if mode == modeAwsvpc && tg.TargetType != "ip" {
			return ErrInvalidParameter.WithMessage(fmt.Sprintf("The provided target group %s has target type %s, which is incompatible with the awsvpc network mode specified in the task definition.", arn, tg.TargetType))
		}
		if mode != modeAwsvpc && tg.TargetType == "ip" {
			return ErrInvalidParameter.WithMessage(fmt.Sprintf("The provided target group %s has target type ip, which is incompatible with the %s network mode specified in the task definition.", arn, mode))
		}
		name := deref(lb.ContainerName)
		if name == "" {
			return ErrInvalidParameter.WithMessage("Container Name can not be blank.")
		}
		var cd *ContainerDefinition
		for i := range r.Def.ContainerDefinitions {
			if deref(r.Def.ContainerDefinitions[i].Name) == name {
				cd = &r.Def.ContainerDefinitions[i]
			}
		}
		if cd == nil {
			return ErrInvalidParameter.WithMessage(fmt.Sprintf("The container %s does not exist in the task definition.", name))
		}
		port := deref(lb.ContainerPort)
		found := false
		for _, p := range cd.PortMappings {
			if deref(p.ContainerPort) == port {
				found = true
			}
		}
		if !found {
			return ErrInvalidParameter.WithMessage(fmt.Sprintf("The container %s did not have a container port %d defined.", name, port))
		}
	}
	return nil
}

// registerTargets registers a task that just became RUNNING in its
// service's target groups: 127.0.0.1 and the host port its container
// port is published on. s.mu is held: it is registered as it becomes
// RUNNING.
func (s *Service) registerTargets(t *task, lbs []LoadBalancer, bound []BoundPort) []lbTarget {
	var out []lbTarget
	for _, lb := range lbs {
		if s.lbs == nil || lb.TargetGroupArn == nil {
			continue
		}
		tg, ok := s.lbs.TargetGroup(*lb.TargetGroupArn)
		if !ok || tg.TargetType != "ip" {
			// virga runs no EC2 instances: an instance target group gets
			// no targets.
			continue
		}
		for _, b := range bound {
			if b.Container != deref(lb.ContainerName) || b.ContainerPort != int(deref(lb.ContainerPort)) {
				continue
			}
			target := lbTarget{TargetGroup: *lb.TargetGroupArn, IP: targetIP, Port: b.HostPort}
			if err := s.lbs.RegisterTarget(context.Background(), target.TargetGroup, target.IP, target.Port); err != nil {
				s.log.Warn("ecs: registering a task's target", "task", t.ID, "targetGroup", target.TargetGroup, "err", err)
				continue
			}
			out = append(out, target)
		}
	}
	return out
}

// deregisterTargets deregisters a task's targets and returns the
// longest time one drains. s.mu is not held.
func (s *Service) deregisterTargets(t *task, targets []lbTarget) time.Duration {
	var longest time.Duration
	for _, target := range targets {
		d, err := s.lbs.DeregisterTarget(context.Background(), target.TargetGroup, target.IP, target.Port)
		if err != nil {
			s.log.Warn("ecs: deregistering a task's target", "task", t.ID, "targetGroup", target.TargetGroup, "err", err)
			continue
		}
		longest = max(longest, d)
	}
	return longest
}

// targetsHealthy says whether a RUNNING task counts as healthy for its
// service: with load balancers, only once every target of it is healthy
// (or its group's health checks are off). s.mu is held.
func (s *Service) targetsHealthy(v *service, t *task) bool {
	if deref(t.T.LastStatus) != statusRunning {
		return false
	}
	if s.lbs == nil || len(v.D.LoadBalancers) == 0 {
		return true
	}
	for _, target := range t.Targets {
		h, err := s.lbs.TargetHealth(context.Background(), target.TargetGroup, target.IP, target.Port)
		if err != nil || (h.State != "healthy" && h.State != "unavailable") {
			return false
		}
	}
	return true
}

// unhealthyTarget returns the first target of a task its load balancer
// found unhealthy, once the service's health check grace period since
// the task started has passed. s.mu is held.
func (s *Service) unhealthyTarget(v *service, t *task, now time.Time) (lbTarget, TargetHealth, bool) {
	if s.lbs == nil || deref(t.T.LastStatus) != statusRunning || t.T.StartedAt == nil {
		return lbTarget{}, TargetHealth{}, false
	}
	grace := time.Duration(deref(v.D.HealthCheckGracePeriodSeconds)) * time.Second
	if now.Sub(*t.T.StartedAt) < grace {
		return lbTarget{}, TargetHealth{}, false
	}
	for _, target := range t.Targets {
		h, err := s.lbs.TargetHealth(context.Background(), target.TargetGroup, target.IP, target.Port)
		if err == nil && h.State == "unhealthy" {
			return target, h, true
		}
	}
	return lbTarget{}, TargetHealth{}, false
}

// targetGroupName is the name part of a target group's ARN
// (targetgroup/NAME/ID).
func (s *Service) targetGroupName(arn string) string {
	if s.lbs != nil {
		if tg, ok := s.lbs.TargetGroup(arn); ok {
			return tg.Name
		}
	}
	return arn
}

// targetEvents records on a task's service that its targets were
// registered or deregistered ("registered", "deregistered"), one event
// per target group, as ECS does. s.mu is held.
func (s *Service) targetEvents(t *task, verb string, targets []lbTarget) {
	v := s.services[t.Cluster+"/"+t.Service]
	if v == nil || len(targets) == 0 {
		return
	}
	now := s.clock.Now()
	var order []string
	count := map[string]int{}
	for _, target := range targets {
		if count[target.TargetGroup] == 0 {
			order = append(order, target.TargetGroup)
		}
		count[target.TargetGroup]++
	}
	for _, tg := range order {
		s.event(v, now, "(service "+t.Service+") "+verb+" "+itoa(count[tg])+" targets in (target-group "+tg+")")
	}
	if err := s.saveService(v, true); err != nil {
		s.log.Error("ecs: saving a service", "service", t.Service, "err", err)
	}
}
