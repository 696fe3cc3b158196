package dynamodb

import (
	"fmt"
	"time"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Point-in-time recovery keeps, while it is enabled, every item's previous
// image with the time its change committed, in the same batch as the
// change:
//
//	("ddb", "hist", tableID, nanos, seq, itemKey) → previous image (empty: absent)
//
// where itemKey is the item's key within the table (its store key without
// the table's items prefix) and seq orders changes committed in the same
// nanosecond. The table as it was at time T is its current items, except
// that an item changed after T is the previous image of its first change
// after T: restoring reads the history from T on, once, and the items.
// History is time-ordered so that trimming what has left the recovery
// window is one range deletion.
//
// Cost: every change to a table with recovery on writes one more key, the
// size of the previous image, and the write must read the stored item
// first even when nothing else needs it (an unconditional PutItem). The
// history holds every change of the recovery period (35 days by default), so a busy
// table's history can outgrow the table. BenchmarkPutItemPITR measures the
// write cost: overwriting 200-byte items, six more allocations and about
// 1.5 KB more memory per PutItem, one more key and the item's size again
// in the batch, and a point read.

// defaultPITRDays is the recovery period unless RecoveryPeriodInDays sets
// another (1 to 35): "If no value is provided, the value will default to
// 35."
const defaultPITRDays = 35

// period is the table's recovery period.
func (t *table) period() time.Duration {
	d := t.PITRDays
	if d == 0 {
		d = defaultPITRDays
	}
	return time.Duration(d) * 24 * time.Hour
}

func histPrefix(tableID uint64) []byte {
	k := keys.AppendString(keys.AppendString(nil, "ddb"), "hist")
	return keys.AppendUint(k, tableID)
}

// histFrom is the first history key of a table at or after nanos.
func histFrom(tableID uint64, nanos uint64) []byte {
	return keys.AppendUint(histPrefix(tableID), nanos)
}

// stageHistory adds an item's previous image, as of now, to the batch.
func (s *Service) stageHistory(b store.Batch, t *table, key []byte, old attr.Item, now time.Time) {
	k := histFrom(t.ID, uint64(now.UnixNano()))
	k = keys.AppendUint(k, s.histSeq.Add(1))
	k = keys.AppendBytes(k, key[len(itemsPrefix(t.ID)):])
	var v []byte
	if old != nil {
		v = encodeItem(nil, old)
	}
	b.Set(k, v)
}

// pitrWindowOf is the span a table can be restored to now.
func (s *Service) pitrWindowOf(t *table) (earliest, latest time.Time) {
	now := s.clock.Now().UTC()
	earliest = t.PITRSince
	if cut := now.Add(-t.period()); earliest.Before(cut) {
		earliest = cut
	}
	latest = now.Add(-pitrLag)
	if latest.Before(earliest) {
		latest = earliest
	}
	return earliest, latest
}

// itemsAt calls fn with every item of t as it was at the given time, read
// from r, by its key within the table.
func itemsAt(r store.Reader, t *table, at time.Time, fn func(itemKey, item []byte) error) error {
	first := map[string][]byte{}
	hp := histPrefix(t.ID)
	hit, err := r.NewIter(histFrom(t.ID, uint64(at.UnixNano())+1), keys.PrefixEnd(hp))
	if err != nil {
		return err
	}
	for hit.First(); hit.Valid(); hit.Next() {
		vals, err := keys.Decode(hit.Key()[len(hp):])
		if err != nil || len(vals) != 3 {
			hit.Close()
			return fmt.Errorf("dynamodb: stored history key: %v", err)
		}
		ik, _ := vals[2].([]byte)
		if _, seen := first[string(ik)]; !seen {
			first[string(ik)] = append([]byte(nil), hit.Value()...)
		}
	}
	if err := hit.Error(); err != nil {
		hit.Close()
		return err
	}
	hit.Close()
	ip := itemsPrefix(t.ID)
	it, err := r.NewIter(ip, keys.PrefixEnd(ip))
	if err != nil {
		return err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		ik := it.Key()[len(ip):]
		v := it.Value()
		if old, ok := first[string(ik)]; ok {
			delete(first, string(ik))
			v = old
		}
		if len(v) > 0 {
			if err := fn(ik, v); err != nil {
				return err
			}
		}
	}
	if err := it.Error(); err != nil {
		return err
	}
	// Items deleted since.
	for ik, v := range first {
		if len(v) > 0 {
			if err := fn([]byte(ik), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// trimHistory drops the history of every table with recovery on that is
// older than its recovery period.
func (s *Service) trimHistory() error {
	s.mu.RLock()
	var pitr []*table
	for _, t := range s.tables {
		if !t.PITRSince.IsZero() {
			pitr = append(pitr, t)
		}
	}
	s.mu.RUnlock()
	now := s.clock.Now()
	for _, t := range pitr {
		cut := uint64(now.Add(-t.period()).UnixNano())
		hp := histPrefix(t.ID)
		end := histFrom(t.ID, cut+1)
		it, err := s.store.NewIter(hp, end)
		if err != nil {
			return err
		}
		old := it.First()
		err = it.Error()
		it.Close()
		if err != nil {
			return err
		}
		if !old {
			continue
		}
		b := s.store.NewBatch()
		b.DeleteRange(hp, end)
		err = b.Commit()
		b.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
