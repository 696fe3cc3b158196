package route53

import (
	"context"
	"sort"

	"github.com/virga/virga/internal/store"
)

// maxTags is Route 53's limit: "You can add up to 50 tags to each
// hosted zone".
const maxTags = 50

// tagZone reads the hosted zone a tagging request names, failing for a
// health check (virga keeps none).
func (s *Service) tagZone(r store.Reader, typ TagResourceType, id string) (*zone, error) {
	if typ == "healthcheck" {
		// Wording unconfirmed.
		return nil, ErrNoSuchHealthCheck.WithMessage("A health check with id " + id + " does not exist.")
	}
	return s.zone(r, id)
}

func (s *Service) changeTagsForResource(ctx context.Context, in *ChangeTagsForResourceRequest) (*ChangeTagsForResourceResponse, error) {
	err := s.update(ctx, func(r store.Reader, b store.Batch) error {
		z, err := s.tagZone(r, *in.ResourceType, *in.ResourceId)
		if err != nil {
			return err
		}
		if z.Tags == nil {
			z.Tags = map[string]string{}
		}
		for _, k := range in.RemoveTagKeys {
			delete(z.Tags, k)
		}
		for _, t := range in.AddTags {
			if t.Key == nil {
				// Wording unconfirmed.
				return ErrInvalidInput.WithMessage("Invalid request: a tag has no Key")
			}
			z.Tags[*t.Key] = deref(t.Value)
		}
		if len(z.Tags) > maxTags {
			// Wording unconfirmed.
			return ErrInvalidInput.WithMessage("Invalid request: a resource can have at most 50 tags")
		}
		return store.SetJSON(b, zoneKey(z.ID), z)
	})
	if err != nil {
		return nil, err
	}
	return &ChangeTagsForResourceResponse{}, nil
}

func (s *Service) listTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	z, err := s.tagZone(s.store, *in.ResourceType, *in.ResourceId)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(z.Tags))
	for k := range z.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	set := &ResourceTagSet{ResourceType: in.ResourceType, ResourceId: ptr(z.ID), Tags: []Tag{}}
	for _, k := range keys {
		set.Tags = append(set.Tags, Tag{Key: ptr(k), Value: ptr(z.Tags[k])})
	}
	return &ListTagsForResourceResponse{ResourceTagSet: set}, nil
}
