package iam

import (
	"context"
	"slices"
	"strings"
)

// maxRolesPerInstanceProfile is the number of roles an instance profile
// can hold ("Roles in an instance profile: 1").
const maxRolesPerInstanceProfile = 1

func (s *Service) profileOut(p *profileRecord) (InstanceProfile, error) {
	out := InstanceProfile{
		Path:                ptr(p.Path),
		InstanceProfileName: ptr(p.Name),
		InstanceProfileId:   ptr(p.ID),
		Arn:                 ptr(s.arn("instance-profile", p.Path, p.Name)),
		CreateDate:          ptr(p.Created),
		Roles:               []Role{},
		Tags:                tagsOut(p.Tags),
	}
	for _, name := range p.Roles {
		r, err := s.role(name)
		if err != nil {
			continue // deleted under the profile: not listed
		}
		out.Roles = append(out.Roles, s.roleOut(r, false))
	}
	return out, nil
}

func (s *Service) createInstanceProfile(ctx context.Context, in *CreateInstanceProfileRequest) (*CreateInstanceProfileResponse, error) {
	p := &profileRecord{
		Name:    *in.InstanceProfileName,
		Path:    pathOr(in.Path),
		ID:      s.ids.UniqueID(profilePrefix),
		Created: s.clock.Now().UTC().Truncate(1e9),
		Tags:    mergeTags(nil, in.Tags),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var have profileRecord
	if ok, err := s.get(kindProfile, p.Name, &have); err != nil {
		return nil, err
	} else if ok {
		return nil, ErrEntityAlreadyExists.Withf("Instance Profile %s already exists.", p.Name)
	}
	if err := s.commit(new(change).put(kindProfile, p.Name, p)); err != nil {
		return nil, err
	}
	out, err := s.profileOut(p)
	return &CreateInstanceProfileResponse{InstanceProfile: &out}, err
}

func (s *Service) getInstanceProfile(ctx context.Context, in *GetInstanceProfileRequest) (*GetInstanceProfileResponse, error) {
	p, err := s.profile(*in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	out, err := s.profileOut(p)
	return &GetInstanceProfileResponse{InstanceProfile: &out}, err
}

func (s *Service) deleteInstanceProfile(ctx context.Context, in *DeleteInstanceProfileRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.profile(*in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	if len(p.Roles) > 0 {
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must remove roles from instance profile first.")
	}
	return nil, s.commit(new(change).del(kindProfile, p.Name))
}

func (s *Service) listProfiles(in func(*profileRecord) bool, marker *string, maxItems *int32) ([]InstanceProfile, *bool, *string, error) {
	profiles, err := all[profileRecord](s, kindProfile)
	if err != nil {
		return nil, nil, nil, err
	}
	var match []*profileRecord
	for _, p := range profiles {
		if in(p) {
			match = append(match, p)
		}
	}
	got, truncated, next := page(match, func(p *profileRecord) string { return strings.ToLower(p.Name) }, marker, maxItems)
	out := []InstanceProfile{}
	for _, p := range got {
		o, err := s.profileOut(p)
		if err != nil {
			return nil, nil, nil, err
		}
		out = append(out, o)
	}
	return out, truncated, next, nil
}

func (s *Service) listInstanceProfiles(ctx context.Context, in *ListInstanceProfilesRequest) (*ListInstanceProfilesResponse, error) {
	got, truncated, marker, err := s.listProfiles(func(p *profileRecord) bool { return hasPathPrefix(p.Path, in.PathPrefix) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListInstanceProfilesResponse{InstanceProfiles: got, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) listInstanceProfilesForRole(ctx context.Context, in *ListInstanceProfilesForRoleRequest) (*ListInstanceProfilesForRoleResponse, error) {
	r, err := s.role(*in.RoleName)
	if err != nil {
		return nil, err
	}
	got, truncated, marker, err := s.listProfiles(func(p *profileRecord) bool { return holdsRole(p, r.Name) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListInstanceProfilesForRoleResponse{InstanceProfiles: got, IsTruncated: truncated, Marker: marker}, nil
}

func holdsRole(p *profileRecord, role string) bool {
	return slices.ContainsFunc(p.Roles, func(r string) bool { return strings.EqualFold(r, role) })
}

// profilesOf returns the instance profiles that hold a role.
func (s *Service) profilesOf(role string) ([]*profileRecord, error) {
	var out []*profileRecord
	err := each(s, kindProfile, func(p *profileRecord) error {
		if holdsRole(p, role) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

func (s *Service) addRoleToInstanceProfile(ctx context.Context, in *AddRoleToInstanceProfileRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.profile(*in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	r, err := s.role(*in.RoleName)
	if err != nil {
		return nil, err
	}
	if len(p.Roles) >= maxRolesPerInstanceProfile {
		return nil, ErrLimitExceeded.Withf("Cannot exceed quota for InstanceSessionsPerInstanceProfile: %d", maxRolesPerInstanceProfile)
	}
	p.Roles = append(p.Roles, r.Name)
	return nil, s.commit(new(change).put(kindProfile, p.Name, p))
}

func (s *Service) removeRoleFromInstanceProfile(ctx context.Context, in *RemoveRoleFromInstanceProfileRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.profile(*in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(p.Roles, func(r string) bool { return strings.EqualFold(r, *in.RoleName) })
	if i < 0 {
		return nil, noSuchRole(*in.RoleName)
	}
	p.Roles = slices.Delete(p.Roles, i, i+1)
	return nil, s.commit(new(change).put(kindProfile, p.Name, p))
}
