package s3

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// Lifecycle rules at work. S3 evaluates a bucket's rules once a day and
// acts on what is due at midnight UTC after the rule's days; virga looks
// every lifecycleInterval, on its clock, and acts on what is due by the
// same rule, so that an object never goes earlier than on AWS:
//
//   - Expiration (Days or Date) of a current version: in an unversioned
//     bucket the object is deleted (s3:LifecycleExpiration:Delete); in a
//     versioned or suspended one a delete marker becomes current
//     (s3:LifecycleExpiration:DeleteMarkerCreated).
//   - An expired object delete marker (current, with no older versions)
//     is removed by a rule with ExpiredObjectDeleteMarker, and by an
//     Expiration Days or Date rule once the marker is old enough.
//   - NoncurrentVersionExpiration: a version NoncurrentDays after it
//     stopped being current (when the next version was written) is
//     removed for good, keeping the NewerNoncurrentVersions newest ones
//     (s3:LifecycleExpiration:Delete).
//   - AbortIncompleteMultipartUpload: an upload DaysAfterInitiation after
//     it was created is aborted and its parts removed.
//
// Disabled rules do nothing. Transitions change nothing.

// lifecycleInterval is how often Run applies lifecycle rules.
const lifecycleInterval = time.Second

var byLifecycle = removal{deleted: "LifecycleExpiration:Delete", markerCreated: "LifecycleExpiration:DeleteMarkerCreated",
	markerAtMidnight: true}

// runLifecycle applies the buckets' lifecycle rules until ctx ends.
func (s *Service) runLifecycle(ctx context.Context, log *slog.Logger) {
	tick := time.NewTicker(lifecycleInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := s.ApplyLifecycle(ctx); err != nil && ctx.Err() == nil {
				log.Error("s3: applying lifecycle rules", "err", err)
			}
		}
	}
}

// ApplyLifecycle does, in every bucket, what its lifecycle rules say is
// due by now.
func (s *Service) ApplyLifecycle(ctx context.Context) error {
	buckets, err := recordsUnder[bucketRecord](s.store, bucketsPrefix())
	if err != nil {
		return err
	}
	now := s.clock.Now().UTC()
	for i := range buckets {
		b := &buckets[i]
		if b.Lifecycle == nil {
			continue
		}
		var rules []LifecycleRule
		for _, r := range b.Lifecycle.Rules {
			if strDeref(r.Status) == "Enabled" {
				rules = append(rules, r)
			}
		}
		if len(rules) == 0 {
			continue
		}
		if err := s.expireCurrent(ctx, b, rules, now); err != nil {
			return err
		}
		if err := s.expireNoncurrent(ctx, b, rules, now); err != nil {
			return err
		}
		if err := s.abortStaleUploads(b, rules, now); err != nil {
			return err
		}
	}
	return nil
}

// expireCurrent expires current versions, and removes expired object
// delete markers.
func (s *Service) expireCurrent(ctx context.Context, b *bucketRecord, rules []LifecycleRule, now time.Time) error {
	objs, err := recordsUnder[objectRecord](s.store, objectsPrefix(b.Name))
	if err != nil {
		return err
	}
	for i := range objs {
		o := &objs[i]
		if o.DeleteMarker {
			if !markerDue(rules, o, now) {
				continue
			}
			older, err := s.olderVersions(s.store, b.Name, o.Key)
			if err != nil {
				return err
			}
			if len(older) == 0 {
				rm := byLifecycle
				rm.current = o.Order
				if _, err := s.removeVersion(ctx, b.Name, o.Key, versionIDOf(o), rm); err != nil {
					return err
				}
			}
			continue
		}
		if at, _, ok := expiryOf(b, o); ok && !now.Before(at) {
			rm := byLifecycle
			rm.current = o.Order
			if _, err := s.removeKey(ctx, b.Name, o.Key, rm); err != nil {
				return err
			}
		}
	}
	return nil
}

// markerDue reports whether a rule removes a current delete marker once
// it is an expired object delete marker (the key has no other version):
// one with ExpiredObjectDeleteMarker does at once; "when you specify the
// Days tag, Amazon S3 automatically performs ExpiredObjectDeleteMarker
// cleanup when the delete markers are old enough to satisfy the age
// criteria", and a Date rule once its date has come.
func markerDue(rules []LifecycleRule, o *objectRecord, now time.Time) bool {
	for i := range rules {
		e := rules[i].Expiration
		if e == nil || !scopeOf(&rules[i]).matches(o) {
			continue
		}
		switch {
		case e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker,
			e.Days != nil && !now.Before(nextMidnight(o.LastModified, *e.Days)),
			e.Date != nil && !now.Before(*e.Date):
			return true
		}
	}
	return false
}

// expireNoncurrent removes noncurrent versions their rules say are due.
func (s *Service) expireNoncurrent(ctx context.Context, b *bucketRecord, rules []LifecycleRule, now time.Time) error {
	needed := false
	for _, r := range rules {
		needed = needed || r.NoncurrentVersionExpiration != nil
	}
	if !needed {
		return nil
	}
	versions, err := recordsUnder[objectRecord](s.store, bucketVersionsPrefix(b.Name))
	if err != nil {
		return err
	}
	// Versions come key by key, newest first; each stopped being current
	// when the one before it (or the current version) was written.
	for i := 0; i < len(versions); {
		key := versions[i].Key
		j := i
		for j < len(versions) && versions[j].Key == key {
			j++
		}
		cur, err := s.object(s.store, b.Name, key)
		if err != nil {
			i = j
			continue
		}
		newer := cur.Order
		for n, v := range versions[i:j] {
			since := time.Unix(0, int64(newer)).UTC()
			newer = v.Order
			if !noncurrentDue(rules, &v, n, since, now) {
				continue
			}
			rm := byLifecycle
			rm.noncurrentOnly = true
			if _, err := s.removeVersion(ctx, b.Name, key, versionIDOf(&v), rm); err != nil {
				return err
			}
		}
		i = j
	}
	return nil
}

// noncurrentDue reports whether a rule removes noncurrent version v, the
// n-th newest noncurrent version of its key, noncurrent since since.
func noncurrentDue(rules []LifecycleRule, v *objectRecord, n int, since, now time.Time) bool {
	for i := range rules {
		x := rules[i].NoncurrentVersionExpiration
		if x == nil || x.NoncurrentDays == nil || !scopeOf(&rules[i]).matches(v) {
			continue
		}
		if x.NewerNoncurrentVersions != nil && n < int(*x.NewerNoncurrentVersions) {
			continue
		}
		if !now.Before(nextMidnight(since, *x.NoncurrentDays)) {
			return true
		}
	}
	return false
}

// abortStaleUploads aborts the multipart uploads their rules say are due.
func (s *Service) abortStaleUploads(b *bucketRecord, rules []LifecycleRule, now time.Time) error {
	needed := false
	for _, r := range rules {
		needed = needed || r.AbortIncompleteMultipartUpload != nil
	}
	if !needed {
		return nil
	}
	uploads, err := s.uploadsOf(b.Name)
	if err != nil {
		return err
	}
	for _, u := range uploads {
		for i := range rules {
			a := rules[i].AbortIncompleteMultipartUpload
			if a == nil || a.DaysAfterInitiation == nil || !strings.HasPrefix(u.Key, scopeOf(&rules[i]).prefix) ||
				now.Before(nextMidnight(u.Initiated, *a.DaysAfterInitiation)) {
				continue
			}
			if err := s.abortUpload(b.Name, u.Key, u.ID); err != nil && !isNoSuchUpload(err) {
				return err
			}
			break
		}
	}
	return nil
}
