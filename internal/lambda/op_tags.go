package lambda

import (
	"context"
	"maps"
	"slices"

	"github.com/virga/virga/internal/awsproto"
)

// maxTags: "You can add up to 50 tags to a function". Tags in the aws:
// namespace, which AWS sets itself (CloudFormation's stack tags), do not
// count toward it (awsproto.UserTags).
const maxTags = 50

// taggedFunction returns the function a tagging operation's ARN names,
// under s.mu. Tags belong to functions, not to versions or aliases.
func (s *Service) taggedFunction(arn string) (*function, error) {
	t, err := s.parseTarget(arn, nil)
	if err != nil {
		return nil, err
	}
	if t.Qualifier != "" {
		return nil, invalidParameter("Tags on function aliases and versions are not supported. Please specify a function ARN.")
	}
	fn := s.functions[t.Name]
	if fn == nil {
		return nil, functionNotFound(s.arn(t))
	}
	return fn, nil
}

// tagResource adds or replaces a function's tags.
func (s *Service) tagResource(ctx context.Context, in *TagResourceRequest) (*noOutput, error) {
	if len(in.Tags) == 0 {
		// Lambda's answer to an empty Tags, odd as its wording is.
		return nil, invalidParameter("An error occurred and the request cannot be processed.")
	}
	if k, ok := awsproto.ForbiddenTagKey(ctx, slices.Sorted(maps.Keys(in.Tags)), func(k string) string { return k }); ok {
		return nil, invalidParameter("Tag keys prefixed with 'aws:' are reserved for AWS use: %s", k)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, err := s.taggedFunction(*in.Resource)
	if err != nil {
		return nil, err
	}
	fn = fn.clone()
	if fn.Tags == nil {
		fn.Tags = map[string]string{}
	}
	maps.Copy(fn.Tags, in.Tags)
	if awsproto.UserTags(slices.Collect(maps.Keys(fn.Tags)), func(k string) string { return k }) > maxTags {
		return nil, invalidParameter("Number of tags exceeds resource tag limit.")
	}
	w := s.newWrites()
	w.putMeta(fn)
	return nil, s.commitFunction(w, fn)
}

// untagResource removes tags from a function.
func (s *Service) untagResource(ctx context.Context, in *UntagResourceRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, err := s.taggedFunction(*in.Resource)
	if err != nil {
		return nil, err
	}
	fn = fn.clone()
	for _, k := range in.TagKeys {
		delete(fn.Tags, k)
	}
	w := s.newWrites()
	w.putMeta(fn)
	return nil, s.commitFunction(w, fn)
}

// listTags returns a function's tags.
func (s *Service) listTags(ctx context.Context, in *ListTagsRequest) (*ListTagsResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn, err := s.taggedFunction(*in.Resource)
	if err != nil {
		return nil, err
	}
	tags := maps.Clone(fn.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return &ListTagsResponse{Tags: tags}, nil
}
