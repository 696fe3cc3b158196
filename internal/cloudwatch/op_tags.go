package cloudwatch

import (
	"context"
	"sort"
	"strings"
)

// alarmFor returns the alarm an ARN names. The caller holds s.mu.
func (s *Service) alarmFor(arn string) (*alarm, error) {
	prefix := s.alarmARN("")
	if name, ok := strings.CutPrefix(arn, prefix); ok {
		if a := s.alarms[name]; a != nil {
			return a, nil
		}
	}
	return nil, ErrResourceNotFound.WithMessage("Resource " + arn + " not found")
}

func (s *Service) tagResource(_ context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.alarmFor(*in.ResourceARN)
	if err != nil {
		return nil, err
	}
	c := *a
	c.Tags = map[string]string{}
	for k, v := range a.Tags {
		c.Tags[k] = v
	}
	for _, t := range in.Tags {
		c.Tags[*t.Key] = *t.Value
	}
	if err := s.saveAlarms(&c); err != nil {
		return nil, err
	}
	s.alarms[c.Name] = &c
	return &TagResourceOutput{}, nil
}

func (s *Service) untagResource(_ context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.alarmFor(*in.ResourceARN)
	if err != nil {
		return nil, err
	}
	c := *a
	c.Tags = map[string]string{}
	for k, v := range a.Tags {
		c.Tags[k] = v
	}
	for _, k := range in.TagKeys {
		delete(c.Tags, k)
	}
	if err := s.saveAlarms(&c); err != nil {
		return nil, err
	}
	s.alarms[c.Name] = &c
	return &UntagResourceOutput{}, nil
}

func (s *Service) listTagsForResource(_ context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.alarmFor(*in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceOutput{Tags: []Tag{}}
	keys := make([]string, 0, len(a.Tags))
	for k := range a.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out.Tags = append(out.Tags, Tag{Key: ptr(k), Value: ptr(a.Tags[k])})
	}
	return out, nil
}
