package dynamodb

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/awsjson"
)

// StreamsTargetPrefix is DynamoDB Streams' X-Amz-Target prefix.
const StreamsTargetPrefix = "DynamoDBStreams_20120810"

// Limits of DynamoDB Streams' API.
const (
	maxGetRecords = 1000 // GetRecords returns at most 1,000 records.
	// ListStreams returns at most 100 streams, and 100 unless told fewer.
	maxListStreams = 100
	// A shard iterator expires 15 minutes after it is handed out.
	iteratorLifetime = 15 * time.Minute
)

// StreamsAPI returns DynamoDB Streams as the edge serves it: its own
// awsJson 1.0 API over the records this service keeps. Each table's
// stream has one shard.
func (s *Service) StreamsAPI() *awsproto.Service {
	p := awsjson.New("1.0", StreamsTargetPrefix)
	p.ErrorNamespace = "com.amazonaws.dynamodb.v20120810#"
	return (&awsproto.Service{
		Name:            "dynamodbstreams",
		Protocol:        p,
		ValidationError: ErrValidation,
		Operations: []awsproto.Operation{
			{Name: "DescribeStream", Action: "dynamodb:DescribeStream", Handler: awsproto.Handle(s.describeStream)},
			{Name: "GetRecords", Action: "dynamodb:GetRecords", Handler: awsproto.Handle(s.getRecords)},
			{Name: "GetShardIterator", Action: "dynamodb:GetShardIterator", Handler: awsproto.Handle(s.getShardIterator)},
			{Name: "ListStreams", Action: "dynamodb:ListStreams", Handler: awsproto.Handle(s.listStreams)},
		},
	}).Init()
}

func (s *Service) streamARN(t *table, label string) string {
	return t.arn(s.account, s.region) + "/stream/" + label
}

// shardID names the one shard of t's stream with the label.
func shardID(t *table, label string) string {
	h := fnv.New32a()
	h.Write([]byte(label))
	return "shardId-" + strconv.FormatInt(t.Created.UnixMilli(), 10) + strings.Repeat("0", 7) + "-" + strconv.FormatUint(uint64(h.Sum32()), 16)
}

// livePastStreams is t's replaced streams whose records are still within
// retention: a disabled stream stays readable for 24 hours after it was
// disabled, even once a new stream replaces it.
func (s *Service) livePastStreams(t *table) []streamConfig {
	cutoff := s.clock.Now().Add(-streamRetention)
	var out []streamConfig
	for _, p := range t.PastStreams {
		if p.Disabled.After(cutoff) {
			out = append(out, p)
		}
	}
	return out
}

// dropTable returns what is kept of t, being deleted, for its streams:
// t with every stream disabled and ended, or nil if it has none readable.
// The caller holds s.mu.
func (s *Service) dropTable(t *table) *table {
	gone := t.clone()
	gone.PastStreams = s.livePastStreams(t)
	if sc := t.Stream; sc.Label != "" {
		sc.Enabled = false
		if sc.Disabled.IsZero() {
			sc.Disabled = s.clock.Now().UTC()
		}
		if st := s.streams[t.ID]; st != nil {
			st.mu.Lock()
			sc.End = st.last
			st.mu.Unlock()
		}
		gone.PastStreams = append(gone.PastStreams, sc)
	}
	gone.Stream = streamConfig{}
	if len(gone.PastStreams) == 0 {
		return nil
	}
	return gone
}

// tableStreams lists t's readable streams, the current one last.
func (s *Service) tableStreams(t *table) []streamConfig {
	past := s.livePastStreams(t)
	if t.Stream.Label == "" {
		return past
	}
	return append(past, t.Stream)
}

// allTables is the tables and the deleted tables whose streams are kept.
// The caller holds s.mu.
func (s *Service) allTables() []*table {
	all := make([]*table, 0, len(s.tables)+len(s.dropped))
	for _, t := range s.tables {
		all = append(all, t)
	}
	for _, t := range s.dropped {
		all = append(all, t)
	}
	return all
}

