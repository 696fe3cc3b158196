package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

// TestS3BucketEncryption: every bucket reports SSE-S3 default encryption
// until PutBucketEncryption sets another, and again once it is deleted;
// a stack's BucketEncryption sets it, including a rule that only turns
// the bucket key on.
func TestS3BucketEncryption(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3Client(env)
	s3Bucket(t, c, "sealed")
	rule := func(bucket string) string {
		t.Helper()
		out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatalf("GetBucketEncryption %s: %v", bucket, err)
		}
		r := out.ServerSideEncryptionConfiguration.Rules[0]
		d := r.ApplyServerSideEncryptionByDefault
		return string(d.SSEAlgorithm) + "/" + aws.ToString(d.KMSMasterKeyID) + "/" + map[bool]string{true: "key", false: "nokey"}[aws.ToBool(r.BucketKeyEnabled)]
	}
	if got := rule("sealed"); got != "AES256//nokey" {
		t.Errorf("a new bucket: %s", got)
	}
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("sealed"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/data")},
			BucketKeyEnabled:                   aws.Bool(true)}}}}); err != nil {
		t.Fatal(err)
	}
	if got := rule("sealed"); got != "aws:kms/alias/data/key" {
		t.Errorf("after PutBucketEncryption: %s", got)
	}
	// An object written without asking for an encryption reports the
	// bucket's default one.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sealed"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sealed"), Key: aws.String("k")}); err != nil || h.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms {
		t.Errorf("an object in a KMS bucket: %v %v", h.ServerSideEncryption, err)
	}
	if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("sealed")}); err != nil {
		t.Fatal(err)
	}
	if got := rule("sealed"); got != "AES256//nokey" {
		t.Errorf("after DeleteBucketEncryption: %s", got)
	}
	_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("sealed"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: "rot13"}}}}})
	if e := wantAPIError(t, err); e.Code != "MalformedXML" {
		t.Errorf("an unknown algorithm: %s", e.Code)
	}

	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("sealed-stack"), TemplateBody: aws.String(`Resources:
  KeyOnly:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: sealed-key-only
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - BucketKeyEnabled: true
  Kms:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: sealed-kms
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: alias/app
`)}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("sealed-stack")})
		if err != nil {
			t.Fatal(err)
		}
		if s := string(out.Stacks[0].StackStatus); !strings.HasSuffix(s, "_IN_PROGRESS") || time.Now().After(deadline) {
			if s != "CREATE_COMPLETE" {
				t.Fatalf("stack %s: %s", s, aws.ToString(out.Stacks[0].StackStatusReason))
			}
			break
		}
	}
	if got := rule("sealed-key-only"); got != "AES256//key" {
		t.Errorf("BucketKeyEnabled only: %s", got)
	}
	if got := rule("sealed-kms"); got != "aws:kms/alias/app/nokey" {
		t.Errorf("aws:kms: %s", got)
	}
}
