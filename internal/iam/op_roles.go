package iam

import (
	"context"
	"sort"
	"strings"
)

// noOutput answers operations whose model gives no output.
type noOutput struct{}

func (s *Service) roleOut(r *roleRecord, withTags bool) Role {
	out := Role{
		Path:                     ptr(r.Path),
		RoleName:                 ptr(r.Name),
		RoleId:                   ptr(r.ID),
		Arn:                      ptr(s.arn("role", r.Path, r.Name)),
		CreateDate:               ptr(r.Created),
		AssumeRolePolicyDocument: encodeDocument(r.TrustPolicy),
		Description:              r.Description,
		MaxSessionDuration:       ptr(r.MaxSession),
	}
	if r.Boundary != "" {
		out.PermissionsBoundary = &AttachedPermissionsBoundary{
			PermissionsBoundaryType: ptr("Policy"), PermissionsBoundaryArn: ptr(r.Boundary)}
	}
	if withTags {
		out.Tags = tagsOut(r.Tags)
	}
	return out
}

func (s *Service) createRole(ctx context.Context, in *CreateRoleRequest) (*CreateRoleResponse, error) {
	if err := checkPolicyDocument(*in.AssumeRolePolicyDocument, false); err != nil {
		return nil, err
	}
	if err := checkTrustPolicySize(*in.AssumeRolePolicyDocument); err != nil {
		return nil, err
	}
	if len(in.Tags) > maxTagsPerEntity {
		return nil, tooManyTags()
	}
	r := &roleRecord{
		Name:        *in.RoleName,
		Path:        pathOr(in.Path),
		ID:          s.ids.UniqueID(rolePrefix),
		Created:     s.clock.Now().UTC().Truncate(1e9),
		TrustPolicy: *in.AssumeRolePolicyDocument,
		Description: in.Description,
		MaxSession:  defaultMaxSessionDuration,
		Boundary:    deref(in.PermissionsBoundary),
		Tags:        mergeTags(nil, in.Tags),
	}
	if in.MaxSessionDuration != nil {
		r.MaxSession = *in.MaxSessionDuration
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Boundary != "" {
		if err := s.checkBoundary(r.Boundary); err != nil {
			return nil, err
		}
	}
	var have roleRecord
	if ok, err := s.get(kindRole, r.Name, &have); err != nil {
		return nil, err
	} else if ok {
		return nil, ErrEntityAlreadyExists.Withf("Role with name %s already exists.", r.Name)
	}
	if err := s.commit(new(change).put(kindRole, r.Name, r)); err != nil {
		return nil, err
	}
	out := s.roleOut(r, true)
	return &CreateRoleResponse{Role: &out}, nil
}

// checkBoundary checks that a permissions boundary names a managed policy.
func (s *Service) checkBoundary(arn string) error {
	if _, _, err := s.managedPolicy(arn); err != nil {
		return ErrInvalidInput.Withf("ARN %s is not valid.", arn)
	}
	return nil
}

func (s *Service) getRole(ctx context.Context, in *GetRoleRequest) (*GetRoleResponse, error) {
	r, err := s.role(*in.RoleName)
	if err != nil {
		return nil, err
	}
	out := s.roleOut(r, true)
	out.RoleLastUsed = &RoleLastUsed{}
	return &GetRoleResponse{Role: &out}, nil
}

func (s *Service) listRoles(ctx context.Context, in *ListRolesRequest) (*ListRolesResponse, error) {
	roles, err := all[roleRecord](s, kindRole)
	if err != nil {
		return nil, err
	}
	var match []*roleRecord
	for _, r := range roles {
		if hasPathPrefix(r.Path, in.PathPrefix) {
			match = append(match, r)
		}
	}
	got, truncated, marker := page(match, func(r *roleRecord) string { return strings.ToLower(r.Name) }, in.Marker, in.MaxItems)
	out := &ListRolesResponse{Roles: []Role{}, IsTruncated: truncated, Marker: marker}
	for _, r := range got {
		out.Roles = append(out.Roles, s.roleOut(r, false))
	}
	return out, nil
}

func (s *Service) deleteRole(ctx context.Context, in *DeleteRoleRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.role(*in.RoleName)
	if err != nil {
		return nil, err
	}
	if isServiceLinked(r) {
		return nil, ErrUnmodifiableEntity.Withf("Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", r.Name)
	}
	if len(r.Attached) > 0 {
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must detach all policies first.")
	}
	if len(r.Inline) > 0 {
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must delete policies first.")
	}
	profiles, err := s.profilesOf(r.Name)
	if err != nil {
		return nil, err
	}
	if len(profiles) > 0 {
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must remove roles from instance profile first.")
	}
	return nil, s.commit(new(change).del(kindRole, r.Name))
}

// updateRoleWith applies f to a role and stores it.
func (s *Service) updateRoleWith(name string, f func(*roleRecord) error) (*roleRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.role(name)
	if err != nil {
		return nil, err
	}
	if err := f(r); err != nil {
		return nil, err
	}
	return r, s.commit(new(change).put(kindRole, r.Name, r))
}

func (s *Service) updateRole(ctx context.Context, in *UpdateRoleRequest) (*UpdateRoleResponse, error) {
	_, err := s.updateRoleWith(*in.RoleName, func(r *roleRecord) error {
		if in.Description != nil {
			r.Description = in.Description
		}
		if in.MaxSessionDuration != nil {
			r.MaxSession = *in.MaxSessionDuration
		}
		return nil
	})
	return &UpdateRoleResponse{}, err
}

func (s *Service) updateRoleDescription(ctx context.Context, in *UpdateRoleDescriptionRequest) (*UpdateRoleDescriptionResponse, error) {
	r, err := s.updateRoleWith(*in.RoleName, func(r *roleRecord) error {
		r.Description = in.Description
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := s.roleOut(r, true)
	return &UpdateRoleDescriptionResponse{Role: &out}, nil
}

func (s *Service) updateAssumeRolePolicy(ctx context.Context, in *UpdateAssumeRolePolicyRequest) (*noOutput, error) {
	if err := checkPolicyDocument(*in.PolicyDocument, false); err != nil {
		return nil, err
	}
	if err := checkTrustPolicySize(*in.PolicyDocument); err != nil {
		return nil, err
	}
	_, err := s.updateRoleWith(*in.RoleName, func(r *roleRecord) error {
		r.TrustPolicy = *in.PolicyDocument
		return nil
	})
	return nil, err
}

func (s *Service) tagRole(ctx context.Context, in *TagRoleRequest) (*noOutput, error) {
	_, err := s.updateRoleWith(*in.RoleName, func(r *roleRecord) error {
		tags := mergeTags(append([]tagRecord(nil), r.Tags...), in.Tags)
		if len(tags) > maxTagsPerEntity {
			return tooManyTags()
		}
		r.Tags = tags
		return nil
	})
	return nil, err
}

func (s *Service) untagRole(ctx context.Context, in *UntagRoleRequest) (*noOutput, error) {
	_, err := s.updateRoleWith(*in.RoleName, func(r *roleRecord) error {
		r.Tags = removeTags(r.Tags, in.TagKeys)
		return nil
	})
	return nil, err
}

func (s *Service) listRoleTags(ctx context.Context, in *ListRoleTagsRequest) (*ListRoleTagsResponse, error) {
	r, err := s.role(*in.RoleName)
	if err != nil {
		return nil, err
	}
	got, truncated, marker := pageTags(r.Tags, in.Marker, in.MaxItems)
	return &ListRoleTagsResponse{Tags: got, IsTruncated: truncated, Marker: marker}, nil
}

// pageTags is a page of an entity's tags, in key order.
func pageTags(have []tagRecord, marker *string, maxItems *int32) ([]Tag, *bool, *string) {
	tags := append([]tagRecord(nil), have...)
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	got, truncated, next := page(tags, func(t tagRecord) string { return t.Key }, marker, maxItems)
	out := tagsOut(got)
	if out == nil {
		out = []Tag{}
	}
	return out, truncated, next
}

func (s *Service) putRolePermissionsBoundary(ctx context.Context, in *PutRolePermissionsBoundaryRequest) (*noOutput, error) {
	_, err := s.updateRoleWith(*in.RoleName, func(r *roleRecord) error {
		if err := s.checkBoundary(*in.PermissionsBoundary); err != nil {
			return err
		}
		r.Boundary = *in.PermissionsBoundary
		return nil
	})
	return nil, err
}

func (s *Service) deleteRolePermissionsBoundary(ctx context.Context, in *DeleteRolePermissionsBoundaryRequest) (*noOutput, error) {
	_, err := s.updateRoleWith(*in.RoleName, func(r *roleRecord) error {
		r.Boundary = ""
		return nil
	})
	return nil, err
}
