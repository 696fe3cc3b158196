package s3

import (
	"context"
	"slices"
)

// Object ACLs are recorded and reported, as buckets' are, not enforced:
// a write's x-amz-acl or x-amz-grant-* headers (PutObject, CopyObject,
// CreateMultipartUpload; a form upload's acl field) and PutObjectAcl set
// an object's list, which
// GetObjectAcl returns; an object given none is private (its owner has
// FULL_CONTROL). They act on an object's current version.

// objectACL is the list a write's canned ACL or grant headers give an
// object; nil (neither asked) is private.
func (s *Service) objectACL(bucket string, canned *string, grants grantHeaders) (*AccessControlPolicy, error) {
	if canned != nil && grants.any() {
		return nil, errCannedAndGrants
	}
	if grants.any() {
		if b, err := s.bucket(s.store, bucket); err == nil {
			if err := checkACL(b, "", true, ""); err != nil {
				return nil, err
			}
		}
		return s.grantACL(grants)
	}
	if canned == nil || *canned == "" {
		return nil, nil
	}
	if !slices.Contains(cannedACLs, *canned) {
		return nil, invalidArgument("x-amz-acl", *canned, "")
	}
	if b, err := s.bucket(s.store, bucket); err == nil {
		if err := checkACL(b, *canned, false, "bucket-owner-full-control"); err != nil {
			return nil, err
		}
	}
	return s.cannedACL(*canned), nil
}

func (s *Service) getObjectAcl(_ context.Context, in *GetObjectAclRequest) (*GetObjectAclOutput, error) {
	if _, err := s.bucket(s.store, *in.Bucket); err != nil {
		return nil, err
	}
	o, err := s.object(s.store, *in.Bucket, *in.Key)
	if err != nil {
		return nil, err
	}
	if o.DeleteMarker {
		return nil, noSuchKey(*in.Key)
	}
	acl := o.ACL
	if acl == nil {
		acl = s.cannedACL("private")
	}
	return &GetObjectAclOutput{Owner: acl.Owner, Grants: acl.Grants}, nil
}

func (s *Service) putObjectAcl(ctx context.Context, in *PutObjectAclRequest) (*PutObjectAclOutput, error) {
	var acl *AccessControlPolicy
	grants := grantHeaders{in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWrite, in.GrantWriteACP}
	switch {
	case in.ACL != nil && in.AccessControlPolicy != nil:
		return nil, errCannedAndGrants
	case in.ACL != nil || grants.any():
		var err error
		if acl, err = s.objectACL(*in.Bucket, in.ACL, grants); err != nil {
			return nil, err
		}
	case in.AccessControlPolicy != nil:
		if b, err := s.bucket(s.store, *in.Bucket); err == nil && aclsDisabled(b) {
			return nil, errACLNotSupported
		}
		acl = in.AccessControlPolicy
		if acl.Owner == nil {
			acl.Owner = s.owner()
		}
	default:
		acl = s.cannedACL("private")
	}
	return nil, s.updateObject(ctx, *in.Bucket, *in.Key, "ObjectAcl:Put", func(o *objectRecord) error { o.ACL = acl; return nil })
}
