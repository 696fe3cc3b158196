package dynamodb

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// A restore and an import both make a table whose items are written
// before it is published: the name is reserved (CreateTable and other
// restores or imports see it in use), the items are written under a
// table id no table has, and the table is stored, ACTIVE, once they all
// are. A pending key marks the id until then, so that a restart drops
// the items of a fill it interrupted (dropPending).

// tableFill is a table being filled under a reserved name.
type tableFill struct {
	t       *table
	pending []byte
	// busy is another name (a backup's ARN) held for as long as the fill.
	busy string
}

// errTargetExists and errTargetBusy are why reserveTable refuses a name:
// a table has it, or another fill holds it. Each caller words them as its
// operation does.
var (
	errTargetExists = errors.New("dynamodb: table exists")
	errTargetBusy   = errors.New("dynamodb: table name reserved")
)

// reserveTable holds t's name and allocates its id, UUID and creation
// time.
func (s *Service) reserveTable(t *table, busy string) (*tableFill, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.tables[t.Name]; exists {
		return nil, errTargetExists
	}
	if s.restoring[t.Name] {
		return nil, errTargetBusy
	}
	if len(s.tables)+len(s.restoring) >= maxTablesPerAccount {
		return nil, ErrLimitExceeded.Withf("Subscriber limit exceeded: You have exceeded the maximum number of tables allowed (%d) for this account.", maxTablesPerAccount)
	}
	seq, err := s.nextTableID()
	if err != nil {
		return nil, err
	}
	pending := pendingKey("restore", fmt.Sprint(seq))
	sb := s.store.NewBatch()
	sb.Set(seqKey(), binary.BigEndian.AppendUint64(nil, seq))
	sb.Set(pending, nil)
	err = sb.Commit()
	sb.Close()
	if err != nil {
		return nil, err
	}
	s.restoring[t.Name] = true
	if busy != "" {
		s.restoring[busy] = true
	}
	now := s.clock.Now().UTC()
	t.ID, t.UUID, t.Created, t.BillingAt = seq, s.ids.UUID(), now, now
	return &tableFill{t: t, pending: pending, busy: busy}, nil
}

// releaseTable gives up the names a fill holds, whether or not the
// table was published.
func (s *Service) releaseTable(f *tableFill) {
	s.mu.Lock()
	delete(s.restoring, f.t.Name)
	delete(s.restoring, f.busy)
	s.mu.Unlock()
}

// fillTable writes the items items yields into the reserved table, in
// batches of copyChunk. A later item with the key of an earlier one
// replaces it, index entries included. If items fails, what was written
// is dropped and the error returned.
func (s *Service) fillTable(f *tableFill, items func(fn func(attr.Item) error) error) error {
	t := f.t
	indexed := len(t.LSIs)+len(t.GSIs) > 0
	// chunk holds the items of the uncommitted batch, by key, so that a
	// repeated key replaces its index entries.
	chunk := map[string]attr.Item{}
	b := s.store.NewBatch()
	defer func() { b.Close() }()
	err := items(func(item attr.Item) error {
		key := itemKey(t, item)
		var old attr.Item
		if indexed {
			var ok bool
			if old, ok = chunk[string(key)]; !ok {
				var err error
				if old, err = s.readItem(s.store, key); err != nil {
					return err
				}
			}
			chunk[string(key)] = item
		}
		stage(b, t, key, old, item)
		if b.Len() >= copyChunk {
			if err := b.Commit(); err != nil {
				return err
			}
			b.Close()
			b = s.store.NewBatch()
			clear(chunk)
		}
		return nil
	})
	if err == nil {
		err = b.Commit()
	}
	if err != nil {
		s.dropFill(f)
		return err
	}
	return nil
}

// dropFill deletes what a fill wrote, and its pending mark.
func (s *Service) dropFill(f *tableFill) {
	db := s.store.NewBatch()
	for _, pre := range [][]byte{itemsPrefix(f.t.ID), indexesPrefix(f.t.ID)} {
		db.DeleteRange(pre, keys.PrefixEnd(pre))
	}
	db.Delete(f.pending)
	_ = db.Commit()
	db.Close()
}

// publishTable stores the filled table, ACTIVE.
func (s *Service) publishTable(f *tableFill) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tb := s.store.NewBatch()
	defer tb.Close()
	tb.Delete(f.pending)
	if err := s.saveTable(tb, f.t); err != nil {
		return err
	}
	s.streams[f.t.ID] = &streamState{changed: make(chan struct{})}
	return nil
}

// nextTableID is the id the next table made will have; the caller holds
// s.mu and stores the id under seqKey in the batch that uses it.
func (s *Service) nextTableID() (uint64, error) {
	v, err := s.store.Get(seqKey())
	switch {
	case err == nil && len(v) == 8:
		return binary.BigEndian.Uint64(v) + 1, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return 0, err
	}
	return 1, nil
}
