package iam

import (
	"context"
	"slices"
	"strings"
)

// Groups hold users and policies. A group record carries its inline
// policies, the ARNs of its managed policies and the names of its
// members, so that one commit changes a group and everything it holds;
// the groups a user is in are found by reading the groups.

const groupPrefix = "AGPA"

func noSuchGroup(name string) error {
	return ErrNoSuchEntity.Withf("The group with name %s cannot be found.", name)
}

func (s *Service) group(name string) (*groupRecord, error) {
	var g groupRecord
	ok, err := s.get(kindGroup, name, &g)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noSuchGroup(name)
	}
	return &g, nil
}

func (s *Service) groupOut(g *groupRecord) Group {
	return Group{Path: ptr(g.Path), GroupName: ptr(g.Name), GroupId: ptr(g.ID),
		Arn: ptr(s.arn("group", g.Path, g.Name)), CreateDate: ptr(g.Created)}
}

// groupsOf returns the groups the named user is in, in key order.
func (s *Service) groupsOf(user string) ([]*groupRecord, error) {
	var out []*groupRecord
	err := each(s, kindGroup, func(g *groupRecord) error {
		if g.hasMember(user) {
			out = append(out, g)
		}
		return nil
	})
	return out, err
}

func (g *groupRecord) hasMember(user string) bool {
	return slices.ContainsFunc(g.Users, func(n string) bool { return strings.EqualFold(n, user) })
}

