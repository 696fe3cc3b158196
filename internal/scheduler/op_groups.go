package scheduler

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// maxScheduleGroups: "Schedule groups: 500" per account and Region, with
// the default group (Scheduler quotas).
const maxScheduleGroups = 500

// groupStateActive is the state of every group virga reports: deleting a
// group is done before DeleteScheduleGroup answers, so DELETING is never
// seen.
const groupStateActive = "ACTIVE"

// createScheduleGroup creates a schedule group with its tags.
func (s *Service) createScheduleGroup(ctx context.Context, in *CreateScheduleGroupInput) (*CreateScheduleGroupOutput, error) {
	name := *in.Name
	now := s.clock.Now().UTC()
	g := &groupRecord{Name: name, Created: now, Modified: now, Tags: tagMap(in.Tags)}
	if in.ClientToken != nil {
		g.ClientToken = *in.ClientToken
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.groups[name]; old != nil {
		if g.ClientToken != "" && g.ClientToken == old.ClientToken {
			return &CreateScheduleGroupOutput{ScheduleGroupArn: ptr(s.groupARN(name))}, nil
		}
		return nil, ErrConflict.Withf("Schedule group %s already exists.", name)
	}
	if len(s.groups) >= maxScheduleGroups {
		return nil, ErrServiceQuotaExceeded.Withf("The number of schedule groups cannot exceed %d.", maxScheduleGroups)
	}
	if err := s.commit(func(b store.Batch) error { return putGroup(b, s.account, g) }); err != nil {
		return nil, err
	}
	s.groups[name] = g
	return &CreateScheduleGroupOutput{ScheduleGroupArn: ptr(s.groupARN(name))}, nil
}

// getScheduleGroup describes a schedule group.
func (s *Service) getScheduleGroup(ctx context.Context, in *GetScheduleGroupInput) (*GetScheduleGroupOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[*in.Name]
	if g == nil {
		return nil, groupNotFound(*in.Name)
	}
	return &GetScheduleGroupOutput{Arn: ptr(s.groupARN(g.Name)), Name: ptr(g.Name),
		CreationDate: ptr(g.Created), LastModificationDate: ptr(g.Modified),
		State: (*ScheduleGroupState)(ptr(groupStateActive))}, nil
}

// deleteScheduleGroup deletes a schedule group and every schedule in it,
// in one commit. Invocations its schedules already fired are still
// delivered.
func (s *Service) deleteScheduleGroup(ctx context.Context, in *DeleteScheduleGroupInput) (*DeleteScheduleGroupOutput, error) {
	name := *in.Name
	if name == defaultGroup {
		return nil, invalid("Cannot delete the default schedule group.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups[name] == nil {
		return nil, groupNotFound(name)
	}
	err := s.commit(func(b store.Batch) error {
		sp, fp := schedulesPrefix(s.account, name), firedPrefix(s.account, name)
		b.DeleteRange(sp, keys.PrefixEnd(sp))
		b.DeleteRange(fp, keys.PrefixEnd(fp))
		b.Delete(groupKey(s.account, name))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for id, e := range s.schedules {
		if id.group == name {
			s.due.remove(e)
			delete(s.schedules, id)
		}
	}
	delete(s.groups, name)
	return &DeleteScheduleGroupOutput{}, nil
}

// listScheduleGroups lists schedule groups by name, the default group
// among them.
func (s *Service) listScheduleGroups(ctx context.Context, in *ListScheduleGroupsInput) (*ListScheduleGroupsOutput, error) {
	after := ""
	if in.NextToken != nil {
		names, err := decodeToken(*in.NextToken, 1)
		if err != nil {
			return nil, tokenError()
		}
		after = names[0]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for name := range s.groups {
		if (in.NamePrefix == nil || strings.HasPrefix(name, *in.NamePrefix)) && (after == "" || name > after) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := &ListScheduleGroupsOutput{ScheduleGroups: []ScheduleGroupSummary{}}
	if limit := pageSize(in.MaxResults); len(names) > limit {
		names = names[:limit]
		out.NextToken = ptr(encodeToken(names[limit-1]))
	}
	for _, name := range names {
		g := s.groups[name]
		out.ScheduleGroups = append(out.ScheduleGroups, ScheduleGroupSummary{
			Arn: ptr(s.groupARN(name)), Name: ptr(name), CreationDate: ptr(g.Created),
			LastModificationDate: ptr(g.Modified), State: (*ScheduleGroupState)(ptr(groupStateActive)),
		})
	}
	return out, nil
}

// taggedGroup returns the group a tagging operation's ARN names; the
// caller holds s.mu. Only schedule groups take tags: the model's pattern
// has already refused any other ARN.
func (s *Service) taggedGroup(arn string) (*groupRecord, error) {
	name, ok := s.groupFromARN(arn)
	if !ok || s.groups[name] == nil {
		if !ok {
			name = arn[strings.LastIndexByte(arn, '/')+1:]
		}
		return nil, groupNotFound(name)
	}
	return s.groups[name], nil
}

// tagResource adds or replaces a schedule group's tags.
func (s *Service) tagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.taggedGroup(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	c := *g
	c.Tags = maps.Clone(g.Tags)
	if c.Tags == nil {
		c.Tags = map[string]string{}
	}
	maps.Copy(c.Tags, tagMap(in.Tags))
	if err := s.commit(func(b store.Batch) error { return putGroup(b, s.account, &c) }); err != nil {
		return nil, err
	}
	s.groups[c.Name] = &c
	return &TagResourceOutput{}, nil
}

// untagResource removes tags from a schedule group.
func (s *Service) untagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.taggedGroup(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	c := *g
	c.Tags = maps.Clone(g.Tags)
	for _, k := range in.TagKeys {
		delete(c.Tags, k)
	}
	if err := s.commit(func(b store.Batch) error { return putGroup(b, s.account, &c) }); err != nil {
		return nil, err
	}
	s.groups[c.Name] = &c
	return &UntagResourceOutput{}, nil
}

// listTagsForResource returns a schedule group's tags, by key.
func (s *Service) listTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.taggedGroup(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceOutput{Tags: []Tag{}}
	for _, k := range slices.Sorted(maps.Keys(g.Tags)) {
		out.Tags = append(out.Tags, Tag{Key: ptr(k), Value: ptr(g.Tags[k])})
	}
	return out, nil
}

// tagMap turns a tag list into a map; a key given twice keeps its last
// value.
func tagMap(tags []Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[*t.Key] = *t.Value
	}
	return m
}
