package s3

import (
	"context"
	"strings"
)

func (s *Service) getObjectTagging(_ context.Context, in *GetObjectTaggingRequest) (*GetObjectTaggingOutput, error) {
	if _, err := s.bucket(s.store, *in.Bucket); err != nil {
		return nil, err
	}
	o, err := s.object(s.store, *in.Bucket, *in.Key)
	if err != nil {
		return nil, err
	}
	if o.DeleteMarker {
		return nil, noSuchKey(*in.Key)
	}
	return &GetObjectTaggingOutput{TagSet: tagSet(o.Tags)}, nil
}

// updateObject runs f on an object's record under mu and commits it,
// without touching its bytes or its modification time, with the
// notifications of event ("ObjectTagging:Put", "ObjectAcl:Put").
func (s *Service) updateObject(ctx context.Context, bucket, key, event string, f func(o *objectRecord) error) error {
	var e *Event
	defer func() { // after the unlock below
		if e != nil {
			s.emit(ctx, *e)
		}
	}()
	s.mu.Lock()
	defer s.mu.Unlock()
	br, err := s.bucket(s.store, bucket)
	if err != nil {
		return err
	}
	o, err := s.object(s.store, bucket, key)
	if err != nil {
		return err
	}
	if o.DeleteMarker {
		return noSuchKey(key)
	}
	if err := f(o); err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, objectKey(bucket, key), o); err != nil {
		return err
	}
	ev := Event{Name: event, Bucket: bucket, Key: o.Key, ETag: strings.Trim(o.ETag, `"`), Time: s.clock.Now()}
	if br.Versioning != "" {
		ev.VersionID = versionIDOf(o)
	}
	if err := s.queueNotifications(ctx, b, br, &ev); err != nil {
		return err
	}
	if err := b.Commit(); err != nil {
		return err
	}
	e = &ev
	return nil
}

func (s *Service) putObjectTagging(ctx context.Context, in *PutObjectTaggingRequest) (*PutObjectTaggingOutput, error) {
	if in.Tagging == nil {
		return nil, ErrMalformedXML
	}
	tags, err := checkTags(in.Tagging.TagSet, maxObjectTags, false)
	if err != nil {
		return nil, err
	}
	return nil, s.updateObject(ctx, *in.Bucket, *in.Key, "ObjectTagging:Put", func(o *objectRecord) error { o.Tags = tags; return nil })
}

func (s *Service) deleteObjectTagging(ctx context.Context, in *DeleteObjectTaggingRequest) (*DeleteObjectTaggingOutput, error) {
	return nil, s.updateObject(ctx, *in.Bucket, *in.Key, "ObjectTagging:Delete", func(o *objectRecord) error { o.Tags = nil; return nil })
}
