package s3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
)

// Lifecycle configuration (PutBucketLifecycleConfiguration and the
// others on ?lifecycle). A configuration is checked as S3 checks it and
// kept on the bucket record; lifecycle_run.go acts on it. Transitions are
// accepted and reported back, and change nothing: virga has one storage
// class.

// Limits and values of the lifecycle configuration, as the S3 user
// guide's "Lifecycle configuration elements" gives them.
const (
	// maxLifecycleRules: "A lifecycle configuration can have up to 1,000
	// rules."
	maxLifecycleRules = 1000
	// maxLifecycleRuleID: "The value cannot be longer than 255
	// characters."
	maxLifecycleRuleID = 255
	// maxNewerNoncurrentVersions: "You can specify up to 100 noncurrent
	// versions to retain."
	maxNewerNoncurrentVersions = 100
	// minInfrequentAccessDays: objects stay 30 days in S3 Standard before
	// a transition to S3 Standard-IA or S3 One Zone-IA.
	minInfrequentAccessDays = 30
)

// transitionClasses are the storage classes a Transition takes.
var transitionClasses = []string{"GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"}

func (s *Service) putBucketLifecycleConfiguration(ctx context.Context, in *PutBucketLifecycleConfigurationRequest) (*struct{}, error) {
	if _, err := s.bucket(s.store, *in.Bucket); err != nil {
		return nil, err
	}
	if err := checkIntegrity(ctx); err != nil {
		return nil, err
	}
	cfg := in.LifecycleConfiguration
	if err := s.checkLifecycle(cfg); err != nil {
		return nil, err
	}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Lifecycle = cfg; return nil })
}

func (s *Service) getBucketLifecycleConfiguration(_ context.Context, in *GetBucketLifecycleConfigurationRequest) (*GetBucketLifecycleConfigurationOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	if b.Lifecycle == nil {
		return nil, ErrNoSuchLifecycle.WithDetails(&bucketDetails{BucketName: in.Bucket})
	}
	return &GetBucketLifecycleConfigurationOutput{Rules: b.Lifecycle.Rules}, nil
}

func (s *Service) deleteBucketLifecycle(_ context.Context, in *DeleteBucketLifecycleRequest) (*struct{}, error) {
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Lifecycle = nil; return nil })
}

// checkIntegrity requires what S3 requires of the configuration calls
// whose model says requestChecksumRequired: a Content-MD5 header or an
// x-amz-checksum-* header, which must match the body.
func checkIntegrity(ctx context.Context) error {
	c := awsproto.CallFrom(ctx)
	if c == nil || c.Request.RemoteAddr == "" {
		// An in-process call (a CloudFormation provider's) has no body
		// to check.
		return nil
	}
	h := c.Request.Header
	found := false
	if v := h.Get("Content-Md5"); v != "" {
		want, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(want) != md5.Size {
			return ErrInvalidDigest.WithDetails(&digestContent{ContentMD5: &v})
		}
		if got := md5.Sum(c.Body); string(got[:]) != string(want) {
			return ErrBadDigest.WithDetails(&digestContent{ContentMD5: &v})
		}
		found = true
	}
	for _, alg := range checksumAlgorithms {
		v := h.Get(checksumHeader(alg))
		if v == "" {
			continue
		}
		sum := newChecksum(alg)
		sum.Write(c.Body)
		if got := checksumValue(sum); got != v {
			return ErrBadDigest.WithMessage("The " + alg + " you specified did not match the calculated checksum.")
		}
		found = true
	}
	if !found {
		return ErrInvalidRequest.WithMessage("Missing required header for this request: Content-MD5").
			WithDetails(&bucketDetails{BucketName: strptr(c.Params["Bucket"])})
	}
	return nil
}

