package kinesis

import (
	"encoding/base64"
	"encoding/json"
)

// A shard iterator is opaque to clients: here, the base64url of a small
// JSON document naming the stream (and which stream of that name, by its
// creation time), the shard, the counter of the next record to read and
// when the iterator was made, which is when it starts to expire.
type iterator struct {
	Stream  string `json:"s"`
	Created int64  `json:"g"`
	Shard   int    `json:"h"`
	Next    uint64 `json:"n"`
	Issued  int64  `json:"t"`
}

// maxIteratorLength is the model's bound on ShardIterator.
const maxIteratorLength = 512

func encodeIterator(it iterator) string {
	raw, _ := json.Marshal(it)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodeIterator reads a shard iterator, failing with
// InvalidArgumentException for one this service did not make.
func decodeIterator(s string) (iterator, error) {
	var it iterator
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(raw, &it)
	}
	if err != nil || it.Stream == "" || it.Shard < 0 {
		return iterator{}, ErrInvalidArgument.Withf("Invalid ShardIterator.")
	}
	return it, nil
}

// listToken is ListShards' NextToken: the stream, the last shard
// listed, and the ShardFilter of the first page.
type listToken struct {
	Stream string       `json:"s"`
	After  string       `json:"a"`
	Filter *shardFilter `json:"f,omitempty"`
}

func encodeListToken(t listToken) string {
	raw, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeListToken(s string) (listToken, error) {
	var t listToken
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(raw, &t)
	}
	if err != nil || t.Stream == "" {
		return listToken{}, ErrInvalidArgument.Withf("Invalid NextToken %s.", s)
	}
	return t, nil
}
