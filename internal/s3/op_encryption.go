package s3

import (
	"context"
	"slices"
	"strings"
)

// Default encryption. "Amazon S3 now applies server-side encryption with
// Amazon S3 managed keys (SSE-S3) as the base level of encryption for
// every bucket": GetBucketEncryption answers SSE-S3 (AES256) for a bucket
// that was never given a configuration, or whose configuration was
// deleted, and PutBucketEncryption replaces it. An object written
// without its own x-amz-server-side-encryption reports the bucket's
// default algorithm and, for aws:kms, the default's KMS key id; one
// that asks for aws:kms without a key id is under the AWS managed key,
// and reports no key id. virga keeps object bytes as they are whatever
// either says.

// sseAlgorithms are the SSEAlgorithm values S3 takes.
var sseAlgorithms = []string{"AES256", "aws:kms", "aws:kms:dsse"}

// defaultEncryption is the configuration every bucket starts with.
func defaultEncryption() *ServerSideEncryptionConfiguration {
	return &ServerSideEncryptionConfiguration{Rules: []ServerSideEncryptionRule{{
		ApplyServerSideEncryptionByDefault: &ServerSideEncryptionByDefault{SSEAlgorithm: optStr("AES256")},
		BucketKeyEnabled:                   boolPtr(false),
	}}}
}

func boolPtr(b bool) *bool { return &b }

// defaultSSE is the encryption an object written without asking for one
// reports: the bucket's default algorithm when it is not SSE-S3, "" (which
// reads as AES256) otherwise.
func defaultSSE(b *bucketRecord) string {
	if b.Encryption == nil || len(b.Encryption.Rules) == 0 || b.Encryption.Rules[0].ApplyServerSideEncryptionByDefault == nil {
		return ""
	}
	if alg := strDeref(b.Encryption.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm); alg != "AES256" {
		return alg
	}
	return ""
}

// applyDefaultEncryption gives an object written without asking for an
// encryption the bucket's default algorithm and KMS key.
func applyDefaultEncryption(b *bucketRecord, o *objectRecord) {
	if o.SSE != "" {
		return
	}
	o.SSE = defaultSSE(b)
	if strings.HasPrefix(o.SSE, "aws:kms") {
		o.KMSKeyID = strDeref(b.Encryption.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID)
	}
}

// kmsKeyOf is the x-amz-server-side-encryption-aws-kms-key-id an
// object reports: its KMS key when it is encrypted under one.
func kmsKeyOf(o *objectRecord) *string {
	if !strings.HasPrefix(sseOf(o), "aws:kms") {
		return nil
	}
	return optStr(o.KMSKeyID)
}

func (s *Service) getBucketEncryption(_ context.Context, in *GetBucketEncryptionRequest) (*GetBucketEncryptionOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	cfg := b.Encryption
	if cfg == nil {
		cfg = defaultEncryption()
	}
	return &GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: cfg}, nil
}

func (s *Service) putBucketEncryption(_ context.Context, in *PutBucketEncryptionRequest) (*struct{}, error) {
	cfg := in.ServerSideEncryptionConfiguration
	if cfg == nil || len(cfg.Rules) != 1 {
		return nil, ErrMalformedXML
	}
	rule := cfg.Rules[0]
	if d := rule.ApplyServerSideEncryptionByDefault; d != nil {
		alg := strDeref(d.SSEAlgorithm)
		if !slices.Contains(sseAlgorithms, alg) {
			return nil, ErrMalformedXML
		}
		if d.KMSMasterKeyID != nil && alg == "AES256" {
			return nil, invalidArgument("ApplyServerSideEncryptionByDefault", "", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
		}
	} else {
		// A rule that only sets BucketKeyEnabled keeps SSE-S3.
		rule.ApplyServerSideEncryptionByDefault = &ServerSideEncryptionByDefault{SSEAlgorithm: optStr("AES256")}
	}
	if rule.BucketKeyEnabled == nil {
		rule.BucketKeyEnabled = boolPtr(false)
	}
	stored := &ServerSideEncryptionConfiguration{Rules: []ServerSideEncryptionRule{rule}}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Encryption = stored; return nil })
}

func (s *Service) deleteBucketEncryption(_ context.Context, in *DeleteBucketEncryptionRequest) (*struct{}, error) {
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Encryption = nil; return nil })
}
