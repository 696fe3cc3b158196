package xray

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// The store layout, every key under "xray", a kind and the account:
//
//	t/TRACE/SEGMENT   segmentRecord (JSON): a segment document as received
//	g/NAME            groupRecord (JSON)
//	r/NAME            ruleRecord (JSON): a sampling rule, the Default one once updated
//	e                 the encryption configuration (JSON)
//
// A trace is the segments under its id; a document sent again with the
// same id (an in-progress segment completed) replaces the earlier one.

func rootKey(account, kind string) []byte {
	k := keys.AppendString(nil, "xray")
	k = keys.AppendString(k, kind)
	return keys.AppendString(k, account)
}

func tracesPrefix(account string) []byte { return rootKey(account, "t") }

func tracePrefix(account, trace string) []byte {
	return keys.AppendString(tracesPrefix(account), trace)
}

func segmentKey(account, trace, id string) []byte {
	return keys.AppendString(tracePrefix(account, trace), id)
}

func groupKey(account, name string) []byte {
	return keys.AppendString(rootKey(account, "g"), name)
}

func ruleKey(account, name string) []byte {
	return keys.AppendString(rootKey(account, "r"), name)
}

func encryptionKey(account string) []byte { return rootKey(account, "e") }

// segmentRecord is a segment document as stored, with when it arrived
// (for retention).
type segmentRecord struct {
	Trace    string
	ID       string
	Doc      string
	Received time.Time
}

// groupRecord is a group as stored.
type groupRecord struct {
	Name             string
	ARN              string
	FilterExpression string            `json:",omitempty"`
	InsightsEnabled  bool              `json:",omitempty"`
	Notifications    bool              `json:",omitempty"`
	Tags             map[string]string `json:",omitempty"`
}

// ruleRecord is a sampling rule as stored.
type ruleRecord struct {
	Rule       SamplingRule
	CreatedAt  time.Time
	ModifiedAt time.Time
	Tags       map[string]string `json:",omitempty"`
}

// scan calls f with each value under prefix.
func scan(r store.Reader, prefix []byte, f func(k, v []byte) error) error {
	it, err := r.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	return eachValue(it, f)
}

// eachValue calls f with each key and value of it.
func eachValue(it store.Iterator, f func(k, v []byte) error) error {
	for ok := it.First(); ok; ok = it.Next() {
		if err := f(it.Key(), it.Value()); err != nil {
			return err
		}
	}
	return it.Error()
}

// loadTrace reads a trace's segments; none means no such trace.
func loadTrace(r store.Reader, account, trace string) ([]*segmentRecord, error) {
	var out []*segmentRecord
	err := scan(r, tracePrefix(account, trace), func(_, v []byte) error {
		var rec segmentRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("xray: segment record: %w", err)
		}
		out = append(out, &rec)
		return nil
	})
	return out, err
}

// eachTrace calls f with every trace's segments, in trace id order.
func eachTrace(r store.Reader, account string, f func(trace string, segs []*segmentRecord) error) error {
	return eachTraceAfter(r, account, "", f)
}

// eachTraceAfter calls f with the segments of every trace whose id sorts
// after the given one (every trace for ""), in trace id order: a page of
// summaries reads from where the last one ended.
func eachTraceAfter(r store.Reader, account, after string, f func(trace string, segs []*segmentRecord) error) error {
	var cur string
	var segs []*segmentRecord
	prefix := tracesPrefix(account)
	start := prefix
	if after != "" {
		start = keys.PrefixEnd(tracePrefix(account, after))
	}
	it, err := r.NewIter(start, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	err = eachValue(it, func(_, v []byte) error {
		var rec segmentRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("xray: segment record: %w", err)
		}
		if rec.Trace != cur && segs != nil {
			if err := f(cur, segs); err != nil {
				return err
			}
			segs = nil
		}
		cur = rec.Trace
		segs = append(segs, &rec)
		return nil
	})
	if err != nil || segs == nil {
		return err
	}
	return f(cur, segs)
}

func prefixEnd(p []byte) []byte { return keys.PrefixEnd(p) }
