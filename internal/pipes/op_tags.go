package pipes

import (
	"context"
	"maps"

	"github.com/virga/virga/internal/store"
)

// maxTags is the tag limit of a pipe (the model's TagMap: 50).
const maxTags = 50

// pipeByARN finds the pipe an ARN names; the caller holds s.mu.
func (s *Service) pipeByARN(arn string) (*entry, error) {
	name, ok := s.nameFromARN(arn)
	if !ok || s.pipes[name] == nil {
		if !ok {
			name = arn
		}
		return nil, pipeNotFound(name)
	}
	return s.pipes[name], nil
}

// tagResource adds or replaces a pipe's tags.
func (s *Service) tagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.pipeByARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	r := *e.rec
	r.Tags = maps.Clone(r.Tags)
	if r.Tags == nil {
		r.Tags = map[string]string{}
	}
	maps.Copy(r.Tags, in.Tags)
	if len(r.Tags) > maxTags {
		return nil, invalid("A pipe can have at most %d tags.", maxTags)
	}
	if err := s.commit(func(b store.Batch) error { return putPipe(b, s.account, &r) }); err != nil {
		return nil, err
	}
	e.rec = &r
	return &TagResourceResponse{}, nil
}

// untagResource removes tags from a pipe.
func (s *Service) untagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.pipeByARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	r := *e.rec
	r.Tags = maps.Clone(r.Tags)
	for _, k := range in.TagKeys {
		delete(r.Tags, k)
	}
	if len(r.Tags) == 0 {
		r.Tags = nil
	}
	if err := s.commit(func(b store.Batch) error { return putPipe(b, s.account, &r) }); err != nil {
		return nil, err
	}
	e.rec = &r
	return &UntagResourceResponse{}, nil
}

// listTagsForResource lists a pipe's tags.
func (s *Service) listTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.pipeByARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags := maps.Clone(e.rec.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return &ListTagsForResourceResponse{Tags: tags}, nil
}
