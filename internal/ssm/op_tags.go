package ssm

import (
	"context"
	"sort"
)

// tagged loads the parameter a tagging request names. Only parameters
// are taggable here; the other resource types are other parts of
// Systems Manager.
func (s *Service) tagged(rt *ResourceTypeForTagging, id string) (*param, error) {
	if deref(rt) != "Parameter" {
		return nil, ErrInvalidResourceType.WithMessage("The resource type " + string(deref(rt)) + " is not supported.")
	}
	p, err := s.load(id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, ErrInvalidResourceID.WithMessage("The resource ID \"" + id + "\" is not valid. Verify the ID and try again.")
	}
	return p, nil
}

func (s *Service) addTagsToResource(_ context.Context, in *AddTagsToResourceRequest) (*AddTagsToResourceResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.tagged(in.ResourceType, deref(in.ResourceId))
	if err != nil {
		return nil, err
	}
	if p.Tags == nil {
		p.Tags = map[string]string{}
	}
	for _, t := range in.Tags {
		p.Tags[deref(t.Key)] = deref(t.Value)
	}
	if len(p.Tags) > maxTags {
		return nil, ErrTooManyTags.WithMessage("The Tags parameter contains more than 50 tags.")
	}
	return &AddTagsToResourceResult{}, s.save(p)
}

func (s *Service) removeTagsFromResource(_ context.Context, in *RemoveTagsFromResourceRequest) (*RemoveTagsFromResourceResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.tagged(in.ResourceType, deref(in.ResourceId))
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(p.Tags, k)
	}
	return &RemoveTagsFromResourceResult{}, s.save(p)
}

func (s *Service) listTagsForResource(_ context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResult, error) {
	p, err := s.tagged(in.ResourceType, deref(in.ResourceId))
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceResult{TagList: []Tag{}}
	for k, v := range p.Tags {
		out.TagList = append(out.TagList, Tag{Key: ptr(k), Value: ptr(v)})
	}
	sort.Slice(out.TagList, func(i, j int) bool { return *out.TagList[i].Key < *out.TagList[j].Key })
	return out, nil
}
