package s3

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/virga/virga/internal/awsproto"
)

// Object opens the bytes of an object for another service that reads
// from S3 as AWS's services do with GetObject: Lambda's Code.S3Bucket
// and S3Key, CloudFormation's TemplateURL. versionID empty means the
// current version. Errors are S3's own (NoSuchBucket, NoSuchKey,
// NoSuchVersion, InvalidArgument for a malformed version id), as
// *apierr.Error values the caller may word into its own messages.
func (s *Service) Object(_ context.Context, bucket, key, versionID string) (io.ReadCloser, int64, error) {
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		return nil, 0, err
	}
	var vid *string
	if versionID != "" {
		vid = &versionID
	}
	o, err := s.lookup(b, key, vid)
	if err != nil {
		return nil, 0, err
	}
	rd := &segmentReader{blobs: s.blobs, segments: o.Segments, off: 0, n: o.Size}
	if o.Size > 0 {
		if err := rd.prime(); err != nil {
			rd.Close()
			return nil, 0, noSuchKey(key)
		}
	}
	return rd, o.Size, nil
}

// PutObjectBytes stores an object as a service delivering files to a
// bucket does (CloudTrail's log files): a PutObject of body, with the
// bucket's notifications, versioning and lifecycle as for any other.
func (s *Service) PutObjectBytes(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	req := (&http.Request{Method: http.MethodPut, URL: &url.URL{Path: "/" + bucket + "/" + key}, Header: http.Header{},
		ContentLength: int64(len(body))}).WithContext(ctx)
	c := awsproto.NewCall(req, s.ids.UUID(), s.clock.Now())
	c.Service = s.api
	c.Op = s.api.Operation("PutObject")
	_, err := s.putObject(c.Context(), &PutObjectRequest{Bucket: &bucket, Key: &key,
		Body: io.NopCloser(bytes.NewReader(body)), ContentType: &contentType})
	return err
}

// ObjectKeys lists the keys of a bucket's current objects under prefix,
// in key order, for a service that reads a prefix's objects as AWS's
// services do with ListObjectsV2 (DynamoDB's imports). A missing bucket
// is NoSuchBucket.
func (s *Service) ObjectKeys(_ context.Context, bucket, prefix string) ([]string, error) {
	if _, err := s.bucket(s.store, bucket); err != nil {
		return nil, err
	}
	var out []string
	var from position
	for {
		page, err := s.list(bucket, prefix, "", from, 1000)
		if err != nil {
			return nil, err
		}
		for _, o := range page.objects {
			out = append(out, o.Key)
		}
		if !page.truncated {
			return out, nil
		}
		from = page.resume
	}
}
