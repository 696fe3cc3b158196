package elbv2

import (
	"encoding/json"
	"fmt"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Store layout. Every record is JSON, keyed by its ARN; every change a
// client is told about is committed before the answer.
//
//	elbv2/lb/ARN   loadBalancer
//	elbv2/tg/ARN   targetGroup (with its registered targets)
//	elbv2/l/ARN    listener
//	elbv2/r/ARN    rule (non-default rules; a listener's default rule is
//	               its DefaultActions)

const (
	kindLB       = "lb"
	kindTG       = "tg"
	kindListener = "l"
	kindRule     = "r"
)

func recordKey(kind, arn string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "elbv2"), kind), arn)
}

func kindPrefix(kind string) []byte {
	return keys.AppendString(keys.AppendString(nil, "elbv2"), kind)
}

// scan decodes every record of a kind.
func scan[T any](st store.Reader, kind string, f func(v *T)) error {
	prefix := kindPrefix(kind)
	it, err := st.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		v := new(T)
		if err := json.Unmarshal(it.Value(), v); err != nil {
			it.Close()
			return fmt.Errorf("elbv2: record %x: %w", it.Key(), err)
		}
		f(v)
	}
	return it.Close()
}

// write is one change to the store: records set (nil value deletes).
type write struct {
	kind, arn string
	value     any
}

// commit writes the changes in one batch, durably.
func (s *Service) commit(ws ...write) error {
	b := s.store.NewBatch()
	defer b.Close()
	for _, w := range ws {
		if w.value == nil {
			b.Delete(recordKey(w.kind, w.arn))
			continue
		}
		v, err := json.Marshal(w.value)
		if err != nil {
			return err
		}
		b.Set(recordKey(w.kind, w.arn), v)
	}
	return b.Commit()
}

// cloneJSON returns a record's JSON encoding, taken now: a write of it
// is unaffected by later changes to the record.
func cloneJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // records hold only strings, numbers, bools, slices and maps
	}
	return b
}
