package s3

import (
	"context"
	"io"
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
