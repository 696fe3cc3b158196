package stepfunctions

import (
	"context"
	"sort"
)

// maxTags is the tag limit: "Maximum number of tags per resource: 50".
const maxTags = 50

func tagMap(into map[string]string, tags []Tag) (map[string]string, error) {
	if into == nil {
		into = map[string]string{}
	}
	for _, t := range tags {
		into[deref(t.Key)] = deref(t.Value)
	}
	if len(into) > maxTags {
		return nil, ErrTooManyTags.WithMessage("Too many tags: the limit is 50 tags per resource")
	}
	return into, nil
}

func (s *Service) taggedMachine(arn string) (*machine, error) {
	name, ok := machineName(arn)
	if !ok {
		return nil, invalidARN(arn)
	}
	m, err := s.loadMachine(name)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, ErrResourceNotFound.WithMessage("Resource not found: '" + arn + "'")
	}
	return m, nil
}

func (s *Service) tagResource(_ context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.taggedMachine(deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	if m.Tags, err = tagMap(m.Tags, in.Tags); err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, s.put(machineKey(m.Name), m)
}

func (s *Service) untagResource(_ context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.taggedMachine(deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(m.Tags, k)
	}
	return &UntagResourceOutput{}, s.put(machineKey(m.Name), m)
}

func (s *Service) listTagsForResource(_ context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	m, err := s.taggedMachine(deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceOutput{Tags: []Tag{}}
	keys := make([]string, 0, len(m.Tags))
	for k := range m.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out.Tags = append(out.Tags, Tag{Key: ptr(k), Value: ptr(m.Tags[k])})
	}
	return out, nil
}
