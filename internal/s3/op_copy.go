package s3

import (
	"context"

	"crypto/md5"
	"errors"
	"github.com/virga/virga/internal/awsproto/apierr"
	"io"
	"net/url"
	"strings"
	"time"
)

// maxCopySize: "You can store individual objects of up to 5 TB in Amazon
// S3. You create a copy of your object up to 5 GB in size in a single
// atomic action using this API."
const maxCopySize = 5 << 30

// errCopyArchived refuses a copy (CopyObject, UploadPartCopy) of an
// archived object that has no restored copy, in S3's words.
var errCopyArchived = ErrInvalidObjectState.WithMessage("The source object of the COPY operation is not in the active tier and is only stored in Amazon Glacier.")

var errCopySource = ErrInvalidArgument.WithMessage("Copy Source must mention the source bucket and key: sourcebucket/sourcekey")

// parseCopySource reads x-amz-copy-source: "bucket/key" or
// "/bucket/key", URL-encoded, optionally with "?versionId=ID".
func parseCopySource(v string) (bucket, key, versionID string, err error) {
	path, query, _ := strings.Cut(v, "?")
	path, err = url.PathUnescape(path)
	if err != nil {
		return "", "", "", errCopySource.WithDetails(&argumentDetails{ArgumentName: strptr("x-amz-copy-source"), ArgumentValue: &v})
	}
	path = strings.TrimPrefix(path, "/")
	bucket, key, ok := strings.Cut(path, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", "", errCopySource.WithDetails(&argumentDetails{ArgumentName: strptr("x-amz-copy-source"), ArgumentValue: &v})
	}
	if query != "" {
		q, qerr := url.ParseQuery(query)
		if qerr != nil {
			return "", "", "", errCopySource.WithDetails(&argumentDetails{ArgumentName: strptr("x-amz-copy-source"), ArgumentValue: &v})
		}
		versionID = q.Get("versionId")
	}
	return bucket, key, versionID, nil
}

// copySourceObject finds the object a copy reads and applies the
// x-amz-copy-source-if-* conditions (each failing with 412).
func (s *Service) copySourceObject(source string, ifMatch, ifNoneMatch *string, ifModifiedSince, ifUnmodifiedSince *time.Time) (*objectRecord, string, string, error) {
	bucket, key, versionID, err := parseCopySource(source)
	if err != nil {
		return nil, "", "", err
	}
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		return nil, "", "", err
	}
	var vid *string
	if versionID != "" {
		vid = &versionID
	}
	o, err := s.lookup(b, key, vid)
	if err != nil {
		if e := apierr.As(err); e != nil && e.Code == ErrMethodNotAllowed.Code {
			return nil, "", "", ErrInvalidRequest.WithMessage("The source of a copy request may not specifically refer to a delete marker by version id.")
		}
		return nil, "", "", err
	}
	modified := o.LastModified.Truncate(time.Second)
	switch {
	case ifMatch != nil && !etagMatches(*ifMatch, o.ETag):
		return nil, "", "", precondition("x-amz-copy-source-If-Match")
	case ifNoneMatch != nil && etagMatches(*ifNoneMatch, o.ETag):
		return nil, "", "", precondition("x-amz-copy-source-If-None-Match")
	case ifUnmodifiedSince != nil && ifMatch == nil && modified.After(*ifUnmodifiedSince):
		return nil, "", "", precondition("x-amz-copy-source-If-Unmodified-Since")
	case ifModifiedSince != nil && ifNoneMatch == nil && !modified.After(*ifModifiedSince):
		return nil, "", "", precondition("x-amz-copy-source-If-Modified-Since")
	}
	if o.readable(s.clock.Now()) != nil {
		return nil, "", "", errCopyArchived
	}
	return o, bucket, key, nil
}

type versionDetails struct {
	Key       *string
	VersionId *string
}

// copyBytes stores the range rng of o as a new blob, with its MD5 and, if
// alg is set, its checksum.
func (s *Service) copyBytes(o *objectRecord, rng byteRange, alg string) (*received, error) {
	rd := &segmentReader{blobs: s.blobs, segments: o.Segments, off: rng.start, n: rng.length}
	defer rd.Close()
	md := md5.New()
	writers := []io.Writer{md}
	sum := newChecksum(alg)
	if sum != nil {
		writers = append(writers, sum)
	}
	id := s.newBlobID()
	n, err := s.blobs.write(id, io.TeeReader(rd, io.MultiWriter(writers...)))
	if errors.Is(err, errBlobNotFound) {
		return nil, noSuchKey(o.Key)
	}
	if err != nil {
		return nil, err
	}
	got := &received{blob: id, size: n, md5: md.Sum(nil)}
	if sum != nil {
		got.checksum = objectChecksum{Algorithm: strings.ToUpper(alg), Value: checksumValue(sum), Type: checksumFullObject}
	}
	return got, nil
}

