package s3

import (
	"context"
	"slices"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// Default encryption. "Amazon S3 now applies server-side encryption with
// Amazon S3 managed keys (SSE-S3) as the base level of encryption for
// every bucket": GetBucketEncryption answers SSE-S3 (AES256) for a bucket
// that was never given a configuration, or whose configuration was
// deleted, and PutBucketEncryption replaces it. An object written
// without its own x-amz-server-side-encryption reports the bucket's
// default algorithm and KMS key; virga keeps object bytes as they are
// whatever either says.

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
// reports: the bucket's default algorithm and KMS key when it is not
// SSE-S3, "" (which reads as AES256) otherwise.
func defaultSSE(b *bucketRecord) (alg, kmsKey string) {
	if b.Encryption == nil || len(b.Encryption.Rules) == 0 || b.Encryption.Rules[0].ApplyServerSideEncryptionByDefault == nil {
		return "", ""
	}
	d := b.Encryption.Rules[0].ApplyServerSideEncryptionByDefault
	if alg := strDeref(d.SSEAlgorithm); alg != "AES256" {
		return alg, strDeref(d.KMSMasterKeyID)
	}
	return "", ""
}

// Keys resolves the KMS keys objects are encrypted with (package kms).
type Keys interface {
	// EncryptionKeyARN is the ARN of the key a reference (key id, key
	// ARN, alias name or alias ARN) names, if it can encrypt now, and
	// KMS's error otherwise. An AWS managed key's alias makes the key.
	EncryptionKeyARN(ref string) (string, error)
}

// managedKey is the AWS managed key S3 encrypts with when SSE-KMS is
// asked for without a key: "If you don't specify a customer managed key,
// Amazon S3 uses the AWS managed key (aws/s3)".
const managedKey = "alias/aws/s3"

// errKMSKeyWithoutKMS answers a write that names a KMS key
// (x-amz-server-side-encryption-aws-kms-key-id) without asking for
// SSE-KMS: S3 refuses it rather than drop the key. The code and message
// are S3's; ArgumentName and ArgumentValue: wording unconfirmed.
var errKMSKeyWithoutKMS = invalidArgument("x-amz-server-side-encryption", "null",
	"Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")

// unsupportedSSE answers a write whose x-amz-server-side-encryption is
// none of sseAlgorithms: S3's InvalidArgument "The encryption method
// specified is not supported" (ArgumentName and ArgumentValue: wording
// unconfirmed).
func unsupportedSSE(alg string) error {
	return invalidArgument("x-amz-server-side-encryption", alg, "The encryption method specified is not supported")
}

// encryptObject settles the encryption a new object (or multipart
// upload) reports: what the write asked for, else the bucket's default
// (the source's never counts for a copy: "If the encryption setting in
// your request is different from the default encryption configuration
// of the destination bucket, the encryption setting in your request
// takes precedence"), with its KMS key resolved by resolveKMSKey.
func (s *Service) encryptObject(b *bucketRecord, o *objectRecord) error {
	if o.SSE != "" && !slices.Contains(sseAlgorithms, o.SSE) {
		return unsupportedSSE(o.SSE)
	}
	if o.SSEKMSKeyID != "" && !isKMS(o.SSE) {
		return errKMSKeyWithoutKMS
	}
	if o.SSE == "" {
		o.SSE, o.SSEKMSKeyID = defaultSSE(b)
	}
	return s.resolveKMSKey(o)
}

func isKMS(alg string) bool { return alg == "aws:kms" || alg == "aws:kms:dsse" }

// resolveKMSKey sets an SSE-KMS object's key to the ARN of the key it
// names (the AWS managed key when none), as S3 reports it in
// x-amz-server-side-encryption-aws-kms-key-id, and refuses a key KMS
// cannot encrypt with as S3 does: KMS's error with its code prefixed
// "KMS." ("KMS.NotFoundException: Key '...' does not exist"). Other
// objects carry no key.
func (s *Service) resolveKMSKey(o *objectRecord) error {
	if !isKMS(o.SSE) {
		o.SSEKMSKeyID = ""
		return nil
	}
	ref := o.SSEKMSKeyID
	if ref == "" {
		ref = managedKey
	}
	if s.keys == nil {
		if !strings.HasPrefix(ref, "arn:") {
			kind := "key/"
			if strings.HasPrefix(ref, "alias/") {
				kind = ""
			}
			ref = "arn:aws:kms:" + s.region + ":" + s.account + ":" + kind + ref
		}
		o.SSEKMSKeyID = ref
		return nil
	}
	arn, err := s.keys.EncryptionKeyARN(ref)
	if err != nil {
		if e := apierr.As(err); e != nil {
			return apierr.New("KMS."+e.Code, 400, e.Message)
		}
		return err
	}
	o.SSEKMSKeyID = arn
	return nil
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
