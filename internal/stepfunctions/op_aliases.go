package stepfunctions

import (
	"context"
	"fmt"
	"regexp"
	"slices"
)

// maxAliases is "You can create up to 100 aliases for each state
// machine."
const maxAliases = 100

// aliasName is CharacterRestrictedName: letters, digits, "_", "-" and
// ".", with at least one character that is not a digit, so that an
// alias never looks like a version number.
var (
	aliasChars    = regexp.MustCompile(`^[a-zA-Z0-9_\-.]+$`)
	aliasNonDigit = regexp.MustCompile(`[a-zA-Z_\-.]`)
)

const aliasPattern = `^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$`

// routes checks a routing configuration: version ARNs of one machine,
// distinct, existing, whose weights sum to 100.
func (s *Service) routes(cfg []RoutingConfigurationListItem) (string, []route, error) {
	var arns []string
	var weights []string
	for _, c := range cfg {
		arns = append(arns, deref(c.StateMachineVersionArn))
		weights = append(weights, fmt.Sprint(deref(c.Weight)))
	}
	machine := ""
	var out []route
	sum := int32(0)
	for i, c := range cfg {
		name, q, ok := qualifiedName(arns[i])
		n, isVersion := versionNumber(q)
		if !ok || !isVersion {
			return "", nil, ErrValidation.WithMessage("Routing configuration must contain state machine version ARNs. Received: [" + joinList(arns) + "]")
		}
		if machine != "" && name != machine {
			return "", nil, ErrValidation.WithMessage("Routing configuration must contain state machine versions of the same state machine. Received: [" + joinList(arns) + "]")
		}
		machine = name
		if slices.ContainsFunc(out, func(r route) bool { return r.Version == n }) {
			return "", nil, ErrValidation.WithMessage("Routing configuration must contain distinct state machine version ARNs. Received: [" + joinList(arns) + "]")
		}
		out = append(out, route{Version: n, Weight: deref(c.Weight)})
		sum += deref(c.Weight)
	}
	if sum != 100 {
		return "", nil, ErrValidation.WithMessage("Sum of routing configuration weights must equal 100. Received: [" + joinList(weights) + "]")
	}
	for i, r := range out {
		v, err := s.loadVersion(machine, r.Version)
		if err != nil {
			return "", nil, err
		}
		if v == nil {
			return "", nil, machineNotFound(arns[i])
		}
	}
	return machine, out, nil
}

func (s *Service) createStateMachineAlias(_ context.Context, in *CreateStateMachineAliasInput) (*CreateStateMachineAliasOutput, error) {
	name := deref(in.Name)
	if !aliasChars.MatchString(name) || !aliasNonDigit.MatchString(name) {
		return nil, ErrValidation.WithMessage("1 validation error detected: Value '" + name + "' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: " + aliasPattern)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	machine, routes, err := s.routes(in.RoutingConfiguration)
	if err != nil {
		return nil, err
	}
	m, err := s.loadMachine(machine)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, machineNotFound(s.machineARN(machine))
	}
	if m.Status == statusDeleting {
		return nil, machineDeleting(m.ARN)
	}
	arn := s.machineARN(machine) + ":" + name
	old, err := getJSON[alias](s.store, aliasKey(machine, name))
	if err != nil {
		return nil, err
	}
	if old != nil {
		// Idempotent for the same description and routing.
		if old.Description == deref(in.Description) && slices.Equal(old.Routes, routes) {
			return &CreateStateMachineAliasOutput{StateMachineAliasArn: &arn, CreationDate: ptr(old.Created)}, nil
		}
		return nil, ErrConflict.WithMessage("Failed to create alias because an alias with the same name and a different routing configuration already exists.")
	}
	count := 0
	if err := scan[alias](s.store, aliasPrefix(machine), func(*alias) bool { count++; return true }); err != nil {
		return nil, err
	}
	if count >= maxAliases {
		return nil, ErrServiceQuotaExceeded.WithMessage(fmt.Sprintf("Maximum number of aliases (%d) reached for state machine '%s'", maxAliases, m.ARN))
	}
	now := s.clock.Now()
	a := &alias{Name: name, Description: deref(in.Description), Routes: routes, Created: now, Updated: now}
	if err := s.put(aliasKey(machine, name), a); err != nil {
		return nil, err
	}
	return &CreateStateMachineAliasOutput{StateMachineAliasArn: &arn, CreationDate: &now}, nil
}

