package ecs

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
)

// Service statuses besides ACTIVE and INACTIVE.
const statusDraining = "DRAINING"

// Deployment statuses.
const (
	deploymentPrimary = "PRIMARY"
	deploymentActive  = "ACTIVE"
)

// Deployment configuration defaults for the rolling update (ECS)
// deployment type, from the DeploymentConfiguration reference.
const (
	defaultMaxPercent = 200
	defaultMinPercent = 100
)

// maxServiceEvents is how many events DescribeServices shows: the 100
// most recent.
const maxServiceEvents = 100

func (s *Service) createService(_ context.Context, in *CreateServiceRequest) (*CreateServiceResponse, error) {
	name := deref(in.ServiceName)
	if !validName(name) {
		return nil, ErrInvalidParameter.WithMessage("Service name can only contain letters, numbers, hyphens, and underscores. Length should be between 1 and 255.")
	}
	desired := deref(in.DesiredCount)
	if desired < 0 {
		return nil, ErrInvalidParameter.WithMessage("Desired count must be greater than or equal to 0.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	req, err := s.prepareLaunch(deref(in.Cluster), deref(in.TaskDefinition), in.LaunchType)
	if err != nil {
		return nil, err
	}
	if err := s.checkNetwork(req.rev, in.NetworkConfiguration); err != nil {
		return nil, err
	}
	if err := s.checkLoadBalancers(in.LoadBalancers, req.rev); err != nil {
		return nil, err
	}
	if old := s.services[req.cluster.Name+"/"+name]; old != nil && deref(old.D.Status) != statusInactive {
		return nil, errServiceNotIdempotent
	}
	dc := DeploymentConfiguration{MaximumPercent: ptr(int32(defaultMaxPercent)), MinimumHealthyPercent: ptr(int32(defaultMinPercent)),
		DeploymentCircuitBreaker: &DeploymentCircuitBreaker{Enable: ptr(false), Rollback: ptr(false)}}
	if c := in.DeploymentConfiguration; c != nil {
		if c.MaximumPercent != nil {
			dc.MaximumPercent = c.MaximumPercent
		}
		if c.MinimumHealthyPercent != nil {
			dc.MinimumHealthyPercent = c.MinimumHealthyPercent
		}
		if c.DeploymentCircuitBreaker != nil {
			dc.DeploymentCircuitBreaker = c.DeploymentCircuitBreaker
		}
	}
	now := s.clock.Now()
	v := &service{Cluster: req.cluster.Name}
	v.D = ServiceDescription{ServiceArn: ptr(s.arn("service/" + req.cluster.Name + "/" + name)), ServiceName: &name,
		ClusterArn: ptr(req.cluster.ARN), LoadBalancers: in.LoadBalancers, ServiceRegistries: in.ServiceRegistries,
		Status: ptr(statusActive), DesiredCount: ptr(desired), LaunchType: ptr(req.launchType),
		TaskDefinition: req.rev.Def.TaskDefinitionArn, DeploymentConfiguration: &dc, Events: []ServiceEvent{},
		CreatedAt: ptr(now), PlacementConstraints: in.PlacementConstraints, PlacementStrategy: in.PlacementStrategy,
		NetworkConfiguration: in.NetworkConfiguration, SchedulingStrategy: ptr(SchedulingStrategy("REPLICA")),
		DeploymentController: &DeploymentController{Type: ptr(DeploymentControllerType("ECS"))}, Tags: in.Tags,
		CreatedBy: ptr("arn:aws:iam::" + s.account + ":root"), EnableECSManagedTags: ptr(deref(in.EnableECSManagedTags)),
		PropagateTags: ptr(PropagateTags("NONE")), EnableExecuteCommand: ptr(deref(in.EnableExecuteCommand)),
		HealthCheckGracePeriodSeconds: in.HealthCheckGracePeriodSeconds}
	if v.D.LoadBalancers == nil {
		v.D.LoadBalancers = []LoadBalancer{}
	}
	if v.D.ServiceRegistries == nil {
		v.D.ServiceRegistries = []ServiceRegistry{}
	}
	if v.D.PlacementConstraints == nil {
		v.D.PlacementConstraints = []PlacementConstraint{}
	}
	if v.D.PlacementStrategy == nil {
		v.D.PlacementStrategy = []PlacementStrategy{}
	}
	if req.launchType == launchFargate {
		v.D.PlatformVersion, v.D.PlatformFamily = ptr(cmp.Or(deref(in.PlatformVersion), platformLatest)), ptr(platformLinux)
	}
	v.D.Deployments = []Deployment{s.newDeployment(v, req.rev)}
	if err := s.put(serviceKey(v.Cluster, name), v); err != nil {
		return nil, err
	}
	s.services[v.Cluster+"/"+name] = v
	s.nudge()
	// CreateService answers the service's tags; the other operations
	// only when DescribeServices includes TAGS.
	out := s.describeService(v)
	out.Tags = clone(v.D.Tags)
	return &CreateServiceResponse{Service: out}, nil
}

// Fargate platform versions: LATEST, what a service or task that names
// none runs on, is 1.4.0 on Linux.
const (
	platformLatest   = "LATEST"
	platformResolved = "1.4.0"
	platformLinux    = "Linux"
)

// resolvePlatform is the platform version a deployment or task of
// platform version v runs on.
func resolvePlatform(v string) string {
	if v == "" || v == platformLatest {
		return platformResolved
	}
	return v
}

// newDeployment is a service's new PRIMARY deployment of a revision.
func (s *Service) newDeployment(v *service, r *revision) Deployment {
	t := s.clock.Now()
	id := "ecs-svc/" + s.deploymentID()
	d := Deployment{Id: ptr(id), Status: ptr(deploymentPrimary), TaskDefinition: r.Def.TaskDefinitionArn,
		DesiredCount: v.D.DesiredCount, PendingCount: ptr(int32(0)), RunningCount: ptr(int32(0)), FailedTasks: ptr(int32(0)),
		CreatedAt: ptr(t), UpdatedAt: ptr(t), LaunchType: v.D.LaunchType, NetworkConfiguration: v.D.NetworkConfiguration,
		RolloutState: ptr(DeploymentRolloutState("IN_PROGRESS")), RolloutStateReason: ptr("ECS deployment " + id + " in progress.")}
	if v.D.PlatformVersion != nil {
		d.PlatformVersion, d.PlatformFamily = ptr(resolvePlatform(*v.D.PlatformVersion)), v.D.PlatformFamily
	}
	return d
}

// deploymentID is 19 decimal digits, as ECS deployment ids have.
func (s *Service) deploymentID() string {
	n, _ := strconv.ParseUint(s.ids.Hex(8)[:15], 16, 64)
	return fmt.Sprintf("%019d", n)
}

// findService returns the service a name or ARN names in a cluster.
func (s *Service) findService(clusterRef, ref string) (*service, error) {
	c, err := s.activeCluster(clusterRef, false)
	if err != nil {
		return nil, err
	}
	v := s.services[c.Name+"/"+lastSegment(ref)]
	if v == nil {
		return nil, ErrServiceNotFound
	}
	return v, nil
}

func (s *Service) updateService(_ context.Context, in *UpdateServiceRequest) (*UpdateServiceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.findService(deref(in.Cluster), deref(in.Service))
	if err != nil {
		return nil, err
	}
	if deref(v.D.Status) != statusActive {
		return nil, ErrServiceNotActive
	}
	if in.DesiredCount != nil {
		if *in.DesiredCount < 0 {
			return nil, ErrInvalidParameter.WithMessage("Desired count must be greater than or equal to 0.")
		}
		v.D.DesiredCount = in.DesiredCount
		v.D.Deployments[0].DesiredCount = in.DesiredCount
	}
	if c := in.DeploymentConfiguration; c != nil {
		if c.MaximumPercent != nil {
			v.D.DeploymentConfiguration.MaximumPercent = c.MaximumPercent
		}
		if c.MinimumHealthyPercent != nil {
			v.D.DeploymentConfiguration.MinimumHealthyPercent = c.MinimumHealthyPercent
		}
		if c.DeploymentCircuitBreaker != nil {
			v.D.DeploymentConfiguration.DeploymentCircuitBreaker = c.DeploymentCircuitBreaker
		}
	}
	lbChanged := false
	if in.LoadBalancers != nil {
		if r := s.findRevision(deref(v.D.TaskDefinition)); r != nil && in.TaskDefinition == nil {
			if err := s.checkLoadBalancers(in.LoadBalancers, r); err != nil {
				return nil, err
			}
		}
		// Changing the load balancers starts a new deployment, whose
		// tasks register in the new target groups.
		lbChanged = !reflect.DeepEqual(in.LoadBalancers, v.D.LoadBalancers)
		v.D.LoadBalancers = in.LoadBalancers
	}
	if in.NetworkConfiguration != nil {
		v.D.NetworkConfiguration = in.NetworkConfiguration
	}
	newRev := false
	if in.TaskDefinition != nil {
		r := s.findRevision(*in.TaskDefinition)
		if r == nil {
			return nil, errTaskDefinitionMissing
		}
		if deref(r.Def.Status) != defActive {
			return nil, errTaskDefinitionInactive
		}
		nc := v.D.NetworkConfiguration
		if in.NetworkConfiguration != nil {
			nc = in.NetworkConfiguration
		}
		if err := s.checkNetwork(r, nc); err != nil {
			return nil, err
		}
		lbs := v.D.LoadBalancers
		if in.LoadBalancers != nil {
			lbs = in.LoadBalancers
		}
		if err := s.checkLoadBalancers(lbs, r); err != nil {
			return nil, err
		}
		newRev = deref(r.Def.TaskDefinitionArn) != deref(v.D.TaskDefinition)
		v.D.TaskDefinition = r.Def.TaskDefinitionArn
	}
	if newRev || lbChanged || deref(in.ForceNewDeployment) {
		r := s.findRevision(deref(v.D.TaskDefinition))
		for i := range v.D.Deployments {
			v.D.Deployments[i].Status = ptr(deploymentActive)
		}
		v.D.Deployments = append([]Deployment{s.newDeployment(v, r)}, v.D.Deployments...)
	}
	v.Steady = false
	v.Failures, v.NextLaunch = 0, 0
	if err := s.put(serviceKey(v.Cluster, deref(v.D.ServiceName)), v); err != nil {
		return nil, err
	}
	s.nudge()
	return &UpdateServiceResponse{Service: s.describeService(v)}, nil
}

func (s *Service) deleteService(_ context.Context, in *DeleteServiceRequest) (*DeleteServiceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.findService(deref(in.Cluster), deref(in.Service))
	if err != nil {
		return nil, err
	}
	if deref(v.D.Status) != statusActive {
		return nil, ErrServiceNotActive
	}
	if deref(v.D.DesiredCount) > 0 && !deref(in.Force) {
		return nil, errServiceScaled
	}
	v.D.Status = ptr(statusDraining)
	v.D.DesiredCount = ptr(int32(0))
	for i := range v.D.Deployments {
		v.D.Deployments[i].DesiredCount = ptr(int32(0))
	}
	if err := s.put(serviceKey(v.Cluster, deref(v.D.ServiceName)), v); err != nil {
		return nil, err
	}
	s.nudge()
	return &DeleteServiceResponse{Service: s.describeService(v)}, nil
}

// describeService is a service with its counts. s.mu is held.
func (s *Service) describeService(v *service) *ServiceDescription {
	d := clone(v.D)
	name := deref(d.ServiceName)
	var running, pending int32
	deps := d.Deployments
	for _, t := range s.tasks {
		if t.Cluster != v.Cluster || t.Service != name || deref(t.T.DesiredStatus) != statusRunning {
			continue
		}
		isRunning := deref(t.T.LastStatus) == statusRunning
		if isRunning {
			running++
		} else if deref(t.T.LastStatus) != statusStopped {
			pending++
		}
		for i := range deps {
			if deref(deps[i].Id) == t.Deployment {
				if isRunning {
					deps[i].RunningCount = ptr(deref(deps[i].RunningCount) + 1)
				} else {
					deps[i].PendingCount = ptr(deref(deps[i].PendingCount) + 1)
				}
			}
		}
	}
	d.RunningCount, d.PendingCount = ptr(running), ptr(pending)
	d.Deployments = deps
	d.Tags = nil
	return &d
}

func (s *Service) describeServices(_ context.Context, in *DescribeServicesRequest) (*DescribeServicesResponse, error) {
	if len(in.Services) > 10 {
		return nil, ErrInvalidParameter.WithMessage("services can have at most 10 items.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.activeCluster(deref(in.Cluster), false)
	if err != nil {
		return nil, err
	}
	withTags := slices.Contains(in.Include, ServiceField("TAGS"))
	out := &DescribeServicesResponse{Services: []ServiceDescription{}, Failures: []Failure{}}
	for _, ref := range in.Services {
		v := s.services[c.Name+"/"+lastSegment(ref)]
		if v == nil {
			out.Failures = append(out.Failures, Failure{Arn: ptr(s.arn("service/" + c.Name + "/" + lastSegment(ref))), Reason: ptr("MISSING")})
			continue
		}
		d := s.describeService(v)
		if withTags {
			d.Tags = clone(v.D.Tags)
		}
		out.Services = append(out.Services, *d)
	}
	return out, nil
}

func (s *Service) listServices(_ context.Context, in *ListServicesRequest) (*ListServicesResponse, error) {
	s.mu.Lock()
	c, err := s.activeCluster(deref(in.Cluster), false)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	var arns []string
	for _, v := range s.services {
		if v.Cluster == c.Name && deref(v.D.Status) == statusActive &&
			(in.LaunchType == nil || deref(v.D.LaunchType) == *in.LaunchType) {
			arns = append(arns, deref(v.D.ServiceArn))
		}
	}
	s.mu.Unlock()
	sort.Strings(arns)
	page, next, err := paginate(arns, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &ListServicesResponse{ServiceArns: page, NextToken: next}, nil
}
