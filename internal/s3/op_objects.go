package s3

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
)

// checksums are the checksum members outputs share.
type checksums struct {
	CRC32, CRC32C, CRC64NVME, SHA1, SHA256, Type *string
}

func (c objectChecksum) members() checksums {
	var out checksums
	if c.Algorithm == "" {
		return out
	}
	v := strptr(c.Value)
	switch c.Algorithm {
	case algCRC32:
		out.CRC32 = v
	case algCRC32C:
		out.CRC32C = v
	case algCRC64NVME:
		out.CRC64NVME = v
	case algSHA1:
		out.SHA1 = v
	case algSHA256:
		out.SHA256 = v
	}
	out.Type = optStr(c.Type)
	return out
}

// contentEncoding is the Content-Encoding to keep: the request's without
// aws-chunked, which only frames the upload.
func contentEncoding(v *string) string {
	if v == nil {
		return ""
	}
	var keep []string
	for _, e := range strings.Split(*v, ",") {
		if e = strings.TrimSpace(e); e != "" && !strings.EqualFold(e, "aws-chunked") {
			keep = append(keep, e)
		}
	}
	return strings.Join(keep, ",")
}

// lowerKeys returns user metadata with its keys in lower case: "Amazon
// S3 stores user-defined metadata keys in lowercase."
func lowerKeys(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// checkMetadata enforces the 2 KB limit on user-defined metadata.
func checkMetadata(m map[string]string) error {
	n := 0
	for k, v := range m {
		n += len(k) + len(v)
	}
	if n > maxUserMetadata {
		return ErrMetadataTooLarge.WithDetails(&sizeDetails{ProposedSize: itoa(int64(n)), MaxSizeAllowed: itoa(maxUserMetadata)})
	}
	return nil
}

// parseTagging reads the x-amz-tagging header, a URL query string.
func parseTagging(v *string) ([]tag, error) {
	if v == nil || *v == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(*v)
	if err != nil {
		return nil, ErrInvalidArgument.WithMessage("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	var set []Tag
	for k, vs := range q {
		if len(vs) > 1 {
			return nil, ErrInvalidArgument.WithMessage("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
		}
		set = append(set, Tag{Key: strptr(k), Value: strptr(vs[0])})
	}
	return checkTags(set, maxObjectTags, false)
}

func (s *Service) putObject(ctx context.Context, in *PutObjectRequest) (*PutObjectOutput, error) {
	bucket, key := *in.Bucket, *in.Key
	if err := checkKey(key); err != nil {
		return nil, err
	}
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		return nil, err
	}
	if err := checkMetadata(in.Metadata); err != nil {
		return nil, err
	}
	tags, err := parseTagging(in.Tagging)
	if err != nil {
		return nil, err
	}
	lock := &objectRecord{}
	if err := s.applyLock(b, lock, in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus); err != nil {
		return nil, err
	}
	acl, err := s.objectACL(*in.Bucket, in.ACL, grantHeaders{FullControl: in.GrantFullControl, Read: in.GrantRead, ReadACP: in.GrantReadACP, WriteACP: in.GrantWriteACP})
	if err != nil {
		return nil, err
	}
	// S3 gives every object uploaded without a checksum a full-object
	// CRC64NVME ("default data integrity protections").
	got, err := s.receive(ctx, in.Body, maxPutSize, algCRC64NVME)
	if err != nil {
		return nil, err
	}
	o := &objectRecord{
		Key: key, Size: got.size, ETag: got.etag(),
		ContentType: strDeref(in.ContentType), ContentEncoding: contentEncoding(in.ContentEncoding),
		ContentDisposition: strDeref(in.ContentDisposition), ContentLanguage: strDeref(in.ContentLanguage),
		CacheControl: strDeref(in.CacheControl), Metadata: lowerKeys(in.Metadata), Tags: tags,
		StorageClass: strDeref(in.StorageClass), WebsiteRedirect: strDeref(in.WebsiteRedirectLocation),
		SSE: strDeref(in.ServerSideEncryption), SSEKMSKeyID: strDeref(in.SSEKMSKeyId), Checksum: got.checksum,
		Segments: []segment{{Blob: got.blob, Size: got.size}}, ACL: acl,
		LockMode: lock.LockMode, LockUntil: lock.LockUntil, LegalHold: lock.LegalHold,
	}
	if c := awsproto.CallFrom(ctx); c != nil {
		o.Expires = c.Request.Header.Get("Expires")
	}
	if err := s.commitObject(ctx, bucket, o, "ObjectCreated:Put", func(old *objectRecord) error {
		return writeConditions(old, in.IfMatch, in.IfNoneMatch)
	}); err != nil {
		s.blobs.remove(got.blob)
		return nil, err
	}
	cs := o.Checksum.members()
	return &PutObjectOutput{ETag: &o.ETag, VersionId: s.versionOut(bucket, o), Expiration: s.expirationOut(bucket, o), ChecksumCRC32: cs.CRC32, ChecksumCRC32C: cs.CRC32C, ChecksumCRC64NVME: cs.CRC64NVME,
		ChecksumSHA1: cs.SHA1, ChecksumSHA256: cs.SHA256, ChecksumType: cs.Type, ServerSideEncryption: optStr(sseOf(o)), SSEKMSKeyId: optStr(o.SSEKMSKeyID)}, nil
}

// versionOut is the x-amz-version-id of a write's response: none in a
// bucket that never had versioning.
func (s *Service) versionOut(bucket string, o *objectRecord) *string {
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		return nil
	}
	return versionHeader(b, o)
}

// sseOf is the server-side encryption an object reports: S3 encrypts
// every object with SSE-S3 (AES256) unless asked for another.
func sseOf(o *objectRecord) string {
	if o.SSE != "" {
		return o.SSE
	}
	return "AES256"
}

// writeConditions checks a conditional write's If-Match / If-None-Match
// ("*" only) against the object it would replace.
func writeConditions(old *objectRecord, ifMatch, ifNoneMatch *string) error {
	if ifNoneMatch != nil {
		if *ifNoneMatch != "*" {
			return ErrNotImplemented
		}
		if old != nil {
			return precondition("If-None-Match")
		}
	}
	if ifMatch != nil {
		if old == nil {
			return noSuchKey("")
		}
		if !etagMatches(*ifMatch, old.ETag) {
			return precondition("If-Match")
		}
	}
	return nil
}

// batchSetter is the part of a store batch commitObject's extra writes
// use.
type batchSetter interface {
	Set(key, value []byte)
	Delete(key []byte)
	DeleteRange(start, end []byte)
}

// removeBlobs removes old's blobs that keep does not also use.
func (s *Service) removeBlobs(old, keep *objectRecord) {
	used := map[string]bool{}
	if keep != nil {
		for _, sg := range keep.Segments {
			used[sg.Blob] = true
		}
	}
	for _, sg := range old.Segments {
		if !used[sg.Blob] {
			s.blobs.remove(sg.Blob)
		}
	}
}

// etagMatches reports whether an If-Match / If-None-Match list names
// etag ("*" matches any).
func etagMatches(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		e = strings.TrimPrefix(e, "W/")
		if e == "*" || e == etag || `"`+e+`"` == etag {
			return true
		}
	}
	return false
}

// readConditions applies GetObject's and HeadObject's conditional
// headers as S3 documents them: If-Match (412) takes precedence over
// If-Unmodified-Since, and If-None-Match (304) over If-Modified-Since.
func readConditions(o *objectRecord, ifMatch, ifNoneMatch *string, ifModifiedSince, ifUnmodifiedSince *time.Time) error {
	modified := o.LastModified.Truncate(time.Second)
	if ifMatch != nil {
		if !etagMatches(*ifMatch, o.ETag) {
			return precondition("If-Match")
		}
	} else if ifUnmodifiedSince != nil && modified.After(*ifUnmodifiedSince) {
		return precondition("If-Unmodified-Since")
	}
	if ifNoneMatch != nil {
		if etagMatches(*ifNoneMatch, o.ETag) {
			return notModified(o)
		}
	} else if ifModifiedSince != nil && !modified.After(*ifModifiedSince) {
		return notModified(o)
	}
	return nil
}

func notModified(o *objectRecord) error {
	e := ErrNotModified.WithMessage("")
	e.Headers = map[string]string{"ETag": o.ETag, "Last-Modified": o.LastModified.Format(http.TimeFormat)}
	return e
}

func expiresOf(o *objectRecord) *time.Time {
	if o.Expires == "" {
		return nil
	}
	t, err := http.ParseTime(o.Expires)
	if err != nil {
		return nil
	}
	return &t
}

func contentTypeOf(o *objectRecord) string {
	if o.ContentType == "" {
		return "binary/octet-stream"
	}
	return o.ContentType
}

func tagCount(o *objectRecord) *int32 {
	if len(o.Tags) == 0 {
		return nil
	}
	n := int32(len(o.Tags))
	return &n
}

// partRange is the byte range of part n of o (GetObject's partNumber),
// and how many parts o has.
func partRange(o *objectRecord, n int32) (byteRange, int32, error) {
	count := int32(len(o.Segments))
	if o.PartsCount == 0 {
		count = 1
	}
	if n < 1 || n > count {
		return byteRange{}, 0, ErrInvalidPartNumber.WithDetails(&partNumberDetails{PartNumberRequested: itoa(int64(n)), ActualPartCount: itoa(int64(count))})
	}
	if o.PartsCount == 0 {
		return byteRange{start: 0, length: o.Size}, count, nil
	}
	var off int64
	for i := int32(0); i < n-1; i++ {
		off += o.Segments[i].Size
	}
	return byteRange{start: off, length: o.Segments[n-1].Size}, count, nil
}

type partNumberDetails struct {
	PartNumberRequested *string
	ActualPartCount     *string
}

func (s *Service) getObject(ctx context.Context, in *GetObjectRequest) (*GetObjectOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	o, err := s.lookup(b, *in.Key, in.VersionId)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if err := o.readable(now); err != nil {
		return nil, err
	}
	if err := readConditions(o, in.IfMatch, in.IfNoneMatch, in.IfModifiedSince, in.IfUnmodifiedSince); err != nil {
		return nil, err
	}
	out := &GetObjectOutput{Restore: o.restoreHeader(now),
		AcceptRanges: strptr("bytes"), LastModified: &o.LastModified, ETag: &o.ETag,
		ContentType: strptr(contentTypeOf(o)), ContentEncoding: optStr(o.ContentEncoding),
		ContentDisposition: optStr(o.ContentDisposition), ContentLanguage: optStr(o.ContentLanguage),
		CacheControl: optStr(o.CacheControl), Expires: expiresOf(o), Metadata: o.Metadata,
		TagCount: tagCount(o), WebsiteRedirectLocation: optStr(o.WebsiteRedirect),
		ServerSideEncryption: strptr(sseOf(o)), SSEKMSKeyId: optStr(o.SSEKMSKeyID), VersionId: versionHeader(b, o),
		ReplicationStatus: optStr(o.ReplicationStatus),
	}
	out.ObjectLockMode, out.ObjectLockRetainUntilDate, out.ObjectLockLegalHoldStatus = lockHeaders(o)
	if in.VersionId == nil {
		out.Expiration = expirationHeader(b, o)
	}
	if o.StorageClass != "" && o.StorageClass != "STANDARD" {
		out.StorageClass = &o.StorageClass
	}
	if o.PartsCount > 0 {
		n := int32(o.PartsCount)
		out.PartsCount = &n
	}
	whole := byteRange{start: 0, length: o.Size}
	rng, partial := whole, false
	if in.PartNumber != nil {
		r, count, err := partRange(o, *in.PartNumber)
		if err != nil {
			return nil, err
		}
		rng, partial = r, count > 1 || in.Range != nil
		out.PartsCount = &count
	} else if in.Range != nil {
		r, ok, err := parseRange(*in.Range, o.Size)
		if err != nil {
			return nil, ErrInvalidRange.WithDetails(&rangeDetails{RangeRequested: in.Range, ActualObjectSize: itoa(o.Size)})
		}
		if ok {
			rng, partial = r, true
		}
	}
	if partial {
		// protocol.Encode answers 206 for a ContentRange.
		out.ContentRange = strptr(rng.contentRange(o.Size))
	} else if in.ChecksumMode != nil && strings.EqualFold(*in.ChecksumMode, "ENABLED") {
		cs := o.Checksum.members()
		out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256, out.ChecksumType =
			cs.CRC32, cs.CRC32C, cs.CRC64NVME, cs.SHA1, cs.SHA256, cs.Type
	}
	out.ContentLength = &rng.length
	// The response-* parameters override what the object says.
	if in.ResponseContentType != nil {
		out.ContentType = in.ResponseContentType
	}
	if in.ResponseContentLanguage != nil {
		out.ContentLanguage = in.ResponseContentLanguage
	}
	if in.ResponseCacheControl != nil {
		out.CacheControl = in.ResponseCacheControl
	}
	if in.ResponseContentDisposition != nil {
		out.ContentDisposition = in.ResponseContentDisposition
	}
	if in.ResponseContentEncoding != nil {
		out.ContentEncoding = in.ResponseContentEncoding
	}
	if in.ResponseExpires != nil {
		out.Expires = in.ResponseExpires
	}
	rd := &segmentReader{blobs: s.blobs, segments: o.Segments, off: rng.start, n: rng.length}
	// Open the first blob now, so that an object deleted since its record
	// was read is NoSuchKey rather than a cut-off body.
	if rng.length > 0 {
		if err := rd.prime(); err != nil {
			rd.Close()
			return nil, noSuchKey(*in.Key)
		}
	}
	out.Body = rd
	return out, nil
}

func (s *Service) headObject(_ context.Context, in *HeadObjectRequest) (*HeadObjectOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	o, err := s.lookup(b, *in.Key, in.VersionId)
	if err != nil {
		return nil, err
	}
	if err := readConditions(o, in.IfMatch, in.IfNoneMatch, in.IfModifiedSince, in.IfUnmodifiedSince); err != nil {
		return nil, err
	}
	out := &HeadObjectOutput{Restore: o.restoreHeader(s.clock.Now()),
		AcceptRanges: strptr("bytes"), LastModified: &o.LastModified, ETag: &o.ETag, ContentLength: &o.Size,
		ContentType: strptr(contentTypeOf(o)), ContentEncoding: optStr(o.ContentEncoding),
		ContentDisposition: optStr(o.ContentDisposition), ContentLanguage: optStr(o.ContentLanguage),
		CacheControl: optStr(o.CacheControl), Expires: expiresOf(o), Metadata: o.Metadata,
		WebsiteRedirectLocation: optStr(o.WebsiteRedirect), ServerSideEncryption: strptr(sseOf(o)), SSEKMSKeyId: optStr(o.SSEKMSKeyID),
		VersionId: versionHeader(b, o), ReplicationStatus: optStr(o.ReplicationStatus),
	}
	out.ObjectLockMode, out.ObjectLockRetainUntilDate, out.ObjectLockLegalHoldStatus = lockHeaders(o)
	if in.VersionId == nil {
		out.Expiration = expirationHeader(b, o)
	}
	if o.StorageClass != "" && o.StorageClass != "STANDARD" {
		out.StorageClass = &o.StorageClass
	}
	if o.PartsCount > 0 {
		n := int32(o.PartsCount)
		out.PartsCount = &n
	}
	if in.PartNumber != nil {
		r, count, err := partRange(o, *in.PartNumber)
		if err != nil {
			return nil, err
		}
		out.ContentLength = &r.length
		out.PartsCount = &count
	} else if in.ChecksumMode != nil && strings.EqualFold(*in.ChecksumMode, "ENABLED") {
		cs := o.Checksum.members()
		out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256, out.ChecksumType =
			cs.CRC32, cs.CRC32C, cs.CRC64NVME, cs.SHA1, cs.SHA256, cs.Type
	}
	return out, nil
}

func (s *Service) deleteObject(ctx context.Context, in *DeleteObjectRequest) (*DeleteObjectOutput, error) {
	if err := checkKey(*in.Key); err != nil {
		return nil, err
	}
	var d deleted
	var err error
	if in.VersionId != nil {
		d, err = s.deleteVersion(ctx, *in.Bucket, *in.Key, *in.VersionId, bypassGovernance(in.BypassGovernanceRetention))
	} else {
		d, err = s.deleteKey(ctx, *in.Bucket, *in.Key)
	}
	if err != nil {
		return nil, err
	}
	out := &DeleteObjectOutput{VersionId: optStr(d.versionID)}
	if d.deleteMarker {
		out.DeleteMarker = &d.deleteMarker
	}
	return out, nil
}

// errVersioned is a batch delete that found the bucket versioned by the
// time it held the lock.
var errVersioned = errors.New("s3: bucket is versioned")

// deleteKeys deletes the objects of an unversioned bucket in one commit.
// Keys that are too long, or that do not exist, are left alone.
func (s *Service) deleteKeys(ctx context.Context, bucket string, objs []ObjectIdentifier) error {
	s.mu.Lock()
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	if b.Versioning != "" {
		s.mu.Unlock()
		return errVersioned
	}
	for _, obj := range objs {
		if obj.VersionId != nil && *obj.VersionId != nullVersion {
			s.mu.Unlock()
			return errVersioned // a named version takes the version path (NoSuchVersion)
		}
	}
	batch := s.store.NewBatch()
	defer batch.Close()
	var gone []*objectRecord
	seen := map[string]bool{}
	for _, obj := range objs {
		key := strDeref(obj.Key)
		if checkKey(key) != nil || seen[key] {
			continue
		}
		seen[key] = true
		o, err := s.object(s.store, bucket, key)
		if err != nil {
			continue
		}
		batch.Delete(objectKey(bucket, key))
		gone = append(gone, o)
	}
	if len(gone) == 0 {
		s.mu.Unlock()
		return nil
	}
	now := s.clock.Now().UTC()
	evs := make([]Event, len(gone))
	for i, o := range gone {
		evs[i] = Event{Name: "ObjectRemoved:Delete", Bucket: bucket, Key: o.Key, Time: now}
		if err := s.queueNotifications(ctx, batch, b, &evs[i]); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	if err := batch.Commit(); err != nil {
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()
	for i, o := range gone {
		s.removeBlobs(o, nil)
		s.emit(ctx, evs[i])
	}
	return nil
}

// maxDeleteKeys: DeleteObjects takes "up to 1,000 keys".
const maxDeleteKeys = 1000

func (s *Service) deleteObjects(ctx context.Context, in *DeleteObjectsRequest) (*DeleteObjectsOutput, error) {
	if in.Delete == nil || len(in.Delete.Objects) == 0 || len(in.Delete.Objects) > maxDeleteKeys {
		return nil, ErrMalformedXML
	}
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	quiet := in.Delete.Quiet != nil && *in.Delete.Quiet
	out := &DeleteObjectsOutput{}
	if b.Versioning == "" {
		// An unversioned bucket's keys go in one commit: one sync for up
		// to 1,000 keys (aws s3 rm --recursive, rb --force).
		err := s.deleteKeys(ctx, *in.Bucket, in.Delete.Objects)
		if err == nil {
			for _, obj := range in.Delete.Objects {
				if checkKey(strDeref(obj.Key)) != nil {
					out.Errors = append(out.Errors, Error{Key: obj.Key, Code: strptr("KeyTooLongError"), Message: strptr("Your key is too long")})
				} else if !quiet {
					out.Deleted = append(out.Deleted, DeletedObject{Key: obj.Key, VersionId: obj.VersionId})
				}
			}
			return out, nil
		}
		if !errors.Is(err, errVersioned) {
			return nil, err
		}
	}
	for _, obj := range in.Delete.Objects {
		key := strDeref(obj.Key)
		if err := checkKey(key); err != nil {
			out.Errors = append(out.Errors, Error{Key: obj.Key, Code: strptr("KeyTooLongError"), Message: strptr("Your key is too long")})
			continue
		}
		var d deleted
		var err error
		if obj.VersionId != nil {
			d, err = s.deleteVersion(ctx, *in.Bucket, key, *obj.VersionId, bypassGovernance(in.BypassGovernanceRetention))
		} else {
			d, err = s.deleteKey(ctx, *in.Bucket, key)
		}
		if err != nil {
			e := apierr.As(err)
			if e == nil {
				e = apierr.ErrInternal
			}
			out.Errors = append(out.Errors, Error{Key: obj.Key, VersionId: obj.VersionId, Code: strptr(e.Code), Message: strptr(e.Message)})
			continue
		}
		if quiet {
			continue
		}
		entry := DeletedObject{Key: obj.Key, VersionId: obj.VersionId}
		if d.deleteMarker {
			entry.DeleteMarker = &d.deleteMarker
			if obj.VersionId == nil {
				entry.DeleteMarkerVersionId = strptr(d.versionID)
			}
		}
		out.Deleted = append(out.Deleted, entry)
	}
	return out, nil
}
