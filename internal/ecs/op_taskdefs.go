package ecs

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Task definition statuses.
const (
	defActive      = TaskDefinitionStatus("ACTIVE")
	defInactive    = TaskDefinitionStatus("INACTIVE")
	defDeleting    = TaskDefinitionStatus("DELETE_IN_PROGRESS")
	modeAwsvpc     = NetworkMode("awsvpc")
	modeBridge     = NetworkMode("bridge")
	compatFargate  = Compatibility("FARGATE")
	compatEC2      = Compatibility("EC2")
	compatExternal = Compatibility("EXTERNAL")
)

func (s *Service) registerTaskDefinition(_ context.Context, in *RegisterTaskDefinitionRequest) (*RegisterTaskDefinitionResponse, error) {
	name := deref(in.Family)
	if !validName(name) {
		return nil, ErrClient.WithMessage("Family contains invalid characters; only letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed, up to 255 characters.")
	}
	def := TaskDefinition{Family: &name, ContainerDefinitions: in.ContainerDefinitions, TaskRoleArn: in.TaskRoleArn,
		ExecutionRoleArn: in.ExecutionRoleArn, NetworkMode: in.NetworkMode, Volumes: in.Volumes,
		PlacementConstraints: in.PlacementConstraints, RequiresCompatibilities: in.RequiresCompatibilities,
		Cpu: in.Cpu, Memory: in.Memory, PidMode: in.PidMode, IpcMode: in.IpcMode, ProxyConfiguration: in.ProxyConfiguration,
		RuntimePlatform: in.RuntimePlatform, EphemeralStorage: in.EphemeralStorage, InferenceAccelerators: in.InferenceAccelerators}
	if err := checkTaskDefinition(&def); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.families[name]
	if f == nil {
		f = &family{Name: name}
	}
	rev := int32(len(f.Revisions) + 1)
	def.Revision = &rev
	def.TaskDefinitionArn = ptr(s.arn("task-definition/" + name + ":" + revisionString(rev)))
	def.Status = ptr(defActive)
	def.RegisteredAt = ptr(s.clock.Now())
	def.RegisteredBy = ptr("arn:aws:iam::" + s.account + ":root")
	r := &revision{Def: def, Tags: in.Tags}
	if err := s.put(revisionKey(name, rev), r); err != nil {
		return nil, err
	}
	f.Revisions = append(f.Revisions, r)
	s.families[name] = f
	return &RegisterTaskDefinitionResponse{TaskDefinition: ptr(clone(r.Def)), Tags: in.Tags}, nil
}

