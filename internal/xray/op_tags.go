package xray

import (
	"context"
	"maps"
	"slices"
)

// maxTags: "Tags per resource: 50" (X-Ray quotas for groups and sampling
// rules).
const maxTags = 50

// taggedLocked finds the group or sampling rule an ARN names and returns
// its tags and how to store them changed. The caller holds s.mu.
func (s *Service) taggedLocked(arn string) (tags map[string]string, commit func(map[string]string) error, err error) {
	for _, g := range s.groups {
		if g.ARN == arn {
			return g.Tags, func(t map[string]string) error {
				ng := *g
				ng.Tags = t
				if err := s.commitGroup(&ng, false); err != nil {
					return err
				}
				s.groups[g.Name] = &ng
				return nil
			}, nil
		}
	}
	for _, r := range s.rules {
		if *r.Rule.RuleARN == arn {
			return r.Tags, func(t map[string]string) error {
				nr := *r
				nr.Tags = t
				if err := s.commitRule(&nr, false); err != nil {
					return err
				}
				s.rules[*r.Rule.RuleName] = &nr
				return nil
			}, nil
		}
	}
	return nil, nil, ErrResourceNotFound.Withf("Resource not found: %s", arn)
}

// tagResource adds or replaces tags on a group or sampling rule.
func (s *Service) tagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, commit, err := s.taggedLocked(*in.ResourceARN)
	if err != nil {
		return nil, err
	}
	nt := make(map[string]string, len(tags)+len(in.Tags))
	for k, v := range tags {
		nt[k] = v
	}
	for _, t := range in.Tags {
		nt[*t.Key] = *t.Value
	}
	if len(nt) > maxTags {
		return nil, ErrTooManyTags.Withf("A resource can have at most %d tags", maxTags)
	}
	return &TagResourceResponse{}, commit(nt)
}

// untagResource removes tags from a group or sampling rule.
func (s *Service) untagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, commit, err := s.taggedLocked(*in.ResourceARN)
	if err != nil {
		return nil, err
	}
	nt := make(map[string]string, len(tags))
	for k, v := range tags {
		if !slices.Contains(in.TagKeys, k) {
			nt[k] = v
		}
	}
	return &UntagResourceResponse{}, commit(nt)
}

// listTagsForResource lists a group's or sampling rule's tags, by key.
func (s *Service) listTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, _, err := s.taggedLocked(*in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceResponse{Tags: []Tag{}}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out.Tags = append(out.Tags, Tag{Key: ptr(k), Value: ptr(tags[k])})
	}
	return out, nil
}
