package stepfunctions

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
)

// maxVersions is "You can publish up to 1000 versions for each state
// machine."
const maxVersions = 1000

// errVersionDescription is UpdateStateMachine's and CreateStateMachine's
// answer to a versionDescription without publish.
var errVersionDescription = ErrValidation.WithMessage("Version description can only be set when publish is true")

func (s *Service) loadVersion(machine string, n int64) (*version, error) {
	return getJSON[version](s.store, versionKey(machine, n))
}

// versions are a machine's versions, newest first.
func (s *Service) versions(machine string) ([]version, error) {
	var all []version
	if err := scan[version](s.store, versionPrefix(machine), func(v *version) bool { all = append(all, *v); return true }); err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Number > all[j].Number })
	return all, nil
}

// publishLocked publishes the machine's current revision as a version;
// s.mu is held. A revision already published answers its latest
// version, as PublishStateMachineVersion is idempotent; revisionId, when
// given, must be the machine's current one ("INITIAL" for a machine
// never changed).
func (s *Service) publishLocked(m *machine, revisionID *string, description string) (*version, error) {
	if revisionID != nil {
		want := *revisionID
		if want == "INITIAL" {
			want = ""
		}
		if want != m.Revision {
			cur := m.Revision
			if cur == "" {
				cur = "INITIAL"
			}
			return nil, ErrConflict.WithMessage("Failed to publish the State Machine version for revision " + *revisionID +
				". The current State Machine revision is " + cur + ".")
		}
	}
	all, err := s.versions(m.Name)
	if err != nil {
		return nil, err
	}
	for _, v := range all {
		if v.Revision == m.Revision && v.Definition == m.Definition && v.RoleArn == m.RoleArn {
			return &v, nil
		}
	}
	if len(all) >= maxVersions {
		return nil, ErrServiceQuotaExceeded.WithMessage("Maximum number of versions (" + strconv.Itoa(maxVersions) + ") reached for state machine '" + m.ARN + "'")
	}
	m.LastVersion++
	v := &version{Number: m.LastVersion, Definition: m.Definition, RoleArn: m.RoleArn, Type: m.Type, Revision: m.Revision,
		Description: description, Created: s.clock.Now(), Logging: m.Logging, Tracing: m.Tracing}
	if err := s.put(versionKey(m.Name, v.Number), v, machineKey(m.Name), m); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Service) publishStateMachineVersion(_ context.Context, in *PublishStateMachineVersionInput) (*PublishStateMachineVersionOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.machineByARN(deref(in.StateMachineArn))
	if err != nil {
		return nil, err
	}
	if m.Status == statusDeleting {
		return nil, machineDeleting(m.ARN)
	}
	v, err := s.publishLocked(m, in.RevisionId, deref(in.Description))
	if err != nil {
		return nil, err
	}
	return &PublishStateMachineVersionOutput{CreationDate: ptr(v.Created), StateMachineVersionArn: ptr(s.versionARN(m.Name, v.Number))}, nil
}

func (s *Service) listStateMachineVersions(_ context.Context, in *ListStateMachineVersionsInput) (*ListStateMachineVersionsOutput, error) {
	m, err := s.machineByARN(deref(in.StateMachineArn))
	if err != nil {
		return nil, err
	}
	all, err := s.versions(m.Name)
	if err != nil {
		return nil, err
	}
	from, to, next, err := page(len(all), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &ListStateMachineVersionsOutput{StateMachineVersions: []StateMachineVersionListItem{}, NextToken: next}
	for _, v := range all[from:to] {
		out.StateMachineVersions = append(out.StateMachineVersions, StateMachineVersionListItem{
			StateMachineVersionArn: ptr(s.versionARN(m.Name, v.Number)), CreationDate: ptr(v.Created)})
	}
	return out, nil
}

// deleteStateMachineVersion deletes a version no alias routes to; a
// version (or machine) that does not exist is deleted already.
func (s *Service) deleteStateMachineVersion(_ context.Context, in *DeleteStateMachineVersionInput) (*DeleteStateMachineVersionOutput, error) {
	arn := deref(in.StateMachineVersionArn)
	name, q, ok := qualifiedName(arn)
	n, isVersion := versionNumber(q)
	if !ok || !isVersion {
		return nil, invalidARN(arn)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var users []string
	if err := scan[alias](s.store, aliasPrefix(name), func(a *alias) bool {
		for _, r := range a.Routes {
			if r.Version == n {
				users = append(users, a.Name)
				break
			}
		}
		return true
	}); err != nil {
		return nil, err
	}
	if len(users) > 0 {
		return nil, ErrConflict.WithMessage("Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [" + joinList(users) + "]")
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(versionKey(name, n))
	return &DeleteStateMachineVersionOutput{}, b.Commit()
}

func joinList(items []string) string {
	out := ""
	for i, it := range items {
		if i > 0 {
			out += ", "
		}
		out += it
	}
	return out
}

// describeVersion is DescribeStateMachine of a version ARN.
func (s *Service) describeVersion(arn, name string, n int64) (*DescribeStateMachineOutput, error) {
	m, err := s.loadMachine(name)
	if err != nil {
		return nil, err
	}
	var v *version
	if m != nil {
		if v, err = s.loadVersion(name, n); err != nil {
			return nil, err
		}
	}
	if v == nil {
		return nil, machineNotFound(arn)
	}
	vm := &machine{Logging: v.Logging}
	out := &DescribeStateMachineOutput{StateMachineArn: ptr(s.versionARN(name, n)), Name: &m.Name, Status: ptr(StateMachineStatus("ACTIVE")),
		Definition: &v.Definition, RoleArn: &v.RoleArn, Type: ptr(StateMachineType(v.Type)), CreationDate: &v.Created,
		LoggingConfiguration: vm.logging(), TracingConfiguration: &TracingConfiguration{Enabled: &v.Tracing}}
	if v.Description != "" {
		out.Description = &v.Description
	}
	if v.Revision != "" {
		out.RevisionId = &v.Revision
	}
	return out, nil
}

// target is what a StartExecution ARN runs: the machine's current
// definition, or a version's, reached directly or through an alias.
type target struct {
	m          *machine
	definition string
	roleArn    string
	versionARN string
	aliasARN   string
	revision   string
	logging    json.RawMessage
}

// resolve finds what a (possibly qualified) state machine ARN runs. An
// alias picks one of its versions at random by weight.
func (s *Service) resolve(arn string, pick func(int32) int32) (*target, error) {
	name, q, ok := qualifiedName(arn)
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
	if q == "" {
		return &target{m: m, definition: m.Definition, roleArn: m.RoleArn, revision: m.Revision, logging: m.Logging}, nil
	}
	t := &target{m: m}
	n, isVersion := versionNumber(q)
	if !isVersion {
		a, err := getJSON[alias](s.store, aliasKey(name, q))
		if err != nil {
			return nil, err
		}
		if a == nil {
			return nil, machineNotFound(arn)
		}
		t.aliasARN = s.machineARN(name) + ":" + a.Name
		n = a.Routes[0].Version
		if len(a.Routes) == 2 && pick(100) >= a.Routes[0].Weight {
			n = a.Routes[1].Version
		}
	}
	v, err := s.loadVersion(name, n)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, machineNotFound(arn)
	}
	t.definition, t.roleArn, t.versionARN, t.revision, t.logging = v.Definition, v.RoleArn, s.versionARN(name, n), v.Revision, v.Logging
	return t, nil
}