// checkTaskDefinition applies RegisterTaskDefinition's rules and fills
// in its defaults.
func checkTaskDefinition(def *TaskDefinition) error {
	if len(def.ContainerDefinitions) == 0 {
		return ErrClient.WithMessage("Container list cannot be empty.")
	}
	fargate := slices.Contains(def.RequiresCompatibilities, compatFargate)
	taskCPU, taskMem := 0, 0
	if def.Cpu != nil {
		n, ok := parseCPU(*def.Cpu)
		if !ok {
			return ErrClient.WithMessage("Invalid 'cpu' setting for task.")
		}
		taskCPU = n
		def.Cpu = ptr(strconv.Itoa(n))
	}
	if def.Memory != nil {
		n, ok := parseMemory(*def.Memory)
		if !ok {
			return ErrClient.WithMessage("Invalid 'memory' setting for task.")
		}
		taskMem = n
		def.Memory = ptr(strconv.Itoa(n))
	}
	if def.NetworkMode == nil {
		if fargate {
			return errFargateNetworkMode
		}
		def.NetworkMode = ptr(modeBridge)
	}
	if fargate {
		if *def.NetworkMode != modeAwsvpc {
			return errFargateNetworkMode
		}
		if def.Cpu == nil {
			return ErrClient.WithMessage("Fargate requires that 'cpu' be defined at the task level.")
		}
		if def.Memory == nil {
			return ErrClient.WithMessage("Fargate requires that 'memory' be defined at the task level.")
		}
		if !fargateFits(taskCPU, taskMem) {
			return ErrClient.WithMessage(fmt.Sprintf("No Fargate configuration exists for given values: %d CPU, %d memory. See the Amazon ECS documentation for the valid values.", taskCPU, taskMem))
		}
	}
	names := map[string]bool{}
	for i := range def.ContainerDefinitions {
		c := &def.ContainerDefinitions[i]
		name := deref(c.Name)
		if name == "" {
			return ErrClient.WithMessage("Container.name should not be null or empty.")
		}
		if deref(c.Image) == "" {
			return ErrClient.WithMessage("Container.image should not be null or empty.")
		}
		if names[name] {
			return ErrClient.WithMessage("Duplicate container names are not allowed.")
		}
		names[name] = true
		if c.Essential == nil {
			c.Essential = ptr(true)
		}
		if c.Memory == nil && c.MemoryReservation == nil && def.Memory == nil {
			return ErrClient.WithMessage("Invalid setting for container '" + name + "'. At least one of 'memory' or 'memoryReservation' must be specified.")
		}
		if c.Memory != nil && taskMem > 0 && int(*c.Memory) > taskMem {
			return ErrClient.WithMessage("The 'memory' setting for container '" + name + "' is greater than for the task.")
		}
		if c.Cpu == nil {
			c.Cpu = ptr(int32(0))
		}
		for j := range c.PortMappings {
			p := &c.PortMappings[j]
			if p.Protocol == nil {
				p.Protocol = ptr(TransportProtocol("tcp"))
			}
			if *def.NetworkMode == modeAwsvpc || *def.NetworkMode == NetworkMode("host") {
				if p.HostPort == nil {
					p.HostPort = p.ContainerPort
				} else if p.ContainerPort != nil && *p.HostPort != *p.ContainerPort {
					return ErrClient.WithMessage("When networkMode=" + string(*def.NetworkMode) + ", the host ports must either be undefined or equal to the container port values.")
				}
			}
		}
		if c.Secrets != nil && def.ExecutionRoleArn == nil {
			// The agent reads secrets with the execution role's
			// credentials, whatever the launch type (even an empty list
			// asks for them).
			return ErrClient.WithMessage("When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.")
		}
		if c.RepositoryCredentials != nil && def.ExecutionRoleArn == nil {
			return ErrClient.WithMessage("Private repository authentication requires that the task definition specify a value for executionRoleArn.")
		}
		if fargate && def.ExecutionRoleArn == nil && strings.Contains(deref(c.Image), ".dkr.ecr.") {
			// Pulling from a private ECR repository takes the execution
			// role's credentials.
			return ErrClient.WithMessage("Fargate requires task definition to have execution role ARN to support ECR images.")
		}
		if lc := c.LogConfiguration; lc != nil && lc.LogDriver != nil && *lc.LogDriver == "awslogs" && fargate && def.ExecutionRoleArn == nil {
			return ErrClient.WithMessage("Fargate requires task definition to have execution role ARN to support log driver awslogs.")
		}
		if c.Environment == nil {
			c.Environment = []KeyValuePair{}
		}
		if c.PortMappings == nil {
			c.PortMappings = []PortMapping{}
		}
		if c.MountPoints == nil {
			c.MountPoints = []MountPoint{}
		}
		if c.VolumesFrom == nil {
			c.VolumesFrom = []VolumeFrom{}
		}
	}
	for _, c := range def.ContainerDefinitions {
		for _, d := range c.DependsOn {
			if !names[deref(d.ContainerName)] {
				return ErrClient.WithMessage("Container '" + deref(c.Name) + "' depends on container '" + deref(d.ContainerName) + "', which is not defined in the task definition.")
			}
		}
	}
	if err := checkVolumes(def, fargate); err != nil {
		return err
	}
	// ECS Anywhere (EXTERNAL) runs every network mode but awsvpc; Fargate
	// only awsvpc, within its sizes.
	def.Compatibilities = []Compatibility{compatEC2}
	if *def.NetworkMode != modeAwsvpc {
		def.Compatibilities = []Compatibility{compatExternal, compatEC2}
	} else if fargateFits(taskCPU, taskMem) {
		def.Compatibilities = append(def.Compatibilities, compatFargate)
	}
	if def.Volumes == nil {
		def.Volumes = []Volume{}
	}
	if def.PlacementConstraints == nil {
		def.PlacementConstraints = []TaskDefinitionPlacementConstraint{}
	}
	def.RequiresAttributes = []Attribute{}
	return nil
}

// findRevision returns the revision a taskDefinition parameter names:
// "family" (its latest ACTIVE revision), "family:revision" or an ARN.
func (s *Service) findRevision(ref string) *revision {
	if strings.HasPrefix(ref, "arn:") {
		ref = lastSegment(ref)
	}
	name, revStr, hasRev := strings.Cut(ref, ":")
	f := s.families[name]
	if f == nil {
		return nil
	}
	if !hasRev {
		for i := len(f.Revisions) - 1; i >= 0; i-- {
			if r := f.Revisions[i]; r != nil && deref(r.Def.Status) == defActive {
				return r
			}
		}
		return nil
	}
	n, err := strconv.Atoi(revStr)
	if err != nil || n < 1 || n > len(f.Revisions) {
		return nil
	}
	return f.Revisions[n-1]
}

