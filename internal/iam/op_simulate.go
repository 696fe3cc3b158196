package iam

import (
	"context"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/iam/policy"
)

// Policy simulation weighs policies with the evaluator --auth iam
// enforces them with (package policy), so that what the simulator
// answers is what virga does.

// Policy source types, as MatchedStatements' SourcePolicyType names them.
const (
	sourceUser        = "user"
	sourceGroup       = "group"
	sourceRole        = "role"
	sourceAWSManaged  = "aws-managed"
	sourceUserManaged = "user-managed"
	sourceResource    = "resource"
	sourceNone        = "none"
)

// simulation is what one simulation weighs: policies and where each
// came from.
type simulation struct {
	identity []*policy.Policy
	boundary *policy.Policy
	resource *policy.Policy
	sources  map[*policy.Policy]Statement // SourcePolicyId and SourcePolicyType
	caller   string                       // the principal ARN resource policies see
}

func (sim *simulation) add(p *policy.Policy, id, typ string) *policy.Policy {
	if sim.sources == nil {
		sim.sources = map[*policy.Policy]Statement{}
	}
	sim.sources[p] = Statement{SourcePolicyId: ptr(id), SourcePolicyType: ptr(typ)}
	return p
}

// parseSimulated parses a document given to a simulation, named by the
// request parameter that carried it; IAM refuses a malformed one as
// InvalidInput.
func parseSimulated(doc, param string) (*policy.Policy, error) {
	if err := checkPolicyDocument(doc, false); err != nil {
		return nil, ErrInvalidInput.Withf("%s: %s", param, apierr.As(err).Message)
	}
	p, err := policy.Parse(doc)
	if err != nil {
		return nil, ErrInvalidInput.Withf("%s: Syntax errors in policy.", param)
	}
	return p, nil
}

// addInputs adds the documents the request gave.
func (sim *simulation) addInputs(inputs, boundaries []string, resourcePolicy *string) error {
	for i, doc := range inputs {
		id := "PolicyInputList." + strconv.Itoa(i+1)
		p, err := parseSimulated(doc, id)
		if err != nil {
			return err
		}
		sim.identity = append(sim.identity, sim.add(p, id, sourceNone))
	}
	if len(boundaries) > 0 {
		// The boundary given replaces the principal's; several given
		// together bound as one.
		merged := &policy.Policy{}
		for i, doc := range boundaries {
			id := "PermissionsBoundaryPolicyInputList." + strconv.Itoa(i+1)
			p, err := parseSimulated(doc, id)
			if err != nil {
				return err
			}
			merged.Statements = append(merged.Statements, p.Statements...)
		}
		sim.boundary = merged
	}
	if resourcePolicy != nil {
		p, err := parseSimulated(*resourcePolicy, "ResourcePolicy")
		if err != nil {
			return err
		}
		sim.resource = sim.add(p, "ResourcePolicy", sourceResource)
	}
	return nil
}

// addPrincipal adds the policies of the user, group or role arn names:
// its inline and attached policies, its groups' for a user, and its
// permissions boundary.
func (s *Service) addPrincipal(sim *simulation, arn string) error {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::"+s.account+":")
	kind, _, _ := strings.Cut(rest, "/")
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	if !ok || name == "" {
		return ErrInvalidInput.Withf("Invalid ARN: %s", arn)
	}
	sim.caller = arn
	switch kind {
	case "user":
		u, err := s.user(name)
		if err != nil {
			return err
		}
		if err := s.addSimulated(sim, &u.principal, sourceUser, u.Boundary); err != nil {
			return err
		}
		groups, err := s.groupsOf(u.Name)
		if err != nil {
			return err
		}
		for _, g := range groups {
			if err := s.addSimulated(sim, &g.principal, sourceGroup, ""); err != nil {
				return err
			}
		}
		return nil
	case "group":
		g, err := s.group(name)
		if err != nil {
			return err
		}
		return s.addSimulated(sim, &g.principal, sourceGroup, "")
	case "role":
		r, err := s.role(name)
		if err != nil {
			return err
		}
		return s.addSimulated(sim, &r.principal, sourceRole, r.Boundary)
	}
	return ErrInvalidInput.Withf("Invalid ARN: %s", arn)
}

// addSimulated adds one principal's inline (of source type typ) and
// attached policies, and its boundary unless the request gave one.
func (s *Service) addSimulated(sim *simulation, pr *principal, typ, boundary string) error {
	err := s.eachPolicy(pr, func(p *policy.Policy, name, managed string) {
		source := typ
		if managed != "" {
			source = managed
		}
		sim.identity = append(sim.identity, sim.add(p, name, source))
	})
	if err != nil || boundary == "" || sim.boundary != nil {
		return err
	}
	sim.boundary, err = s.boundaryDocument(boundary)
	return err
}

