package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

// GetObjectAttributes answers the attributes asked for: the ETag
// unquoted, the checksum, the size, the storage class and a multipart
// object's part count.
func TestS3GetObjectAttributes(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("attrs")}); err != nil {
		t.Fatal(err)
	}
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("attrs"), Key: aws.String("doc1.rtf"),
		Body: strings.NewReader("hello"), StorageClass: s3types.StorageClassReducedRedundancy})
	if err != nil {
		t.Fatal(err)
	}
	all := []s3types.ObjectAttributes{s3types.ObjectAttributesEtag, s3types.ObjectAttributesChecksum,
		s3types.ObjectAttributesObjectParts, s3types.ObjectAttributesStorageClass, s3types.ObjectAttributesObjectSize}
	got, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("doc1.rtf"), ObjectAttributes: all})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ETag) != strings.Trim(aws.ToString(put.ETag), `"`) || aws.ToInt64(got.ObjectSize) != 5 ||
		got.StorageClass != s3types.StorageClassReducedRedundancy || got.LastModified == nil || got.ObjectParts != nil ||
		got.Checksum == nil || aws.ToString(got.Checksum.ChecksumCRC64NVME) == "" || got.Checksum.ChecksumType != s3types.ChecksumTypeFullObject {
		t.Errorf("GetObjectAttributes = %+v (checksum %+v)", got, got.Checksum)
	}
	only, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("doc1.rtf"),
		ObjectAttributes: []s3types.ObjectAttributes{s3types.ObjectAttributesObjectSize}})
	if err != nil || aws.ToInt64(only.ObjectSize) != 5 || only.ETag != nil || only.Checksum != nil || only.StorageClass != "" {
		t.Errorf("ObjectSize only = %+v, %v", only, err)
	}

	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("attrs"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []s3types.CompletedPart
	for i, body := range [][]byte{bytes.Repeat([]byte("a"), 5<<20), []byte("tail")} {
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("attrs"), Key: aws.String("big"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s3types.CompletedPart{ETag: p.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("attrs"), Key: aws.String("big"),
		UploadId: up.UploadId, MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	big, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("big"), ObjectAttributes: all})
	if err != nil {
		t.Fatal(err)
	}
	if big.ObjectParts == nil || aws.ToInt32(big.ObjectParts.TotalPartsCount) != 2 || !strings.HasSuffix(aws.ToString(big.ETag), "-2") ||
		aws.ToInt64(big.ObjectSize) != 5<<20+4 || big.StorageClass != s3types.StorageClassStandard {
		t.Errorf("multipart GetObjectAttributes = %+v (parts %+v)", big, big.ObjectParts)
	}

	var ae smithy.APIError
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("nokey"), ObjectAttributes: all})
	if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchKey" {
		t.Errorf("missing key: %v, want NoSuchKey", err)
	}
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attrs"), Key: aws.String("doc1.rtf"),
		ObjectAttributes: []s3types.ObjectAttributes{"Owner"}})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidArgument" {
		t.Errorf("unknown attribute: %v, want InvalidArgument", err)
	}
}

// Request payment and transfer acceleration, which tools read for every
// bucket, report their defaults and what was set.
func TestS3RequestPaymentAndAccelerate(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	for _, name := range []string{"settings", "dotted.bucket"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	pay, err := c.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: aws.String("settings")})
	if err != nil || pay.Payer != s3types.PayerBucketOwner {
		t.Fatalf("default payer = %+v, %v", pay, err)
	}
	acc, err := c.GetBucketAccelerateConfiguration(ctx, &s3.GetBucketAccelerateConfigurationInput{Bucket: aws.String("settings")})
	if err != nil || acc.Status != "" {
		t.Fatalf("default acceleration = %+v, %v", acc, err)
	}
	if _, err := c.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: aws.String("settings"),
		RequestPaymentConfiguration: &s3types.RequestPaymentConfiguration{Payer: s3types.PayerRequester}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketAccelerateConfiguration(ctx, &s3.PutBucketAccelerateConfigurationInput{Bucket: aws.String("settings"),
		AccelerateConfiguration: &s3types.AccelerateConfiguration{Status: s3types.BucketAccelerateStatusSuspended}}); err != nil {
		t.Fatal(err)
	}
	pay, err = c.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: aws.String("settings")})
	if err != nil || pay.Payer != s3types.PayerRequester {
		t.Errorf("payer = %+v, %v; want Requester", pay, err)
	}
	acc, err = c.GetBucketAccelerateConfiguration(ctx, &s3.GetBucketAccelerateConfigurationInput{Bucket: aws.String("settings")})
	if err != nil || acc.Status != s3types.BucketAccelerateStatusSuspended {
		t.Errorf("acceleration = %+v, %v; want Suspended", acc, err)
	}
	var ae smithy.APIError
	_, err = c.PutBucketAccelerateConfiguration(ctx, &s3.PutBucketAccelerateConfigurationInput{Bucket: aws.String("dotted.bucket"),
		AccelerateConfiguration: &s3types.AccelerateConfiguration{Status: s3types.BucketAccelerateStatusEnabled}})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidRequest" {
		t.Errorf("acceleration of a dotted bucket: %v, want InvalidRequest", err)
	}
	_, err = c.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: aws.String("nosuchbucket")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchBucket" {
		t.Errorf("missing bucket: %v, want NoSuchBucket", err)
	}
}

// GetObjectLockConfiguration reports a bucket created with Object Lock
// and ObjectLockConfigurationNotFoundError for one without; a
// configuration without a rule keeps the bucket locked.
func TestS3GetObjectLockConfiguration(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("locked"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("unlocked")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("locked")})
	if err != nil || got.ObjectLockConfiguration == nil || got.ObjectLockConfiguration.ObjectLockEnabled != s3types.ObjectLockEnabledEnabled {
		t.Fatalf("locked bucket: %+v, %v", got, err)
	}
	var ae smithy.APIError
	_, err = c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("unlocked")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "ObjectLockConfigurationNotFoundError" {
		t.Errorf("bucket without Object Lock: %v, want ObjectLockConfigurationNotFoundError", err)
	}
	_, err = c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("locked"),
		ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled}})
	if err != nil {
		t.Errorf("PutObjectLockConfiguration: %v", err)
	}
	got, err = c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("locked")})
	if err != nil || got.ObjectLockConfiguration.ObjectLockEnabled != s3types.ObjectLockEnabledEnabled || got.ObjectLockConfiguration.Rule != nil {
		t.Errorf("GetObjectLockConfiguration after a PUT without a rule: %+v, %v", got, err)
	}
}
