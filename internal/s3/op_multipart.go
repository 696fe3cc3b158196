package s3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// maxUploads is the most uploads ListMultipartUploads, and the most parts
// ListParts, answers with.
const maxUploads = 1000

func (s *Service) upload(bucket, key, id string) (*uploadRecord, error) {
	if _, err := s.bucket(s.store, bucket); err != nil {
		return nil, err
	}
	var u uploadRecord
	found, err := getJSON(s.store, uploadKey(bucket, key, id), &u)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, noSuchUpload(id)
	}
	return &u, nil
}

// uploadsOf lists a bucket's uploads in progress, by key then id.
func (s *Service) uploadsOf(bucket string) ([]uploadRecord, error) {
	return recordsUnder[uploadRecord](s.store, uploadsPrefix(bucket))
}

// partsOf lists an upload's parts by number.
func (s *Service) partsOf(uploadID string) ([]partRecord, error) {
	return recordsUnder[partRecord](s.store, partsPrefix(uploadID))
}

// recordsUnder decodes the JSON records under prefix, in key order.
func recordsUnder[T any](r store.Reader, prefix []byte) ([]T, error) {
	it, err := r.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []T
	for it.First(); it.Valid(); it.Next() {
		var v T
		if err := json.Unmarshal(it.Value(), &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, it.Error()
}

func (s *Service) createMultipartUpload(_ context.Context, in *CreateMultipartUploadRequest) (*CreateMultipartUploadOutput, error) {
	bucket, key := *in.Bucket, *in.Key
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := checkMetadata(in.Metadata); err != nil {
		return nil, err
	}
	tags, err := parseTagging(in.Tagging)
	if err != nil {
		return nil, err
	}
	alg := strings.ToUpper(strDeref(in.ChecksumAlgorithm))
	if alg != "" && newChecksum(alg) == nil {
		return nil, invalidArgument("x-amz-checksum-algorithm", alg, "Checksum algorithm provided is unsupported.")
	}
	ctype := strings.ToUpper(strDeref(in.ChecksumType))
	switch {
	case ctype != "" && ctype != checksumComposite && ctype != checksumFullObject:
		return nil, invalidArgument("x-amz-checksum-type", ctype, "Value for x-amz-checksum-type header is invalid.")
	case ctype != "" && alg == "":
		return nil, ErrInvalidRequest.WithMessage("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	case alg == algCRC64NVME && ctype == checksumComposite, (alg == algSHA1 || alg == algSHA256) && ctype == checksumFullObject:
		return nil, ErrInvalidRequest.WithMessage("The " + ctype + " checksum type cannot be used with the " + strings.ToLower(alg) + " checksum algorithm.")
	case alg == algCRC64NVME:
		ctype = checksumFullObject
	case alg != "" && ctype == "":
		ctype = checksumComposite
	}
	acl, err := s.objectACL(*in.Bucket, in.ACL, grantHeaders{FullControl: in.GrantFullControl, Read: in.GrantRead, ReadACP: in.GrantReadACP, WriteACP: in.GrantWriteACP})
	if err != nil {
		return nil, err
	}
	u := &uploadRecord{ID: base64.RawURLEncoding.EncodeToString([]byte(s.ids.Hex(32))), Key: key,
		Initiated: s.clock.Now().UTC().Truncate(1e6),
		Object: objectRecord{Key: key, ContentType: strDeref(in.ContentType), ContentEncoding: contentEncoding(in.ContentEncoding),
			ContentDisposition: strDeref(in.ContentDisposition), ContentLanguage: strDeref(in.ContentLanguage),
			CacheControl: strDeref(in.CacheControl), Metadata: lowerKeys(in.Metadata), Tags: tags, StorageClass: strDeref(in.StorageClass),
			WebsiteRedirect: strDeref(in.WebsiteRedirectLocation), SSE: strDeref(in.ServerSideEncryption), SSEKMSKeyID: strDeref(in.SSEKMSKeyId),
			Checksum: objectChecksum{Algorithm: alg, Type: ctype}, ACL: acl}}
	if in.Expires != nil {
		u.Object.Expires = in.Expires.UTC().Format(httpTime)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	bk, err := s.bucket(s.store, bucket)
	if err == nil {
		err = s.applyLock(bk, &u.Object, in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus)
	}
	if err != nil {
		return nil, err
	}
	// The upload's encryption is decided when it starts.
	if err := s.encryptObject(bk, &u.Object); err != nil {
		return nil, err
	}
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, uploadKey(bucket, key, u.ID), u); err != nil {
		return nil, err
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return &CreateMultipartUploadOutput{Bucket: &bucket, Key: &key, UploadId: &u.ID, ChecksumAlgorithm: optStr(alg),
		ChecksumType: optStr(ctype), ServerSideEncryption: strptr(sseOf(&u.Object)), SSEKMSKeyId: optStr(u.Object.SSEKMSKeyID)}, nil
}

func checkPartNumber(n *int32) (int, error) {
	if n == nil || *n < 1 || *n > maxPartNumber {
		v := ""
		if n != nil {
			v = itoaStr(int64(*n))
		}
		return 0, invalidArgument("partNumber", v, "Part number must be an integer between 1 and 10000, inclusive")
	}
	return int(*n), nil
}

// commitPart records a part under mu, replacing one of the same number.
func (s *Service) commitPart(bucket, key, uploadID string, p *partRecord) error {
	s.mu.Lock()
	if _, err := s.upload(bucket, key, uploadID); err != nil {
		s.mu.Unlock()
		return err
	}
	var old partRecord
	had, err := getJSON(s.store, partKey(uploadID, p.Number), &old)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	p.LastModified = s.clock.Now().UTC().Truncate(1e6)
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, partKey(uploadID, p.Number), p); err != nil {
		s.mu.Unlock()
		return err
	}
	err = b.Commit()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if had && old.Blob != p.Blob {
		s.blobs.remove(old.Blob)
	}
	return nil
}

func (s *Service) uploadPart(ctx context.Context, in *UploadPartRequest) (*UploadPartOutput, error) {
	n, err := checkPartNumber(in.PartNumber)
	if err != nil {
		return nil, err
	}
	u, err := s.upload(*in.Bucket, *in.Key, *in.UploadId)
	if err != nil {
		return nil, err
	}
	// A part carries the upload's checksum (S3 computes it when the part
	// sends none), or the default CRC64NVME in an upload without one, so
	// that the object's checksum can be made from its parts'.
	want := u.Object.Checksum.Algorithm
	if want == "" {
		want = algCRC64NVME
	}
	got, err := s.receive(ctx, in.Body, maxPutSize, want)
	if err != nil {
		return nil, err
	}
	if alg := u.Object.Checksum.Algorithm; alg != "" && got.checksum.Algorithm != alg {
		s.blobs.remove(got.blob)
		return nil, ErrInvalidRequest.WithMessage("Checksum Type mismatch occurred, expected checksum Type: " + strings.ToLower(alg) + ", actual checksum Type: " + strings.ToLower(got.checksum.Algorithm))
	}
	p := &partRecord{Number: n, Blob: got.blob, Size: got.size, ETag: got.etag(), Checksum: got.checksum}
	if err := s.commitPart(*in.Bucket, *in.Key, *in.UploadId, p); err != nil {
		s.blobs.remove(got.blob)
		return nil, err
	}
	cs := p.Checksum.members()
	return &UploadPartOutput{ETag: &p.ETag, ChecksumCRC32: cs.CRC32, ChecksumCRC32C: cs.CRC32C, ChecksumCRC64NVME: cs.CRC64NVME,
		ChecksumSHA1: cs.SHA1, ChecksumSHA256: cs.SHA256, ServerSideEncryption: strptr(sseOf(&u.Object)), SSEKMSKeyId: optStr(u.Object.SSEKMSKeyID)}, nil
}

func (s *Service) uploadPartCopy(_ context.Context, in *UploadPartCopyRequest) (*UploadPartCopyOutput, error) {
	n, err := checkPartNumber(in.PartNumber)
	if err != nil {
		return nil, err
	}
	u, err := s.upload(*in.Bucket, *in.Key, *in.UploadId)
	if err != nil {
		return nil, err
	}
	src, _, _, err := s.copySourceObject(*in.CopySource, in.CopySourceIfMatch, in.CopySourceIfNoneMatch,
		in.CopySourceIfModifiedSince, in.CopySourceIfUnmodifiedSince)
	if err != nil {
		return nil, err
	}
	rng := byteRange{start: 0, length: src.Size}
	if in.CopySourceRange != nil {
		r, ok, rerr := parseRange(*in.CopySourceRange, src.Size)
		if !ok || rerr != nil || !strings.Contains(*in.CopySourceRange, "-") || strings.HasPrefix(strings.TrimPrefix(*in.CopySourceRange, "bytes="), "-") {
			return nil, invalidArgument("x-amz-copy-source-range", *in.CopySourceRange,
				fmt.Sprintf("Range specified is not valid for source object of size: %d", src.Size))
		}
		rng = r
	}
	if rng.length > maxCopySize {
		return nil, ErrInvalidRequest.WithMessage("The specified copy source is larger than the maximum allowable size for a copy source: 5368709120")
	}
	want := u.Object.Checksum.Algorithm
	if want == "" {
		want = algCRC64NVME
	}
	got, err := s.copyBytes(src, rng, want)
	if err != nil {
		return nil, err
	}
	p := &partRecord{Number: n, Blob: got.blob, Size: got.size, ETag: got.etag(), Checksum: got.checksum}
	if err := s.commitPart(*in.Bucket, *in.Key, *in.UploadId, p); err != nil {
		s.blobs.remove(got.blob)
		return nil, err
	}
	cs := p.Checksum.members()
	return &UploadPartCopyOutput{CopyPartResult: &CopyPartResult{ETag: &p.ETag, LastModified: &p.LastModified,
		ChecksumCRC32: cs.CRC32, ChecksumCRC32C: cs.CRC32C, ChecksumSHA1: cs.SHA1, ChecksumSHA256: cs.SHA256}}, nil
}

func sameETag(a, b string) bool { return strings.Trim(a, `"`) == strings.Trim(b, `"`) }

func (s *Service) completeMultipartUpload(ctx context.Context, in *CompleteMultipartUploadRequest) (*CompleteMultipartUploadOutput, error) {
	bucket, key, id := *in.Bucket, *in.Key, *in.UploadId
	if in.MultipartUpload == nil || len(in.MultipartUpload.Parts) == 0 {
		return nil, ErrMalformedXML
	}
	u, err := s.upload(bucket, key, id)
	if err != nil {
		return nil, err
	}
	stored, err := s.partsOf(id)
	if err != nil {
		return nil, err
	}
	byNumber := map[int]partRecord{}
	for _, p := range stored {
		byNumber[p.Number] = p
	}
	listed := in.MultipartUpload.Parts
	prev := 0
	for _, cp := range listed {
		if cp.PartNumber == nil {
			return nil, ErrMalformedXML
		}
		n := int(*cp.PartNumber)
		if n <= prev {
			return nil, ErrInvalidPartOrder.WithDetails(&uploadDetails{UploadId: &id})
		}
		prev = n
	}
	var chosen []partRecord
	for i, cp := range listed {
		n := int(*cp.PartNumber)
		p, ok := byNumber[n]
		if !ok || cp.ETag == nil || !sameETag(*cp.ETag, p.ETag) {
			etag := strDeref(cp.ETag)
			return nil, ErrInvalidPart.WithDetails(&partDetails{UploadId: &id, PartNumber: itoa(int64(n)), ETag: &etag})
		}
		if i < len(listed)-1 && p.Size < minPartSize {
			return nil, ErrEntityTooSmall.WithDetails(&smallPartDetails{ProposedSize: itoa(p.Size), MinSizeAllowed: itoa(minPartSize),
				PartNumber: itoa(int64(n)), ETag: strptr(strings.Trim(p.ETag, `"`))})
		}
		chosen = append(chosen, p)
	}
	// The ETag of a multipart object is the MD5 of its parts' MD5s, and
	// their count.
	md := md5.New()
	var size int64
	o := u.Object
	o.Segments = nil
	for _, p := range chosen {
		b, _ := hex.DecodeString(strings.Trim(p.ETag, `"`))
		md.Write(b)
		size += p.Size
		o.Segments = append(o.Segments, segment{Blob: p.Blob, Size: p.Size})
	}
	if in.MpuObjectSize != nil && *in.MpuObjectSize != size {
		return nil, ErrInvalidRequest.WithMessage(fmt.Sprintf("The provided 'x-amz-mp-object-size' header value %d does not match what was computed: %d", *in.MpuObjectSize, size))
	}
	o.Size, o.PartsCount = size, len(chosen)
	o.ETag = fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(md.Sum(nil)), len(chosen))
	if err := s.multipartChecksum(&o, chosen); err != nil {
		return nil, err
	}
	err = s.commitObject(ctx, bucket, &o, "ObjectCreated:CompleteMultipartUpload", func(old *objectRecord) error {
		// Another completion or an abort may have won the race.
		var again uploadRecord
		found, err := getJSON(s.store, uploadKey(bucket, key, id), &again)
		if err != nil {
			return err
		}
		if !found {
			return noSuchUpload(id)
		}
		return writeConditions(old, in.IfMatch, in.IfNoneMatch)
	}, func(b batchSetter) error {
		b.Delete(uploadKey(bucket, key, id))
		b.DeleteRange(partsPrefix(id), keys.PrefixEnd(partsPrefix(id)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	used := map[int]bool{}
	for _, p := range chosen {
		used[p.Number] = true
	}
	for _, p := range stored {
		if !used[p.Number] {
			s.blobs.remove(p.Blob)
		}
	}
	cs := o.Checksum.members()
	loc := "/" + bucket + "/" + key
	return &CompleteMultipartUploadOutput{Location: &loc, Bucket: &bucket, Key: &key, ETag: &o.ETag, VersionId: s.versionOut(bucket, &o), Expiration: s.expirationOut(bucket, &o),
		ChecksumCRC32: cs.CRC32, ChecksumCRC32C: cs.CRC32C, ChecksumCRC64NVME: cs.CRC64NVME, ChecksumSHA1: cs.SHA1,
		ChecksumSHA256: cs.SHA256, ChecksumType: cs.Type, ServerSideEncryption: strptr(sseOf(&o)), SSEKMSKeyId: optStr(o.SSEKMSKeyID)}, nil
}

type smallPartDetails struct {
	ProposedSize   *string
	MinSizeAllowed *string
	PartNumber     *string
	ETag           *string
}

// multipartChecksum sets a completed upload's checksum: for COMPOSITE,
// the checksum of the parts' checksums with "-N"; for CRC64NVME, and for
// an upload that names no algorithm, the whole object's CRC64NVME,
// combined from the parts'; for other FULL_OBJECT checksums, the whole
// object's, computed by reading it back.
func (s *Service) multipartChecksum(o *objectRecord, parts []partRecord) error {
	alg, typ := o.Checksum.Algorithm, o.Checksum.Type
	if alg == "" || alg == algCRC64NVME {
		// CRC64NVME is a full-object checksum, made from the parts'
		// without reading the object: S3's own default for uploads that
		// name no algorithm.
		var crc uint64
		for i, p := range parts {
			raw, err := base64.StdEncoding.DecodeString(p.Checksum.Value)
			if err != nil || p.Checksum.Algorithm != algCRC64NVME || len(raw) != 8 {
				o.Checksum = objectChecksum{}
				return nil
			}
			v := binary.BigEndian.Uint64(raw)
			if i == 0 {
				crc = v
			} else {
				crc = combineCRC64NVME(crc, v, p.Size)
			}
		}
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], crc)
		o.Checksum = objectChecksum{Algorithm: algCRC64NVME, Value: base64.StdEncoding.EncodeToString(b[:]), Type: checksumFullObject}
		return nil
	}
	h := newChecksum(alg)
	if typ == checksumFullObject {
		rd := &segmentReader{blobs: s.blobs, segments: o.Segments, n: o.Size}
		defer rd.Close()
		if _, err := io.Copy(h, rd); err != nil {
			return err
		}
		o.Checksum.Value = checksumValue(h)
		return nil
	}
	for _, p := range parts {
		raw, err := base64.StdEncoding.DecodeString(p.Checksum.Value)
		if err != nil || p.Checksum.Algorithm != alg {
			o.Checksum = objectChecksum{}
			return nil
		}
		h.Write(raw)
	}
	o.Checksum.Value = fmt.Sprintf("%s-%d", checksumValue(h), len(parts))
	return nil
}

func (s *Service) abortMultipartUpload(_ context.Context, in *AbortMultipartUploadRequest) (*AbortMultipartUploadOutput, error) {
	return nil, s.abortUpload(*in.Bucket, *in.Key, *in.UploadId)
}

// isNoSuchUpload reports whether err is NoSuchUpload.
func isNoSuchUpload(err error) bool {
	var e *apierr.Error
	return errors.As(err, &e) && e.Code == ErrNoSuchUpload.Code
}

// abortUpload removes an upload in progress and its parts.
func (s *Service) abortUpload(bucket, key, id string) error {
	s.mu.Lock()
	if _, err := s.upload(bucket, key, id); err != nil {
		s.mu.Unlock()
		return err
	}
	parts, err := s.partsOf(id)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(uploadKey(bucket, key, id))
	b.DeleteRange(partsPrefix(id), keys.PrefixEnd(partsPrefix(id)))
	err = b.Commit()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	for _, p := range parts {
		s.blobs.remove(p.Blob)
	}
	return nil
}

func (s *Service) listParts(_ context.Context, in *ListPartsRequest) (*ListPartsOutput, error) {
	u, err := s.upload(*in.Bucket, *in.Key, *in.UploadId)
	if err != nil {
		return nil, err
	}
	parts, err := s.partsOf(u.ID)
	if err != nil {
		return nil, err
	}
	max := int32(maxUploads)
	if in.MaxParts != nil && *in.MaxParts >= 0 && *in.MaxParts < max {
		max = *in.MaxParts
	}
	marker := int32(0)
	if in.PartNumberMarker != nil {
		marker = *in.PartNumberMarker
	}
	truncated := false
	storage := "STANDARD"
	if u.Object.StorageClass != "" {
		storage = u.Object.StorageClass
	}
	owner := s.owner()
	out := &ListPartsOutput{Bucket: in.Bucket, Key: in.Key, UploadId: in.UploadId, PartNumberMarker: &marker, MaxParts: &max,
		IsTruncated: &truncated, Owner: owner, Initiator: &Initiator{ID: owner.ID}, StorageClass: &storage,
		ChecksumAlgorithm: optStr(u.Object.Checksum.Algorithm)}
	for _, p := range parts {
		if int32(p.Number) <= marker {
			continue
		}
		if int32(len(out.Parts)) >= max {
			truncated = true
			break
		}
		cs := p.Checksum.members()
		out.Parts = append(out.Parts, Part{PartNumber: int32ptr(p.Number), LastModified: &p.LastModified, ETag: strptr(p.ETag),
			Size: int64ptr(p.Size), ChecksumCRC32: cs.CRC32, ChecksumCRC32C: cs.CRC32C, ChecksumCRC64NVME: cs.CRC64NVME,
			ChecksumSHA1: cs.SHA1, ChecksumSHA256: cs.SHA256})
	}
	if len(out.Parts) > 0 {
		out.NextPartNumberMarker = out.Parts[len(out.Parts)-1].PartNumber
	}
	return out, nil
}

func int32ptr(n int) *int32   { v := int32(n); return &v }
func int64ptr(n int64) *int64 { return &n }

func (s *Service) listMultipartUploads(_ context.Context, in *ListMultipartUploadsRequest) (*ListMultipartUploadsOutput, error) {
	if _, err := s.bucket(s.store, *in.Bucket); err != nil {
		return nil, err
	}
	enc, err := checkEncodingType(in.EncodingType)
	if err != nil {
		return nil, err
	}
	uploads, err := s.uploadsOf(*in.Bucket)
	if err != nil {
		return nil, err
	}
	max := int32(maxUploads)
	if in.MaxUploads != nil && *in.MaxUploads >= 0 && *in.MaxUploads < max {
		max = *in.MaxUploads
	}
	prefix, delim := strDeref(in.Prefix), strDeref(in.Delimiter)
	keyMarker, idMarker := strDeref(in.KeyMarker), strDeref(in.UploadIdMarker)
	truncated := false
	out := &ListMultipartUploadsOutput{Bucket: in.Bucket, KeyMarker: enc.s(keyMarker), UploadIdMarker: &idMarker,
		Prefix: enc.opt(in.Prefix), Delimiter: enc.opt(in.Delimiter), MaxUploads: &max, IsTruncated: &truncated, EncodingType: in.EncodingType}
	owner := s.owner()
	seen := map[string]bool{}
	var lastKey, lastID string
	for _, u := range uploads {
		if !strings.HasPrefix(u.Key, prefix) {
			continue
		}
		if keyMarker != "" && (u.Key < keyMarker || u.Key == keyMarker && (idMarker == "" || u.ID <= idMarker)) {
			continue
		}
		if delim != "" {
			if i := strings.Index(u.Key[len(prefix):], delim); i >= 0 {
				cp := u.Key[:len(prefix)+i+len(delim)]
				if !seen[cp] {
					if int32(len(out.Uploads)+len(out.CommonPrefixes)) >= max {
						truncated = true
						break
					}
					seen[cp] = true
					out.CommonPrefixes = append(out.CommonPrefixes, CommonPrefix{Prefix: enc.s(cp)})
				}
				continue
			}
		}
		if int32(len(out.Uploads)+len(out.CommonPrefixes)) >= max {
			truncated = true
			break
		}
		storage := "STANDARD"
		if u.Object.StorageClass != "" {
			storage = u.Object.StorageClass
		}
		initiated := u.Initiated
		out.Uploads = append(out.Uploads, MultipartUpload{UploadId: strptr(u.ID), Key: enc.s(u.Key), Initiated: &initiated,
			StorageClass: &storage, Owner: owner, Initiator: &Initiator{ID: owner.ID}, ChecksumAlgorithm: optStr(u.Object.Checksum.Algorithm)})
		lastKey, lastID = u.Key, u.ID
	}
	if truncated {
		out.NextKeyMarker, out.NextUploadIdMarker = enc.s(lastKey), &lastID
	}
	return out, nil
}
