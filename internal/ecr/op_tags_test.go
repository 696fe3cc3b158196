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