// tableForStream finds the table with the stream of the ARN, and that
// stream: the table's current (or last) stream, or a replaced one still
// within retention.
func (s *Service) tableForStream(arn string) (*table, streamConfig, error) {
	if err := checkStreamARN(arn); err != nil {
		return nil, streamConfig{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.allTables() {
		for _, sc := range s.tableStreams(t) {
			if s.streamARN(t, sc.Label) == arn {
				return t, sc, nil
			}
		}
	}
	return nil, streamConfig{}, ErrResourceNotFound.Withf("Requested resource not found: Stream: %s not found", arn)
}

// errInvalidStreamARN refuses a stream ARN that is not a DynamoDB stream's
// ARN at all, which DynamoDB Streams tells apart from a well-formed ARN
// of no stream (ResourceNotFoundException).
var errInvalidStreamARN = ErrValidation.WithMessage("Invalid StreamArn")

// checkStreamARN checks that arn has the shape of a DynamoDB stream's ARN:
// arn:PARTITION:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL.
func checkStreamARN(arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "dynamodb" {
		return errInvalidStreamARN
	}
	table, label, ok := strings.Cut(strings.TrimPrefix(parts[5], "table/"), "/stream/")
	if !strings.HasPrefix(parts[5], "table/") || !ok || table == "" || label == "" {
		return errInvalidStreamARN
	}
	return nil
}

// streamEnd is the last sequence number of t's stream sc, which is
// disabled: a replaced stream's recorded end, or the table's last.
func (s *Service) streamEnd(t *table, sc streamConfig) uint64 {
	if sc.Label != t.Stream.Label {
		return sc.End
	}
	s.mu.RLock()
	st := s.streams[t.ID]
	s.mu.RUnlock()
	if st == nil {
		return 0
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.last
}

func (s *Service) listStreams(ctx context.Context, in *ListStreamsInput) (*ListStreamsOutput, error) {
	if in.Limit != nil && *in.Limit > maxListStreams {
		return nil, limitTooHigh(*in.Limit, maxListStreams)
	}
	if in.ExclusiveStartStreamArn != nil {
		if err := checkStreamARN(*in.ExclusiveStartStreamArn); err != nil {
			return nil, err
		}
	}
	s.mu.RLock()
	var all []Stream
	for _, t := range s.allTables() {
		if in.TableName != nil && *in.TableName != t.Name {
			continue
		}
		for _, sc := range s.tableStreams(t) {
			all = append(all, Stream{StreamArn: ptr(s.streamARN(t, sc.Label)), TableName: ptr(t.Name), StreamLabel: ptr(sc.Label)})
		}
	}
	s.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return *all[i].StreamArn < *all[j].StreamArn })
	start := 0
	if in.ExclusiveStartStreamArn != nil {
		start = sort.Search(len(all), func(i int) bool { return *all[i].StreamArn > *in.ExclusiveStartStreamArn })
	}
	limit := maxListStreams
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	end := min(start+limit, len(all))
	out := &ListStreamsOutput{Streams: append([]Stream{}, all[start:end]...)}
	if end < len(all) {
		out.LastEvaluatedStreamArn = all[end-1].StreamArn
	}
	return out, nil
}

func (s *Service) describeStream(ctx context.Context, in *DescribeStreamInput) (*DescribeStreamOutput, error) {
	t, sc, err := s.tableForStream(*in.StreamArn)
	if err != nil {
		return nil, err
	}
	status := "ENABLED"
	if !sc.Enabled {
		status = "DISABLED"
	}
	first, err := s.streamEvents(s.store, t.ID, sc.Label, 0, 1)
	if err != nil {
		return nil, err
	}
	rng := &SequenceNumberRange{}
	if len(first) > 0 {
		rng.StartingSequenceNumber = ptr(seqString(first[0].Seq))
	} else {
		rng.StartingSequenceNumber = ptr(seqString(s.streamEnd(t, sc) + 1))
	}
	if !sc.Enabled {
		rng.EndingSequenceNumber = ptr(seqString(s.streamEnd(t, sc)))
	}
	d := &StreamDescription{
		StreamArn:               ptr(s.streamARN(t, sc.Label)),
		StreamLabel:             ptr(sc.Label),
		StreamStatus:            ptr(StreamStatus(status)),
		StreamViewType:          ptr(StreamViewType(sc.ViewType)),
		CreationRequestDateTime: ptr(t.Created),
		TableName:               ptr(t.Name),
		KeySchema:               keySchema(t.Hash, t.Range),
		Shards:                  []Shard{{ShardId: ptr(shardID(t, sc.Label)), SequenceNumberRange: rng}},
	}
	if in.ExclusiveStartShardId != nil && *in.ExclusiveStartShardId >= shardID(t, sc.Label) {
		d.Shards = []Shard{}
	}
	return &DescribeStreamOutput{StreamDescription: d}, nil
}

// shardIterator is what a ShardIterator token carries.
type shardIterator struct {
	ARN   string `json:"a"`
	Shard string `json:"s"`
	After uint64 `json:"n"` // the last sequence number already read
	// Issued is when the iterator was handed out, in Unix milliseconds.
	Issued int64 `json:"t,omitempty"`
}

func (it shardIterator) token() string {
	b, _ := json.Marshal(it)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) getShardIterator(ctx context.Context, in *GetShardIteratorInput) (*GetShardIteratorOutput, error) {
	t, sc, err := s.tableForStream(*in.StreamArn)
	if err != nil {
		return nil, err
	}
	if *in.ShardId != shardID(t, sc.Label) {
		return nil, ErrResourceNotFound.Withf("Requested resource not found: Shard does not exist")
	}
	it := shardIterator{ARN: *in.StreamArn, Shard: *in.ShardId, Issued: s.clock.Now().UnixMilli()}
	seq := func() (uint64, error) {
		if in.SequenceNumber == nil {
			return 0, invalid("SequenceNumber must be provided for ShardIteratorType: %s", *in.ShardIteratorType)
		}
		n, err := strconv.ParseUint(*in.SequenceNumber, 10, 64)
		if err != nil {
			return 0, invalid("Invalid SequenceNumber: %s", *in.SequenceNumber)
		}
		return n, nil
	}
	switch *in.ShardIteratorType {
	case "TRIM_HORIZON", "LATEST":
		if in.SequenceNumber != nil {
			return nil, invalid("SequenceNumber must not be provided for ShardIteratorType: %s", *in.ShardIteratorType)
		}
	}
	switch *in.ShardIteratorType {
	case "TRIM_HORIZON":
	case "LATEST":
		it.After = s.streamEnd(t, sc)
	case "AT_SEQUENCE_NUMBER":
		n, err := seq()
		if err != nil {
			return nil, err
		}
		if n > 0 {
			it.After = n - 1
		}
	case "AFTER_SEQUENCE_NUMBER":
		n, err := seq()
		if err != nil {
			return nil, err
		}
		it.After = n
	}
	return &GetShardIteratorOutput{ShardIterator: ptr(it.token())}, nil
}

// limitTooHigh refuses a Limit above the operation's maximum, as the
// model's constraints are reported.
func limitTooHigh(limit int32, most int) error {
	return invalid("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", limit, most)
}

func (s *Service) getRecords(ctx context.Context, in *GetRecordsInput) (*GetRecordsOutput, error) {
	raw, err := base64.RawURLEncoding.DecodeString(*in.ShardIterator)
	var it shardIterator
	if err != nil || json.Unmarshal(raw, &it) != nil || it.ARN == "" {
		return nil, invalid("Invalid ShardIterator")
	}
	now := s.clock.Now()
	if it.Issued != 0 && now.Sub(time.UnixMilli(it.Issued)) > iteratorLifetime {
		return nil, ErrExpiredIterator
	}
	it.Issued = now.UnixMilli()
	t, sc, err := s.tableForStream(it.ARN)
	if err != nil {
		return nil, err
	}
	limit := maxGetRecords
	if in.Limit != nil {
		if *in.Limit > maxGetRecords {
			return nil, limitTooHigh(*in.Limit, maxGetRecords)
		}
		limit = int(*in.Limit)
	}
	evs, err := s.streamEvents(s.store, t.ID, sc.Label, it.After, limit)
	if err != nil {
		return nil, err
	}
	out := &GetRecordsOutput{Records: []Record{}}
	for _, ev := range evs {
		r, err := s.renderRecord(&ev)
		if err != nil {
			return nil, err
		}
		out.Records = append(out.Records, r)
		it.After = ev.Seq
	}
	// A disabled stream's shard is closed: once read to its end, there is
	// no next iterator.
	if sc.Enabled || len(evs) > 0 {
		out.NextShardIterator = ptr(it.token())
	}
	return out, nil
}

func (s *Service) renderRecord(ev *streamEvent) (Record, error) {
	decode := func(b []byte) (map[string]AttributeValue, error) {
		if b == nil {
			return nil, nil
		}
		it, err := decodeItem(b)
		return itemToWire(it), err
	}
	k, err := decode(ev.Keys)
	if err != nil {
		return Record{}, err
	}
	n, err := decode(ev.New)
	if err != nil {
		return Record{}, err
	}
	o, err := decode(ev.Old)
	if err != nil {
		return Record{}, err
	}
	r := Record{
		EventID:      ptr(ev.ID),
		EventName:    ptr(OperationType(ev.Name)),
		EventVersion: ptr("1.1"),
		EventSource:  ptr("aws:dynamodb"),
		AwsRegion:    ptr(s.region),
		Dynamodb: &StreamRecord{
			ApproximateCreationDateTime: ptr(ev.Created.Truncate(1e9)),
			Keys:                        k,
			NewImage:                    n,
			OldImage:                    o,
			SequenceNumber:              ptr(seqString(ev.Seq)),
			SizeBytes:                   ptr(max(ev.Size, 1)),
			StreamViewType:              ptr(StreamViewType(ev.ViewType)),
		},
	}
	if ev.ByTTL {
		r.UserIdentity = &Identity{PrincipalId: ptr("dynamodb.amazonaws.com"), Type: ptr("Service")}
	}
	return r, nil
}
