package firehose

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/store/keys"
)

const (
	// creatingFor is how long a new stream is CREATING before it is
	// ACTIVE, as the clock says.
	creatingFor = time.Second
	// maxTags: "You can specify up to 50 tags" per Firehose stream.
	maxTags = 50
	// listDefault is how many names ListDeliveryStreams returns when
	// Limit is not given ("The default limit is 10").
	listDefault = 10
)

func (s *Service) createDeliveryStream(ctx context.Context, in *CreateDeliveryStreamInput) (*CreateDeliveryStreamOutput, error) {
	name := *in.DeliveryStreamName
	typ := typeDirectPut
	if in.DeliveryStreamType != nil {
		typ = string(*in.DeliveryStreamType)
	}
	st := &deliveryStream{Name: name, Type: typ, Version: 1}
	switch typ {
	case typeDirectPut:
		if in.KinesisStreamSourceConfiguration != nil {
			return nil, ErrInvalidArgument.WithMessage("KinesisSourceStreamConfig is only allowed for KinesisStreamAsSource Firehose streams.")
		}
	case typeKinesis:
		c := in.KinesisStreamSourceConfiguration
		if c == nil {
			return nil, ErrInvalidArgument.WithMessage("KinesisSourceStreamConfig is required for KinesisStreamAsSource Firehose streams.")
		}
		st.Source = &source{StreamARN: *c.KinesisStreamARN, RoleARN: *c.RoleARN}
	default:
		return nil, unsupported("DeliveryStreamType " + typ)
	}
	if in.DeliveryStreamEncryptionConfigurationInput != nil {
		return nil, unsupported("DeliveryStreamEncryptionConfigurationInput")
	}
	if err := refuseGiven(
		given{in.RedshiftDestinationConfiguration != nil, "RedshiftDestinationConfiguration"},
		given{in.ElasticsearchDestinationConfiguration != nil, "ElasticsearchDestinationConfiguration"},
		given{in.AmazonopensearchserviceDestinationConfiguration != nil, "AmazonopensearchserviceDestinationConfiguration"},
		given{in.AmazonOpenSearchServerlessDestinationConfiguration != nil, "AmazonOpenSearchServerlessDestinationConfiguration"},
		given{in.SplunkDestinationConfiguration != nil, "SplunkDestinationConfiguration"},
		given{in.HttpEndpointDestinationConfiguration != nil, "HttpEndpointDestinationConfiguration"},
	); err != nil {
		return nil, err
	}
	var v s3Settings
	switch {
	case in.S3DestinationConfiguration != nil && in.ExtendedS3DestinationConfiguration != nil:
		return nil, ErrInvalidArgument.WithMessage("Only one destination configuration is allowed.")
	case in.ExtendedS3DestinationConfiguration != nil:
		v = fromExtendedConfiguration(in.ExtendedS3DestinationConfiguration)
	case in.S3DestinationConfiguration != nil:
		v = fromS3Configuration(in.S3DestinationConfiguration)
	default:
		return nil, ErrInvalidArgument.WithMessage("A destination configuration must be provided.")
	}
	st.Dest = &destination{Extended: in.ExtendedS3DestinationConfiguration != nil,
		SizeInMBs: defaultSizeInMBs, IntervalInSeconds: defaultIntervalInSeconds, Compression: defaultCompression}
	if err := st.Dest.apply(v); err != nil {
		return nil, err
	}
	tags, err := addTags(nil, in.Tags, awsproto.ReservedTagsAllowed(ctx))
	if err != nil {
		return nil, err
	}
	st.Tags = tags

	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.load(name)
	if err != nil {
		return nil, err
	}
	if old != nil {
		return nil, ErrResourceInUse.Withf("Firehose %s under account %s already exists.", name, s.account)
	}
	st.Created = s.clock.Now().UnixMilli()
	b := s.store.NewBatch()
	defer b.Close()
	// A stream of the same name deleted earlier leaves nothing behind.
	b.DeleteRange(bufferPrefix(name), keys.PrefixEnd(bufferPrefix(name)))
	b.DeleteRange(checkpointsPrefix(name), keys.PrefixEnd(checkpointsPrefix(name)))
	delete(s.buffers, name)
	if err := s.saveIn(b, st); err != nil {
		return nil, err
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return &CreateDeliveryStreamOutput{DeliveryStreamARN: ptr(s.arn(name))}, nil
}

func (s *Service) describeDeliveryStream(ctx context.Context, in *DescribeDeliveryStreamInput) (*DescribeDeliveryStreamOutput, error) {
	st, err := s.mustLoad(*in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	status := "ACTIVE"
	if s.clock.Now().Before(time.UnixMilli(st.Created).Add(creatingFor)) {
		status = "CREATING"
	}
	d := &DeliveryStreamDescription{
		DeliveryStreamName:   ptr(st.Name),
		DeliveryStreamARN:    ptr(s.arn(st.Name)),
		DeliveryStreamStatus: ptr(DeliveryStreamStatus(status)),
		DeliveryStreamType:   ptr(DeliveryStreamType(st.Type)),
		DeliveryStreamEncryptionConfiguration: &DeliveryStreamEncryptionConfiguration{
			Status: ptr(DeliveryStreamEncryptionStatus("DISABLED"))},
		VersionId:       ptr(strconv.Itoa(st.Version)),
		CreateTimestamp: ptr(time.UnixMilli(st.Created)),
		Destinations: []DestinationDescription{{DestinationId: ptr(destinationID),
			S3DestinationDescription: st.Dest.s3Description(), ExtendedS3DestinationDescription: st.Dest.extendedDescription()}},
		HasMoreDestinations: ptr(false),
	}
	if st.Updated != 0 {
		d.LastUpdateTimestamp = ptr(time.UnixMilli(st.Updated))
	}
	if src := st.Source; src != nil {
		d.Source = &SourceDescription{KinesisStreamSourceDescription: &KinesisStreamSourceDescription{
			KinesisStreamARN: ptr(src.StreamARN), RoleARN: ptr(src.RoleARN), DeliveryStartTimestamp: ptr(time.UnixMilli(st.Created))}}
	}
	return &DescribeDeliveryStreamOutput{DeliveryStreamDescription: d}, nil
}

func (s *Service) listDeliveryStreams(ctx context.Context, in *ListDeliveryStreamsInput) (*ListDeliveryStreamsOutput, error) {
	streams, err := s.all()
	if err != nil {
		return nil, err
	}
	limit := listDefault
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	after := deref(in.ExclusiveStartDeliveryStreamName)
	out := &ListDeliveryStreamsOutput{DeliveryStreamNames: []string{}, HasMoreDeliveryStreams: ptr(false)}
	for _, st := range streams {
		if st.Name <= after || in.DeliveryStreamType != nil && st.Type != string(*in.DeliveryStreamType) {
			continue
		}
		if len(out.DeliveryStreamNames) == limit {
			out.HasMoreDeliveryStreams = ptr(true)
			break
		}
		out.DeliveryStreamNames = append(out.DeliveryStreamNames, st.Name)
	}
	return out, nil
}

// deleteDeliveryStream deletes a stream and the records it has not yet
// delivered, as Firehose does.
func (s *Service) deleteDeliveryStream(ctx context.Context, in *DeleteDeliveryStreamInput) (*DeleteDeliveryStreamOutput, error) {
	name := *in.DeliveryStreamName
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.mustLoad(name); err != nil {
		return nil, err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(streamKey(name))
	b.DeleteRange(bufferPrefix(name), keys.PrefixEnd(bufferPrefix(name)))
	b.DeleteRange(checkpointsPrefix(name), keys.PrefixEnd(checkpointsPrefix(name)))
	if err := b.Commit(); err != nil {
		return nil, err
	}
	delete(s.buffers, name)
	return &DeleteDeliveryStreamOutput{}, nil
}

func (s *Service) updateDestination(ctx context.Context, in *UpdateDestinationInput) (*UpdateDestinationOutput, error) {
	if err := refuseGiven(
		given{in.RedshiftDestinationUpdate != nil, "RedshiftDestinationUpdate"},
		given{in.ElasticsearchDestinationUpdate != nil, "ElasticsearchDestinationUpdate"},
		given{in.AmazonopensearchserviceDestinationUpdate != nil, "AmazonopensearchserviceDestinationUpdate"},
		given{in.AmazonOpenSearchServerlessDestinationUpdate != nil, "AmazonOpenSearchServerlessDestinationUpdate"},
		given{in.SplunkDestinationUpdate != nil, "SplunkDestinationUpdate"},
		given{in.HttpEndpointDestinationUpdate != nil, "HttpEndpointDestinationUpdate"},
	); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.mustLoad(*in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	if *in.CurrentDeliveryStreamVersionId != strconv.Itoa(st.Version) {
		return nil, ErrConcurrentModification.Withf("Cannot update firehose: %s since the current version id: %d and specified version id: %s do not match",
			st.Name, st.Version, *in.CurrentDeliveryStreamVersionId)
	}
	if *in.DestinationId != destinationID {
		return nil, ErrInvalidArgument.Withf("Destination Id %s not found for Firehose %s.", *in.DestinationId, st.Name)
	}
	var v s3Settings
	switch {
	case in.S3DestinationUpdate != nil && in.ExtendedS3DestinationUpdate != nil:
		return nil, ErrInvalidArgument.WithMessage("Only one destination update is allowed.")
	case in.ExtendedS3DestinationUpdate != nil:
		v = fromExtendedUpdate(in.ExtendedS3DestinationUpdate)
		st.Dest.Extended = true
	case in.S3DestinationUpdate != nil:
		v = fromS3Update(in.S3DestinationUpdate)
	}
	if err := st.Dest.apply(v); err != nil {
		return nil, err
	}
	st.Version++
	st.Updated = s.clock.Now().UnixMilli()
	if err := s.save(st); err != nil {
		return nil, err
	}
	return &UpdateDestinationOutput{}, nil
}

func (s *Service) tagDeliveryStream(ctx context.Context, in *TagDeliveryStreamInput) (*TagDeliveryStreamOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.mustLoad(*in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	if st.Tags, err = addTags(st.Tags, in.Tags, awsproto.ReservedTagsAllowed(ctx)); err != nil {
		return nil, err
	}
	return &TagDeliveryStreamOutput{}, s.save(st)
}

func (s *Service) untagDeliveryStream(ctx context.Context, in *UntagDeliveryStreamInput) (*UntagDeliveryStreamOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.mustLoad(*in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	st.Tags = slices.DeleteFunc(st.Tags, func(t tag) bool { return slices.Contains(in.TagKeys, t.Key) })
	return &UntagDeliveryStreamOutput{}, s.save(st)
}

func (s *Service) listTags(ctx context.Context, in *ListTagsForDeliveryStreamInput) (*ListTagsForDeliveryStreamOutput, error) {
	st, err := s.mustLoad(*in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	tags := slices.Clone(st.Tags)
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	limit := maxTags
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &ListTagsForDeliveryStreamOutput{Tags: []Tag{}, HasMoreTags: ptr(false)}
	for _, t := range tags {
		if t.Key <= deref(in.ExclusiveStartTagKey) {
			continue
		}
		if len(out.Tags) == limit {
			out.HasMoreTags = ptr(true)
			break
		}
		out.Tags = append(out.Tags, Tag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return out, nil
}

// addTags adds or replaces tags, refusing keys with AWS's reserved
// prefix (unless reserved: CloudFormation's own tags) and more than 50
// tags in all.
func addTags(tags []tag, add []Tag, reserved bool) ([]tag, error) {
	for _, t := range add {
		k := *t.Key
		if awsproto.ReservedTagKey(k) && !reserved {
			return nil, ErrInvalidArgument.WithMessage("Tag keys cannot start with the reserved prefix aws:.")
		}
		i := slices.IndexFunc(tags, func(x tag) bool { return x.Key == k })
		if i < 0 {
			tags = append(tags, tag{Key: k, Value: deref(t.Value)})
		} else {
			tags[i].Value = deref(t.Value)
		}
	}
	if len(tags) > maxTags {
		return nil, ErrLimitExceeded.Withf("A Firehose stream cannot have more than %d tags.", maxTags)
	}
	return tags, nil
}
