package s3

import (
	"cmp"
	"context"
	"net/http"
	"time"
)

// Archived objects (GLACIER, DEEP_ARCHIVE) keep their bytes, but S3
// serves them only while a restored copy exists: GetObject is refused
// with InvalidObjectState until RestoreObject has made one, and again
// once it expires. GLACIER_IR is read at once, as on S3.
//
// A restore on S3 takes minutes to hours; virga's completes restoreDelay
// after it was requested, so that a client sees it in progress and then
// done, without waiting.
const restoreDelay = time.Second

var archivedClasses = map[string]bool{"GLACIER": true, "DEEP_ARCHIVE": true}

// errRestoreNotArchived refuses a restore of an object that is not
// archived.
var errRestoreNotArchived = ErrInvalidObjectState.WithMessage("Restore is not allowed for the object's current storage class")

type storageClassDetails struct {
	StorageClass *string
}

// restore is the state of an object's restored copy at now: none, in
// progress, or ready until its expiry.
type restore int

const (
	restoreNone restore = iota
	restoreOngoing
	restoreReady
)

func (o *objectRecord) restoreAt(now time.Time) restore {
	switch {
	case o.RestoreExpiry.IsZero() || !now.Before(o.RestoreExpiry):
		return restoreNone
	case now.Before(o.RestoreDone):
		return restoreOngoing
	}
	return restoreReady
}

// readable refuses to serve the bytes of an archived object that has no
// restored copy at now.
func (o *objectRecord) readable(now time.Time) error {
	if !archivedClasses[o.StorageClass] || o.restoreAt(now) == restoreReady {
		return nil
	}
	return ErrInvalidObjectState.WithDetails(&storageClassDetails{StorageClass: &o.StorageClass})
}

// restoreHeader is x-amz-restore: absent for an object that has no
// restored copy, ongoing-request="true" while one is being made, and its
// expiry once it is ready.
func (o *objectRecord) restoreHeader(now time.Time) *string {
	switch o.restoreAt(now) {
	case restoreOngoing:
		return strptr(`ongoing-request="true"`)
	case restoreReady:
		return strptr(`ongoing-request="false", expiry-date="` + o.RestoreExpiry.UTC().Format(http.TimeFormat) + `"`)
	}
	return nil
}

// restoreExpiry is when a copy ready at done and kept days expires: S3
// adds the days and rounds up to the next midnight UTC.
func restoreExpiry(done time.Time, days int32) time.Time {
	t := done.UTC().AddDate(0, 0, int(days))
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
}

// restoreObjectOutput is RestoreObject's answer: 202 for a restore it
// starts, 200 for one that was done already (its expiry now extended).
type restoreObjectOutput struct {
	RestoreObjectOutput
	status int
}

func (o *restoreObjectOutput) httpStatus() int { return o.status }

func (s *Service) restoreObject(ctx context.Context, in *RestoreObjectRequest) (*restoreObjectOutput, error) {
	if in.RestoreRequest == nil || in.RestoreRequest.Days == nil {
		return nil, ErrMalformedXML
	}
	days := *in.RestoreRequest.Days
	if days < 1 {
		return nil, invalidArgument("Days", itoaStr(int64(days)), "Days must be a positive integer")
	}
	out := &restoreObjectOutput{status: http.StatusAccepted}
	err := s.updateObject(ctx, *in.Bucket, *in.Key, "ObjectRestore:Post", func(o *objectRecord) error {
		if in.VersionId != nil && *in.VersionId != versionIDOf(o) {
			return ErrNotImplemented.WithMessage("Restoring a noncurrent version is not implemented")
		}
		if !archivedClasses[o.StorageClass] {
			return errRestoreNotArchived.WithDetails(&storageClassDetails{StorageClass: strptr(cmp.Or(o.StorageClass, "STANDARD"))})
		}
		now := s.clock.Now()
		switch o.restoreAt(now) {
		case restoreOngoing:
			return ErrRestoreAlreadyInProgress
		case restoreReady:
			out.status = http.StatusOK
			o.RestoreExpiry = restoreExpiry(now, days)
		default:
			o.RestoreDone = now.Add(restoreDelay)
			o.RestoreExpiry = restoreExpiry(o.RestoreDone, days)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