func (s *Service) createGroup(ctx context.Context, in *CreateGroupRequest) (*CreateGroupResponse, error) {
	g := &groupRecord{
		Name:    *in.GroupName,
		Path:    pathOr(in.Path),
		ID:      s.ids.UniqueID(groupPrefix),
		Created: s.clock.Now().UTC().Truncate(1e9),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var have groupRecord
	if ok, err := s.get(kindGroup, g.Name, &have); err != nil {
		return nil, err
	} else if ok {
		return nil, ErrEntityAlreadyExists.Withf("Group with name %s already exists.", g.Name)
	}
	if err := s.commit(new(change).put(kindGroup, g.Name, g)); err != nil {
		return nil, err
	}
	out := s.groupOut(g)
	return &CreateGroupResponse{Group: &out}, nil
}

// getGroup answers the group and a page of its users, in name order.
func (s *Service) getGroup(ctx context.Context, in *GetGroupRequest) (*GetGroupResponse, error) {
	g, err := s.group(*in.GroupName)
	if err != nil {
		return nil, err
	}
	var members []*userRecord
	for _, name := range g.Users {
		u, err := s.user(name)
		if err != nil {
			return nil, err
		}
		members = append(members, u)
	}
	slices.SortFunc(members, func(a, b *userRecord) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	got, truncated, marker := page(members, func(u *userRecord) string { return strings.ToLower(u.Name) }, in.Marker, in.MaxItems)
	out := &GetGroupResponse{Users: []User{}, IsTruncated: truncated, Marker: marker}
	grp := s.groupOut(g)
	out.Group = &grp
	for _, u := range got {
		out.Users = append(out.Users, s.userOut(u, false))
	}
	return out, nil
}

func (s *Service) listGroups(ctx context.Context, in *ListGroupsRequest) (*ListGroupsResponse, error) {
	groups, err := all[groupRecord](s, kindGroup)
	if err != nil {
		return nil, err
	}
	var match []*groupRecord
	for _, g := range groups {
		if hasPathPrefix(g.Path, in.PathPrefix) {
			match = append(match, g)
		}
	}
	got, truncated, marker := page(match, func(g *groupRecord) string { return strings.ToLower(g.Name) }, in.Marker, in.MaxItems)
	out := &ListGroupsResponse{Groups: []Group{}, IsTruncated: truncated, Marker: marker}
	for _, g := range got {
		out.Groups = append(out.Groups, s.groupOut(g))
	}
	return out, nil
}

func (s *Service) listGroupsForUser(ctx context.Context, in *ListGroupsForUserRequest) (*ListGroupsForUserResponse, error) {
	u, err := s.user(*in.UserName)
	if err != nil {
		return nil, err
	}
	groups, err := s.groupsOf(u.Name)
	if err != nil {
		return nil, err
	}
	got, truncated, marker := page(groups, func(g *groupRecord) string { return strings.ToLower(g.Name) }, in.Marker, in.MaxItems)
	out := &ListGroupsForUserResponse{Groups: []Group{}, IsTruncated: truncated, Marker: marker}
	for _, g := range got {
		out.Groups = append(out.Groups, s.groupOut(g))
	}
	return out, nil
}

// deleteGroup refuses while the group has members or policies, as IAM
// does.
func (s *Service) deleteGroup(ctx context.Context, in *DeleteGroupRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.group(*in.GroupName)
	if err != nil {
		return nil, err
	}
	switch {
	case len(g.Users) > 0:
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must remove users from group first.")
	case len(g.Attached) > 0:
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must detach all policies first.")
	case len(g.Inline) > 0:
		return nil, ErrDeleteConflict.WithMessage("Cannot delete entity, must delete policies first.")
	}
	return nil, s.commit(new(change).del(kindGroup, g.Name))
}

// updateGroupWith applies f to a group and stores it.
func (s *Service) updateGroupWith(name string, f func(*groupRecord) error) (*groupRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.group(name)
	if err != nil {
		return nil, err
	}
	if err := f(g); err != nil {
		return nil, err
	}
	return g, s.commit(new(change).put(kindGroup, g.Name, g))
}

// updateGroup renames a group or moves it to another path; its members
// and policies go with it.
func (s *Service) updateGroup(ctx context.Context, in *UpdateGroupRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.group(*in.GroupName)
	if err != nil {
		return nil, err
	}
	c := new(change)
	if in.NewGroupName != nil && *in.NewGroupName != g.Name {
		if !strings.EqualFold(*in.NewGroupName, g.Name) {
			var have groupRecord
			if ok, err := s.get(kindGroup, *in.NewGroupName, &have); err != nil {
				return nil, err
			} else if ok {
				return nil, ErrEntityAlreadyExists.Withf("Group with name %s already exists.", *in.NewGroupName)
			}
		}
		c.del(kindGroup, g.Name)
		g.Name = *in.NewGroupName
	}
	if in.NewPath != nil {
		g.Path = *in.NewPath
	}
	return nil, s.commit(c.put(kindGroup, g.Name, g))
}

func (s *Service) addUserToGroup(ctx context.Context, in *AddUserToGroupRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.group(*in.GroupName)
	if err != nil {
		return nil, err
	}
	u, err := s.user(*in.UserName)
	if err != nil {
		return nil, err
	}
	if g.hasMember(u.Name) {
		return nil, nil
	}
	g.Users = append(g.Users, u.Name)
	return nil, s.commit(new(change).put(kindGroup, g.Name, g))
}

// removeUserFromGroup, like AddUserToGroup, succeeds when there is
// nothing to do: IAM answers no error for a user that is not in the
// group.
func (s *Service) removeUserFromGroup(ctx context.Context, in *RemoveUserFromGroupRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.group(*in.GroupName)
	if err != nil {
		return nil, err
	}
	u, err := s.user(*in.UserName)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(g.Users, func(n string) bool { return strings.EqualFold(n, u.Name) })
	if i < 0 {
		return nil, nil
	}
	g.Users = slices.Delete(g.Users, i, i+1)
	return nil, s.commit(new(change).put(kindGroup, g.Name, g))
}

func (s *Service) putGroupPolicy(ctx context.Context, in *PutGroupPolicyRequest) (*noOutput, error) {
	if err := checkPolicyDocument(*in.PolicyDocument, false); err != nil {
		return nil, err
	}
	_, err := s.updateGroupWith(*in.GroupName, func(g *groupRecord) error {
		if err := g.checkInlineSize(*in.PolicyName, *in.PolicyDocument, maxGroupInlineSize, "group", g.Name); err != nil {
			return err
		}
		g.putInline(*in.PolicyName, *in.PolicyDocument)
		return nil
	})
	return nil, err
}

func (s *Service) getGroupPolicy(ctx context.Context, in *GetGroupPolicyRequest) (*GetGroupPolicyResponse, error) {
	g, err := s.group(*in.GroupName)
	if err != nil {
		return nil, err
	}
	doc, ok := g.Inline[*in.PolicyName]
	if !ok {
		return nil, ErrNoSuchEntity.Withf("The group policy with name %s cannot be found.", *in.PolicyName)
	}
	return &GetGroupPolicyResponse{GroupName: ptr(g.Name), PolicyName: in.PolicyName, PolicyDocument: encodeDocument(doc)}, nil
}

func (s *Service) deleteGroupPolicy(ctx context.Context, in *DeleteGroupPolicyRequest) (*noOutput, error) {
	_, err := s.updateGroupWith(*in.GroupName, func(g *groupRecord) error {
		if _, ok := g.Inline[*in.PolicyName]; !ok {
			return ErrNoSuchEntity.Withf("The group policy with name %s cannot be found.", *in.PolicyName)
		}
		delete(g.Inline, *in.PolicyName)
		return nil
	})
	return nil, err
}

func (s *Service) listGroupPolicies(ctx context.Context, in *ListGroupPoliciesRequest) (*ListGroupPoliciesResponse, error) {
	g, err := s.group(*in.GroupName)
	if err != nil {
		return nil, err
	}
	got, truncated, marker := page(g.inlineNames(), func(n string) string { return n }, in.Marker, in.MaxItems)
	if got == nil {
		got = []string{}
	}
	return &ListGroupPoliciesResponse{PolicyNames: got, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) attachGroupPolicy(ctx context.Context, in *AttachGroupPolicyRequest) (*noOutput, error) {
	_, err := s.updateGroupWith(*in.GroupName, func(g *groupRecord) error {
		if err := s.attachable(*in.PolicyArn); err != nil {
			return err
		}
		g.attach(*in.PolicyArn)
		return nil
	})
	return nil, err
}

func (s *Service) detachGroupPolicy(ctx context.Context, in *DetachGroupPolicyRequest) (*noOutput, error) {
	_, err := s.updateGroupWith(*in.GroupName, func(g *groupRecord) error { return g.detach(*in.PolicyArn) })
	return nil, err
}

func (s *Service) listAttachedGroupPolicies(ctx context.Context, in *ListAttachedGroupPoliciesRequest) (*ListAttachedGroupPoliciesResponse, error) {
	g, err := s.group(*in.GroupName)
	if err != nil {
		return nil, err
	}
	got, truncated, marker := attachedOut(&g.principal, in.PathPrefix, in.Marker, in.MaxItems)
	return &ListAttachedGroupPoliciesResponse{AttachedPolicies: got, IsTruncated: truncated, Marker: marker}, nil
}
