package e2e_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

// TestS3ObjectACL: an object's canned ACL from its upload (or copy) is
// what GetObjectAcl reports, private when none was given; PutObjectAcl
// replaces it; an ACL S3 does not know is refused.
func TestS3ObjectACL(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3Client(env)
	// ACLs need ObjectWriter (or BucketOwnerPreferred) ownership.
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared"), ObjectOwnership: s3types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatal(err)
	}
	grants := func(key string) string {
		t.Helper()
		out, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("shared"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObjectAcl %s: %v", key, err)
		}
		var gs []string
		for _, g := range out.Grants {
			who := aws.ToString(g.Grantee.URI)
			if who == "" {
				who = "owner"
				if aws.ToString(g.Grantee.ID) != aws.ToString(out.Owner.ID) {
					who = "someone"
				}
			}
			gs = append(gs, who+":"+string(g.Permission))
		}
		sort.Strings(gs)
		return strings.Join(gs, " ")
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("open.txt"),
		Body: strings.NewReader("x"), ACL: s3types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	const allUsersRead = "http://acs.amazonaws.com/groups/global/AllUsers:READ owner:FULL_CONTROL"
	if got := grants("open.txt"); got != allUsersRead {
		t.Errorf("public-read upload: %s", got)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("shared"), Key: aws.String("copy.txt"), CopySource: aws.String("shared/open.txt")}); err != nil {
		t.Fatal(err)
	}
	if got := grants("copy.txt"); got != "owner:FULL_CONTROL" {
		t.Errorf("a copy without an ACL: %s", got)
	}
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("shared"), Key: aws.String("copy.txt"), ACL: s3types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	if got := grants("copy.txt"); got != allUsersRead {
		t.Errorf("after PutObjectAcl: %s", got)
	}
	_, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("shared"), Key: aws.String("copy.txt"), ACL: "everyone-welcome"})
	if e := wantAPIError(t, err); e.Code != "InvalidArgument" {
		t.Errorf("an unknown canned ACL: %s", e.Code)
	}
	_, err = c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("shared"), Key: aws.String("missing.txt")})
	if e := wantAPIError(t, err); e.Code != "NoSuchKey" {
		t.Errorf("a missing object: %s", e.Code)
	}
}
