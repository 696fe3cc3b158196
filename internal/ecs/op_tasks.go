package ecs

import (
	"context"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/virga/virga/internal/vpcref"
)

// Task and container statuses, in the order a task goes through them.
const (
	statusProvisioning   = "PROVISIONING"
	statusPending        = "PENDING"
	statusActivating     = "ACTIVATING"
	statusRunning        = "RUNNING"
	statusDeactivating   = "DEACTIVATING"
	statusDeprovisioning = "DEPROVISIONING"
	statusStopped        = "STOPPED"
)

// launchFargate is the FARGATE launch type.
const launchFargate = LaunchType("FARGATE")

// RunTask's count limits, from its API reference.
const (
	minCount = 1
	maxCount = 10
)

// stoppedRetention is how long a STOPPED task stays describable: ECS
// keeps them for at least an hour.
const stoppedRetention = time.Hour

// launchRequest is what RunTask, StartTask and the service scheduler
// start a task with.
type launchRequest struct {
	cluster    *cluster
	rev        *revision
	overrides  *TaskOverride
	startedBy  string
	group      string
	launchType LaunchType
	tags       []Tag
	service    string
	deployment string
	// network is the awsvpc configuration of an awsvpc task.
	network *NetworkConfiguration
	// execCommand is enableExecuteCommand (recorded; ExecuteCommand is
	// not supported).
	execCommand bool
}

