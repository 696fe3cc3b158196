package cognitoidp

import (
	"context"
	"math"
	"slices"
	"sort"
)

func (s *Service) createGroup(_ context.Context, in *CreateGroupRequest) (*CreateGroupResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	poolID, name := deref(in.UserPoolId), deref(in.GroupName)
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	var old group
	if ok, err := s.get(groupKey(poolID, name), &old); err != nil || ok {
		if err != nil {
			return nil, err
		}
		return nil, ErrGroupExists.WithMessage("A group with the name " + name + " already exists.")
	}
	now := s.clock.Now()
	g := &group{Config: GroupType{GroupName: &name, UserPoolId: &poolID, Description: in.Description, RoleArn: in.RoleArn,
		Precedence: in.Precedence, LastModifiedDate: &now, CreationDate: &now}}
	return &CreateGroupResponse{Group: &g.Config}, s.put1(groupKey(poolID, name), g)
}

// updateGroup changes what the request gives of a group's description,
// role and precedence.
func (s *Service) updateGroup(_ context.Context, in *UpdateGroupRequest) (*UpdateGroupResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	poolID, name := deref(in.UserPoolId), deref(in.GroupName)
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	g, err := s.loadGroup(poolID, name)
	if err != nil {
		return nil, err
	}
	if in.Description != nil {
		g.Config.Description = in.Description
	}
	if in.RoleArn != nil {
		g.Config.RoleArn = in.RoleArn
	}
	if in.Precedence != nil {
		g.Config.Precedence = in.Precedence
	}
	g.Config.LastModifiedDate = ptr(s.clock.Now())
	return &UpdateGroupResponse{Group: &g.Config}, s.put1(groupKey(poolID, name), g)
}

func (s *Service) getGroup(_ context.Context, in *GetGroupRequest) (*GetGroupResponse, error) {
	if _, err := s.loadPool(deref(in.UserPoolId)); err != nil {
		return nil, err
	}
	g, err := s.loadGroup(deref(in.UserPoolId), deref(in.GroupName))
	if err != nil {
		return nil, err
	}
	return &GetGroupResponse{Group: &g.Config}, nil
}

func (s *Service) listGroups(_ context.Context, in *ListGroupsRequest) (*ListGroupsResponse, error) {
	poolID := deref(in.UserPoolId)
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	groups, err := list[group](s, poolPrefix("group", poolID))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = deref(g.Config.GroupName)
	}
	from, to, next, err := page(names, deref(in.NextToken), int(deref(in.Limit)), 60)
	if err != nil {
		return nil, err
	}
	out := &ListGroupsResponse{Groups: []GroupType{}, NextToken: next}
	for _, g := range groups[from:to] {
		out.Groups = append(out.Groups, g.Config)
	}
	return out, nil
}

func (s *Service) deleteGroup(_ context.Context, in *DeleteGroupRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	poolID, name := deref(in.UserPoolId), deref(in.GroupName)
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	if _, err := s.loadGroup(poolID, name); err != nil {
		return nil, err
	}
	users, err := list[user](s, poolPrefix("user", poolID))
	if err != nil {
		return nil, err
	}
	sets := map[string]any{}
	for _, u := range users {
		if i := slices.Index(u.Groups, name); i >= 0 {
			u.Groups = slices.Delete(u.Groups, i, i+1)
			sets[string(userKey(poolID, u.Username))] = u
		}
	}
	return &noOutput{}, s.put(sets, groupKey(poolID, name))
}

func (s *Service) adminAddUserToGroup(_ context.Context, in *AdminAddUserToGroupRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, err := s.poolUser(deref(in.UserPoolId), deref(in.Username))
	if err != nil {
		return nil, err
	}
	name := deref(in.GroupName)
	if _, err := s.loadGroup(deref(p.Config.Id), name); err != nil {
		return nil, err
	}
	if !slices.Contains(u.Groups, name) {
		u.Groups = append(u.Groups, name)
	}
	return &noOutput{}, s.saveUser(deref(p.Config.Id), u)
}

func (s *Service) adminRemoveUserFromGroup(_ context.Context, in *AdminRemoveUserFromGroupRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, err := s.poolUser(deref(in.UserPoolId), deref(in.Username))
	if err != nil {
		return nil, err
	}
	name := deref(in.GroupName)
	if _, err := s.loadGroup(deref(p.Config.Id), name); err != nil {
		return nil, err
	}
	u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return g == name })
	return &noOutput{}, s.saveUser(deref(p.Config.Id), u)
}

// userGroups are a user's groups, by precedence (lowest first, those
// without one last), then name.
func (s *Service) userGroups(poolID string, u *user) ([]GroupType, error) {
	var out []GroupType
	for _, name := range u.Groups {
		g, err := s.loadGroup(poolID, name)
		if err != nil {
			continue // deleted meanwhile
		}
		out = append(out, g.Config)
	}
	sort.SliceStable(out, func(i, j int) bool {
		pi, pj := out[i].Precedence, out[j].Precedence
		if (pi == nil) != (pj == nil) {
			return pi != nil
		}
		if pi != nil && *pi != *pj {
			return *pi < *pj
		}
		return deref(out[i].GroupName) < deref(out[j].GroupName)
	})
	return out, nil
}

// groupRoles are the cognito:roles and cognito:preferred_role claims of
// a user's groups (in userGroups' order): the roles of the groups that
// have one, and the role of the group with the lowest precedence among
// them (groups without one rank last), unless groups of that same
// precedence have different roles, as the developer guide describes.
func groupRoles(groups []GroupType) (roles []string, preferred string) {
	rank := func(g GroupType) int64 {
		if g.Precedence == nil {
			return math.MaxInt64
		}
		return int64(*g.Precedence)
	}
	found, ambiguous := false, false
	var best int64
	for _, g := range groups {
		r := deref(g.RoleArn)
		if r == "" {
			continue
		}
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
		switch {
		case !found:
			found, best, preferred = true, rank(g), r
		case rank(g) == best && r != preferred:
			ambiguous = true
		}
	}
	if ambiguous {
		preferred = ""
	}
	return roles, preferred
}

func (s *Service) adminListGroupsForUser(_ context.Context, in *AdminListGroupsForUserRequest) (*AdminListGroupsForUserResponse, error) {
	p, u, err := s.poolUser(deref(in.UserPoolId), deref(in.Username))
	if err != nil {
		return nil, err
	}
	groups, err := s.userGroups(deref(p.Config.Id), u)
	if err != nil {
		return nil, err
	}
	if groups == nil {
		groups = []GroupType{}
	}
	return &AdminListGroupsForUserResponse{Groups: groups}, nil
}

func (s *Service) listUsersInGroup(_ context.Context, in *ListUsersInGroupRequest) (*ListUsersInGroupResponse, error) {
	poolID, name := deref(in.UserPoolId), deref(in.GroupName)
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	if _, err := s.loadGroup(poolID, name); err != nil {
		return nil, err
	}
	users, err := list[user](s, poolPrefix("user", poolID))
	if err != nil {
		return nil, err
	}
	var members []*user
	var names []string
	for _, u := range users {
		if slices.Contains(u.Groups, name) {
			members = append(members, u)
			names = append(names, u.Username)
		}
	}
	from, to, next, err := page(names, deref(in.NextToken), int(deref(in.Limit)), 60)
	if err != nil {
		return nil, err
	}
	out := &ListUsersInGroupResponse{Users: []UserType{}, NextToken: next}
	for _, u := range members[from:to] {
		out.Users = append(out.Users, s.userType(u, nil))
	}
	return out, nil
}
