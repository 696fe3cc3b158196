package s3

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/store/keys"
)

// regionOf is the region a request was sent to (its SigV4 scope's), or
// virga's.
func (s *Service) regionOf(ctx context.Context) string {
	if c := awsproto.CallFrom(ctx); c != nil && c.Region != "" {
		return c.Region
	}
	return s.region
}

func (s *Service) createBucket(ctx context.Context, in *CreateBucketRequest) (*CreateBucketOutput, error) {
	name := *in.Bucket
	if !validBucketName(name) {
		return nil, invalidBucketName(name)
	}
	region := s.regionOf(ctx)
	constraint := ""
	if in.CreateBucketConfiguration != nil && in.CreateBucketConfiguration.LocationConstraint != nil {
		constraint = *in.CreateBucketConfiguration.LocationConstraint
	}
	switch {
	case constraint == "" && region == "us-east-1":
		constraint = "us-east-1"
	case constraint == "" || constraint == "us-east-1" && region == "us-east-1":
		if constraint == "us-east-1" {
			return nil, ErrInvalidLocation.WithDetails(&locationDetails{LocationConstraint: &constraint})
		}
		return nil, ErrIllegalLocation
	case constraint == "EU" && region == "eu-west-1":
		constraint = "eu-west-1"
	case constraint != region:
		return nil, ErrIllegalLocation.WithMessage("The " + constraint + " location constraint is incompatible for the region specific endpoint this request was sent to.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	account := s.account
	if c := awsproto.CallFrom(ctx); c != nil && c.Caller.Account != "" {
		account = c.Caller.Account
	}
	if b, err := s.bucket(s.store, name); err == nil {
		// Bucket names are global: another account's bucket is
		// BucketAlreadyExists. S3 answers 200 to a repeated CreateBucket
		// of one's own bucket in us-east-1 (keeping the bucket as it is),
		// and 409 BucketAlreadyOwnedByYou elsewhere.
		if b.Owner != "" && b.Owner != account {
			return nil, ErrBucketAlreadyExists.WithDetails(&bucketDetails{BucketName: &name})
		}
		if b.Region == "us-east-1" && region == "us-east-1" {
			return &CreateBucketOutput{Location: strptr("/" + name)}, nil
		}
		return nil, ErrBucketAlreadyOwnedByYou.WithDetails(&bucketDetails{BucketName: &name})
	}
	b := &bucketRecord{Name: name, Created: s.clock.Now().UTC().Truncate(1e6), Region: constraint, Owner: account,
		Ownership: strDeref(in.ObjectOwnership), ObjectLock: in.ObjectLockEnabledForBucket != nil && *in.ObjectLockEnabledForBucket}
	if b.Ownership == "" {
		// "By default, ACLs are disabled for new buckets."
		b.Ownership = ownershipEnforced
	}
	grants := grantHeaders{in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWrite, in.GrantWriteACP}
	if in.ACL != nil && grants.any() {
		return nil, errCannedAndGrants
	}
	if aclsDisabled(b) && (strDeref(in.ACL) != "" && *in.ACL != "private" || grants.any()) {
		return nil, ErrInvalidBucketACLWithOwnership
	}
	if acl := strDeref(in.ACL); acl != "" {
		b.ACL = s.cannedACL(acl)
	} else if grants.any() {
		var err error
		if b.ACL, err = s.grantACL(grants); err != nil {
			return nil, err
		}
	}
	if b.ObjectLock {
		b.Versioning = "Enabled"
	}
	if err := s.putBucket(b); err != nil {
		return nil, err
	}
	loc := "/" + name
	if constraint != "us-east-1" {
		loc = "http://" + name + ".s3.amazonaws.com/"
	}
	return &CreateBucketOutput{Location: &loc}, nil
}

type locationDetails struct {
	LocationConstraint *string
}

func strDeref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

type headBucketOutput struct {
	BucketRegion *string `aws:"loc=header,locname=x-amz-bucket-region"`
}

func (s *Service) headBucket(_ context.Context, in *HeadBucketRequest) (*headBucketOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	return &headBucketOutput{BucketRegion: &b.Region}, nil
}

func (s *Service) deleteBucket(_ context.Context, in *DeleteBucketRequest) (*struct{}, error) {
	name := *in.Bucket
	s.mu.Lock()
	if _, err := s.bucket(s.store, name); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	p := objectsPrefix(name)
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	nonEmpty := it.First()
	if err := it.Close(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if nonEmpty {
		s.mu.Unlock()
		return nil, ErrBucketNotEmpty.WithDetails(&bucketDetails{BucketName: &name})
	}
	// Uploads in progress go with the bucket, and their parts' bytes.
	uploads, err := s.uploadsOf(name)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	batch := s.store.NewBatch()
	defer batch.Close()
	var blobs []string
	for _, u := range uploads {
		parts, err := s.partsOf(u.ID)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		for _, pr := range parts {
			blobs = append(blobs, pr.Blob)
		}
		batch.DeleteRange(partsPrefix(u.ID), keys.PrefixEnd(partsPrefix(u.ID)))
	}
	up := uploadsPrefix(name)
	batch.DeleteRange(up, keys.PrefixEnd(up))
	vp := bucketVersionsPrefix(name)
	batch.DeleteRange(vp, keys.PrefixEnd(vp))
	batch.Delete(bucketKey(name))
	err = batch.Commit()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	for _, id := range blobs {
		s.blobs.remove(id)
	}
	return nil, nil
}

// listBucketsPage is ListBuckets' page size when the request asks for
// pages without saying how big: "Amazon S3 applies a default page size of
// 10,000".
const listBucketsPage = 10000

func (s *Service) listBuckets(ctx context.Context, in *ListBucketsRequest) (*ListBucketsOutput, error) {
	paged := in.MaxBuckets != nil || in.ContinuationToken != nil || in.Prefix != nil || in.BucketRegion != nil
	limit := listBucketsPage
	if in.MaxBuckets != nil {
		limit = int(*in.MaxBuckets)
	}
	after := ""
	if in.ContinuationToken != nil && *in.ContinuationToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(*in.ContinuationToken)
		if err != nil {
			return nil, invalidArgument("continuation-token", *in.ContinuationToken, "The continuation token provided is incorrect")
		}
		after = string(raw)
	}
	p := bucketsPrefix()
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	out := &ListBucketsOutput{Buckets: []Bucket{}, Owner: s.owner(), Prefix: in.Prefix}
	for it.First(); it.Valid(); it.Next() {
		var b bucketRecord
		if err := json.Unmarshal(it.Value(), &b); err != nil {
			return nil, err
		}
		if after != "" && b.Name <= after || in.Prefix != nil && !strings.HasPrefix(b.Name, *in.Prefix) ||
			in.BucketRegion != nil && b.Region != *in.BucketRegion {
			continue
		}
		if paged && len(out.Buckets) == limit {
			tok := base64.RawURLEncoding.EncodeToString([]byte(*out.Buckets[len(out.Buckets)-1].Name))
			out.ContinuationToken = &tok
			break
		}
		bk := Bucket{Name: strptr(b.Name), CreationDate: &b.Created}
		if paged {
			bk.BucketRegion = strptr(b.Region)
		}
		out.Buckets = append(out.Buckets, bk)
	}
	return out, it.Error()
}

type getBucketLocationResult struct {
	ContentType *string `aws:"loc=header,locname=Content-Type"`
	Document    *string `aws:"loc=payload"`
}

// getBucketLocation answers the bare <LocationConstraint> document S3
// does, empty for us-east-1.
func (s *Service) getBucketLocation(_ context.Context, in *GetBucketLocationRequest) (*getBucketLocationResult, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	doc := `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	if b.Region == "us-east-1" {
		doc += `<LocationConstraint xmlns="` + Namespace + `"/>`
	} else {
		doc += `<LocationConstraint xmlns="` + Namespace + `">` + b.Region + `</LocationConstraint>`
	}
	return &getBucketLocationResult{ContentType: strptr("application/xml"), Document: &doc}, nil
}

// Tag limits from the S3 User Guide: "A tag key can be up to 128 Unicode
// characters in length, and tag values can be up to 256 Unicode
// characters in length."
const (
	maxTagKey   = 128
	maxTagValue = 256
)

// checkTags validates a tag set as S3 does, and converts it. Keys in the
// aws: namespace are refused unless reserved (CloudFormation tagging a
// stack's bucket, see awsproto.WithReservedTags), and do not count
// toward limit (awsproto.UserTags).
func checkTags(set []Tag, limit int, reserved bool) ([]tag, error) {
	if awsproto.UserTags(set, func(t Tag) string { return strDeref(t.Key) }) > limit {
		if limit == maxObjectTags {
			return nil, ErrInvalidTag.WithMessage("Object tags cannot be greater than 10")
		}
		return nil, ErrInvalidTag.WithMessage("Bucket tag count cannot be greater than 50")
	}
	out := make([]tag, 0, len(set))
	seen := map[string]bool{}
	for _, t := range set {
		k, v := strDeref(t.Key), strDeref(t.Value)
		if k == "" || len([]rune(k)) > maxTagKey {
			return nil, ErrInvalidTag.WithMessage("The TagKey you have provided is invalid")
		}
		if len([]rune(v)) > maxTagValue {
			return nil, ErrInvalidTag.WithMessage("The TagValue you have provided is invalid")
		}
		if awsproto.ReservedTagKey(k) && !reserved {
			return nil, ErrInvalidTag.WithMessage("Your TagKey cannot be prefixed with aws:")
		}
		if seen[k] {
			return nil, ErrInvalidTag.WithMessage("Cannot provide multiple Tags with the same key")
		}
		seen[k] = true
		out = append(out, tag{Key: k, Value: v})
	}
	return out, nil
}

func tagSet(tags []tag) []Tag {
	out := make([]Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, Tag{Key: strptr(t.Key), Value: strptr(t.Value)})
	}
	return out
}

func (s *Service) getBucketTagging(_ context.Context, in *GetBucketTaggingRequest) (*GetBucketTaggingOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	if len(b.Tags) == 0 {
		return nil, ErrNoSuchTagSet.WithDetails(&bucketDetails{BucketName: in.Bucket})
	}
	return &GetBucketTaggingOutput{TagSet: tagSet(b.Tags)}, nil
}

func (s *Service) putBucketTagging(ctx context.Context, in *PutBucketTaggingRequest) (*struct{}, error) {
	if in.Tagging == nil {
		return nil, ErrMalformedXML
	}
	tags, err := checkTags(in.Tagging.TagSet, maxBucketTags, awsproto.ReservedTagsAllowed(ctx))
	if err != nil {
		return nil, err
	}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Tags = tags; return nil })
}

func (s *Service) deleteBucketTagging(_ context.Context, in *DeleteBucketTaggingRequest) (*struct{}, error) {
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Tags = nil; return nil })
}

func (s *Service) getBucketVersioning(_ context.Context, in *GetBucketVersioningRequest) (*GetBucketVersioningOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	return &GetBucketVersioningOutput{Status: optStr(b.Versioning), MFADelete: optStr(b.MFADelete)}, nil
}

func (s *Service) putBucketVersioning(_ context.Context, in *PutBucketVersioningRequest) (*struct{}, error) {
	vc := in.VersioningConfiguration
	if vc == nil {
		return nil, ErrMalformedXML
	}
	status := strDeref(vc.Status)
	if status != "" && status != "Enabled" && status != "Suspended" {
		return nil, ErrMalformedXML
	}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error {
		if status == "Suspended" && b.ObjectLock {
			return ErrInvalidBucketState.WithMessage("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
		}
		if status == "Suspended" && b.Replication != nil {
			return ErrInvalidBucketState.WithMessage("A replication configuration is present on this bucket, so the versioning state cannot be changed.")
		}
		if status != "" {
			b.Versioning = status
		}
		if vc.MFADelete != nil {
			b.MFADelete = *vc.MFADelete
		}
		return nil
	})
}

// Grantee groups of canned ACLs.
const (
	allUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	authenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
)

// cannedACL is the access control policy a canned ACL stands for.
func (s *Service) cannedACL(acl string) *AccessControlPolicy {
	owner := s.owner()
	grant := func(g Grantee, perm string) Grant { return Grant{Grantee: &g, Permission: strptr(perm)} }
	p := &AccessControlPolicy{Owner: owner, Grants: []Grant{grant(Grantee{ID: owner.ID, Type: strptr("CanonicalUser")}, "FULL_CONTROL")}}
	group := func(uri, perm string) {
		p.Grants = append(p.Grants, grant(Grantee{URI: strptr(uri), Type: strptr("Group")}, perm))
	}
	switch acl {
	case "public-read":
		group(allUsers, "READ")
	case "public-read-write":
		group(allUsers, "READ")
		group(allUsers, "WRITE")
	case "authenticated-read":
		group(authenticatedUsers, "READ")
	}
	return p
}

var cannedACLs = []string{"private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write"}

func (s *Service) getBucketAcl(_ context.Context, in *GetBucketAclRequest) (*GetBucketAclOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	acl := b.ACL
	if acl == nil {
		acl = s.cannedACL("private")
	}
	return &GetBucketAclOutput{Owner: acl.Owner, Grants: acl.Grants}, nil
}

func (s *Service) putBucketAcl(_ context.Context, in *PutBucketAclRequest) (*struct{}, error) {
	var acl *AccessControlPolicy
	grants := grantHeaders{in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWrite, in.GrantWriteACP}
	switch {
	case in.ACL != nil && (in.AccessControlPolicy != nil || grants.any()):
		return nil, errCannedAndGrants
	case grants.any():
		if b, err := s.bucket(s.store, *in.Bucket); err == nil && aclsDisabled(b) {
			return nil, errACLNotSupported
		}
		var err error
		if acl, err = s.grantACL(grants); err != nil {
			return nil, err
		}
	case in.ACL != nil:
		if !slices.Contains(cannedACLs, *in.ACL) {
			return nil, invalidArgument("x-amz-acl", *in.ACL, "")
		}
		if b, err := s.bucket(s.store, *in.Bucket); err == nil {
			// Even private is refused: S3 takes no bucket ACL then.
			if err := checkACL(b, *in.ACL, false, ""); err != nil {
				return nil, err
			}
		}
		acl = s.cannedACL(*in.ACL)
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
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.ACL = acl; return nil })
}

func (s *Service) getBucketPolicy(_ context.Context, in *GetBucketPolicyRequest) (*GetBucketPolicyOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	if b.Policy == "" {
		return nil, ErrNoSuchBucketPolicy.WithDetails(&bucketDetails{BucketName: in.Bucket})
	}
	return &GetBucketPolicyOutput{Policy: &b.Policy}, nil
}

func (s *Service) putBucketPolicy(_ context.Context, in *PutBucketPolicyRequest) (*struct{}, error) {
	policy := strings.TrimSpace(strDeref(in.Policy))
	if !strings.HasPrefix(policy, "{") || !json.Valid([]byte(policy)) {
		return nil, ErrMalformedPolicy
	}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error {
		// With BlockPublicPolicy, "PUT Bucket policy calls fail if the
		// specified bucket policy allows public access."
		if p := b.PublicAccessBlock; p != nil && isTrue(p.BlockPublicPolicy) && publicPolicy(policy) {
			return ErrAccessDenied.WithDetails(&bucketDetails{BucketName: in.Bucket})
		}
		b.Policy = strDeref(in.Policy)
		return nil
	})
}

func (s *Service) deleteBucketPolicy(_ context.Context, in *DeleteBucketPolicyRequest) (*struct{}, error) {
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Policy = ""; return nil })
}

func (s *Service) getBucketCors(_ context.Context, in *GetBucketCorsRequest) (*GetBucketCorsOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	if len(b.CORS) == 0 {
		return nil, ErrNoSuchCORS.WithDetails(&bucketDetails{BucketName: in.Bucket})
	}
	return &GetBucketCorsOutput{CORSRules: b.CORS}, nil
}

// maxCORSRules: "The CORS configuration can have up to 100 rules".
const maxCORSRules = 100

func (s *Service) putBucketCors(_ context.Context, in *PutBucketCorsRequest) (*struct{}, error) {
	if in.CORSConfiguration == nil || len(in.CORSConfiguration.CORSRules) == 0 {
		return nil, ErrMalformedXML
	}
	rules := in.CORSConfiguration.CORSRules
	if len(rules) > maxCORSRules {
		return nil, ErrMalformedXML
	}
	for _, r := range rules {
		for _, m := range r.AllowedMethods {
			if !slices.Contains([]string{"GET", "PUT", "POST", "DELETE", "HEAD"}, m) {
				return nil, ErrInvalidRequest.WithMessage("Found unsupported HTTP method in CORS config. Unsupported method is " + m)
			}
		}
		if err := checkCORSWildcards(r); err != nil {
			return nil, err
		}
	}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.CORS = rules; return nil })
}

func (s *Service) deleteBucketCors(_ context.Context, in *DeleteBucketCorsRequest) (*struct{}, error) {
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.CORS = nil; return nil })
}
