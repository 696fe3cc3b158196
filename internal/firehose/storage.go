package firehose

import (
	"encoding/json"
	"fmt"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// The types of Firehose stream.
const (
	typeDirectPut = "DirectPut"
	typeKinesis   = "KinesisStreamAsSource"
)

// destinationID is the id of a stream's one destination.
const destinationID = "destinationId-000000000001"

// deliveryStream is a Firehose stream as the store keeps it.
type deliveryStream struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Created int64  `json:"created"` // Unix milliseconds
	Updated int64  `json:"updated,omitempty"`
	// Version is the stream's VersionId: 1, and one more at each
	// UpdateDestination.
	Version int          `json:"version"`
	Source  *source      `json:"source,omitempty"`
	Dest    *destination `json:"dest"`
	Tags    []tag        `json:"tags,omitempty"`
}

// source is the Kinesis data stream a KinesisStreamAsSource stream reads.
type source struct {
	StreamARN string `json:"stream"`
	RoleARN   string `json:"role"`
}

// destination is a stream's S3 destination.
type destination struct {
	// Extended tells a destination made with
	// ExtendedS3DestinationConfiguration.
	Extended          bool   `json:"extended,omitempty"`
	RoleARN           string `json:"role"`
	BucketARN         string `json:"bucket"`
	Prefix            string `json:"prefix,omitempty"`
	ErrorOutputPrefix string `json:"errorPrefix,omitempty"`
	SizeInMBs         int32  `json:"size"`
	IntervalInSeconds int32  `json:"interval"`
	Compression       string `json:"compression"`
	// The parts the description repeats as they were given.
	Encryption   *EncryptionConfiguration  `json:"encryption,omitempty"`
	Logging      *CloudWatchLoggingOptions `json:"logging,omitempty"`
	Processing   *ProcessingConfiguration  `json:"processing,omitempty"`
	S3BackupMode string                    `json:"backupMode,omitempty"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v,omitempty"`
}

// buffered is one record in a stream's buffer, as the store keeps it.
type buffered struct {
	Arrived int64  `json:"t"` // Unix milliseconds
	Data    []byte `json:"d"`
}

func base(kind string) []byte {
	return keys.AppendString(keys.AppendString(nil, "firehose"), kind)
}

func streamKey(name string) []byte { return keys.AppendString(base("stream"), name) }

func streamsPrefix() []byte { return base("stream") }

func bufferPrefix(name string) []byte { return keys.AppendString(base("buffer"), name) }

func recordKey(name string, seq uint64) []byte { return keys.AppendUint(bufferPrefix(name), seq) }

// checkpointKey holds how far a KinesisStreamAsSource stream has read a
// shard of its source.
func checkpointKey(name, shard string) []byte {
	return keys.AppendString(keys.AppendString(base("checkpoint"), name), shard)
}

func checkpointsPrefix(name string) []byte { return keys.AppendString(base("checkpoint"), name) }

// seqOf is the sequence at the end of a record key.
func seqOf(key []byte) uint64 {
	v, err := keys.Decode(key)
	if err != nil || len(v) == 0 {
		return 0
	}
	c, _ := v[len(v)-1].(uint64)
	return c
}

func (s *Service) arn(name string) string {
	return fmt.Sprintf("arn:aws:firehose:%s:%s:deliverystream/%s", s.region, s.account, name)
}

// load reads a stream; nil when there is none of that name.
func (s *Service) load(name string) (*deliveryStream, error) {
	return store.GetJSON[deliveryStream](s.store, streamKey(name))
}

// mustLoad reads a stream, failing with ResourceNotFoundException when
// there is none.
func (s *Service) mustLoad(name string) (*deliveryStream, error) {
	st, err := s.load(name)
	if err == nil && st == nil {
		err = s.notFound(name)
	}
	return st, err
}

func (s *Service) saveIn(b store.Batch, st *deliveryStream) error {
	return store.SetJSON(b, streamKey(st.Name), st)
}

func (s *Service) save(st *deliveryStream) error {
	b := s.store.NewBatch()
	defer b.Close()
	if err := s.saveIn(b, st); err != nil {
		return err
	}
	return b.Commit()
}

// all reads every stream, in name order.
func (s *Service) all() ([]*deliveryStream, error) {
	it, err := s.store.NewIter(streamsPrefix(), keys.PrefixEnd(streamsPrefix()))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []*deliveryStream
	for ok := it.First(); ok; ok = it.Next() {
		var st deliveryStream
		if err := json.Unmarshal(it.Value(), &st); err != nil {
			return nil, err
		}
		out = append(out, &st)
	}
	return out, it.Error()
}
