package cloudtrail

import (
	"context"
	"testing"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/prototest"
)

// TestTagLimitSkipsReservedTags: a trail holds 50 tags of its own beside
// CloudFormation's aws: tags, which do not count toward the limit, and
// not a 51st.
func TestTagLimitSkipsReservedTags(t *testing.T) {
	t.Parallel()
	s := newService(t)
	ctx := context.Background()
	tr, err := s.createTrail(ctx, &CreateTrailRequest{Name: ptr("limited"), S3BucketName: ptr("logs")})
	if err != nil {
		t.Fatal(err)
	}
	tags := prototest.TagsAtLimit(maxTagsPerTrail, func(k, v string) Tag { return Tag{Key: ptr(k), Value: ptr(v)} })
	if _, err := s.addTags(awsproto.WithReservedTags(ctx), &AddTagsRequest{ResourceId: tr.TrailARN, TagsList: tags}); err != nil {
		t.Fatalf("50 tags and CloudFormation's: %v", err)
	}
	_, err = s.addTags(ctx, &AddTagsRequest{ResourceId: tr.TrailARN, TagsList: []Tag{{Key: ptr("one-more"), Value: ptr("v")}}})
	if e := apierr.As(err); e == nil || e.Code != ErrTagsLimitExceeded.Code {
		t.Errorf("51st tag: %v, want %s", err, ErrTagsLimitExceeded.Code)
	}
}
