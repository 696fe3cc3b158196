package lambda

import (
	"context"
	"slices"
	"strconv"
)

// The layer version permission operations keep a resource-based policy
// per layer version, rendered as function policies are (see
// op_permissions.go). Like those, they are recorded and shown; enforcing
// them comes with IAM.

// errLayerPolicyPrecondition is PreconditionFailedException as the layer
// policy operations word it.
var errLayerPolicyPrecondition = ErrPreconditionFailed.WithMessage(
	"The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id")

// layerVersionFor returns the layer and version a layer permission
// operation names, under s.mu, or Lambda's ResourceNotFoundException
// naming the layer version's ARN.
func (s *Service) layerVersionFor(layerName string, n int64) (*layer, *layerVersion, string, error) {
	name, ok := s.parseLayerName(layerName)
	arn := layerName + ":" + strconv.FormatInt(n, 10)
	if ok {
		arn = s.layerVersionARN(name, n)
		if l := s.layers[name]; l != nil {
			if v := l.version(n); v != nil {
				return l, v, arn, nil
			}
		}
	}
	return nil, nil, arn, ErrResourceNotFound.Withf("Layer version %s does not exist.", arn)
}

// replaceLayerVersion stores v in place of the version with its number
// and commits it. It runs under s.mu.
func (s *Service) replaceLayerVersion(l *layer, v *layerVersion) error {
	nl := &layer{Name: l.Name, LastVersion: l.LastVersion, Versions: slices.Clone(l.Versions)}
	i := slices.IndexFunc(nl.Versions, func(x *layerVersion) bool { return x.Number == v.Number })
	nl.Versions[i] = v
	w := s.newWrites()
	w.put(layerVersionKey(l.Name, v.Number), v)
	if err := w.commit(); err != nil {
		return err
	}
	s.layers[l.Name] = nl
	return nil
}

// addLayerVersionPermission adds a statement granting
// lambda:GetLayerVersion to an account, an organization or everyone.
func (s *Service) addLayerVersionPermission(ctx context.Context, in *AddLayerVersionPermissionRequest) (*AddLayerVersionPermissionResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, v, arn, err := s.layerVersionFor(*in.LayerName, *in.VersionNumber)
	if err != nil {
		return nil, err
	}
	if in.RevisionId != nil && (v.Policy == nil || *in.RevisionId != v.Policy.RevisionID) {
		return nil, errLayerPolicyPrecondition
	}
	st := policyStatement{
		Sid: *in.StatementId, Effect: "Allow", Principal: principal(*in.Principal),
		Action: *in.Action, Resource: arn,
	}
	st.condition("StringEquals", "aws:PrincipalOrgID", in.OrganizationId)
	p, rendered, err := v.Policy.with(st)
	if err != nil {
		return nil, err
	}
	p.RevisionID = s.ids.UUID()
	nv := *v
	nv.Policy = p
	if err := s.replaceLayerVersion(l, &nv); err != nil {
		return nil, err
	}
	return &AddLayerVersionPermissionResponse{Statement: ptr(string(rendered)), RevisionId: ptr(p.RevisionID)}, nil
}

// getLayerVersionPolicy returns a layer version's policy.
func (s *Service) getLayerVersionPolicy(ctx context.Context, in *GetLayerVersionPolicyRequest) (*GetLayerVersionPolicyResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, v, _, err := s.layerVersionFor(*in.LayerName, *in.VersionNumber)
	if err != nil {
		return nil, err
	}
	if v.Policy == nil {
		return nil, errNoPolicy
	}
	return &GetLayerVersionPolicyResponse{Policy: ptr(renderPolicy(v.Policy)), RevisionId: ptr(v.Policy.RevisionID)}, nil
}

// removeLayerVersionPermission removes a statement from a layer version's
// policy; the policy goes with its last statement.
func (s *Service) removeLayerVersionPermission(ctx context.Context, in *RemoveLayerVersionPermissionRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, v, _, err := s.layerVersionFor(*in.LayerName, *in.VersionNumber)
	if err != nil {
		return nil, err
	}
	if v.Policy == nil {
		return nil, errNoPolicy
	}
	if in.RevisionId != nil && *in.RevisionId != v.Policy.RevisionID {
		return nil, errLayerPolicyPrecondition
	}
	p, ok := v.Policy.without(*in.StatementId)
	if !ok {
		return nil, statementNotFound(*in.StatementId)
	}
	nv := *v
	nv.Policy = nil
	if len(p.Statements) > 0 {
		p.RevisionID = s.ids.UUID()
		nv.Policy = p
	}
	return nil, s.replaceLayerVersion(l, &nv)
}
