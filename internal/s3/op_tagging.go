package s3

import "context"

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
// without touching its bytes or its modification time.
func (s *Service) updateObject(bucket, key string, f func(o *objectRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.bucket(s.store, bucket); err != nil {
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
	return b.Commit()
}

func (s *Service) putObjectTagging(_ context.Context, in *PutObjectTaggingRequest) (*PutObjectTaggingOutput, error) {
	if in.Tagging == nil {
		return nil, ErrMalformedXML
	}
	tags, err := checkTags(in.Tagging.TagSet, maxObjectTags)
	if err != nil {
		return nil, err
	}
	return nil, s.updateObject(*in.Bucket, *in.Key, func(o *objectRecord) error { o.Tags = tags; return nil })
}

func (s *Service) deleteObjectTagging(_ context.Context, in *DeleteObjectTaggingRequest) (*DeleteObjectTaggingOutput, error) {
	return nil, s.updateObject(*in.Bucket, *in.Key, func(o *objectRecord) error { o.Tags = nil; return nil })
}