// checkLifecycle checks a configuration as S3 does, and gives rules
// without an ID one, as S3 does.
func (s *Service) checkLifecycle(cfg *BucketLifecycleConfiguration) error {
	if cfg == nil || len(cfg.Rules) == 0 {
		return ErrMalformedXML
	}
	if len(cfg.Rules) > maxLifecycleRules {
		return ErrMalformedXML
	}
	seen := map[string]bool{}
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		if r.ID == nil || *r.ID == "" {
			r.ID = strptr(base64.StdEncoding.EncodeToString([]byte(s.ids.UUID())))
		}
		if len(*r.ID) > maxLifecycleRuleID {
			return invalidArgument("ID", *r.ID, "ID length should not exceed allowed limit of 255")
		}
		if seen[*r.ID] {
			return invalidArgument("ID", *r.ID, "Rule ID must be unique. Found same ID for more than one rule")
		}
		seen[*r.ID] = true
		if err := checkLifecycleRule(r); err != nil {
			return err
		}
	}
	return nil
}

func checkLifecycleRule(r *LifecycleRule) error {
	if st := strDeref(r.Status); st != "Enabled" && st != "Disabled" {
		return ErrMalformedXML
	}
	// A rule names its objects by Filter, or by the older Prefix, never
	// both.
	if (r.Prefix == nil) == (r.Filter == nil) {
		return ErrMalformedXML
	}
	if f := r.Filter; f != nil {
		n := 0
		for _, set := range []bool{f.Prefix != nil, f.Tag != nil, f.ObjectSizeGreaterThan != nil, f.ObjectSizeLessThan != nil, f.And != nil} {
			if set {
				n++
			}
		}
		if n > 1 {
			return ErrMalformedXML
		}
		if f.Tag != nil && (f.Tag.Key == nil || f.Tag.Value == nil) {
			return ErrMalformedXML
		}
		if a := f.And; a != nil {
			for _, t := range a.Tags {
				if t.Key == nil || t.Value == nil {
					return ErrMalformedXML
				}
			}
		}
	}
	sc := scopeOf(r)
	if sc.gt != nil && *sc.gt < 0 || sc.lt != nil && *sc.lt <= 0 {
		return invalidArgument("ObjectSize", "", "Object size must be a non-negative number")
	}
	if sc.gt != nil && sc.lt != nil && *sc.gt >= *sc.lt {
		return invalidArgument("ObjectSize", "", "ObjectSizeGreaterThan must be less than ObjectSizeLessThan")
	}
	if r.Expiration == nil && r.NoncurrentVersionExpiration == nil && r.AbortIncompleteMultipartUpload == nil &&
		len(r.Transitions) == 0 && len(r.NoncurrentVersionTransitions) == 0 {
		return ErrInvalidRequest.WithMessage("At least one action needs to be specified in a rule")
	}
	if e := r.Expiration; e != nil {
		n := 0
		for _, set := range []bool{e.Days != nil, e.Date != nil, e.ExpiredObjectDeleteMarker != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return ErrMalformedXML
		}
		if e.Days != nil && *e.Days <= 0 {
			return invalidArgument("", "", "'Days' for Expiration action must be a positive integer")
		}
		if e.Date != nil && !atMidnight(*e.Date) {
			return invalidArgument("", "", "'Date' must be at midnight GMT")
		}
		if e.ExpiredObjectDeleteMarker != nil && len(sc.tags) > 0 {
			return ErrInvalidRequest.WithMessage("ExpiredObjectDeleteMarker cannot be specified with Tags.")
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil {
		if n.NoncurrentDays == nil || *n.NoncurrentDays <= 0 {
			return invalidArgument("", "", "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
		}
		if v := n.NewerNoncurrentVersions; v != nil && (*v <= 0 || *v > maxNewerNoncurrentVersions) {
			return invalidArgument("", "", "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to 100")
		}
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil {
		if a.DaysAfterInitiation == nil || *a.DaysAfterInitiation <= 0 {
			return invalidArgument("", "", "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		}
		if len(sc.tags) > 0 {
			return ErrInvalidRequest.WithMessage("AbortIncompleteMultipartUpload cannot be specified with Tags.")
		}
	}
	for _, t := range r.Transitions {
		class := strDeref(t.StorageClass)
		if !slices.Contains(transitionClasses, class) || (t.Days == nil) == (t.Date == nil) {
			return ErrMalformedXML
		}
		if t.Days != nil && *t.Days < 0 {
			return invalidArgument("", "", "'Days' in Transition action must be nonnegative")
		}
		if t.Days != nil && *t.Days < minInfrequentAccessDays && (class == "STANDARD_IA" || class == "ONEZONE_IA") {
			return invalidArgument("", "", fmt.Sprintf("'Days' in Transition action must be greater than or equal to 30 for storageClass '%s'", class))
		}
		if t.Date != nil && !atMidnight(*t.Date) {
			return invalidArgument("", "", "'Date' must be at midnight GMT")
		}
	}
	for _, t := range r.NoncurrentVersionTransitions {
		if !slices.Contains(transitionClasses, strDeref(t.StorageClass)) || t.NoncurrentDays == nil {
			return ErrMalformedXML
		}
		if *t.NoncurrentDays < 0 {
			return invalidArgument("", "", "'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative")
		}
	}
	return nil
}

func atMidnight(t time.Time) bool {
	t = t.UTC()
	return t.Equal(t.Truncate(24 * time.Hour))
}

// ruleScope is what objects a rule applies to: a key prefix, tags the
// object must all have, and bounds on its size.
type ruleScope struct {
	prefix string
	tags   []Tag
	gt, lt *int64
}

func scopeOf(r *LifecycleRule) ruleScope {
	if r.Filter == nil {
		return ruleScope{prefix: strDeref(r.Prefix)}
	}
	f := r.Filter
	if a := f.And; a != nil {
		return ruleScope{prefix: strDeref(a.Prefix), tags: a.Tags, gt: a.ObjectSizeGreaterThan, lt: a.ObjectSizeLessThan}
	}
	sc := ruleScope{prefix: strDeref(f.Prefix), gt: f.ObjectSizeGreaterThan, lt: f.ObjectSizeLessThan}
	if f.Tag != nil {
		sc.tags = []Tag{*f.Tag}
	}
	return sc
}

// matches reports whether the rule applies to a version of an object.
func (sc ruleScope) matches(o *objectRecord) bool {
	if !strings.HasPrefix(o.Key, sc.prefix) {
		return false
	}
	if sc.gt != nil && o.Size <= *sc.gt || sc.lt != nil && o.Size >= *sc.lt {
		return false
	}
	for _, t := range sc.tags {
		if !slices.Contains(o.Tags, tag{Key: strDeref(t.Key), Value: strDeref(t.Value)}) {
			return false
		}
	}
	return true
}

// nextMidnight is when an action due days after t happens: "Amazon S3
// calculates the time by adding the number of days specified in the rule
// to the object creation time and rounding the resulting time to the next
// day midnight UTC."
func nextMidnight(t time.Time, days int32) time.Time {
	return t.UTC().Add(time.Duration(days) * 24 * time.Hour).Truncate(24 * time.Hour).Add(24 * time.Hour)
}

// expiryOf is when the current version o expires by the bucket's enabled
// rules, and the rule that says so: the earliest of the rules that apply.
func expiryOf(b *bucketRecord, o *objectRecord) (at time.Time, ruleID string, ok bool) {
	if b.Lifecycle == nil || o.DeleteMarker {
		return time.Time{}, "", false
	}
	for i := range b.Lifecycle.Rules {
		r := &b.Lifecycle.Rules[i]
		if strDeref(r.Status) != "Enabled" || r.Expiration == nil || !scopeOf(r).matches(o) {
			continue
		}
		var t time.Time
		switch e := r.Expiration; {
		case e.Days != nil:
			t = nextMidnight(o.LastModified, *e.Days)
		case e.Date != nil:
			t = e.Date.UTC()
		default:
			continue
		}
		if !ok || t.Before(at) {
			at, ruleID, ok = t, strDeref(r.ID), true
		}
	}
	return at, ruleID, ok
}

// expirationHeader is the x-amz-expiration header of a response about
// the current version o: expiry-date="…", rule-id="…" (the rule id
// URL-encoded), or nil when no rule expires it.
func expirationHeader(b *bucketRecord, o *objectRecord) *string {
	at, id, ok := expiryOf(b, o)
	if !ok {
		return nil
	}
	v := fmt.Sprintf(`expiry-date="%s", rule-id="%s"`, at.Format(http1123), url.QueryEscape(id))
	return &v
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"

// expirationOut is the x-amz-expiration of a write's response
// (PutObject, CopyObject, CompleteMultipartUpload).
func (s *Service) expirationOut(bucket string, o *objectRecord) *string {
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		return nil
	}
	return expirationHeader(b, o)
}
