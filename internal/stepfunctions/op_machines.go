package stepfunctions

import (
	"context"
	"encoding/json"
	"errors"
	"sort"

	"github.com/virga/virga/internal/stepfunctions/asl"
)

func definitionError(err error) error {
	var de *asl.DefinitionError
	if errors.As(err, &de) {
		return ErrInvalidDefinition.WithMessage(de.Error())
	}
	return err
}

func (s *Service) createStateMachine(ctx context.Context, in *CreateStateMachineInput) (*CreateStateMachineOutput, error) {
	name := deref(in.Name)
	if !validName(name) {
		return nil, ErrInvalidName.WithMessage("Invalid Name: '" + name + "'")
	}
	typ := "STANDARD"
	if in.Type != nil {
		typ = string(*in.Type)
	}
	if in.VersionDescription != nil && !deref(in.Publish) {
		return nil, errVersionDescription
	}
	if _, err := asl.Parse(deref(in.Definition)); err != nil {
		return nil, definitionError(err)
	}
	if err := checkLogging(in.LoggingConfiguration); err != nil {
		return nil, err
	}
	tags, err := tagMap(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	if err := s.checkTrust(ctx, deref(in.RoleArn)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.loadMachine(name)
	if err != nil {
		return nil, err
	}
	arn := s.machineARN(name)
	if old != nil && old.Status == statusDeleting {
		return nil, machineDeleting(arn)
	}
	if old != nil {
		// CreateStateMachine is idempotent for an identical request.
		if old.Definition == deref(in.Definition) && old.RoleArn == deref(in.RoleArn) && old.Type == typ {
			out := &CreateStateMachineOutput{StateMachineArn: &arn, CreationDate: ptr(old.Created)}
			if deref(in.Publish) {
				v, err := s.publishLocked(old, nil, deref(in.VersionDescription))
				if err != nil {
					return nil, err
				}
				out.StateMachineVersionArn = ptr(s.versionARN(name, v.Number))
			}
			return out, nil
		}
		return nil, ErrStateMachineAlreadyExists.WithMessage("State Machine Already Exists: '" + arn + "'")
	}
	now := s.clock.Now()
	m := &machine{Name: name, ARN: arn, Definition: deref(in.Definition), RoleArn: deref(in.RoleArn), Type: typ,
		Created: now, Updated: now, Tags: tags}
	if in.LoggingConfiguration != nil {
		m.Logging, _ = json.Marshal(in.LoggingConfiguration)
	}
	if in.TracingConfiguration != nil {
		m.Tracing = deref(in.TracingConfiguration.Enabled)
	}
	if err := s.put(machineKey(name), m); err != nil {
		return nil, err
	}
	out := &CreateStateMachineOutput{StateMachineArn: &arn, CreationDate: &now}
	if deref(in.Publish) {
		v, err := s.publishLocked(m, nil, deref(in.VersionDescription))
		if err != nil {
			return nil, err
		}
		out.StateMachineVersionArn = ptr(s.versionARN(name, v.Number))
	}
	return out, nil
}

// machineByARN loads the machine an ARN names.
func (s *Service) machineByARN(arn string) (*machine, error) {
	name, ok := machineName(arn)
	if !ok {
		return nil, invalidARN(arn)
	}
	m, err := s.loadMachine(name)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, machineNotFound(arn)
	}
	return m, nil
}

func (m *machine) logging() *LoggingConfiguration {
	lc := &LoggingConfiguration{Level: ptr(LogLevel("OFF")), IncludeExecutionData: ptr(false)}
	if len(m.Logging) > 0 {
		json.Unmarshal(m.Logging, lc)
	}
	// Members the request left out are their defaults: level OFF,
	// includeExecutionData false.
	if lc.Level == nil {
		lc.Level = ptr(LogLevel("OFF"))
	}
	if lc.IncludeExecutionData == nil {
		lc.IncludeExecutionData = ptr(false)
	}
	return lc
}

func (s *Service) describeStateMachine(_ context.Context, in *DescribeStateMachineInput) (*DescribeStateMachineOutput, error) {
	arn := deref(in.StateMachineArn)
	if name, q, ok := qualifiedName(arn); ok && q != "" {
		n, isVersion := versionNumber(q)
		if !isVersion {
			return nil, invalidARN(arn)
		}
		return s.describeVersion(arn, name, n)
	}
	m, err := s.machineByARN(arn)
	if err != nil {
		return nil, err
	}
	status := "ACTIVE"
	if m.Status != "" {
		status = m.Status
	}
	return &DescribeStateMachineOutput{StateMachineArn: &m.ARN, Name: &m.Name, Status: ptr(StateMachineStatus(status)),
		Definition: &m.Definition, RoleArn: &m.RoleArn, Type: ptr(StateMachineType(m.Type)), CreationDate: &m.Created,
		LoggingConfiguration: m.logging(), TracingConfiguration: &TracingConfiguration{Enabled: &m.Tracing},
		RevisionId: optional(m.Revision)}, nil
}

// optional is nil for "", AWS's absent member.
func optional(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

func (s *Service) describeStateMachineForExecution(_ context.Context, in *DescribeStateMachineForExecutionInput) (*DescribeStateMachineForExecutionOutput, error) {
	e, err := s.executionByARN(deref(in.ExecutionArn))
	if err != nil {
		return nil, err
	}
	m, err := s.loadMachine(e.Machine)
	if err != nil {
		return nil, err
	}
	out := &DescribeStateMachineForExecutionOutput{StateMachineArn: &e.MachineARN, Name: &e.Machine, Definition: &e.Definition,
		RoleArn: &e.RoleArn, UpdateDate: &e.Start, RevisionId: optional(e.Revision)}
	if m != nil {
		out.LoggingConfiguration = m.logging()
		out.TracingConfiguration = &TracingConfiguration{Enabled: &m.Tracing}
		if m.Definition == e.Definition {
			out.UpdateDate = &m.Updated
		}
	}
	return out, nil
}

func (s *Service) listStateMachines(_ context.Context, in *ListStateMachinesInput) (*ListStateMachinesOutput, error) {
	var all []machine
	if err := scan[machine](s.store, base("machine"), func(m *machine) bool { all = append(all, *m); return true }); err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	from, to, next, err := page(len(all), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &ListStateMachinesOutput{StateMachines: []StateMachineListItem{}, NextToken: next}
	for _, m := range all[from:to] {
		out.StateMachines = append(out.StateMachines, StateMachineListItem{StateMachineArn: ptr(m.ARN), Name: ptr(m.Name),
			Type: ptr(StateMachineType(m.Type)), CreationDate: ptr(m.Created)})
	}
	return out, nil
}

func (s *Service) updateStateMachine(ctx context.Context, in *UpdateStateMachineInput) (*UpdateStateMachineOutput, error) {
	if in.Definition == nil && in.RoleArn == nil && in.LoggingConfiguration == nil && in.TracingConfiguration == nil {
		return nil, ErrValidation.WithMessage("Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")
	}
	if in.VersionDescription != nil && !deref(in.Publish) {
		return nil, errVersionDescription
	}
	if in.Definition != nil {
		if _, err := asl.Parse(*in.Definition); err != nil {
			return nil, definitionError(err)
		}
	}
	if err := checkLogging(in.LoggingConfiguration); err != nil {
		return nil, err
	}
	if in.RoleArn != nil {
		if err := s.checkTrust(ctx, *in.RoleArn); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.machineByARN(deref(in.StateMachineArn))
	if err != nil {
		return nil, err
	}
	if m.Status == statusDeleting {
		return nil, machineDeleting(m.ARN)
	}
	before := *m
	if in.Definition != nil {
		m.Definition = *in.Definition
	}
	if in.RoleArn != nil {
		m.RoleArn = *in.RoleArn
	}
	if in.LoggingConfiguration != nil {
		m.Logging, _ = json.Marshal(in.LoggingConfiguration)
	}
	if in.TracingConfiguration != nil {
		m.Tracing = deref(in.TracingConfiguration.Enabled)
	}
	// A change makes a new revision; an update that changes nothing
	// keeps the revision (and publishing it again answers its version).
	if m.Definition != before.Definition || m.RoleArn != before.RoleArn || string(m.Logging) != string(before.Logging) || m.Tracing != before.Tracing {
		m.Revision = s.ids.UUID()
	}
	m.Updated = s.clock.Now()
	if err := s.put(machineKey(m.Name), m); err != nil {
		return nil, err
	}
	out := &UpdateStateMachineOutput{UpdateDate: &m.Updated, RevisionId: optional(m.Revision)}
	if deref(in.Publish) {
		v, err := s.publishLocked(m, nil, deref(in.VersionDescription))
		if err != nil {
			return nil, err
		}
		out.StateMachineVersionArn = ptr(s.versionARN(m.Name, v.Number))
	}
	return out, nil
}

func (s *Service) deleteStateMachine(_ context.Context, in *DeleteStateMachineInput) (*DeleteStateMachineOutput, error) {
	arn := deref(in.StateMachineArn)
	name, ok := machineName(arn)
	if !ok {
		return nil, invalidARN(arn)
	}
	// The machine is DELETING while its running executions stop: under
	// s.mu, so that no StartExecution slips in after the running ones
	// are collected (StartExecution refuses a DELETING machine).
	s.mu.Lock()
	m, err := s.loadMachine(name)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if m != nil && m.Status != statusDeleting {
		m.Status = statusDeleting
		if err := s.put(machineKey(name), m); err != nil {
			s.mu.Unlock()
			return nil, err
		}
	}
	var stops []*run
	for _, r := range s.running {
		if r.exec.Machine == name {
			stops = append(stops, r)
		}
	}
	s.mu.Unlock()
	for _, r := range stops {
		r.abort(s, "", "")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return &DeleteStateMachineOutput{}, s.deleteMachineData(name)
}
