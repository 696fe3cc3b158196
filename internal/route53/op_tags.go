package route53

import (
	"context"
	"sort"

	"github.com/virga/virga/internal/store"
)

// maxTags is Route 53's limit: "You can add up to 50 tags to each
// hosted zone".
const maxTags = 50

// tagged reads the tags of the hosted zone or health check a tagging
// request names, and returns with them what writes them back.
func (s *Service) tagged(r store.Reader, typ TagResourceType, id string) (map[string]string, func(store.Batch, map[string]string) error, error) {
	if typ == "healthcheck" {
		h, err := getHealthCheck(r, id)
		if err != nil {
			return nil, nil, err
		}
		return h.Tags, func(b store.Batch, tags map[string]string) error {
			h.Tags = tags
			return store.SetJSON(b, healthCheckKey(h.ID), h)
		}, nil
	}
	z, err := s.zone(r, id)
	if err != nil {
		return nil, nil, err
	}
	return z.Tags, func(b store.Batch, tags map[string]string) error {
		z.Tags = tags
		return store.SetJSON(b, zoneKey(z.ID), z)
	}, nil
}

func (s *Service) changeTagsForResource(ctx context.Context, in *ChangeTagsForResourceRequest) (*ChangeTagsForResourceResponse, error) {
	err := s.update(ctx, func(r store.Reader, b store.Batch) error {
		tags, save, err := s.tagged(r, *in.ResourceType, *in.ResourceId)
		if err != nil {
			return err
		}
		if tags == nil {
			tags = map[string]string{}
		}
		for _, k := range in.RemoveTagKeys {
			delete(tags, k)
		}
		for _, t := range in.AddTags {
			if t.Key == nil {
				// Wording unconfirmed.
				return ErrInvalidInput.WithMessage("Invalid request: a tag has no Key")
			}
			tags[*t.Key] = deref(t.Value)
		}
		if len(tags) > maxTags {
			// Wording unconfirmed.
			return ErrInvalidInput.WithMessage("Invalid request: a resource can have at most 50 tags")
		}
		return save(b, tags)
	})
	if err != nil {
		return nil, err
	}
	return &ChangeTagsForResourceResponse{}, nil
}

func (s *Service) listTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	tags, _, err := s.tagged(s.store, *in.ResourceType, *in.ResourceId)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	set := &ResourceTagSet{ResourceType: in.ResourceType, ResourceId: in.ResourceId, Tags: []Tag{}}
	for _, k := range keys {
		set.Tags = append(set.Tags, Tag{Key: ptr(k), Value: ptr(tags[k])})
	}
	return &ListTagsForResourceResponse{ResourceTagSet: set}, nil
}