// contextOf is a simulation's request context: the entries given, keys
// lower-cased as the evaluator wants them.
func contextOf(entries []ContextEntry) map[string][]string {
	ctx := make(map[string][]string, len(entries))
	for _, e := range entries {
		if e.ContextKeyName == nil {
			continue
		}
		k := strings.ToLower(*e.ContextKeyName)
		ctx[k] = append(ctx[k], e.ContextKeyValues...)
	}
	return ctx
}

// run simulates every action on every resource ("*" when none is given)
// and pages the results.
func (s *Service) run(sim *simulation, actions, resources []string, entries []ContextEntry, marker *string, maxItems *int32) (*SimulatePolicyResponse, error) {
	ctx := contextOf(entries)
	specific := len(resources) > 0
	if !specific {
		resources = []string{"*"}
	}
	var results []EvaluationResult
	for _, action := range actions {
		for _, res := range resources {
			results = append(results, sim.evaluate(action, res, ctx, specific))
		}
	}
	results, truncated, next, err := pageAt(results, marker, maxItems)
	if err != nil {
		return nil, err
	}
	if results == nil {
		results = []EvaluationResult{}
	}
	return &SimulatePolicyResponse{EvaluationResults: results, IsTruncated: truncated, Marker: next}, nil
}

// evaluate simulates one action on one resource.
func (sim *simulation) evaluate(action, res string, ctx map[string][]string, specific bool) EvaluationResult {
	in := policy.Input{
		Request: policy.Request{Action: action, Resource: res, Context: ctx,
			Principal: policy.Principal{ARN: sim.caller, Account: accountOf(sim.caller)}},
		Identity: sim.identity,
		Boundary: sim.boundary,
	}
	if sim.resource != nil {
		in.Resource = []*policy.Policy{sim.resource}
	}
	x := policy.Explain(&in)
	decision := "implicitDeny"
	switch {
	case x.Allowed:
		decision = "allowed"
	case x.Explicit:
		decision = "explicitDeny"
	}
	matched := make([]Statement, 0, len(x.Matched))
	for _, m := range x.Matched {
		st := sim.sources[m.Policy]
		if m.Statement.Start.Line > 0 {
			st.StartPosition = &Position{Line: ptr(int32(m.Statement.Start.Line)), Column: ptr(int32(m.Statement.Start.Column))}
			st.EndPosition = &Position{Line: ptr(int32(m.Statement.End.Line)), Column: ptr(int32(m.Statement.End.Column))}
		}
		matched = append(matched, st)
	}
	missing := x.Missing
	if missing == nil {
		missing = []string{}
	}
	r := EvaluationResult{
		EvalActionName:       ptr(action),
		EvalResourceName:     ptr(res),
		EvalDecision:         ptr(decision),
		MatchedStatements:    matched,
		MissingContextValues: missing,
	}
	if sim.boundary != nil {
		r.PermissionsBoundaryDecisionDetail = &PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: ptr(x.BoundaryAllows)}
	}
	if specific {
		r.ResourceSpecificResults = []ResourceSpecificResult{{
			EvalResourceName:                  ptr(res),
			EvalResourceDecision:              ptr(decision),
			MatchedStatements:                 matched,
			MissingContextValues:              missing,
			PermissionsBoundaryDecisionDetail: r.PermissionsBoundaryDecisionDetail,
		}}
	}
	return r
}

// accountOf is the account of an ARN, empty when it names none.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func (s *Service) simulatePrincipalPolicy(ctx context.Context, in *SimulatePrincipalPolicyRequest) (*SimulatePolicyResponse, error) {
	sim := &simulation{}
	if err := sim.addInputs(in.PolicyInputList, in.PermissionsBoundaryPolicyInputList, in.ResourcePolicy); err != nil {
		return nil, err
	}
	if err := s.addPrincipal(sim, *in.PolicySourceArn); err != nil {
		return nil, err
	}
	if in.CallerArn != nil {
		sim.caller = *in.CallerArn
	}
	return s.run(sim, in.ActionNames, in.ResourceArns, in.ContextEntries, in.Marker, in.MaxItems)
}

func (s *Service) simulateCustomPolicy(ctx context.Context, in *SimulateCustomPolicyRequest) (*SimulatePolicyResponse, error) {
	sim := &simulation{}
	if err := sim.addInputs(in.PolicyInputList, in.PermissionsBoundaryPolicyInputList, in.ResourcePolicy); err != nil {
		return nil, err
	}
	if in.CallerArn != nil {
		sim.caller = *in.CallerArn
	}
	return s.run(sim, in.ActionNames, in.ResourceArns, in.ContextEntries, in.Marker, in.MaxItems)
}