func (s *Service) describeTaskDefinition(_ context.Context, in *DescribeTaskDefinitionRequest) (*DescribeTaskDefinitionResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.findRevision(deref(in.TaskDefinition))
	if r == nil {
		return nil, errTaskDefinitionNotFound
	}
	out := &DescribeTaskDefinitionResponse{TaskDefinition: ptr(clone(r.Def))}
	if slices.Contains(in.Include, TaskDefinitionField("TAGS")) {
		out.Tags = clone(r.Tags)
	}
	return out, nil
}

func (s *Service) listTaskDefinitions(_ context.Context, in *ListTaskDefinitionsRequest) (*ListTaskDefinitionsResponse, error) {
	status := defActive
	if in.Status != nil {
		status = *in.Status
	}
	prefix := deref(in.FamilyPrefix)
	type entry struct {
		fam string
		rev int32
		arn string
	}
	var all []entry
	s.mu.Lock()
	for name, f := range s.families {
		if prefix != "" && name != prefix {
			// familyPrefix matches the family name as a whole.
			continue
		}
		for _, r := range f.Revisions {
			if r != nil && deref(r.Def.Status) == status {
				all = append(all, entry{name, deref(r.Def.Revision), deref(r.Def.TaskDefinitionArn)})
			}
		}
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool {
		if all[i].fam != all[j].fam {
			return all[i].fam < all[j].fam
		}
		return all[i].rev < all[j].rev
	})
	if deref(in.Sort) == SortOrder("DESC") {
		slices.Reverse(all)
	}
	arns := make([]string, len(all))
	for i, e := range all {
		arns[i] = e.arn
	}
	page, next, err := paginate(arns, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &ListTaskDefinitionsResponse{TaskDefinitionArns: page, NextToken: next}, nil
}

func (s *Service) listTaskDefinitionFamilies(_ context.Context, in *ListTaskDefinitionFamiliesRequest) (*ListTaskDefinitionFamiliesResponse, error) {
	// By default both ACTIVE and INACTIVE families are listed.
	status := TaskDefinitionFamilyStatus("ALL")
	if in.Status != nil {
		status = *in.Status
	}
	prefix := deref(in.FamilyPrefix)
	var names []string
	s.mu.Lock()
	for name, f := range s.families {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		active := false
		for _, r := range f.Revisions {
			if r != nil && deref(r.Def.Status) == defActive {
				active = true
			}
		}
		if status == "ALL" || (status == "ACTIVE") == active {
			names = append(names, name)
		}
	}
	s.mu.Unlock()
	sort.Strings(names)
	page, next, err := paginate(names, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &ListTaskDefinitionFamiliesResponse{Families: page, NextToken: next}, nil
}

func (s *Service) deregisterTaskDefinition(_ context.Context, in *DeregisterTaskDefinitionRequest) (*DeregisterTaskDefinitionResponse, error) {
	ref := deref(in.TaskDefinition)
	if !strings.Contains(lastSegment(ref), ":") {
		return nil, ErrClient.WithMessage("Invalid revision number. Number: " + ref)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.findRevision(ref)
	if r == nil || deref(r.Def.Status) == defDeleting {
		return nil, errTaskDefinitionNotFound
	}
	if deref(r.Def.Status) == defActive {
		r.Def.Status = ptr(defInactive)
		r.Def.DeregisteredAt = ptr(s.clock.Now())
		if err := s.put(revisionKey(deref(r.Def.Family), deref(r.Def.Revision)), r); err != nil {
			return nil, err
		}
	}
	return &DeregisterTaskDefinitionResponse{TaskDefinition: ptr(clone(r.Def))}, nil
}

func (s *Service) deleteTaskDefinitions(_ context.Context, in *DeleteTaskDefinitionsRequest) (*DeleteTaskDefinitionsResponse, error) {
	if len(in.TaskDefinitions) > 10 {
		return nil, ErrInvalidParameter.WithMessage("You can specify up to 10 task definitions as a comma separated list.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &DeleteTaskDefinitionsResponse{TaskDefinitions: []TaskDefinition{}, Failures: []Failure{}}
	for _, ref := range in.TaskDefinitions {
		r := s.findRevision(ref)
		if r == nil || !strings.Contains(lastSegment(ref), ":") {
			out.Failures = append(out.Failures, Failure{Arn: ptr(ref), Reason: ptr("TASK_DEFINITION_NOT_FOUND")})
			continue
		}
		if deref(r.Def.Status) == defActive {
			out.Failures = append(out.Failures, Failure{Arn: r.Def.TaskDefinitionArn, Reason: ptr("The specified task definition is still in ACTIVE status. Please deregister the target and try again.")})
			continue
		}
		r.Def.Status = ptr(defDeleting)
		if err := s.put(revisionKey(deref(r.Def.Family), deref(r.Def.Revision)), r); err != nil {
			return nil, err
		}
		out.TaskDefinitions = append(out.TaskDefinitions, clone(r.Def))
	}
	return out, nil
}
