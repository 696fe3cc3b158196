package elbv2

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// maxTags is "You can add up to 50 tags to each load balancer" (and each
// target group, listener and rule). Tags in the aws: namespace, which AWS
// sets itself (CloudFormation's stack tags), do not count
// (awsproto.UserTags).
const maxTags = 50

func tagKey(t tag) string { return t.Key }

// reservedTagKey is the error for a caller's tag key k in the aws:
// namespace.
func reservedTagKey(k string) error {
	return validation("Tag key '%s' cannot start with 'aws:'", k)
}

// newTags takes a request's tags: unique keys, at most 50 of the
// caller's own, and none in the aws: namespace but on CloudFormation's
// calls (marked on ctx).
func newTags(ctx context.Context, in []Tag) ([]tag, error) {
	if k, ok := awsproto.ForbiddenTagKey(ctx, in, func(t Tag) string { return deref(t.Key) }); ok {
		return nil, reservedTagKey(k)
	}
	var out []tag
	for _, t := range in {
		k := deref(t.Key)
		if slices.ContainsFunc(out, func(x tag) bool { return x.Key == k }) {
			return nil, ErrDuplicateTagKeys.WithMessage(fmt.Sprintf("Tag key '%s' specified more than once", k))
		}
		out = append(out, tag{k, deref(t.Value)})
	}
	if awsproto.UserTags(out, tagKey) > maxTags {
		return nil, ErrTooManyTags.WithMessage(fmt.Sprintf("The quota of %d tags per resource has been reached", maxTags))
	}
	return out, nil
}

func tagShapes(ts []tag) []Tag {
	out := make([]Tag, 0, len(ts))
	for _, t := range ts {
		out = append(out, Tag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return out
}

// tagged finds the resource an ARN names and returns its tags, a setter
// that stores new ones, and its kind.
func (s *Service) taggedLocked(arn string) (*[]tag, string, any, error) {
	switch {
	case strings.Contains(arn, ":loadbalancer/"):
		if lb := s.lbs[arn]; lb != nil {
			return &lb.Tags, kindLB, lb, nil
		}
		return nil, "", nil, ErrLoadBalancerNotFound.WithMessage(fmt.Sprintf("Load balancer '%s' not found", arn))
	case strings.Contains(arn, ":targetgroup/"):
		if tg := s.tgs[arn]; tg != nil {
			return &tg.Tags, kindTG, tg, nil
		}
		return nil, "", nil, ErrTargetGroupNotFound.WithMessage(fmt.Sprintf("Target groups '%s' not found", arn))
	case strings.Contains(arn, ":listener/"):
		if l := s.listeners[arn]; l != nil {
			return &l.Tags, kindListener, l, nil
		}
		return nil, "", nil, ErrListenerNotFound.WithMessage(fmt.Sprintf("Listener '%s' not found", arn))
	case strings.Contains(arn, ":listener-rule/"):
		if r := s.rules[arn]; r != nil {
			return &r.Tags, kindRule, r, nil
		}
		return nil, "", nil, ErrRuleNotFound.WithMessage(fmt.Sprintf("Rule '%s' not found", arn))
	}
	return nil, "", nil, validation("'%s' is not a valid resource ARN", arn)
}

func (s *Service) addTags(ctx context.Context, in *AddTagsInput) (*AddTagsOutput, error) {
	add, err := newTags(ctx, in.Tags)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	type change struct {
		tags *[]tag
		next []tag
	}
	var ws []write
	var changes []change
	for _, arn := range in.ResourceArns {
		tags, kind, rec, err := s.taggedLocked(arn)
		if err != nil {
			return nil, err
		}
		next := slices.Clone(*tags)
		for _, t := range add {
			if i := slices.IndexFunc(next, func(x tag) bool { return x.Key == t.Key }); i >= 0 {
				next[i] = t
			} else {
				next = append(next, t)
			}
		}
		if awsproto.UserTags(next, tagKey) > maxTags {
			return nil, ErrTooManyTags.WithMessage(fmt.Sprintf("The quota of %d tags per resource has been reached", maxTags))
		}
		old := *tags
		*tags = next
		ws = append(ws, write{kind, arn, cloneJSON(rec)})
		*tags = old
		changes = append(changes, change{tags, next})
	}
	if err := s.commit(ws...); err != nil {
		return nil, err
	}
	for _, c := range changes {
		*c.tags = c.next
	}
	return &AddTagsOutput{}, nil
}

func (s *Service) removeTags(ctx context.Context, in *RemoveTagsInput) (*RemoveTagsOutput, error) {
	// AWS sets the aws: tags and only it may take them off.
	if k, ok := awsproto.ForbiddenTagKey(ctx, in.TagKeys, func(k string) string { return k }); ok {
		return nil, reservedTagKey(k)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ws []write
	var apply []func()
	for _, arn := range in.ResourceArns {
		tags, kind, rec, err := s.taggedLocked(arn)
		if err != nil {
			return nil, err
		}
		next := slices.DeleteFunc(slices.Clone(*tags), func(t tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		old := *tags
		*tags = next
		ws = append(ws, write{kind, arn, cloneJSON(rec)})
		*tags = old
		apply = append(apply, func() { *tags = next })
	}
	if err := s.commit(ws...); err != nil {
		return nil, err
	}
	for _, f := range apply {
		f()
	}
	return &RemoveTagsOutput{}, nil
}

func (s *Service) describeTags(ctx context.Context, in *DescribeTagsInput) (*DescribeTagsOutput, error) {
	if len(in.ResourceArns) > 20 {
		return nil, validation("A maximum of 20 resource ARNs can be described at once")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := &DescribeTagsOutput{}
	for _, arn := range in.ResourceArns {
		tags, _, _, err := s.taggedLocked(arn)
		if err != nil {
			return nil, err
		}
		out.TagDescriptions = append(out.TagDescriptions, TagDescription{ResourceArn: ptr(arn), Tags: tagShapes(*tags)})
	}
	return out, nil
}
