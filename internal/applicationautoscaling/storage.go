package applicationautoscaling

import (
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// The store layout, every key under "application-autoscaling" and the
// account, then a target's namespace, resource ID and dimension:
//
//	t/NS/RES/DIM          targetRecord (JSON)
//	p/NS/RES/DIM/NAME     ScalingPolicy (JSON)
//	s/NS/RES/DIM/NAME     actionRecord (JSON)
//	a/NS/RES/DIM/SEQ      ScalingActivity (JSON); SEQ falls as time
//	                      goes on, so a target's newest come first
//
// A target's policies, scheduled actions and activities go when it is
// deregistered.

// targetKey names a scalable target.
type targetKey struct{ Namespace, ResourceID, Dimension string }

func rootKey(account, kind string) []byte {
	k := keys.AppendString(nil, "application-autoscaling")
	k = keys.AppendString(k, kind)
	return keys.AppendString(k, account)
}

// under is the prefix of kind's keys for the targets of ns (and of
// resource, and of dim, when they are given).
func under(account, kind, ns, resource, dim string) []byte {
	k := keys.AppendString(rootKey(account, kind), ns)
	if resource == "" {
		return k
	}
	k = keys.AppendString(k, resource)
	if dim == "" {
		return k
	}
	return keys.AppendString(k, dim)
}

func (t targetKey) prefix(account, kind string) []byte {
	return under(account, kind, t.Namespace, t.ResourceID, t.Dimension)
}

func (t targetKey) key(account string) []byte { return t.prefix(account, "t") }

func (t targetKey) named(account, kind, name string) []byte {
	return keys.AppendString(t.prefix(account, kind), name)
}

func (t targetKey) activity(account string, at time.Time) []byte {
	return keys.AppendInt(t.prefix(account, "a"), math.MaxInt64-at.UnixNano())
}

// targetRecord is a scalable target as stored.
type targetRecord struct {
	ScalableTarget
	Tags map[string]string `json:",omitempty"`
}

func (r *targetRecord) key() targetKey {
	return targetKey{string(*r.ServiceNamespace), *r.ResourceId, string(*r.ScalableDimension)}
}

// actionRecord is a scheduled action as stored, with the time it runs
// next (zero when it will not run again).
type actionRecord struct {
	ScheduledAction
	Next time.Time `json:",omitzero"`
}

func put(b store.Batch, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Set(k, data)
	return nil
}

// get reads the record at k into v; ok is false when there is none.
func get(r store.Reader, k []byte, v any) (bool, error) {
	data, err := r.Get(k)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(data, v)
}

// scanAll decodes every record under prefix, in key order.
func scanAll[T any](r store.Reader, prefix []byte) ([]T, [][]byte, error) {
	it, err := r.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return nil, nil, err
	}
	var out []T
	var ks [][]byte
	for it.First(); it.Valid(); it.Next() {
		var v T
		if err := json.Unmarshal(it.Value(), &v); err != nil {
			it.Close()
			return nil, nil, err
		}
		out = append(out, v)
		ks = append(ks, append([]byte(nil), it.Key()...))
	}
	return out, ks, it.Close()
}

// deleteUnder removes every key under prefix.
func deleteUnder(b store.Batch, prefix []byte) { b.DeleteRange(prefix, keys.PrefixEnd(prefix)) }