func (s *Service) copyObject(ctx context.Context, in *CopyObjectRequest) (*CopyObjectOutput, error) {
	bucket, key := *in.Bucket, *in.Key
	if err := checkKey(key); err != nil {
		return nil, err
	}
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		return nil, err
	}
	lock := &objectRecord{}
	if err := s.applyLock(b, lock, in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus); err != nil {
		return nil, err
	}
	directive := strings.ToUpper(strDeref(in.MetadataDirective))
	if directive != "" && directive != "COPY" && directive != "REPLACE" {
		return nil, invalidArgument("x-amz-metadata-directive", *in.MetadataDirective, "Unknown metadata directive.")
	}
	tagDirective := strings.ToUpper(strDeref(in.TaggingDirective))
	if tagDirective != "" && tagDirective != "COPY" && tagDirective != "REPLACE" {
		return nil, invalidArgument("x-amz-tagging-directive", *in.TaggingDirective, "Unknown tagging directive.")
	}
	src, srcBucket, srcKey, err := s.copySourceObject(*in.CopySource, in.CopySourceIfMatch, in.CopySourceIfNoneMatch,
		in.CopySourceIfModifiedSince, in.CopySourceIfUnmodifiedSince)
	if err != nil {
		return nil, err
	}
	if srcBucket == bucket && srcKey == key && directive != "REPLACE" && in.StorageClass == nil &&
		in.WebsiteRedirectLocation == nil && in.ServerSideEncryption == nil && in.SSEKMSKeyId == nil && in.ChecksumAlgorithm == nil {
		return nil, ErrInvalidRequest.WithMessage("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	if src.Size > maxCopySize {
		return nil, ErrInvalidRequest.WithMessage("The specified copy source is larger than the maximum allowable size for a copy source: 5368709120")
	}
	alg := strDeref(in.ChecksumAlgorithm)
	if alg == "" {
		alg = src.Checksum.Algorithm
	} else if newChecksum(alg) == nil {
		return nil, invalidArgument("x-amz-checksum-algorithm", alg, "Checksum algorithm provided is unsupported.")
	}
	var tags []tag
	if tagDirective == "REPLACE" {
		if tags, err = parseTagging(in.Tagging); err != nil {
			return nil, err
		}
	} else {
		tags = src.Tags
	}
	acl, err := s.objectACL(*in.Bucket, in.ACL, grantHeaders{FullControl: in.GrantFullControl, Read: in.GrantRead, ReadACP: in.GrantReadACP, WriteACP: in.GrantWriteACP})
	if err != nil {
		return nil, err
	}
	o := &objectRecord{Key: key, Tags: tags, StorageClass: strDeref(in.StorageClass),
		WebsiteRedirect: strDeref(in.WebsiteRedirectLocation), SSE: strDeref(in.ServerSideEncryption), SSEKMSKeyID: strDeref(in.SSEKMSKeyId), ACL: acl,
		LockMode: lock.LockMode, LockUntil: lock.LockUntil, LegalHold: lock.LegalHold}
	if directive == "REPLACE" {
		if err := checkMetadata(in.Metadata); err != nil {
			return nil, err
		}
		o.ContentType, o.ContentEncoding = strDeref(in.ContentType), contentEncoding(in.ContentEncoding)
		o.ContentDisposition, o.ContentLanguage = strDeref(in.ContentDisposition), strDeref(in.ContentLanguage)
		o.CacheControl, o.Metadata = strDeref(in.CacheControl), lowerKeys(in.Metadata)
		if in.Expires != nil {
			o.Expires = in.Expires.UTC().Format(httpTime)
		}
	} else {
		o.ContentType, o.ContentEncoding = src.ContentType, src.ContentEncoding
		o.ContentDisposition, o.ContentLanguage = src.ContentDisposition, src.ContentLanguage
		o.CacheControl, o.Expires, o.Metadata = src.CacheControl, src.Expires, src.Metadata
	}
	got, err := s.copyBytes(src, byteRange{start: 0, length: src.Size}, alg)
	if err != nil {
		return nil, err
	}
	o.Size, o.ETag, o.Checksum = got.size, got.etag(), got.checksum
	o.Segments = []segment{{Blob: got.blob, Size: got.size}}
	if err := s.commitObject(ctx, bucket, o, "ObjectCreated:Copy", nil); err != nil {
		s.blobs.remove(got.blob)
		return nil, err
	}
	cs := o.Checksum.members()
	return &CopyObjectOutput{
		CopyObjectResult: &CopyObjectResult{ETag: &o.ETag, LastModified: &o.LastModified, ChecksumCRC32: cs.CRC32,
			ChecksumCRC32C: cs.CRC32C, ChecksumCRC64NVME: cs.CRC64NVME, ChecksumSHA1: cs.SHA1, ChecksumSHA256: cs.SHA256, ChecksumType: cs.Type},
		ServerSideEncryption: strptr(sseOf(o)), SSEKMSKeyId: optStr(o.SSEKMSKeyID), VersionId: s.versionOut(bucket, o), CopySourceVersionId: copySourceVersion(src),
		Expiration: s.expirationOut(bucket, o),
	}, nil
}

// copySourceVersion is x-amz-copy-source-version-id: the source's
// version, unless it is the null version of an unversioned bucket.
func copySourceVersion(src *objectRecord) *string {
	if src.VersionID == "" {
		return nil
	}
	return &src.VersionID
}

// httpTime is the HTTP date format.
const httpTime = "Mon, 02 Jan 2006 15:04:05 GMT"
