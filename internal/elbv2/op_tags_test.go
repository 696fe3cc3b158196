package elbv2

import (
	"context"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/prototest"
	"github.com/virga/virga/internal/clock"
)

// TestTagLimitSkipsReservedTags: a target group holds 50 tags of its own
// beside CloudFormation's aws: tags, which do not count toward the limit,
// in CreateTargetGroup as in AddTags, and not a 51st.
func TestTagLimitSkipsReservedTags(t *testing.T) {
	t.Parallel()
	s := newTestService(t, clock.NewFake(time.Now()), "-")
	ctx := context.Background()
	tags := prototest.TagsAtLimit(maxTags, func(k, v string) Tag { return Tag{Key: ptr(k), Value: ptr(v)} })
	out, err := s.createTargetGroup(awsproto.WithReservedTags(ctx), &CreateTargetGroupInput{Name: ptr("limited"),
		TargetType: ptr("ip"), Protocol: ptr("HTTP"), Port: ptr(int32(80)), VpcId: ptr("vpc-1"), Tags: tags})
	if err != nil {
		t.Fatalf("50 tags and CloudFormation's: %v", err)
	}
	arn := *out.TargetGroups[0].TargetGroupArn
	if _, err := s.addTags(awsproto.WithReservedTags(ctx), &AddTagsInput{ResourceArns: []string{arn}, Tags: tags}); err != nil {
		t.Fatalf("retagging: %v", err)
	}
	_, err = s.addTags(ctx, &AddTagsInput{ResourceArns: []string{arn}, Tags: []Tag{{Key: ptr("one-more"), Value: ptr("v")}}})
	if e := apierr.As(err); e == nil || e.Code != ErrTooManyTags.Code {
		t.Errorf("51st tag: %v, want %s", err, ErrTooManyTags.Code)
	}
}

// TestReservedTagKeysRefused: a caller may not set tag keys in the aws:
// namespace, in any letter case, on a creation or AddTags, nor remove
// them with RemoveTags; CloudFormation's calls may.
func TestReservedTagKeysRefused(t *testing.T) {
	t.Parallel()
	s := newTestService(t, clock.NewFake(time.Now()), "-")
	ctx := context.Background()
	tg := func(ctx context.Context, k string) (*CreateTargetGroupOutput, error) {
		return s.createTargetGroup(ctx, &CreateTargetGroupInput{Name: ptr("reserved"), TargetType: ptr("ip"), Protocol: ptr("HTTP"),
			Port: ptr(int32(80)), VpcId: ptr("vpc-1"), Tags: []Tag{{Key: ptr(k), Value: ptr("v")}}})
	}
	for _, k := range []string{"aws:team", "AWS:team", "Aws:team"} {
		_, err := tg(ctx, k)
		if e := apierr.As(err); e == nil || e.Code != ErrValidation.Code || e.Message != "Tag key '"+k+"' cannot start with 'aws:'" {
			t.Errorf("CreateTargetGroup with %s: %v", k, err)
		}
	}
	out, err := tg(awsproto.WithReservedTags(ctx), "aws:cloudformation:stack-name")
	if err != nil {
		t.Fatalf("CloudFormation's tags: %v", err)
	}
	_, err = s.addTags(ctx, &AddTagsInput{ResourceArns: []string{*out.TargetGroups[0].TargetGroupArn}, Tags: []Tag{{Key: ptr("AWS:team"), Value: ptr("v")}}})
	if e := apierr.As(err); e == nil || e.Code != ErrValidation.Code {
		t.Errorf("AddTags with AWS:team: %v, want %s", err, ErrValidation.Code)
	}
	arn := *out.TargetGroups[0].TargetGroupArn
	_, err = s.removeTags(ctx, &RemoveTagsInput{ResourceArns: []string{arn}, TagKeys: []string{"AWS:cloudformation:stack-name"}})
	if e := apierr.As(err); e == nil || e.Code != ErrValidation.Code || e.Message != "Tag key 'AWS:cloudformation:stack-name' cannot start with 'aws:'" {
		t.Errorf("RemoveTags of an aws: key: %v", err)
	}
	if _, err := s.removeTags(awsproto.WithReservedTags(ctx), &RemoveTagsInput{ResourceArns: []string{arn}, TagKeys: []string{"aws:cloudformation:stack-name"}}); err != nil {
		t.Errorf("CloudFormation's RemoveTags: %v", err)
	}
	if d, err := s.describeTags(ctx, &DescribeTagsInput{ResourceArns: []string{arn}}); err != nil || len(d.TagDescriptions[0].Tags) != 0 {
		t.Errorf("tags after CloudFormation's RemoveTags: %v, %v", d, err)
	}
}
