package xray

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
)

// maxGroups: "Groups: 25 per Region per account" (X-Ray quotas), besides
// the Default group.
const maxGroups = 25

// defaultGroup is the group every account has, of all traces.
const defaultGroup = "Default"

func (s *Service) groupOutput(g *groupRecord) *Group {
	out := &Group{GroupName: ptr(g.Name), GroupARN: ptr(g.ARN),
		InsightsConfiguration: &InsightsConfiguration{InsightsEnabled: ptr(g.InsightsEnabled), NotificationsEnabled: ptr(g.Notifications)}}
	if g.FilterExpression != "" {
		out.FilterExpression = ptr(g.FilterExpression)
	}
	return out
}

func (s *Service) defaultGroupRecord() *groupRecord {
	return &groupRecord{Name: defaultGroup, ARN: s.arn("group/" + defaultGroup)}
}

// findGroup finds a group by name or ARN. The caller holds no lock.
func (s *Service) findGroup(name, arn *string) (*groupRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.findGroupLocked(name, arn)
}

func (s *Service) findGroupLocked(name, arn *string) (*groupRecord, error) {
	if name == nil && arn == nil {
		return nil, invalid("Either GroupName or GroupARN must be specified")
	}
	if (name != nil && *name == defaultGroup) || (arn != nil && *arn == s.defaultGroupRecord().ARN) {
		return s.defaultGroupRecord(), nil
	}
	for _, g := range s.groups {
		if (name != nil && g.Name == *name) || (arn != nil && g.ARN == *arn) {
			return g, nil
		}
	}
	return nil, invalid("Group not found")
}

func (s *Service) commitGroup(g *groupRecord, del bool) error {
	return s.commitJSON(groupKey(s.account, g.Name), g, del)
}

// commitJSON writes v as JSON at key, or with del deletes the key.
func (s *Service) commitJSON(key []byte, v any, del bool) error {
	b := s.store.NewBatch()
	defer b.Close()
	if del {
		b.Delete(key)
	} else {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Set(key, data)
	}
	return b.Commit()
}

// createGroup creates a group of the traces its filter expression
// matches.
func (s *Service) createGroup(ctx context.Context, in *CreateGroupRequest) (*CreateGroupResult, error) {
	name := *in.GroupName
	if name == defaultGroup || strings.ContainsAny(name, " /") {
		return nil, invalid("Invalid group name: %s", name)
	}
	if _, err := parseFilter(deref(in.FilterExpression)); err != nil {
		return nil, invalid("Invalid filter expression: %s", err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups[name] != nil {
		return nil, invalid("Group %s already exists", name)
	}
	if len(s.groups) >= maxGroups {
		return nil, invalid("The number of groups cannot exceed %d", maxGroups)
	}
	g := &groupRecord{Name: name, ARN: s.arn("group/" + name + "/" + strings.ToUpper(s.ids.Hex(16))),
		FilterExpression: deref(in.FilterExpression), Tags: map[string]string{}}
	if c := in.InsightsConfiguration; c != nil {
		g.InsightsEnabled = c.InsightsEnabled != nil && *c.InsightsEnabled
		g.Notifications = c.NotificationsEnabled != nil && *c.NotificationsEnabled
	}
	for _, t := range in.Tags {
		g.Tags[*t.Key] = *t.Value
	}
	if err := s.commitGroup(g, false); err != nil {
		return nil, err
	}
	s.groups[name] = g
	return &CreateGroupResult{Group: s.groupOutput(g)}, nil
}

// getGroup describes a group.
func (s *Service) getGroup(ctx context.Context, in *GetGroupRequest) (*GetGroupResult, error) {
	g, err := s.findGroup(in.GroupName, in.GroupARN)
	if err != nil {
		return nil, err
	}
	return &GetGroupResult{Group: s.groupOutput(g)}, nil
}

// getGroups lists the Default group and the account's groups, by name.
func (s *Service) getGroups(ctx context.Context, in *GetGroupsRequest) (*GetGroupsResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.groups))
	for n := range s.groups {
		names = append(names, n)
	}
	slices.Sort(names)
	out := &GetGroupsResult{Groups: []GroupSummary{GroupSummary(*s.groupOutput(s.defaultGroupRecord()))}}
	for _, n := range names {
		out.Groups = append(out.Groups, GroupSummary(*s.groupOutput(s.groups[n])))
	}
	return out, nil
}

// updateGroup changes a group's filter expression or insights settings.
func (s *Service) updateGroup(ctx context.Context, in *UpdateGroupRequest) (*UpdateGroupResult, error) {
	if in.FilterExpression != nil {
		if _, err := parseFilter(*in.FilterExpression); err != nil {
			return nil, invalid("Invalid filter expression: %s", err.Error())
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.findGroupLocked(in.GroupName, in.GroupARN)
	if err != nil {
		return nil, err
	}
	if g.Name == defaultGroup {
		return nil, invalid("The Default group cannot be updated")
	}
	ng := *g
	if in.FilterExpression != nil {
		ng.FilterExpression = *in.FilterExpression
	}
	if c := in.InsightsConfiguration; c != nil {
		if c.InsightsEnabled != nil {
			ng.InsightsEnabled = *c.InsightsEnabled
		}
		if c.NotificationsEnabled != nil {
			ng.Notifications = *c.NotificationsEnabled
		}
	}
	if err := s.commitGroup(&ng, false); err != nil {
		return nil, err
	}
	s.groups[ng.Name] = &ng
	return &UpdateGroupResult{Group: s.groupOutput(&ng)}, nil
}

// deleteGroup deletes a group; the Default group stays.
func (s *Service) deleteGroup(ctx context.Context, in *DeleteGroupRequest) (*DeleteGroupResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.findGroupLocked(in.GroupName, in.GroupARN)
	if err != nil {
		return nil, err
	}
	if g.Name == defaultGroup {
		return nil, invalid("The Default group cannot be deleted")
	}
	if err := s.commitGroup(g, true); err != nil {
		return nil, err
	}
	delete(s.groups, g.Name)
	return &DeleteGroupResult{}, nil
}
