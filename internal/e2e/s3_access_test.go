package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

// TestS3PublicAccessBlock: the configuration is kept and reported, and
// has the effects virga can give it: a public policy is refused under
// BlockPublicPolicy, and the website endpoint answers 403.
func TestS3PublicAccessBlock(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "guarded")
	_, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("guarded")})
	expectAPIError(t, err, "NoSuchPublicAccessBlockConfiguration", 404)
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("guarded"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true), BlockPublicAcls: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("guarded")})
	if err != nil || !aws.ToBool(got.PublicAccessBlockConfiguration.BlockPublicPolicy) || aws.ToBool(got.PublicAccessBlockConfiguration.RestrictPublicBuckets) ||
		got.PublicAccessBlockConfiguration.IgnorePublicAcls == nil {
		t.Fatalf("GetPublicAccessBlock = %+v, %v", got, err)
	}
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::guarded/*"}]}`
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("guarded"), Policy: aws.String(public)})
	expectAPIError(t, err, "AccessDenied", 403)

	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("guarded"), WebsiteConfiguration: &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("guarded"), Key: aws.String("index.html"), Body: strings.NewReader("hi")}); err != nil {
		t.Fatal(err)
	}
	if st, _, body := websiteGet(t, env, "GET", "guarded.s3-website.localhost", "/"); st != 403 || !strings.Contains(body, "<li>Code: AccessDenied</li>") {
		t.Errorf("website of a blocked bucket: %d %s", st, body)
	}
	if _, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("guarded")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("guarded")})
	expectAPIError(t, err, "NoSuchPublicAccessBlockConfiguration", 404)
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("guarded"), Policy: aws.String(public)}); err != nil {
		t.Fatal(err)
	}
	st, err := c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("guarded")})
	if err != nil || !aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Errorf("GetBucketPolicyStatus = %+v, %v", st, err)
	}
	if st, _, body := websiteGet(t, env, "GET", "guarded.s3-website.localhost", "/"); st != 200 || body != "hi" {
		t.Errorf("website after the block went: %d %s", st, body)
	}
}

// TestS3OwnershipControls: new buckets have ACLs disabled, as on AWS
// since April 2023, and refuse ACLs but the bucket owner's full control.
func TestS3OwnershipControls(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := s3Client(env)
	ctx := context.Background()
	s3Bucket(t, c, "owned")
	ownership := func(bucket string) (types.ObjectOwnership, error) {
		out, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: &bucket})
		if err != nil {
			return "", err
		}
		return out.OwnershipControls.Rules[0].ObjectOwnership, nil
	}
	if o, err := ownership("owned"); err != nil || o != types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("a new bucket's ownership: %q %v", o, err)
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("owned"), Key: aws.String("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	expectAPIError(t, err, "AccessControlListNotSupported", 400)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("owned"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Fatalf("bucket-owner-full-control: %v", err)
	}
	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("owned"), Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead})
	expectAPIError(t, err, "AccessControlListNotSupported", 400)
	// Even private, which tools send by default, is refused.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("owned"), Key: aws.String("p"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPrivate})
	expectAPIError(t, err, "AccessControlListNotSupported", 400)
	_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("owned"), ACL: types.BucketCannedACLPrivate})
	expectAPIError(t, err, "AccessControlListNotSupported", 400)
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-bucket"), ACL: types.BucketCannedACLPublicRead})
	expectAPIError(t, err, "InvalidBucketAclWithObjectOwnership", 400)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-bucket"), ACL: types.BucketCannedACLPublicRead,
		ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}); err != nil {
		t.Fatal(err)
	}
	if o, err := ownership("acl-bucket"); err != nil || o != types.ObjectOwnershipBucketOwnerPreferred {
		t.Errorf("ownership chosen at creation: %q %v", o, err)
	}
	_, err = c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("owned"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: "Nobody"}}}})
	expectAPIError(t, err, "MalformedXML", 400)
	if _, err := c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String("owned")}); err != nil {
		t.Fatal(err)
	}
	_, err = ownership("owned")
	expectAPIError(t, err, "OwnershipControlsNotFoundError", 404)
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("owned"), Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Errorf("PutObjectAcl without ownership controls: %v", err)
	}
}