// aliasByARN loads the alias an alias ARN names.
func (s *Service) aliasByARN(arn string) (string, *alias, error) {
	machine, q, ok := qualifiedName(arn)
	if _, isVersion := versionNumber(q); !ok || q == "" || isVersion {
		return "", nil, invalidARN(arn)
	}
	a, err := getJSON[alias](s.store, aliasKey(machine, q))
	if err != nil {
		return "", nil, err
	}
	if a == nil {
		return "", nil, resourceNotFound()
	}
	return machine, a, nil
}

func (s *Service) routingShape(machine string, rs []route) []RoutingConfigurationListItem {
	out := []RoutingConfigurationListItem{}
	for _, r := range rs {
		out = append(out, RoutingConfigurationListItem{StateMachineVersionArn: ptr(s.versionARN(machine, r.Version)), Weight: ptr(r.Weight)})
	}
	return out
}

func (s *Service) describeStateMachineAlias(_ context.Context, in *DescribeStateMachineAliasInput) (*DescribeStateMachineAliasOutput, error) {
	machine, a, err := s.aliasByARN(deref(in.StateMachineAliasArn))
	if err != nil {
		return nil, err
	}
	out := &DescribeStateMachineAliasOutput{StateMachineAliasArn: ptr(s.machineARN(machine) + ":" + a.Name), Name: &a.Name,
		RoutingConfiguration: s.routingShape(machine, a.Routes), CreationDate: &a.Created, UpdateDate: &a.Updated}
	if a.Description != "" {
		out.Description = &a.Description
	}
	return out, nil
}

func (s *Service) updateStateMachineAlias(_ context.Context, in *UpdateStateMachineAliasInput) (*UpdateStateMachineAliasOutput, error) {
	if in.Description == nil && in.RoutingConfiguration == nil {
		return nil, ErrValidation.WithMessage("Either the description or the routing configuration must be specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	machine, a, err := s.aliasByARN(deref(in.StateMachineAliasArn))
	if err != nil {
		return nil, err
	}
	if in.RoutingConfiguration != nil {
		m, routes, err := s.routes(in.RoutingConfiguration)
		if err != nil {
			return nil, err
		}
		if m != machine {
			return nil, ErrValidation.WithMessage("Routing configuration must contain state machine versions of the same state machine as the alias")
		}
		a.Routes = routes
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	a.Updated = s.clock.Now()
	if err := s.put(aliasKey(machine, a.Name), a); err != nil {
		return nil, err
	}
	return &UpdateStateMachineAliasOutput{UpdateDate: &a.Updated}, nil
}

func (s *Service) listStateMachineAliases(_ context.Context, in *ListStateMachineAliasesInput) (*ListStateMachineAliasesOutput, error) {
	arn := deref(in.StateMachineArn)
	machine, q, ok := qualifiedName(arn)
	n, isVersion := versionNumber(q)
	if !ok || (q != "" && !isVersion) {
		return nil, invalidARN(arn)
	}
	m, err := s.loadMachine(machine)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, machineNotFound(arn)
	}
	if isVersion {
		if v, err := s.loadVersion(machine, n); err != nil || v == nil {
			if err == nil {
				err = machineNotFound(arn)
			}
			return nil, err
		}
	}
	var all []alias
	if err := scan[alias](s.store, aliasPrefix(machine), func(a *alias) bool {
		// A version ARN lists the aliases that route to it.
		if !isVersion || slices.ContainsFunc(a.Routes, func(r route) bool { return r.Version == n }) {
			all = append(all, *a)
		}
		return true
	}); err != nil {
		return nil, err
	}
	from, to, next, err := page(len(all), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &ListStateMachineAliasesOutput{StateMachineAliases: []StateMachineAliasListItem{}, NextToken: next}
	for _, a := range all[from:to] {
		out.StateMachineAliases = append(out.StateMachineAliases, StateMachineAliasListItem{
			StateMachineAliasArn: ptr(s.machineARN(machine) + ":" + a.Name), CreationDate: ptr(a.Created)})
	}
	return out, nil
}

// deleteStateMachineAlias deletes an alias; one that does not exist is
// deleted already. Its versions stay.
func (s *Service) deleteStateMachineAlias(_ context.Context, in *DeleteStateMachineAliasInput) (*DeleteStateMachineAliasOutput, error) {
	arn := deref(in.StateMachineAliasArn)
	machine, q, ok := qualifiedName(arn)
	if _, isVersion := versionNumber(q); !ok || q == "" || isVersion {
		return nil, invalidARN(arn)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(aliasKey(machine, q))
	return &DeleteStateMachineAliasOutput{}, b.Commit()
}
