package s3

import (
	"context"
	"encoding/json"
	"slices"
)

// Public access blocks and object ownership. Both are recorded and
// reported as S3 reports them; virga evaluates no policies or ACLs, so
// their effect is what follows from them directly:
//
//   - A bucket's PublicAccessBlockConfiguration (PutPublicAccessBlock)
//     makes its website endpoint answer 403 when BlockPublicPolicy or
//     RestrictPublicBuckets is true (website.go).
//   - Object ownership: "By default, ACLs are disabled for new buckets"
//     (BucketOwnerEnforced, since April 2023), and then a request that
//     sets an ACL other than the bucket owner's full control is refused
//     with AccessControlListNotSupported, as S3 refuses it. CreateBucket's
//     x-amz-object-ownership and PutBucketOwnershipControls choose
//     BucketOwnerPreferred or ObjectWriter, which take ACLs.
//     DeleteBucketOwnershipControls leaves a bucket with no controls,
//     which takes ACLs as ObjectWriter does.

const ownershipEnforced = "BucketOwnerEnforced"

// objectOwnerships are ObjectOwnership's values.
var objectOwnerships = []string{"BucketOwnerPreferred", "ObjectWriter", ownershipEnforced}

var errACLNotSupported = ErrAccessControlListNotSupported

// aclsDisabled reports whether a bucket refuses ACLs.
func aclsDisabled(b *bucketRecord) bool { return b.Ownership == ownershipEnforced }

func (s *Service) putPublicAccessBlock(ctx context.Context, in *PutPublicAccessBlockRequest) (*struct{}, error) {
	if _, err := s.bucket(s.store, *in.Bucket); err != nil {
		return nil, err
	}
	if err := checkIntegrity(ctx); err != nil {
		return nil, err
	}
	c := in.PublicAccessBlockConfiguration
	if c == nil {
		return nil, ErrMalformedXML
	}
	stored := &PublicAccessBlockConfiguration{BlockPublicAcls: boolPtr(isTrue(c.BlockPublicAcls)),
		IgnorePublicAcls: boolPtr(isTrue(c.IgnorePublicAcls)), BlockPublicPolicy: boolPtr(isTrue(c.BlockPublicPolicy)),
		RestrictPublicBuckets: boolPtr(isTrue(c.RestrictPublicBuckets))}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.PublicAccessBlock = stored; return nil })
}

func (s *Service) getPublicAccessBlock(_ context.Context, in *GetPublicAccessBlockRequest) (*GetPublicAccessBlockOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	if b.PublicAccessBlock == nil {
		return nil, ErrNoSuchPublicAccessBlock.WithDetails(&bucketDetails{BucketName: in.Bucket})
	}
	return &GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: b.PublicAccessBlock}, nil
}

func (s *Service) deletePublicAccessBlock(_ context.Context, in *DeletePublicAccessBlockRequest) (*struct{}, error) {
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.PublicAccessBlock = nil; return nil })
}

func (s *Service) putBucketOwnershipControls(ctx context.Context, in *PutBucketOwnershipControlsRequest) (*struct{}, error) {
	if _, err := s.bucket(s.store, *in.Bucket); err != nil {
		return nil, err
	}
	if err := checkIntegrity(ctx); err != nil {
		return nil, err
	}
	c := in.OwnershipControls
	if c == nil || len(c.Rules) != 1 || !slices.Contains(objectOwnerships, strDeref(c.Rules[0].ObjectOwnership)) {
		return nil, ErrMalformedXML
	}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Ownership = *c.Rules[0].ObjectOwnership; return nil })
}

func (s *Service) getBucketOwnershipControls(_ context.Context, in *GetBucketOwnershipControlsRequest) (*GetBucketOwnershipControlsOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	if b.Ownership == "" {
		return nil, ErrNoSuchOwnershipControls.WithDetails(&bucketDetails{BucketName: in.Bucket})
	}
	return &GetBucketOwnershipControlsOutput{OwnershipControls: &OwnershipControls{
		Rules: []OwnershipControlsRule{{ObjectOwnership: strptr(b.Ownership)}}}}, nil
}

func (s *Service) deleteBucketOwnershipControls(_ context.Context, in *DeleteBucketOwnershipControlsRequest) (*struct{}, error) {
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Ownership = ""; return nil })
}

// getBucketPolicyStatus reports whether the bucket's policy is public:
// one with a statement that allows "*" (or {"AWS": "*"}) without a
// Condition, as S3 judges it.
func (s *Service) getBucketPolicyStatus(_ context.Context, in *GetBucketPolicyStatusRequest) (*GetBucketPolicyStatusOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	if b.Policy == "" {
		return nil, ErrNoSuchBucketPolicy.WithDetails(&bucketDetails{BucketName: in.Bucket})
	}
	return &GetBucketPolicyStatusOutput{PolicyStatus: &PolicyStatus{IsPublic: boolPtr(publicPolicy(b.Policy))}}, nil
}

// publicPolicy reports whether a bucket policy grants public access: an
// Allow statement whose Principal is "*" (or {"AWS": "*"}) with no
// Condition.
func publicPolicy(doc string) bool {
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	type statement struct {
		Effect    string
		Principal any
		Condition map[string]any
	}
	var list []statement
	if json.Unmarshal(p.Statement, &list) != nil {
		var one statement
		if json.Unmarshal(p.Statement, &one) != nil {
			return false
		}
		list = []statement{one}
	}
	everyone := func(v any) bool {
		switch v := v.(type) {
		case string:
			return v == "*"
		case []any:
			return slices.Contains(v, any("*"))
		}
		return false
	}
	for _, st := range list {
		if st.Effect != "Allow" || len(st.Condition) > 0 {
			continue
		}
		if everyone(st.Principal) {
			return true
		}
		if m, ok := st.Principal.(map[string]any); ok && everyone(m["AWS"]) {
			return true
		}
	}
	return false
}

// checkACL refuses an ACL a bucket does not take: with ACLs disabled,
// only the canned ACL allowed ("bucket-owner-full-control" for an
// object; none for the bucket itself, not even private).
func checkACL(b *bucketRecord, canned string, grants bool, allowed string) error {
	if !aclsDisabled(b) || !grants && (canned == "" || canned == allowed) {
		return nil
	}
	return errACLNotSupported
}
