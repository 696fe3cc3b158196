package logs

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

type group struct {
	Name          string            `json:"name"`
	Created       int64             `json:"created"` // epoch ms
	RetentionDays int32             `json:"retentionDays,omitempty"`
	KMSKeyID      string            `json:"kmsKeyId,omitempty"`
	Class         string            `json:"class,omitempty"` // "" is STANDARD
	Tags          map[string]string `json:"tags,omitempty"`
}

type stream struct {
	Name          string `json:"name"`
	Created       int64  `json:"created"`
	FirstEvent    int64  `json:"firstEvent,omitempty"`
	LastEvent     int64  `json:"lastEvent,omitempty"`
	LastIngestion int64  `json:"lastIngestion,omitempty"`
	StoredBytes   int64  `json:"storedBytes"`
	// Upload is the sequence number of the last event of the stream's
	// last upload (zero: none), its uploadSequenceToken.
	Upload uint64 `json:"upload,omitempty"`
}

// sequenceToken renders an upload's sequence number as the decimal
// sequence token PutLogEvents answers and DescribeLogStreams reports.
func sequenceToken(upload uint64) string {
	return strconv.FormatUint(upload, 10)
}

type event struct {
	Message   string `json:"m"`
	Ingestion int64  `json:"i"`
}

func base(kind string) []byte {
	return keys.AppendString(keys.AppendString(nil, "logs"), kind)
}

func seqKey() []byte { return base("seq") }

func groupKey(name string) []byte { return keys.AppendString(base("group"), name) }

func streamKey(g, s string) []byte {
	return keys.AppendString(keys.AppendString(base("stream"), g), s)
}

func streamsPrefix(g string) []byte { return keys.AppendString(base("stream"), g) }

func eventsPrefix(g, s string) []byte {
	return keys.AppendString(keys.AppendString(base("event"), g), s)
}

func eventKey(g, s string, ts int64, seq uint64) []byte {
	return keys.AppendUint(keys.AppendInt(eventsPrefix(g, s), ts), seq)
}

func timePrefix(g string) []byte { return keys.AppendString(base("time"), g) }

func timeKey(g string, ts int64, s string, seq uint64) []byte {
	return keys.AppendUint(keys.AppendString(keys.AppendInt(timePrefix(g), ts), s), seq)
}

func getJSON[T any](r store.Reader, key []byte) (*T, error) {
	v, err := r.Get(key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out T
	if err := json.Unmarshal(v, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func setJSON(b store.Batch, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Set(key, raw)
	return nil
}

// nextSeq reserves n sequence numbers and records the high mark in b.
func (s *Service) nextSeq(b store.Batch, n int) uint64 {
	last := s.seq.Add(uint64(n))
	b.Set(seqKey(), binary.BigEndian.AppendUint64(nil, last))
	return last - uint64(n) + 1
}
