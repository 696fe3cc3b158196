package cloudtrail

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
)

// setTag sets a tag, keeping the order tags were first added in.
func setTag(tags []tagPair, key, value string) []tagPair {
	for i := range tags {
		if tags[i].Key == key {
			tags[i].Value = value
			return tags
		}
	}
	return append(tags, tagPair{key, value})
}

// checkTags refuses tag keys CloudTrail reserves: those in the aws:
// namespace, but on calls CloudFormation makes to put its
// aws:cloudformation: tags, which ctx marks.
func checkTags(ctx context.Context, tags []Tag) error {
	if _, ok := awsproto.ForbiddenTagKey(ctx, tags, func(t Tag) string { return *t.Key }); ok {
		return ErrInvalidTag.WithMessage("Tag keys starting with 'aws:' are reserved.")
	}
	return nil
}

// tagged finds the trail a tag operation's ResourceId names: a trail
// ARN. mu must be held.
func (s *Service) tagged(id string) (*trailRecord, error) {
	if !strings.HasPrefix(id, "arn:") {
		return nil, ErrCloudTrailARNInvalid.Withf("Invalid trail ARN: %s", id)
	}
	t, err := s.lookup(id)
	if err != nil {
		if e := apierr.As(err); e != nil && e.Code == ErrTrailNotFound.Code {
			return nil, ErrResourceNotFound.Withf("Resource not found: %s", id)
		}
		return nil, err
	}
	return t, nil
}

func (s *Service) addTags(ctx context.Context, in *AddTagsRequest) (*AddTagsResponse, error) {
	if err := checkTags(ctx, in.TagsList); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.tagged(*in.ResourceId)
	if err != nil {
		return nil, err
	}
	t := *cur
	t.Tags = append([]tagPair(nil), cur.Tags...)
	for _, tag := range in.TagsList {
		t.Tags = setTag(t.Tags, *tag.Key, deref(tag.Value))
	}
	if awsproto.UserTags(t.Tags, func(p tagPair) string { return p.Key }) > maxTagsPerTrail {
		return nil, ErrTagsLimitExceeded.Withf("The number of tags per trail has exceeded the permitted amount. Currently, the limit is %d.", maxTagsPerTrail)
	}
	if err := s.save(&t); err != nil {
		return nil, err
	}
	s.trails[t.Name] = &t
	s.publish()
	return &AddTagsResponse{}, nil
}

func (s *Service) removeTags(ctx context.Context, in *RemoveTagsRequest) (*RemoveTagsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.tagged(*in.ResourceId)
	if err != nil {
		return nil, err
	}
	t := *cur
	t.Tags = nil
	for _, p := range cur.Tags {
		drop := false
		for _, tag := range in.TagsList {
			// A tag goes when its key matches and, if a value is given,
			// its value too.
			if *tag.Key == p.Key && (tag.Value == nil || *tag.Value == p.Value) {
				drop = true
			}
		}
		if !drop {
			t.Tags = append(t.Tags, p)
		}
	}
	if err := s.save(&t); err != nil {
		return nil, err
	}
	s.trails[t.Name] = &t
	s.publish()
	return &RemoveTagsResponse{}, nil
}

func (s *Service) listTags(ctx context.Context, in *ListTagsRequest) (*ListTagsResponse, error) {
	if in.NextToken != nil && *in.NextToken != "" {
		return nil, ErrInvalidNextToken.WithMessage("Invalid NextToken.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &ListTagsResponse{ResourceTagList: []ResourceTag{}}
	for _, id := range in.ResourceIdList {
		t, err := s.tagged(id)
		if err != nil {
			return nil, err
		}
		rt := ResourceTag{ResourceId: ptr(id), TagsList: []Tag{}}
		for _, p := range t.Tags {
			rt.TagsList = append(rt.TagsList, Tag{Key: ptr(p.Key), Value: ptr(p.Value)})
		}
		out.ResourceTagList = append(out.ResourceTagList, rt)
	}
	return out, nil
}
