package kinesis

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// stream is a stream as the store keeps it.
type stream struct {
	Name      string            `json:"name"`
	Mode      string            `json:"mode"`
	Created   int64             `json:"created"` // Unix milliseconds; also tells a stream from an earlier one of its name
	Retention int32             `json:"retention"`
	Tags      map[string]string `json:"tags,omitempty"`
	// Shards are every shard the stream has had, in index order: open
	// ones and those closed by a reshard.
	Shards []shard `json:"shards"`
	// Updating is when the stream's last reshard or change of mode
	// settles (Unix milliseconds): it is UPDATING until then.
	Updating int64 `json:"updating,omitempty"`
	// Scaled are the times of its UpdateShardCount calls in the last
	// 24 hours (Unix milliseconds).
	Scaled []int64 `json:"scaled,omitempty"`
	// Consumers are its registered enhanced fan-out consumers.
	Consumers []consumer `json:"consumers,omitempty"`
	// Metrics are the shard-level metrics enhanced monitoring has
	// enabled, in MetricsName's order.
	Metrics []MetricsName `json:"metrics,omitempty"`
	// KeyID is the KMS key its records are encrypted with, as
	// StartStreamEncryption named it; empty: not encrypted.
	KeyID string `json:"keyId,omitempty"`
}

// encryption is the stream's EncryptionType and KeyId, as DescribeStream
// reports them.
func (st *stream) encryption() (*EncryptionType, *string) {
	if st.KeyID == "" {
		return ptr(EncryptionType("NONE")), nil
	}
	return ptr(EncryptionType("KMS")), ptr(st.KeyID)
}

// shard is one shard of a stream; Index is its number, in its id and in
// its records' keys and sequence numbers.
type shard struct {
	Index      int    `json:"index"`
	StartHash  string `json:"start"`
	EndHash    string `json:"end"`
	Parent     string `json:"parent,omitempty"`
	Adjacent   string `json:"adjacent,omitempty"`
	StartCount uint64 `json:"startCount"`
	// Opened is when the shard was made, Closed when a reshard closed it
	// (Unix milliseconds; 0: with the stream, and open). EndCount is the
	// counter its next record would have had: it holds those before.
	Opened   int64  `json:"opened,omitempty"`
	Closed   int64  `json:"closed,omitempty"`
	EndCount uint64 `json:"endCount,omitempty"`
}

func (sh shard) open() bool { return sh.Closed == 0 }

// openedAt is when the shard was made.
func (sh shard) openedAt(st *stream) int64 {
	if sh.Opened == 0 {
		return st.Created
	}
	return sh.Opened
}

// expired tells a closed shard whose records have all outlived the
// retention period (cutoff is now less the retention period).
func (sh shard) expired(cutoff int64) bool { return !sh.open() && sh.Closed < cutoff }

// status is the stream's StreamStatus at now (Unix milliseconds).
func (st *stream) status(now int64) string {
	if now < st.Updating {
		return "UPDATING"
	}
	return "ACTIVE"
}

// openCount is how many of the stream's shards are open.
func (st *stream) openCount() int {
	n := 0
	for _, sh := range st.Shards {
		if sh.open() {
			n++
		}
	}
	return n
}

// children are the shards a reshard made of the shard with index idx.
func (st *stream) children(idx int) []shard {
	id := shardID(idx)
	var out []shard
	for _, sh := range st.Shards {
		if sh.Parent == id || sh.Adjacent == id {
			out = append(out, sh)
		}
	}
	return out
}

// record is one data record as the store keeps it.
type record struct {
	Data    []byte `json:"d"`
	Key     string `json:"k"`
	Arrived int64  `json:"t"` // Unix milliseconds
}

func shardID(i int) string { return fmt.Sprintf("shardId-%012d", i) }

// shardIndex reads a shard id; ok is false for one no stream could have.
func shardIndex(id string) (int, bool) {
	n, ok := strings.CutPrefix(id, "shardId-")
	if !ok || len(n) != 12 {
		return 0, false
	}
	i, err := strconv.Atoi(n)
	return i, err == nil && i >= 0
}

// A sequence number is "49", the shard's index in 6 digits and the
// record's counter in its shard in 48: 56 decimal digits, as long as
// AWS's, of one length, so that it grows with the counter as a number and
// as a string. Sequence numbers virga made before had a 28-digit counter
// (36 digits in all); a client may still hold one (a checkpoint kept
// outside virga), so they are still read.
const (
	seqPrefix         = "49"
	seqShardLen       = 6
	seqCountLen       = 48
	legacySeqCountLen = 28
	seqLen            = len(seqPrefix) + seqShardLen + seqCountLen
)

