package iam

import (
	"context"
	"sort"
)

// Inline policies are embedded in one role or user and live and die with
// it (see principal in store.go).

func (p *principal) putInline(name, doc string) {
	if p.Inline == nil {
		p.Inline = map[string]string{}
	}
	p.Inline[name] = doc
}

// inlineNames returns the principal's inline policy names in order.
func (p *principal) inlineNames() []string {
	names := make([]string, 0, len(p.Inline))
	for n := range p.Inline {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Service) putRolePolicy(ctx context.Context, in *PutRolePolicyRequest) (*noOutput, error) {
	if err := checkPolicyDocument(*in.PolicyDocument, false); err != nil {
		return nil, err
	}
	_, err := s.updateRoleWith(*in.RoleName, func(r *roleRecord) error {
		if err := r.checkInlineSize(*in.PolicyName, *in.PolicyDocument, maxRoleInlineSize, "role", r.Name); err != nil {
			return err
		}
		r.putInline(*in.PolicyName, *in.PolicyDocument)
		return nil
	})
	return nil, err
}

func (s *Service) getRolePolicy(ctx context.Context, in *GetRolePolicyRequest) (*GetRolePolicyResponse, error) {
	r, err := s.role(*in.RoleName)
	if err != nil {
		return nil, err
	}
	doc, ok := r.Inline[*in.PolicyName]
	if !ok {
		return nil, ErrNoSuchEntity.Withf("The role policy with name %s cannot be found.", *in.PolicyName)
	}
	return &GetRolePolicyResponse{RoleName: ptr(r.Name), PolicyName: in.PolicyName, PolicyDocument: encodeDocument(doc)}, nil
}

func (s *Service) deleteRolePolicy(ctx context.Context, in *DeleteRolePolicyRequest) (*noOutput, error) {
	_, err := s.updateRoleWith(*in.RoleName, func(r *roleRecord) error {
		if _, ok := r.Inline[*in.PolicyName]; !ok {
			return ErrNoSuchEntity.Withf("The role policy with name %s cannot be found.", *in.PolicyName)
		}
		delete(r.Inline, *in.PolicyName)
		return nil
	})
	return nil, err
}

func (s *Service) listRolePolicies(ctx context.Context, in *ListRolePoliciesRequest) (*ListRolePoliciesResponse, error) {
	r, err := s.role(*in.RoleName)
	if err != nil {
		return nil, err
	}
	got, truncated, marker := page(r.inlineNames(), func(n string) string { return n }, in.Marker, in.MaxItems)
	return &ListRolePoliciesResponse{PolicyNames: got, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) putUserPolicy(ctx context.Context, in *PutUserPolicyRequest) (*noOutput, error) {
	if err := checkPolicyDocument(*in.PolicyDocument, false); err != nil {
		return nil, err
	}
	_, err := s.updateUserWith(*in.UserName, func(u *userRecord) error {
		if err := u.checkInlineSize(*in.PolicyName, *in.PolicyDocument, maxUserInlineSize, "user", u.Name); err != nil {
			return err
		}
		u.putInline(*in.PolicyName, *in.PolicyDocument)
		return nil
	})
	return nil, err
}

func (s *Service) getUserPolicy(ctx context.Context, in *GetUserPolicyRequest) (*GetUserPolicyResponse, error) {
	u, err := s.user(*in.UserName)
	if err != nil {
		return nil, err
	}
	doc, ok := u.Inline[*in.PolicyName]
	if !ok {
		return nil, ErrNoSuchEntity.Withf("The user policy with name %s cannot be found.", *in.PolicyName)
	}
	return &GetUserPolicyResponse{UserName: ptr(u.Name), PolicyName: in.PolicyName, PolicyDocument: encodeDocument(doc)}, nil
}

func (s *Service) deleteUserPolicy(ctx context.Context, in *DeleteUserPolicyRequest) (*noOutput, error) {
	_, err := s.updateUserWith(*in.UserName, func(u *userRecord) error {
		if _, ok := u.Inline[*in.PolicyName]; !ok {
			return ErrNoSuchEntity.Withf("The user policy with name %s cannot be found.", *in.PolicyName)
		}
		delete(u.Inline, *in.PolicyName)
		return nil
	})
	return nil, err
}

func (s *Service) listUserPolicies(ctx context.Context, in *ListUserPoliciesRequest) (*ListUserPoliciesResponse, error) {
	u, err := s.user(*in.UserName)
	if err != nil {
		return nil, err
	}
	got, truncated, marker := page(u.inlineNames(), func(n string) string { return n }, in.Marker, in.MaxItems)
	return &ListUserPoliciesResponse{PolicyNames: got, IsTruncated: truncated, Marker: marker}, nil
}
