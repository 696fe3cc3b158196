package stepfunctions

import (
	"context"
	"sort"

	"github.com/virga/virga/internal/stepfunctions/asl"
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

// tagged is a resource that takes tags: a state machine or an
// activity, with the key its record is stored under.
type tagged struct {
	tags   *map[string]string
	key    []byte
	record any
}

func (s *Service) taggedResource(arn string) (*tagged, error) {
	notFound := ErrResourceNotFound.WithMessage("Resource not found: '" + arn + "'")
	if asl.ActivityARN(arn) {
		a, err := getJSON[activity](s.store, activityKey(activityNameOf(arn)))
		if err != nil {
			return nil, err
		}
		if a == nil || a.ARN != arn {
			return nil, notFound
		}
		return &tagged{tags: &a.Tags, key: activityKey(a.Name), record: a}, nil
	}
	name, ok := machineName(arn)
	if !ok {
		return nil, invalidARN(arn)
	}
	m, err := s.loadMachine(name)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, notFound
	}
	return &tagged{tags: &m.Tags, key: machineKey(m.Name), record: m}, nil
}

func (s *Service) tagResource(_ context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.taggedResource(deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	if *r.tags, err = tagMap(*r.tags, in.Tags); err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, s.put(r.key, r.record)
}

func (s *Service) untagResource(_ context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.taggedResource(deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(*r.tags, k)
	}
	return &UntagResourceOutput{}, s.put(r.key, r.record)
}

func (s *Service) listTagsForResource(_ context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	r, err := s.taggedResource(deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	tags := *r.tags
	out := &ListTagsForResourceOutput{Tags: []Tag{}}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out.Tags = append(out.Tags, Tag{Key: ptr(k), Value: ptr(tags[k])})
	}
	return out, nil
}
