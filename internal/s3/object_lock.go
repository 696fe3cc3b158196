package s3

import (
	"context"
	"net/http"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// Object Lock. A bucket created with Object Lock, or given a
// configuration by PutObjectLockConfiguration once its versioning is
// Enabled, keeps a default retention rule that every new version gets;
// a version may have its own retention (x-amz-object-lock-* headers,
// PutObjectRetention) and a legal hold. A version under COMPLIANCE
// retention until a date still to come, or under a legal hold, cannot
// be deleted by version id; one under GOVERNANCE retention can only by
// a request with x-amz-bypass-governance-retention: true. Retention can
// be lengthened but not shortened, except GOVERNANCE with the bypass.
// Lifecycle rules skip locked versions. Deletes without a version id
// add a delete marker, as S3 allows.

const (
	lockGovernance = "GOVERNANCE"
	lockCompliance = "COMPLIANCE"
	legalHoldOn    = "ON"
	legalHoldOff   = "OFF"
)

var (
	// ErrNoSuchObjectLock is the retention or legal hold of a version
	// that has none.
	ErrNoSuchObjectLock = apierr.New("NoSuchObjectLockConfiguration", http.StatusNotFound, "The specified object does not have a ObjectLock configuration")

	errLocked              = ErrAccessDenied.WithMessage("Access Denied because object protected by object lock.")
	errBucketNotLocked     = ErrInvalidRequest.WithMessage("Bucket is missing Object Lock Configuration")
	errLockVersioning      = ErrInvalidBucketState.WithMessage("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
	errRetainInPast        = ErrInvalidArgument.WithMessage("The retain until date must be in the future!")
	errLockHeadersTogether = ErrInvalidArgument.WithMessage("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
	errDefaultRetention    = ErrInvalidArgument.WithMessage("Default retention period must be a positive integer value")
)

// bypassGovernance reads x-amz-bypass-governance-retention.
func bypassGovernance(h *bool) bool { return h != nil && *h }

func validLockMode(m string) bool { return m == lockGovernance || m == lockCompliance }

// lockRefuses says why the version o cannot be removed for good at now:
// a legal hold, or retention not yet over (GOVERNANCE yields to bypass).
func (o *objectRecord) lockRefuses(now time.Time, bypass bool) error {
	if o.LegalHold == legalHoldOn {
		return errLocked
	}
	if o.LockMode == "" || !now.Before(o.LockUntil) {
		return nil
	}
	if o.LockMode == lockGovernance && bypass {
		return nil
	}
	return errLocked
}

// applyLock gives a new version the lock its request's headers ask for
// (mode and date, legal hold), or else the bucket's default retention.
func (s *Service) applyLock(b *bucketRecord, o *objectRecord, mode *string, until *time.Time, hold *string) error {
	if mode == nil && until == nil && hold == nil {
		if b.ObjectLock && b.ObjectLockRule != nil && b.ObjectLockRule.DefaultRetention != nil {
			d := b.ObjectLockRule.DefaultRetention
			o.LockMode = strDeref(d.Mode)
			now := s.clock.Now().UTC()
			if d.Days != nil {
				o.LockUntil = now.AddDate(0, 0, int(*d.Days))
			} else if d.Years != nil {
				o.LockUntil = now.AddDate(int(*d.Years), 0, 0)
			}
		}
		return nil
	}
	if !b.ObjectLock {
		return errBucketNotLocked
	}
	if (mode == nil) != (until == nil) {
		return errLockHeadersTogether
	}
	if mode != nil {
		if !validLockMode(*mode) {
			return invalidArgument("x-amz-object-lock-mode", *mode, "Unknown wormMode directive.")
		}
		if !until.After(s.clock.Now()) {
			return errRetainInPast
		}
		o.LockMode, o.LockUntil = *mode, until.UTC()
	}
	if hold != nil {
		if *hold != legalHoldOn && *hold != legalHoldOff {
			return invalidArgument("x-amz-object-lock-legal-hold", *hold, "Legal Hold must be either of 'ON' or 'OFF'")
		}
		o.LegalHold = *hold
	}
	return nil
}

// lockHeaders are the x-amz-object-lock-* headers of a response about o.
func lockHeaders(o *objectRecord) (mode *string, until *time.Time, hold *string) {
	if o.LockMode != "" {
		mode, until = &o.LockMode, &o.LockUntil
	}
	return mode, until, optStr(o.LegalHold)
}

func (s *Service) putObjectLockConfiguration(ctx context.Context, in *PutObjectLockConfigurationRequest) (*struct{}, error) {
	if err := checkIntegrity(ctx); err != nil {
		return nil, err
	}
	c := in.ObjectLockConfiguration
	if c == nil || strDeref(c.ObjectLockEnabled) != "Enabled" {
		return nil, ErrMalformedXML
	}
	if r := c.Rule; r != nil {
		d := r.DefaultRetention
		if d == nil || !validLockMode(strDeref(d.Mode)) || (d.Days == nil) == (d.Years == nil) {
			return nil, ErrMalformedXML
		}
		if d.Days != nil && *d.Days <= 0 || d.Years != nil && *d.Years <= 0 {
			return nil, errDefaultRetention
		}
	}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error {
		if b.Versioning != versioningEnabled {
			return errLockVersioning
		}
		b.ObjectLock, b.ObjectLockRule = true, c.Rule
		return nil
	})
}

// updateVersion runs f on a version of a key (the current one when id
// is nil) under mu and commits it.
func (s *Service) updateVersion(bucket, key string, id *string, f func(b *bucketRecord, o *objectRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		return err
	}
	vid := ""
	if id != nil {
		if !validVersionID(*id) {
			return invalidArgument("versionId", *id, "Invalid version id specified")
		}
		vid = *id
	} else if cur, err := s.object(s.store, bucket, key); err == nil {
		vid = versionIDOf(cur)
	}
	k, o := s.versionRecord(s.store, bucket, key, vid)
	if o == nil || o.DeleteMarker {
		if id != nil {
			return ErrNoSuchVersion.WithDetails(&versionDetails{Key: &key, VersionId: id})
		}
		return noSuchKey(key)
	}
	if err := f(b, o); err != nil {
		return err
	}
	batch := s.store.NewBatch()
	defer batch.Close()
	if err := setJSON(batch, k, o); err != nil {
		return err
	}
	return batch.Commit()
}

// lockedVersion reads a version of an Object Lock bucket's key.
func (s *Service) lockedVersion(bucket, key string, id *string) (*objectRecord, error) {
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		return nil, err
	}
	if !b.ObjectLock {
		return nil, errBucketNotLocked
	}
	return s.lookup(b, key, id)
}

func (s *Service) putObjectRetention(ctx context.Context, in *PutObjectRetentionRequest) (*struct{}, error) {
	if err := checkIntegrity(ctx); err != nil {
		return nil, err
	}
	r := in.Retention
	if r == nil || !validLockMode(strDeref(r.Mode)) || r.RetainUntilDate == nil {
		return nil, ErrMalformedXML
	}
	if !r.RetainUntilDate.After(s.clock.Now()) {
		return nil, errRetainInPast
	}
	bypass := bypassGovernance(in.BypassGovernanceRetention)
	return nil, s.updateVersion(*in.Bucket, *in.Key, in.VersionId, func(b *bucketRecord, o *objectRecord) error {
		if !b.ObjectLock {
			return errBucketNotLocked
		}
		// Retention in force may be lengthened; shortening it or
		// changing its mode needs GOVERNANCE and the bypass.
		if o.LockMode != "" && o.LockUntil.After(s.clock.Now()) &&
			(*r.Mode != o.LockMode || r.RetainUntilDate.Before(o.LockUntil)) &&
			(o.LockMode == lockCompliance || !bypass) {
			return errLocked
		}
		o.LockMode, o.LockUntil = *r.Mode, r.RetainUntilDate.UTC()
		return nil
	})
}

func (s *Service) getObjectRetention(_ context.Context, in *GetObjectRetentionRequest) (*GetObjectRetentionOutput, error) {
	o, err := s.lockedVersion(*in.Bucket, *in.Key, in.VersionId)
	if err != nil {
		return nil, err
	}
	if o.LockMode == "" {
		return nil, ErrNoSuchObjectLock
	}
	return &GetObjectRetentionOutput{Retention: &ObjectLockRetention{Mode: &o.LockMode, RetainUntilDate: &o.LockUntil}}, nil
}

func (s *Service) putObjectLegalHold(ctx context.Context, in *PutObjectLegalHoldRequest) (*struct{}, error) {
	if err := checkIntegrity(ctx); err != nil {
		return nil, err
	}
	h := in.LegalHold
	if h == nil || strDeref(h.Status) != legalHoldOn && strDeref(h.Status) != legalHoldOff {
		return nil, ErrMalformedXML
	}
	return nil, s.updateVersion(*in.Bucket, *in.Key, in.VersionId, func(b *bucketRecord, o *objectRecord) error {
		if !b.ObjectLock {
			return errBucketNotLocked
		}
		o.LegalHold = *h.Status
		return nil
	})
}

func (s *Service) getObjectLegalHold(_ context.Context, in *GetObjectLegalHoldRequest) (*GetObjectLegalHoldOutput, error) {
	o, err := s.lockedVersion(*in.Bucket, *in.Key, in.VersionId)
	if err != nil {
		return nil, err
	}
	if o.LegalHold == "" {
		return nil, ErrNoSuchObjectLock
	}
	return &GetObjectLegalHoldOutput{LegalHold: &ObjectLockLegalHold{Status: &o.LegalHold}}, nil
}
