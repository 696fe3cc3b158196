package kinesis

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"time"

	"github.com/virga/virga/internal/store/keys"
)

const (
	// onDemandShards is how many shards an on-demand stream starts with
	// ("a new on-demand stream ... 4 MB/s write capacity", one shard per
	// MB/s).
	onDemandShards = 4
	// maxShards is the default shard quota of an account in us-east-1,
	// us-west-2 and eu-west-1 (500 shards).
	maxShards = 500
	// maxOnDemandStreams: "50 on-demand data streams per account", the
	// default quota DescribeLimits reports (virga does not enforce it).
	maxOnDemandStreams = 50
	// Retention: "24 hours by default", up to 8760 hours (365 days).
	defaultRetention = 24
	minRetention     = 24
	maxRetention     = 8760
	// maxTags: "a maximum of 50 tags per stream".
	maxTags = 50
	// listStreamsDefault: ListStreams returns at most 100 streams a page.
	listStreamsDefault = 100
	// listShardsDefault: ListShards returns at most 1000 shards a page.
	listShardsDefault = 1000
)

func (s *Service) createStream(ctx context.Context, in *CreateStreamInput) (*noOutput, error) {
	mode := "PROVISIONED"
	if in.StreamModeDetails != nil && in.StreamModeDetails.StreamMode != nil {
		mode = string(*in.StreamModeDetails.StreamMode)
	}
	n := 0
	switch {
	case mode == "ON_DEMAND" && in.ShardCount != nil:
		return nil, ErrValidation.WithMessage("ShardCount is not supported for streams in ON_DEMAND mode.")
	case mode == "ON_DEMAND":
		n = onDemandShards
	case in.ShardCount == nil:
		return nil, ErrValidation.WithMessage("ShardCount is required for streams in PROVISIONED mode.")
	default:
		n = int(*in.ShardCount)
	}
	if len(in.Tags) > maxTags {
		return nil, ErrInvalidArgument.Withf("Failed to create stream %s because it would have more than %d tags.", *in.StreamName, maxTags)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load(*in.StreamName)
	if err != nil {
		return nil, err
	}
	if st != nil {
		return nil, ErrResourceInUse.Withf("Stream %s under account %s already exists.", *in.StreamName, s.account)
	}
	open, err := s.openShards()
	if err != nil {
		return nil, err
	}
	if open+n > maxShards {
		return nil, ErrLimitExceeded.Withf("This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.", s.account, s.region, open, maxShards, n)
	}
	now := s.clock.Now().UnixMilli()
	st = &stream{Name: *in.StreamName, Mode: mode, Created: now, Retention: defaultRetention, Tags: in.Tags}
	for i, r := range evenRanges(n) {
		st.Shards = append(st.Shards, shard{Index: i, StartHash: r[0].String(), EndHash: r[1].String()})
	}
	b := s.store.NewBatch()
	defer b.Close()
	// A stream of the same name deleted earlier leaves nothing behind.
	b.DeleteRange(recordsPrefix(st.Name), keys.PrefixEnd(recordsPrefix(st.Name)))
	for i := range n {
		b.Delete(counterKey(st.Name, i))
		delete(s.next, shardRef{st.Name, i})
	}
	if err := s.saveIn(b, st); err != nil {
		return nil, err
	}
	return &noOutput{}, b.Commit()
}

// describeLimits answers the account's shard quota and how many open
// shards and on-demand streams it has.
func (s *Service) describeLimits(ctx context.Context, in *DescribeLimitsInput) (*DescribeLimitsOutput, error) {
	open, onDemand := 0, 0
	err := s.eachStream(func(st *stream) bool {
		open += st.openCount()
		if st.Mode == "ON_DEMAND" {
			onDemand++
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return &DescribeLimitsOutput{ShardLimit: ptr(int32(maxShards)), OpenShardCount: ptr(int32(open)),
		OnDemandStreamCount: ptr(int32(onDemand)), OnDemandStreamCountLimit: ptr(int32(maxOnDemandStreams))}, nil
}

// openShards counts the open shards of every stream. mu must be held.
func (s *Service) openShards() (int, error) {
	n := 0
	err := s.eachStream(func(st *stream) bool { n += st.openCount(); return true })
	return n, err
}

// eachStream calls f with every stream in name order until it returns
// false.
func (s *Service) eachStream(f func(*stream) bool) error {
	return s.eachStreamAfter("", f)
}

func (s *Service) eachStreamAfter(after string, f func(*stream) bool) error {
	lower := streamsPrefix()
	if after != "" {
		lower = append(streamKey(after), 0)
	}
	it, err := s.store.NewIter(lower, keys.PrefixEnd(streamsPrefix()))
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		var st stream
		if err := json.Unmarshal(it.Value(), &st); err != nil {
			return err
		}
		if !f(&st) {
			break
		}
	}
	return it.Error()
}

func (s *Service) deleteStream(ctx context.Context, in *DeleteStreamInput) (*noOutput, error) {
	name, err := s.streamName(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	// "If this parameter is unset (null) or if you set it to false, and
	// the stream has registered consumers, the call to DeleteStream fails
	// with a ResourceInUseException."
	if len(st.Consumers) > 0 && !deref(in.EnforceConsumerDeletion) {
		return nil, ErrResourceInUse.Withf("Stream %s under account %s has registered consumers.", name, s.account)
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(streamKey(name))
	b.DeleteRange(recordsPrefix(name), keys.PrefixEnd(recordsPrefix(name)))
	for _, sh := range st.Shards {
		b.Delete(counterKey(name, sh.Index))
		delete(s.next, shardRef{name, sh.Index})
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	s.notify(name)
	return &noOutput{}, nil
}

// describeShard is a shard as DescribeStream and ListShards show it. A
// closed shard's EndingSequenceNumber is the one its next record would
// have had: greater than any of its records', less than its children's.
func describeShard(name string, sh shard) Shard {
	out := Shard{
		ShardId:             ptr(shardID(sh.Index)),
		HashKeyRange:        &HashKeyRange{StartingHashKey: ptr(sh.StartHash), EndingHashKey: ptr(sh.EndHash)},
		SequenceNumberRange: &SequenceNumberRange{StartingSequenceNumber: ptr(sequenceNumber(sh.Index, sh.StartCount))},
	}
	if !sh.open() {
		out.SequenceNumberRange.EndingSequenceNumber = ptr(sequenceNumber(sh.Index, sh.EndCount))
	}
	if sh.Parent != "" {
		out.ParentShardId = ptr(sh.Parent)
	}
	if sh.Adjacent != "" {
		out.AdjacentParentShardId = ptr(sh.Adjacent)
	}
	return out
}

func millis(ms int64) *time.Time { return ptr(time.UnixMilli(ms)) }

func (s *Service) describeStream(ctx context.Context, in *DescribeStreamInput) (*DescribeStreamOutput, error) {
	name, err := s.streamName(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	limit := 100 // DescribeStream: "The default value is 100."
	if in.Limit != nil {
		limit = min(int(*in.Limit), limit)
	}
	var shards []Shard
	more := false
	for _, sh := range st.Shards {
		if in.ExclusiveStartShardId != nil && shardID(sh.Index) <= *in.ExclusiveStartShardId {
			continue
		}
		if len(shards) == limit {
			more = true
			break
		}
		shards = append(shards, describeShard(name, sh))
	}
	if shards == nil {
		shards = []Shard{}
	}
	encType, keyID := st.encryption()
	return &DescribeStreamOutput{StreamDescription: &StreamDescription{
		StreamName:              &st.Name,
		StreamARN:               ptr(s.arn(st.Name)),
		StreamStatus:            ptr(StreamStatus(st.status(s.clock.Now().UnixMilli()))),
		StreamModeDetails:       &StreamModeDetails{StreamMode: ptr(StreamMode(st.Mode))},
		Shards:                  shards,
		HasMoreShards:           &more,
		RetentionPeriodHours:    &st.Retention,
		StreamCreationTimestamp: millis(st.Created),
		EnhancedMonitoring:      st.enhancedMonitoring(),
		EncryptionType:          encType,
		KeyId:                   keyID,
	}}, nil
}

func (s *Service) describeStreamSummary(ctx context.Context, in *DescribeStreamSummaryInput) (*DescribeStreamSummaryOutput, error) {
	name, err := s.streamName(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	encType, keyID := st.encryption()
	return &DescribeStreamSummaryOutput{StreamDescriptionSummary: &StreamDescriptionSummary{
		StreamName:              &st.Name,
		StreamARN:               ptr(s.arn(st.Name)),
		StreamStatus:            ptr(StreamStatus(st.status(s.clock.Now().UnixMilli()))),
		StreamModeDetails:       &StreamModeDetails{StreamMode: ptr(StreamMode(st.Mode))},
		RetentionPeriodHours:    &st.Retention,
		StreamCreationTimestamp: millis(st.Created),
		EnhancedMonitoring:      st.enhancedMonitoring(),
		EncryptionType:          encType,
		KeyId:                   keyID,
		OpenShardCount:          ptr(int32(st.openCount())),
		ConsumerCount:           ptr(int32(len(st.Consumers))),
	}}, nil
}

func (s *Service) listStreams(ctx context.Context, in *ListStreamsInput) (*ListStreamsOutput, error) {
	limit := listStreamsDefault
	if in.Limit != nil {
		limit = min(int(*in.Limit), limit)
	}
	after := deref(in.ExclusiveStartStreamName)
	if in.NextToken != nil {
		if in.ExclusiveStartStreamName != nil {
			return nil, ErrInvalidArgument.WithMessage("NextToken and ExclusiveStartStreamName cannot be provided together.")
		}
		raw, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err != nil || len(raw) == 0 {
			return nil, ErrInvalidArgument.Withf("Invalid NextToken %s.", *in.NextToken)
		}
		after = string(raw)
	}
	out := &ListStreamsOutput{StreamNames: []string{}, StreamSummaries: []StreamSummary{}, HasMoreStreams: ptr(false)}
	err := s.eachStreamAfter(after, func(st *stream) bool {
		if len(out.StreamNames) == limit {
			out.HasMoreStreams = ptr(true)
			return false
		}
		out.StreamNames = append(out.StreamNames, st.Name)
		out.StreamSummaries = append(out.StreamSummaries, StreamSummary{
			StreamName: ptr(st.Name), StreamARN: ptr(s.arn(st.Name)), StreamStatus: ptr(StreamStatus(st.status(s.clock.Now().UnixMilli()))),
			StreamModeDetails: &StreamModeDetails{StreamMode: ptr(StreamMode(st.Mode))}, StreamCreationTimestamp: millis(st.Created)})
		return true
	})
	if err != nil {
		return nil, err
	}
	if *out.HasMoreStreams {
		out.NextToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(out.StreamNames[len(out.StreamNames)-1])))
	}
	return out, nil
}

// shardFilter is ListShards' ShardFilter, as its NextToken carries it.
type shardFilter struct {
	Type    string `json:"t"`
	ShardID string `json:"i,omitempty"`
	At      int64  `json:"at,omitempty"` // Unix milliseconds
}

// readShardFilter checks a ShardFilter: AFTER_SHARD_ID needs a ShardId,
// AT_TIMESTAMP and FROM_TIMESTAMP a Timestamp.
func readShardFilter(in *ShardFilter) (*shardFilter, error) {
	if in == nil {
		return nil, nil
	}
	f := &shardFilter{Type: string(deref(in.Type)), ShardID: deref(in.ShardId)}
	switch f.Type {
	case "AFTER_SHARD_ID":
		if in.ShardId == nil {
			return nil, ErrInvalidArgument.WithMessage("ShardId must be specified in the ShardFilter when its Type is AFTER_SHARD_ID.")
		}
	case "AT_TIMESTAMP", "FROM_TIMESTAMP":
		if in.Timestamp == nil {
			return nil, ErrInvalidArgument.Withf("Timestamp must be specified in the ShardFilter when its Type is %s.", f.Type)
		}
		f.At = in.Timestamp.UnixMilli()
	case "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST":
	default:
		return nil, ErrValidation.Withf("1 validation error detected: Value '%s' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]", f.Type)
	}
	return f, nil
}

// keeps tells whether ListShards lists a shard of st at now (Unix
// milliseconds) under the filter (nil: FROM_TRIM_HORIZON, the default).
// A closed shard whose records have all outlived the retention period is
// past the trim horizon and never listed.
func (f *shardFilter) keeps(st *stream, sh shard, now int64) bool {
	horizon := now - int64(st.Retention)*int64(time.Hour/time.Millisecond)
	if sh.expired(horizon) {
		return false
	}
	if f == nil {
		return true
	}
	// openAt tells a shard open at t.
	openAt := func(t int64) bool { return sh.openedAt(st) <= t && (sh.open() || sh.Closed >= t) }
	switch f.Type {
	case "AFTER_SHARD_ID":
		return shardID(sh.Index) > f.ShardID
	case "AT_LATEST":
		return sh.open()
	case "AT_TRIM_HORIZON":
		// Before the stream was made its first shards are its horizon.
		return openAt(max(horizon, st.Created))
	case "AT_TIMESTAMP":
		return openAt(f.At)
	case "FROM_TIMESTAMP":
		return sh.open() || sh.Closed >= max(f.At, horizon)
	}
	return true
}

func (s *Service) listShards(ctx context.Context, in *ListShardsInput) (*ListShardsOutput, error) {
	var name, after string
	var filter *shardFilter
	if in.NextToken != nil {
		if in.StreamName != nil || in.StreamARN != nil || in.ExclusiveStartShardId != nil || in.StreamCreationTimestamp != nil {
			return nil, ErrInvalidArgument.WithMessage("NextToken and StreamName, StreamARN, ExclusiveStartShardId or StreamCreationTimestamp cannot be provided together.")
		}
		tok, err := decodeListToken(*in.NextToken)
		if err != nil {
			return nil, err
		}
		name, after, filter = tok.Stream, tok.After, tok.Filter
	} else {
		n, err := s.streamName(in.StreamName, in.StreamARN)
		if err != nil {
			return nil, err
		}
		if filter, err = readShardFilter(in.ShardFilter); err != nil {
			return nil, err
		}
		name, after = n, deref(in.ExclusiveStartShardId)
	}
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	limit := listShardsDefault
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	now := s.clock.Now().UnixMilli()
	var listed []shard
	for _, sh := range st.Shards {
		if (after == "" || shardID(sh.Index) > after) && filter.keeps(st, sh, now) {
			listed = append(listed, sh)
		}
	}
	out := &ListShardsOutput{Shards: []Shard{}}
	for i, sh := range listed {
		out.Shards = append(out.Shards, describeShard(name, sh))
		if len(out.Shards) == limit && i < len(listed)-1 {
			out.NextToken = ptr(encodeListToken(listToken{Stream: name, After: shardID(sh.Index), Filter: filter}))
			break
		}
	}
	return out, nil
}

func (s *Service) increaseRetention(ctx context.Context, in *IncreaseStreamRetentionPeriodInput) (*noOutput, error) {
	return s.setRetention(in.StreamName, in.StreamARN, *in.RetentionPeriodHours, true)
}

func (s *Service) decreaseRetention(ctx context.Context, in *DecreaseStreamRetentionPeriodInput) (*noOutput, error) {
	return s.setRetention(in.StreamName, in.StreamARN, *in.RetentionPeriodHours, false)
}

// setRetention changes a stream's retention period: up only by
// IncreaseStreamRetentionPeriod, down only by Decrease..., within
// 24-8760 hours.
func (s *Service) setRetention(nameIn, arnIn *string, hours int32, increase bool) (*noOutput, error) {
	name, err := s.streamName(nameIn, arnIn)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	switch {
	case hours < minRetention:
		return nil, ErrInvalidArgument.Withf("Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", minRetention, hours)
	case hours > maxRetention:
		return nil, ErrInvalidArgument.Withf("Maximum allowed retention period is %d hours. Requested retention period (%d hours) is too long.", maxRetention, hours)
	case increase && hours < st.Retention:
		return nil, ErrInvalidArgument.Withf("Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", hours, name, st.Retention)
	case !increase && hours > st.Retention:
		return nil, ErrInvalidArgument.Withf("Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", hours, name, st.Retention)
	}
	st.Retention = hours
	return &noOutput{}, s.save(st)
}

func (s *Service) addTags(ctx context.Context, in *AddTagsToStreamInput) (*noOutput, error) {
	name, err := s.streamName(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	if st.Tags == nil {
		st.Tags = map[string]string{}
	}
	n := len(st.Tags)
	for k := range in.Tags {
		if _, ok := st.Tags[k]; !ok {
			n++
		}
	}
	if n > maxTags {
		return nil, ErrInvalidArgument.Withf("Failed to add tags to stream %s under account %s because a given stream cannot have more than %d tags.", name, s.account, maxTags)
	}
	for k, v := range in.Tags {
		st.Tags[k] = v
	}
	return &noOutput{}, s.save(st)
}

func (s *Service) removeTags(ctx context.Context, in *RemoveTagsFromStreamInput) (*noOutput, error) {
	name, err := s.streamName(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(st.Tags, k)
	}
	return &noOutput{}, s.save(st)
}

func (s *Service) listTags(ctx context.Context, in *ListTagsForStreamInput) (*ListTagsForStreamOutput, error) {
	name, err := s.streamName(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	st, err := s.mustLoad(name)
	if err != nil {
		return nil, err
	}
	limit := maxTags
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	ks := make([]string, 0, len(st.Tags))
	for k := range st.Tags {
		if in.ExclusiveStartTagKey == nil || k > *in.ExclusiveStartTagKey {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	out := &ListTagsForStreamOutput{Tags: []Tag{}, HasMoreTags: ptr(len(ks) > limit)}
	for _, k := range ks[:min(limit, len(ks))] {
		out.Tags = append(out.Tags, Tag{Key: ptr(k), Value: ptr(st.Tags[k])})
	}
	return out, nil
}
