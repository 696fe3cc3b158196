package ecs

import (
	"context"
	"strings"
)

// tagsOf returns a pointer to the tags of the resource an ARN names.
// s.mu is held.
func (s *Service) tagsOf(arn string) (*[]Tag, func() error, error) {
	res, ok := strings.CutPrefix(arn, s.arn(""))
	if !ok {
		return nil, nil, ErrInvalidParameter.WithMessage("Invalid identifier: " + arn)
	}
	kind, rest, _ := strings.Cut(res, "/")
	switch kind {
	case "cluster":
		if c := s.clusters[rest]; c != nil && c.Status == statusActive {
			return &c.Tags, func() error { return s.put(clusterKey(c.Name), c) }, nil
		}
	case "task-definition":
		if r := s.findRevision(rest); r != nil {
			return &r.Tags, func() error { return s.put(revisionKey(deref(r.Def.Family), deref(r.Def.Revision)), r) }, nil
		}
	case "service":
		if v := s.services[rest]; v != nil {
			return &v.D.Tags, func() error { return s.put(serviceKey(v.Cluster, deref(v.D.ServiceName)), v) }, nil
		}
	case "task":
		if t := s.tasks[lastSegment(arn)]; t != nil {
			return &t.T.Tags, func() error { return s.put(taskKey(t.ID), t) }, nil
		}
	}
	return nil, nil, ErrResourceNotFound
}

func (s *Service) tagResource(_ context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, save, err := s.tagsOf(deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		found := false
		for i := range *tags {
			if deref((*tags)[i].Key) == deref(t.Key) {
				(*tags)[i].Value = t.Value
				found = true
			}
		}
		if !found {
			*tags = append(*tags, t)
		}
	}
	if len(*tags) > 50 {
		return nil, ErrInvalidParameter.WithMessage("Resource has exceeded the maximum number of tags (50).")
	}
	return &TagResourceResponse{}, save()
}

func (s *Service) untagResource(_ context.Context, in *UntagResourceRequest) (*UntagResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, save, err := s.tagsOf(deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	kept := []Tag{}
	for _, t := range *tags {
		drop := false
		for _, k := range in.TagKeys {
			if deref(t.Key) == k {
				drop = true
			}
		}
		if !drop {
			kept = append(kept, t)
		}
	}
	*tags = kept
	return &UntagResourceResponse{}, save()
}

func (s *Service) listTagsForResource(_ context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, _, err := s.tagsOf(deref(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	return &ListTagsForResourceResponse{Tags: append([]Tag{}, clone(*tags)...)}, nil
}
