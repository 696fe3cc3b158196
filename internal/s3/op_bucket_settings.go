package s3

import (
	"context"
	"strings"
)

// Request payment and transfer acceleration are recorded and reported,
// as S3 reports them, and change nothing: every request is the bucket
// owner's to pay, and there is no accelerated endpoint.

func (s *Service) getBucketRequestPayment(_ context.Context, in *GetBucketRequestPaymentRequest) (*GetBucketRequestPaymentOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	payer := "BucketOwner"
	if b.Payer != "" {
		payer = b.Payer
	}
	return &GetBucketRequestPaymentOutput{Payer: &payer}, nil
}

func (s *Service) putBucketRequestPayment(_ context.Context, in *PutBucketRequestPaymentRequest) (*struct{}, error) {
	c := in.RequestPaymentConfiguration
	if c == nil || c.Payer == nil || *c.Payer != "Requester" && *c.Payer != "BucketOwner" {
		return nil, ErrMalformedXML
	}
	payer := *c.Payer
	if payer == "BucketOwner" {
		payer = "" // the default
	}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Payer = payer; return nil })
}

// getBucketAccelerateConfiguration reports the status last set; a bucket
// never given one answers without a Status, as S3 does.
func (s *Service) getBucketAccelerateConfiguration(_ context.Context, in *GetBucketAccelerateConfigurationRequest) (*GetBucketAccelerateConfigurationOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	return &GetBucketAccelerateConfigurationOutput{Status: optStr(b.Accelerate)}, nil
}

func (s *Service) putBucketAccelerateConfiguration(_ context.Context, in *PutBucketAccelerateConfigurationRequest) (*struct{}, error) {
	c := in.AccelerateConfiguration
	if c == nil || c.Status == nil || *c.Status != "Enabled" && *c.Status != "Suspended" {
		return nil, ErrMalformedXML
	}
	if strings.Contains(*in.Bucket, ".") {
		return nil, ErrInvalidRequest.WithMessage("S3 Transfer Acceleration is not supported for buckets with periods (.) in their names")
	}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Accelerate = *c.Status; return nil })
}

// Server access logging is recorded and reported; no log is written.

func (s *Service) getBucketLogging(_ context.Context, in *GetBucketLoggingRequest) (*GetBucketLoggingOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	return &GetBucketLoggingOutput{LoggingEnabled: b.Logging}, nil
}

// putBucketLogging sets the bucket's logging, or turns it off with an
// empty BucketLoggingStatus. The target bucket must exist in the same
// region, as S3 requires.
func (s *Service) putBucketLogging(_ context.Context, in *PutBucketLoggingRequest) (*struct{}, error) {
	if in.BucketLoggingStatus == nil {
		return nil, ErrMalformedXML
	}
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	le := in.BucketLoggingStatus.LoggingEnabled
	if le != nil {
		if le.TargetBucket == nil || le.TargetPrefix == nil {
			return nil, ErrMalformedXML
		}
		target, err := s.bucket(s.store, *le.TargetBucket)
		if err != nil {
			return nil, ErrInvalidTargetBucketForLogging
		}
		if target.Region != b.Region {
			return nil, ErrCrossLocationLogging
		}
	}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Logging = le; return nil })
}

// getObjectLockConfiguration reports whether the bucket has Object Lock,
// and its default retention rule (object_lock.go).
func (s *Service) getObjectLockConfiguration(_ context.Context, in *GetObjectLockConfigurationRequest) (*GetObjectLockConfigurationOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	if !b.ObjectLock {
		return nil, ErrNoObjectLockConfiguration.WithDetails(&bucketDetails{BucketName: in.Bucket})
	}
	return &GetObjectLockConfigurationOutput{ObjectLockConfiguration: &ObjectLockConfiguration{ObjectLockEnabled: strptr("Enabled"), Rule: b.ObjectLockRule}}, nil
}
