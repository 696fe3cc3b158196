package s3

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the bucket or object a call acts on, for IAM
// authorization: arn:aws:s3:::BUCKET, or arn:aws:s3:::BUCKET/KEY for
// calls on an object. ListBuckets acts on every bucket,
// arn:aws:s3:::*, which policies name for s3:ListAllMyBuckets as the S3
// User Guide's examples do (as "*" does too); its denial names no
// resource (policy.Worded).
func (s *Service) resources(c *awsproto.Call, in any) []string {
	bucket := awsproto.InputString(in, "Bucket")
	if bucket == "" {
		if c.Op != nil && c.Op.Action == "s3:ListAllMyBuckets" {
			return []string{everyBucket}
		}
		return nil
	}
	if key := awsproto.InputString(in, "Key"); key != "" {
		return []string{"arn:aws:s3:::" + bucket + "/" + key}
	}
	return []string{"arn:aws:s3:::" + bucket}
}

// everyBucket is the resource ListBuckets is decided on.
const everyBucket = "arn:aws:s3:::*"

// resourcePolicy is the bucket policy of the bucket a resource is or is
// in.
func (s *Service) resourcePolicy(ctx context.Context, arn string) (string, error) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !ok {
		return "", nil
	}
	name, _, _ := strings.Cut(rest, "/")
	b, err := s.bucket(s.store, name)
	if err != nil {
		return "", nil // no such bucket: the operation answers that
	}
	return b.Policy, nil
}
