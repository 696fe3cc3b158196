package applicationautoscaling

import (
	"context"

	"github.com/virga/virga/internal/store"
)

// taggedTarget returns the scalable target an ARN names, and its key in
// the store.
func (s *Service) taggedTarget(arn string) (*targetRecord, []byte, error) {
	all, ks, err := scanAll[targetRecord](s.store, rootKey(s.account, "t"))
	if err != nil {
		return nil, nil, err
	}
	for i := range all {
		if deref(all[i].ScalableTargetARN) == arn {
			return &all[i], ks[i], nil
		}
	}
	return nil, nil, ErrResourceNotFound.Withf("Scalable target with ARN %s not found", arn)
}

// addTags adds tags to the target's, or replaces their values.
func (r *targetRecord) addTags(tags map[string]string) error {
	if len(tags) == 0 {
		return nil
	}
	if r.Tags == nil {
		r.Tags = map[string]string{}
	}
	for key, v := range tags {
		r.Tags[key] = v
	}
	if len(r.Tags) > maxTags {
		return ErrTooManyTags.WithMessage("Too many tags: a scalable target can have at most 50 tags")
	}
	return nil
}

func (s *Service) tagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, k, err := s.taggedTarget(deref(in.ResourceARN))
	if err != nil {
		return nil, err
	}
	if err := r.addTags(in.Tags); err != nil {
		return nil, err
	}
	if err := s.commit(func(b store.Batch) error { return put(b, k, r) }); err != nil {
		return nil, err
	}
	return &TagResourceResponse{}, nil
}

func (s *Service) untagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, k, err := s.taggedTarget(deref(in.ResourceARN))
	if err != nil {
		return nil, err
	}
	for _, key := range in.TagKeys {
		delete(r.Tags, key)
	}
	if err := s.commit(func(b store.Batch) error { return put(b, k, r) }); err != nil {
		return nil, err
	}
	return &UntagResourceResponse{}, nil
}

func (s *Service) listTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	r, _, err := s.taggedTarget(deref(in.ResourceARN))
	if err != nil {
		return nil, err
	}
	tags := r.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return &ListTagsForResourceResponse{Tags: tags}, nil
}
