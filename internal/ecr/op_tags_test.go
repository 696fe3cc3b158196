package ecr

import (
	"context"
	"testing"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/prototest"
)

// TestTagLimitSkipsReservedTags: a repository holds 50 tags of its own
// beside CloudFormation's aws: tags, which do not count toward the limit,
// in CreateRepository as in TagResource, and not a 51st.
func TestTagLimitSkipsReservedTags(t *testing.T) {
	t.Parallel()
	s := newTestService(t)
	ctx := context.Background()
	tags := prototest.TagsAtLimit(maxTags, func(k, v string) Tag { return Tag{Key: ptr(k), Value: ptr(v)} })
	out, err := s.createRepository(awsproto.WithReservedTags(ctx), &CreateRepositoryRequest{RepositoryName: ptr("limited"), Tags: tags})
	if err != nil {
		t.Fatalf("50 tags and CloudFormation's: %v", err)
	}
	arn := out.Repository.RepositoryArn
	if _, err := s.tagResource(awsproto.WithReservedTags(ctx), &TagResourceRequest{ResourceArn: arn, Tags: tags}); err != nil {
		t.Fatalf("retagging: %v", err)
	}
	_, err = s.tagResource(ctx, &TagResourceRequest{ResourceArn: arn, Tags: []Tag{{Key: ptr("one-more"), Value: ptr("v")}}})
	if e := apierr.As(err); e == nil || e.Code != ErrTooManyTags.Code {
		t.Errorf("51st tag: %v, want %s", err, ErrTooManyTags.Code)
	}
}

// TestReservedTagKeysRefused: a caller may not set tag keys in the aws:
// namespace, in any letter case, on CreateRepository or TagResource,
// nor remove them with UntagResource; CloudFormation's calls may.
func TestReservedTagKeysRefused(t *testing.T) {
	t.Parallel()
	s := newTestService(t)
	ctx := context.Background()
	for _, k := range []string{"aws:team", "AWS:team", "Aws:team"} {
		_, err := s.createRepository(ctx, &CreateRepositoryRequest{RepositoryName: ptr("reserved"), Tags: []Tag{{Key: ptr(k), Value: ptr("v")}}})
		if e := apierr.As(err); e == nil || e.Code != ErrInvalidTagParameter.Code {
			t.Errorf("CreateRepository with %s: %v, want %s", k, err, ErrInvalidTagParameter.Code)
		}
	}
	out, err := s.createRepository(awsproto.WithReservedTags(ctx), &CreateRepositoryRequest{RepositoryName: ptr("reserved"),
		Tags: []Tag{{Key: ptr("aws:cloudformation:stack-name"), Value: ptr("s")}}})
	if err != nil {
		t.Fatalf("CloudFormation's tags: %v", err)
	}
	_, err = s.tagResource(ctx, &TagResourceRequest{ResourceArn: out.Repository.RepositoryArn, Tags: []Tag{{Key: ptr("AWS:team"), Value: ptr("v")}}})
	if e := apierr.As(err); e == nil || e.Code != ErrInvalidTagParameter.Code {
		t.Errorf("TagResource with AWS:team: %v, want %s", err, ErrInvalidTagParameter.Code)
	}
	arn := out.Repository.RepositoryArn
	_, err = s.untagResource(ctx, &UntagResourceRequest{ResourceArn: arn, TagKeys: []string{"Aws:CloudFormation:Stack-Name"}})
	if e := apierr.As(err); e == nil || e.Code != ErrInvalidTagParameter.Code {
		t.Errorf("UntagResource of an aws: key: %v, want %s", err, ErrInvalidTagParameter.Code)
	}
	if _, err := s.untagResource(awsproto.WithReservedTags(ctx), &UntagResourceRequest{ResourceArn: arn, TagKeys: []string{"aws:cloudformation:stack-name"}}); err != nil {
		t.Errorf("CloudFormation's UntagResource: %v", err)
	}
	if tags, err := s.listTagsForResource(ctx, &ListTagsForResourceRequest{ResourceArn: arn}); err != nil || len(tags.Tags) != 0 {
		t.Errorf("tags after CloudFormation's UntagResource: %v, %v", tags, err)
	}
}
