package sns

import (
	"context"
	"errors"
	"maps"

	"github.com/virga/virga/internal/store"
)

// checkTags turns a request's tags into a map, refusing a key given twice
// and more tags than a topic may have.
func checkTags(tags []Tag) (map[string]string, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		k := deref(t.Key)
		if _, dup := out[k]; dup {
			return nil, invalidParameter("Duplicated keys are not allowed.")
		}
		out[k] = deref(t.Value)
	}
	if len(out) > maxTagsPerResource {
		return nil, ErrTagLimitExceeded
	}
	return out, nil
}

// taggedTopic finds the topic a tagging operation names. Only topics
// carry tags. The caller holds s.mu.
func (s *Service) taggedTopic(arn string) (*topic, error) {
	t, err := s.lookupTopic("ResourceArn", arn)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrResourceNotFound
	}
	return t, err
}

func (s *Service) tagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.taggedTopic(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	rec := t.rec
	rec.Tags = maps.Clone(rec.Tags)
	if rec.Tags == nil {
		rec.Tags = map[string]string{}
	}
	maps.Copy(rec.Tags, tags)
	if len(rec.Tags) > maxTagsPerResource {
		return nil, ErrTagLimitExceeded
	}
	if err := commit(s.store, func(b store.Batch) { b.Set(topicKey(t.name), mustJSON(rec)) }); err != nil {
		return nil, err
	}
	t.rec = rec
	return &TagResourceResponse{}, nil
}

func (s *Service) untagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.taggedTopic(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	rec := t.rec
	rec.Tags = maps.Clone(rec.Tags)
	for _, k := range in.TagKeys {
		delete(rec.Tags, k)
	}
	if err := commit(s.store, func(b store.Batch) { b.Set(topicKey(t.name), mustJSON(rec)) }); err != nil {
		return nil, err
	}
	t.rec = rec
	return &UntagResourceResponse{}, nil
}

func (s *Service) listTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.taggedTopic(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceResponse{Tags: []Tag{}}
	for _, k := range sortedKeys(t.rec.Tags) {
		out.Tags = append(out.Tags, Tag{Key: ptr(k), Value: ptr(t.rec.Tags[k])})
	}
	return out, nil
}
