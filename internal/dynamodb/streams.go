package dynamodb

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// DynamoDB Streams, the domain side: every change to an item of a table
// with an enabled stream is recorded in the same batch as the change
// itself, under a per-table sequence number, so records are exactly the
// acknowledged writes, in commit order. Stored under
//
//	("ddb", "stream", tableID, seq) → streamEvent (JSON)
//
// Records are kept for streamRetention. Readers (GetRecords, and later
// Lambda's event source mappings) learn of new records through
// StreamChanged instead of polling.

// streamRetention is how long records are kept: "DynamoDB Streams
// stores the data for 24 hours".
const streamRetention = 24 * time.Hour

// streamEvent is one stored stream record.
type streamEvent struct {
	Seq      uint64    `json:"seq"`
	Label    string    `json:"label"`
	ID       string    `json:"id"`
	Name     string    `json:"name"` // INSERT, MODIFY, REMOVE
	Created  time.Time `json:"created"`
	ViewType string    `json:"viewType"`
	Keys     []byte    `json:"keys"`
	New      []byte    `json:"new,omitempty"`
	Old      []byte    `json:"old,omitempty"`
	Size     int64     `json:"size"`
	// ByTTL marks deletions made by TTL, which carry the service's
	// identity.
	ByTTL bool `json:"byTTL,omitempty"`
}

// streamState orders one table's stream records.
type streamState struct {
	mu      sync.Mutex // held from sequence assignment through commit
	last    uint64     // last sequence number committed
	changed chan struct{}
}

func streamPrefix(tableID uint64) []byte {
	k := keys.AppendString(keys.AppendString(nil, "ddb"), "stream")
	return keys.AppendUint(k, tableID)
}

func streamKey(tableID, seq uint64) []byte {
	return keys.AppendUint(streamPrefix(tableID), seq)
}

// loadStreamState reads a table's last sequence number from the store.
func (s *Service) loadStreamState(t *table) (*streamState, error) {
	st := &streamState{changed: make(chan struct{})}
	p := streamPrefix(t.ID)
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	if it.Last() {
		var ev streamEvent
		if err := json.Unmarshal(it.Value(), &ev); err != nil {
			return nil, fmt.Errorf("dynamodb: stored stream record: %w", err)
		}
		st.last = ev.Seq
	}
	return st, it.Error()
}

// change is one item change to commit.
type change struct {
	t        *table
	key      []byte
	old, new attr.Item
	byTTL    bool
}

// commitChanges writes item changes, their index entries, their stream
// records and, with point-in-time recovery on, the items' previous images
// in one synced batch. The caller holds the items' locks.
func (s *Service) commitChanges(changes []change) error {
	b := s.store.NewBatch()
	defer b.Close()
	var locked []*streamState
	defer func() {
		for _, st := range locked {
			st.mu.Unlock()
		}
	}()
	next := map[*streamState]uint64{}
	now := s.clock.Now()
	wake := false
	for _, c := range changes {
		if c.old == nil && c.new == nil {
			continue
		}
		stage(b, c.t, c.key, c.old, c.new)
		if !c.t.PITRSince.IsZero() && !sameItem(c.old, c.new) {
			s.stageHistory(b, c.t, c.key, c.old, now)
		}
		if !sameItem(c.old, c.new) {
			staged, err := s.stageKinesis(b, c, now)
			if err != nil {
				return err
			}
			wake = wake || staged
		}
		// A write that leaves the item as it was is not a change a
		// stream records.
		if !c.t.Stream.Enabled || sameItem(c.old, c.new) {
			continue
		}
		st := s.streams[c.t.ID]
		if st == nil {
			continue
		}
		if _, ok := next[st]; !ok {
			st.mu.Lock()
			locked = append(locked, st)
			next[st] = st.last
		}
		next[st]++
		ev := s.newStreamEvent(c, next[st])
		v, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		b.Set(streamKey(c.t.ID, ev.Seq), v)
	}
	if b.Len() == 0 {
		return nil
	}
	if err := b.Commit(); err != nil {
		return err
	}
	if wake {
		s.wakeKinesis()
	}
	for st, last := range next {
		st.last = last
		close(st.changed)
		st.changed = make(chan struct{})
	}
	return nil
}

