package dynamodb

import (
	"context"
	"log/slog"
	"time"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/store/keys"
)

// Time to Live: items whose TTL attribute (a Number of epoch seconds) is
// in the past are deleted by a background sweeper, as DynamoDB's TTL
// process deletes them, and the deletion appears in the table's stream
// with the service as userIdentity. DynamoDB takes up to a few days;
// virga sweeps every SweepInterval. Like DynamoDB, items whose TTL is
// more than five years in the past are left alone, and a non-number TTL
// attribute is ignored.

// SweepInterval is how often Run sweeps expired items and old stream
// records.
const SweepInterval = 5 * time.Second

// ttlMaxAge: "Items with an expiration time older than five years are not
// deleted" (DynamoDB TTL documentation).
const ttlMaxAge = 5 * 365 * 24 * time.Hour

// Run sweeps in the background until ctx is done. It returns once its
// Kinesis deliverer has stopped too: the store is closed after Run
// returns, and an iterator the deliverer still held would be open then.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	delivering := make(chan struct{})
	go func() {
		defer close(delivering)
		s.deliverKinesis(ctx, log)
	}()
	defer func() { <-delivering }()
	// Exports and imports in flight finish before the store closes, and
	// no new one starts.
	defer s.jobs.Stop()
	tick := time.NewTicker(SweepInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := s.Sweep(); err != nil {
				log.Error("dynamodb: sweeping expired items", "err", err)
			}
		}
	}
}

// Sweep deletes expired items of every table with TTL enabled, stream
// records past retention, point-in-time history past its recovery period
// and expired SYSTEM backups.
func (s *Service) Sweep() error {
	s.mu.RLock()
	var ttlTables []*table
	for _, t := range s.tables {
		if t.TTL.Enabled {
			ttlTables = append(ttlTables, t)
		}
	}
	s.mu.RUnlock()
	for _, t := range ttlTables {
		if err := s.sweepTable(t); err != nil {
			return err
		}
	}
	if err := s.trimHistory(); err != nil {
		return err
	}
	if err := s.expireBackups(); err != nil {
		return err
	}
	return s.trimStreams()
}

// expired reports whether an item's TTL has passed.
func expired(it attr.Item, ttlAttr string, now time.Time) bool {
	v, ok := it[ttlAttr]
	if !ok || v.Type() != attr.TypeN {
		return false
	}
	d := v.N().Decimal()
	f, err := d.Float64()
	if err != nil {
		return false
	}
	at := time.Unix(int64(f), 0)
	return at.Before(now) && now.Sub(at) <= ttlMaxAge
}

func (s *Service) sweepTable(t *table) error {
	now := s.clock.Now()
	p := itemsPrefix(t.ID)
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	var victims []attr.Item
	for ok := it.First(); ok; ok = it.Next() {
		item, err := decodeItem(it.Value())
		if err != nil {
			it.Close()
			return err
		}
		if expired(item, t.TTL.Attribute, now) {
			victims = append(victims, keyOf(t, item))
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	for _, key := range victims {
		if err := s.deleteExpired(t, key, now); err != nil {
			return err
		}
	}
	return nil
}

// deleteExpired deletes one item if it is still expired under its lock.
func (s *Service) deleteExpired(t *table, key attr.Item, now time.Time) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cur := s.tables[t.Name]
	if cur == nil || cur.ID != t.ID || !cur.TTL.Enabled {
		return nil
	}
	k := itemKey(cur, key)
	unlock := s.lockItems(k)
	defer unlock()
	old, err := s.readItem(s.store, k)
	if err != nil || old == nil || !expired(old, cur.TTL.Attribute, now) {
		return err
	}
	return s.commitChanges([]change{{t: cur, key: k, old: old, byTTL: true}})
}