func sequenceNumber(shardIdx int, count uint64) string {
	return formatSequenceNumber(shardIdx, count, seqCountLen)
}

func formatSequenceNumber(shardIdx int, count uint64, countLen int) string {
	return fmt.Sprintf("%s%0*d%0*d", seqPrefix, seqShardLen, shardIdx, countLen, count)
}

// parseSequenceNumber reads a sequence number, in the current form or the
// legacy 36-digit one; ok is false for one this service did not make.
func parseSequenceNumber(seq string) (shardIdx int, count uint64, ok bool) {
	if len(seq) != seqLen && len(seq) != seqLen-seqCountLen+legacySeqCountLen || !strings.HasPrefix(seq, seqPrefix) {
		return 0, 0, false
	}
	for _, c := range []byte(seq) {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
	}
	i, err := strconv.Atoi(seq[len(seqPrefix) : len(seqPrefix)+seqShardLen])
	if err != nil {
		return 0, 0, false
	}
	c, err := strconv.ParseUint(seq[len(seqPrefix)+seqShardLen:], 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return i, c, true
}

func base(kind string) []byte {
	return keys.AppendString(keys.AppendString(nil, "kinesis"), kind)
}

func streamKey(name string) []byte { return keys.AppendString(base("stream"), name) }

func streamsPrefix() []byte { return base("stream") }

// counterKey holds the counter of the next record a shard appends.
func counterKey(name string, idx int) []byte {
	return keys.AppendUint(keys.AppendString(base("counter"), name), uint64(idx))
}

func recordsPrefix(name string) []byte { return keys.AppendString(base("record"), name) }

func shardPrefix(name string, idx int) []byte {
	return keys.AppendUint(recordsPrefix(name), uint64(idx))
}

func recordKey(name string, idx int, count uint64) []byte {
	return keys.AppendUint(shardPrefix(name, idx), count)
}

// countOf is the counter at the end of a record key.
func countOf(key []byte) uint64 {
	v, err := keys.Decode(key)
	if err != nil || len(v) == 0 {
		return 0
	}
	c, _ := v[len(v)-1].(uint64)
	return c
}

func (s *Service) arn(name string) string {
	return fmt.Sprintf("arn:aws:kinesis:%s:%s:stream/%s", s.region, s.account, name)
}

// load reads a stream; nil when there is none of that name.
func (s *Service) load(name string) (*stream, error) {
	return store.GetJSON[stream](s.store, streamKey(name))
}

// mustLoad reads a stream, failing with ResourceNotFoundException when
// there is none.
func (s *Service) mustLoad(name string) (*stream, error) {
	st, err := s.load(name)
	if err == nil && st == nil {
		err = s.notFound(name)
	}
	return st, err
}

func (s *Service) saveIn(b store.Batch, st *stream) error {
	return store.SetJSON(b, streamKey(st.Name), st)
}

func (s *Service) save(st *stream) error {
	b := s.store.NewBatch()
	defer b.Close()
	if err := s.saveIn(b, st); err != nil {
		return err
	}
	return b.Commit()
}

// nextCount is the counter the shard's next record gets. mu must be held.
func (s *Service) nextCount(name string, idx int) (uint64, error) {
	ref := shardRef{name, idx}
	if c, ok := s.next[ref]; ok {
		return c, nil
	}
	raw, err := s.store.Get(counterKey(name, idx))
	var c uint64
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return 0, err
	case len(raw) == 8:
		c = binary.BigEndian.Uint64(raw)
	}
	s.next[ref] = c
	return c, nil
}

// streamName is the stream an operation names by StreamName or
// StreamARN; when both are given they must agree.
func (s *Service) streamName(name, arn *string) (string, error) {
	switch {
	case name == nil && arn == nil:
		return "", ErrInvalidArgument.WithMessage("Either StreamName or StreamARN should be provided.")
	case arn == nil:
		return *name, nil
	}
	parts := strings.SplitN(*arn, ":", 6)
	n, ok := "", len(parts) == 6
	if ok {
		n, ok = strings.CutPrefix(parts[5], "stream/")
	}
	if !ok || parts[2] != "kinesis" || n == "" {
		return "", ErrInvalidArgument.Withf("Invalid StreamARN %s.", *arn)
	}
	if parts[3] != s.region || parts[4] != s.account {
		return "", s.notFound(n)
	}
	if name != nil && *name != n {
		return "", ErrInvalidArgument.WithMessage("StreamARN and StreamName do not match.")
	}
	return n, nil
}