func (s *Service) newStreamEvent(c change, seq uint64) *streamEvent {
	ev := &streamEvent{
		Seq: seq, Label: c.t.Stream.Label, ID: s.ids.Hex(16), Created: s.clock.Now().UTC(),
		ViewType: c.t.Stream.ViewType, ByTTL: c.byTTL,
	}
	switch {
	case c.old == nil:
		ev.Name = "INSERT"
	case c.new == nil:
		ev.Name = "REMOVE"
	default:
		ev.Name = "MODIFY"
	}
	img := c.new
	if img == nil {
		img = c.old
	}
	keysOnly := keyOf(c.t, img)
	ev.Keys = encodeItem(nil, keysOnly)
	ev.Size = int64(attr.ItemSize(keysOnly))
	if c.new != nil && (ev.ViewType == "NEW_IMAGE" || ev.ViewType == "NEW_AND_OLD_IMAGES") {
		ev.New = encodeItem(nil, c.new)
		ev.Size += int64(attr.ItemSize(c.new))
	}
	if c.old != nil && (ev.ViewType == "OLD_IMAGE" || ev.ViewType == "NEW_AND_OLD_IMAGES") {
		ev.Old = encodeItem(nil, c.old)
		ev.Size += int64(attr.ItemSize(c.old))
	}
	return ev
}

// StreamChanged returns a channel that is closed when the table's stream
// gets records after the call, or nil if the table has no stream. It is
// how subscribers (event source mappings) wait for records.
func (s *Service) StreamChanged(tableName string) <-chan struct{} {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tables[tableName]
	if t == nil {
		return nil
	}
	st := s.streams[t.ID]
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.changed
}

// streamEvents reads up to limit records of a table's stream with the
// label, after sequence number after, skipping records past retention.
func (s *Service) streamEvents(r store.Reader, tableID uint64, label string, after uint64, limit int) ([]streamEvent, error) {
	p := streamPrefix(tableID)
	it, err := r.NewIter(streamKey(tableID, after+1), keys.PrefixEnd(p))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	cutoff := s.clock.Now().Add(-streamRetention)
	var out []streamEvent
	for ok := it.First(); ok && len(out) < limit; ok = it.Next() {
		var ev streamEvent
		if err := json.Unmarshal(it.Value(), &ev); err != nil {
			return nil, err
		}
		if ev.Label != label || ev.Created.Before(cutoff) {
			continue
		}
		out = append(out, ev)
	}
	return out, it.Error()
}

// trimStreams deletes records past retention. It runs with TTL's sweeper.
func (s *Service) trimStreams() error {
	if err := s.forgetDropped(); err != nil {
		return err
	}
	s.mu.RLock()
	ids := make([]uint64, 0, len(s.tables)+len(s.dropped))
	for _, t := range s.allTables() {
		ids = append(ids, t.ID)
	}
	s.mu.RUnlock()
	cutoff := s.clock.Now().Add(-streamRetention)
	for _, id := range ids {
		p := streamPrefix(id)
		it, err := s.store.NewIter(p, keys.PrefixEnd(p))
		if err != nil {
			return err
		}
		var end []byte
		for ok := it.First(); ok; ok = it.Next() {
			var ev streamEvent
			if json.Unmarshal(it.Value(), &ev) != nil || !ev.Created.Before(cutoff) {
				break
			}
			end = append(end[:0], it.Key()...)
		}
		err = it.Close()
		if err != nil {
			return err
		}
		if end != nil {
			b := s.store.NewBatch()
			b.DeleteRange(p, keys.PrefixEnd(end))
			err := b.Commit()
			b.Close()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// forgetDropped removes the deleted tables whose streams are past
// retention, with their records.
func (s *Service) forgetDropped() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.dropped {
		if len(s.livePastStreams(t)) > 0 {
			continue
		}
		b := s.store.NewBatch()
		b.Delete(droppedKey(id))
		p := streamPrefix(id)
		b.DeleteRange(p, keys.PrefixEnd(p))
		err := b.Commit()
		b.Close()
		if err != nil {
			return err
		}
		delete(s.dropped, id)
	}
	return nil
}

// seqString renders a sequence number as DynamoDB Streams does: a decimal
// string of at least 21 digits.
func seqString(seq uint64) string { return fmt.Sprintf("%021d", seq) }

// sameItem reports whether two items, both present, hold the same
// attributes with equal values.
func sameItem(a, b attr.Item) bool {
	if a == nil || b == nil || len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok || !attr.Equal(av, bv) {
			return false
		}
	}
	return true
}