func (s *Service) runTask(_ context.Context, in *RunTaskRequest) (*RunTaskResponse, error) {
	count := int32(1)
	if in.Count != nil {
		count = *in.Count
	}
	if count < minCount || count > maxCount {
		return nil, ErrInvalidParameter.WithMessage("The count parameter must be between 1 and 10.")
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
	req.overrides, req.startedBy, req.group, req.tags = in.Overrides, deref(in.StartedBy), deref(in.Group), in.Tags
	req.network, req.execCommand = in.NetworkConfiguration, deref(in.EnableExecuteCommand)
	out := &RunTaskResponse{Tasks: []Task{}, Failures: []Failure{}}
	for range count {
		t, err := s.launch(req)
		if err != nil {
			return nil, err
		}
		out.Tasks = append(out.Tasks, clone(t.T))
	}
	return out, nil
}

// startTask places tasks as RunTask does: virga's node is the one
// container instance there is.
func (s *Service) startTask(_ context.Context, in *StartTaskRequest) (*StartTaskResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, err := s.prepareLaunch(deref(in.Cluster), deref(in.TaskDefinition), nil)
	if err != nil {
		return nil, err
	}
	if err := s.checkNetwork(req.rev, in.NetworkConfiguration); err != nil {
		return nil, err
	}
	req.overrides, req.startedBy, req.group, req.tags = in.Overrides, deref(in.StartedBy), deref(in.Group), in.Tags
	req.network, req.execCommand = in.NetworkConfiguration, deref(in.EnableExecuteCommand)
	out := &StartTaskResponse{Tasks: []Task{}, Failures: []Failure{}}
	for range in.ContainerInstances {
		t, err := s.launch(req)
		if err != nil {
			return nil, err
		}
		out.Tasks = append(out.Tasks, clone(t.T))
	}
	return out, nil
}

// prepareLaunch finds the cluster and the ACTIVE task definition a
// launch names and checks the launch type against it.
func (s *Service) prepareLaunch(clusterRef, defRef string, launchType *LaunchType) (launchRequest, error) {
	c, err := s.activeCluster(clusterRef, true)
	if err != nil {
		return launchRequest{}, err
	}
	r := s.findRevision(defRef)
	if r == nil {
		return launchRequest{}, errTaskDefinitionMissing
	}
	if deref(r.Def.Status) != defActive {
		return launchRequest{}, errTaskDefinitionInactive
	}
	lt := LaunchType("EC2")
	if launchType != nil {
		lt = *launchType
	}
	if lt == launchFargate && !slices.Contains(r.Def.Compatibilities, compatFargate) {
		return launchRequest{}, ErrInvalidParameter.WithMessage("Task definition does not support launch_type FARGATE.")
	}
	return launchRequest{cluster: c, rev: r, launchType: lt}, nil
}

// checkNetwork refuses an awsvpc task definition launched without a
// network configuration, or with one that names no subnet, as ECS does,
// subnets and security groups EC2 does not keep, and subnets of two
// VPCs.
func (s *Service) checkNetwork(r *revision, nc *NetworkConfiguration) error {
	if deref(r.Def.NetworkMode) != modeAwsvpc {
		return nil
	}
	if nc == nil || nc.AwsvpcConfiguration == nil {
		return ErrInvalidParameter.WithMessage("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
	}
	vc := nc.AwsvpcConfiguration
	if len(vc.Subnets) == 0 {
		return ErrInvalidParameter.WithMessage("subnets can not be empty.")
	}
	placed, err := vpcref.Check(s.network, vc.Subnets, vc.SecurityGroups)
	var missing *vpcref.NotFoundError
	switch {
	case errors.As(err, &missing) && missing.Group:
		return ErrInvalidParameter.Withf("Error retrieving security group information for [%s]: %s", missing.ID, missing)
	case errors.As(err, &missing):
		return ErrInvalidParameter.Withf("Error retrieving subnet information for [%s]: %s", missing.ID, missing)
	case err != nil:
		return err
	}
	// Wording unconfirmed: ECS's answer to subnets of two VPCs.
	if sn, ok := placed.ForeignSubnet(); ok {
		return ErrInvalidParameter.Withf("subnets must all be in the same VPC: %s is not in %s.", sn.ID, placed.VpcID())
	}
	if g, ok := placed.ForeignGroup(); ok {
		return ErrInvalidParameter.Withf("Security group %s does not appear to belong to the same VPC as the input subnets.", g.ID)
	}
	return nil
}

// launch records a new PROVISIONING task and starts its lifecycle.
// s.mu is held.
func (s *Service) launch(req launchRequest) (*task, error) {
	id := s.ids.Hex(16) // 32 hex digits, as ECS task ids are
	now := s.clock.Now()
	def := req.rev.Def
	arn := s.arn("task/" + req.cluster.Name + "/" + id)
	group := req.group
	if group == "" {
		group = "family:" + deref(def.Family)
	}
	t := &task{ID: id, Cluster: req.cluster.Name, Service: req.service, Deployment: req.deployment, Def: def}
	// Only an awsvpc task is PROVISIONING (its network interface is
	// being attached); the others are PENDING from the start.
	status := statusPending
	if deref(def.NetworkMode) == modeAwsvpc {
		t.Network = req.network
		status = statusProvisioning
	}
	t.T = Task{TaskArn: ptr(arn), ClusterArn: ptr(req.cluster.ARN), TaskDefinitionArn: def.TaskDefinitionArn,
		LastStatus: ptr(status), DesiredStatus: ptr(statusRunning), CreatedAt: ptr(now),
		Group: ptr(group), LaunchType: ptr(req.launchType), Version: ptr(int64(1)), Tags: req.tags,
		Overrides: containerOverrides(def, req.overrides), Attachments: []Attachment{}, Attributes: []Attribute{}, EnableExecuteCommand: ptr(req.execCommand),
		HealthStatus: ptr(HealthStatus("UNKNOWN")), AvailabilityZone: ptr(s.taskZone(def, req.network)), Connectivity: ptr(Connectivity("CONNECTED")), ConnectivityAt: ptr(now)}
	if req.startedBy != "" {
		t.T.StartedBy = ptr(req.startedBy)
	}
	if def.Cpu != nil {
		t.T.Cpu = def.Cpu
	}
	if def.Memory != nil {
		t.T.Memory = def.Memory
	}
	if req.launchType == launchFargate {
		t.T.PlatformVersion = ptr(platformResolved)
		t.T.PlatformFamily = ptr(platformLinux)
	}
	var eni []NetworkInterface
	if deref(def.NetworkMode) == modeAwsvpc {
		a := s.eniAttachment(req.network)
		t.T.Attachments = append(t.T.Attachments, a)
		eni = []NetworkInterface{{AttachmentId: a.Id, PrivateIpv4Address: ptr(taskAddress)}}
	}
	for _, cd := range def.ContainerDefinitions {
		c := Container{ContainerArn: ptr(s.arn("container/" + req.cluster.Name + "/" + id + "/" + s.ids.UUID())),
			TaskArn: ptr(arn), Name: cd.Name, Image: cd.Image, LastStatus: ptr(statusPending), HealthStatus: ptr(HealthStatus("UNKNOWN")),
			NetworkBindings: []NetworkBinding{}, NetworkInterfaces: append([]NetworkInterface{}, eni...)}
		if cd.Cpu != nil {
			c.Cpu = ptr(revisionString(*cd.Cpu))
		}
		if cd.Memory != nil {
			c.Memory = ptr(revisionString(*cd.Memory))
		}
		if cd.MemoryReservation != nil {
			c.MemoryReservation = ptr(revisionString(*cd.MemoryReservation))
		}
		t.T.Containers = append(t.T.Containers, c)
	}
	if err := s.put(taskKey(id), t); err != nil {
		return nil, err
	}
	s.taskStateChanged(t)
	s.tasks[id] = t
	s.stops[id] = make(chan stopRequest, 1)
	s.tasksWG.Add(1)
	go s.lifecycle(id)
	return t, nil
}

// containerOverrides is a task's overrides as ECS answers them: one
// container override for each of the definition's containers, in its
// order, with only the name where the launch gave none.
func containerOverrides(def TaskDefinition, in *TaskOverride) *TaskOverride {
	out := &TaskOverride{InferenceAcceleratorOverrides: []InferenceAcceleratorOverride{}}
	if in != nil {
		*out = *in
		if out.InferenceAcceleratorOverrides == nil {
			out.InferenceAcceleratorOverrides = []InferenceAcceleratorOverride{}
		}
	}
	out.ContainerOverrides = make([]ContainerOverride, 0, len(def.ContainerDefinitions))
	for _, cd := range def.ContainerDefinitions {
		o := ContainerOverride{Name: cd.Name}
		if in != nil {
			if i := slices.IndexFunc(in.ContainerOverrides, func(o ContainerOverride) bool { return deref(o.Name) == deref(cd.Name) }); i >= 0 {
				o = in.ContainerOverrides[i]
			}
		}
		out.ContainerOverrides = append(out.ContainerOverrides, o)
	}
	return out
}

// taskZone is the availability zone a task runs in: an awsvpc task's
// is its first subnet's (the one its network interface is in, see
// eniAttachment); any other task's the region's first zone, where
// virga's one container instance is.
func (s *Service) taskZone(def TaskDefinition, nc *NetworkConfiguration) string {
	if deref(def.NetworkMode) == modeAwsvpc && s.network != nil && nc != nil && nc.AwsvpcConfiguration != nil && len(nc.AwsvpcConfiguration.Subnets) > 0 {
		if _, zone, ok, err := s.network.Subnet(nc.AwsvpcConfiguration.Subnets[0]); err == nil && ok {
			return zone
		}
	}
	return s.region + "a"
}

// taskAddress is an awsvpc task's private address: the node agent
// publishes its ports on loopback.
const taskAddress = "127.0.0.1"

// eniAttachment is the elastic network interface ECS describes for an
// awsvpc task: an attachment of type ElasticNetworkInterface whose
// details name its subnet (the configuration's first), interface id,
// MAC address and private IPv4 address. It is ATTACHED until the task
// stops (then DELETED).
func (s *Service) eniAttachment(nc *NetworkConfiguration) Attachment {
	hex := s.ids.Hex(9)[:17] // eni- and 17 hex digits, as ENI ids are
	mac := "02"
	for i := 0; i < 10; i += 2 {
		mac += ":" + hex[i:i+2]
	}
	var details []KeyValuePair
	if nc != nil && nc.AwsvpcConfiguration != nil && len(nc.AwsvpcConfiguration.Subnets) > 0 {
		details = append(details, KeyValuePair{Name: ptr("subnetId"), Value: ptr(nc.AwsvpcConfiguration.Subnets[0])})
	}
	details = append(details,
		KeyValuePair{Name: ptr("networkInterfaceId"), Value: ptr("eni-" + hex)},
		KeyValuePair{Name: ptr("macAddress"), Value: ptr(mac)},
		KeyValuePair{Name: ptr("privateIPv4Address"), Value: ptr(taskAddress)})
	return Attachment{Id: ptr(s.ids.UUID()), Type: ptr("ElasticNetworkInterface"), Status: ptr("ATTACHED"), Details: details}
}

// findTask returns the task a task id or ARN names in the cluster.
func (s *Service) findTask(c string, ref string) *task {
	t := s.tasks[lastSegment(ref)]
	if t == nil || t.Cluster != c {
		return nil
	}
	return t
}

func (s *Service) stopTask(_ context.Context, in *StopTaskRequest) (*StopTaskResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.activeCluster(deref(in.Cluster), false)
	if err != nil {
		return nil, err
	}
	t := s.findTask(c.Name, deref(in.Task))
	if t == nil {
		return nil, errTaskNotFound
	}
	if deref(t.T.DesiredStatus) != statusStopped {
		// StopTask deletes the task's tags, its reference says.
		t.T.Tags = nil
		if err := s.requestStop(t, deref(in.Reason), TaskStopCode("UserInitiated")); err != nil {
			return nil, err
		}
	}
	return &StopTaskResponse{Task: ptr(clone(t.T))}, nil
}

// requestStop sets a task's desired status to STOPPED and tells its
// lifecycle. s.mu is held.
func (s *Service) requestStop(t *task, reason string, code TaskStopCode) error {
	t.T.DesiredStatus = ptr(statusStopped)
	if reason != "" {
		t.T.StoppedReason = ptr(reason)
	}
	t.T.StopCode = ptr(code)
	t.T.Version = ptr(deref(t.T.Version) + 1)
	if err := s.put(taskKey(t.ID), t); err != nil {
		return err
	}
	s.taskStateChanged(t)
	if ch := s.stops[t.ID]; ch != nil {
		select {
		case ch <- stopRequest{}:
		default:
		}
	}
	return nil
}

func (s *Service) describeTasks(_ context.Context, in *DescribeTasksRequest) (*DescribeTasksResponse, error) {
	if len(in.Tasks) > 100 {
		return nil, ErrInvalidParameter.WithMessage("Tasks cannot be longer than 100.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.activeCluster(deref(in.Cluster), false)
	if err != nil {
		return nil, err
	}
	withTags := slices.Contains(in.Include, TaskField("TAGS"))
	out := &DescribeTasksResponse{Tasks: []Task{}, Failures: []Failure{}}
	for _, ref := range in.Tasks {
		t := s.findTask(c.Name, ref)
		if t == nil {
			arn := ref
			if len(lastSegment(ref)) == len(ref) {
				arn = s.arn("task/" + c.Name + "/" + ref)
			}
			out.Failures = append(out.Failures, Failure{Arn: ptr(arn), Reason: ptr("MISSING")})
			continue
		}
		d := clone(t.T)
		if !withTags {
			d.Tags = nil
		}
		out.Tasks = append(out.Tasks, d)
	}
	return out, nil
}

func (s *Service) listTasks(_ context.Context, in *ListTasksRequest) (*ListTasksResponse, error) {
	desired := statusRunning
	if in.DesiredStatus != nil {
		desired = string(*in.DesiredStatus)
	}
	s.mu.Lock()
	c, err := s.activeCluster(deref(in.Cluster), false)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	type entry struct {
		created time.Time
		arn     string
	}
	var all []entry
	for _, t := range s.tasks {
		if t.Cluster != c.Name || deref(t.T.DesiredStatus) != desired {
			continue
		}
		if in.Family != nil && deref(t.Def.Family) != *in.Family {
			continue
		}
		if in.ServiceName != nil && t.Service != lastSegment(*in.ServiceName) {
			continue
		}
		if in.StartedBy != nil && deref(t.T.StartedBy) != *in.StartedBy {
			continue
		}
		if in.LaunchType != nil && deref(t.T.LaunchType) != *in.LaunchType {
			continue
		}
		all = append(all, entry{deref(t.T.CreatedAt), deref(t.T.TaskArn)})
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool {
		if !all[i].created.Equal(all[j].created) {
			return all[i].created.Before(all[j].created)
		}
		return all[i].arn < all[j].arn
	})
	arns := make([]string, len(all))
	for i, e := range all {
		arns[i] = e.arn
	}
	page, next, err := paginate(arns, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &ListTasksResponse{TaskArns: page, NextToken: next}, nil
}
