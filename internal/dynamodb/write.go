package dynamodb

import (
	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
)

// itemWrite is one conditional write of one item, the mechanism PutItem,
// UpdateItem and DeleteItem share (and TransactWriteItems runs several of
// under one batch).
type itemWrite struct {
	t   *table
	key attr.Item // the item's key attributes
	// cond, when set, must hold on the stored item (nil if absent).
	cond *expr.Condition
	// returnOld puts the stored item in a failed condition's error.
	returnOld bool
	// isUpdate words the item size error as UpdateItem's.
	isUpdate bool
	// fail, when set, is an error DynamoDB reports only when the write
	// runs: inside a transaction it becomes a cancellation reason.
	fail error
	// blind marks a write whose caller needs nothing of the stored item
	// (an unconditional PutItem returning nothing): on a table without
	// secondary indexes or a stream, nothing else needs it either, and
	// the read before the write is skipped; point-in-time recovery needs
	// the stored item too (its previous image).
	blind bool
	// compute returns the new item from the stored one; nil deletes it.
	// A write without compute only checks its condition
	// (TransactWriteItems' ConditionCheck).
	compute func(old attr.Item) (attr.Item, error)
}

// checkAndCompute evaluates the write's condition on old and computes the
// new item, with its limits checked.
func (w *itemWrite) checkAndCompute(old attr.Item) (attr.Item, error) {
	if w.fail != nil {
		return nil, w.fail
	}
	if w.cond != nil {
		ok, err := w.cond.Eval(old)
		if err != nil {
			return nil, validationError(err)
		}
		if !ok {
			return nil, conditionFailed(old, w.returnOld)
		}
	}
	if w.compute == nil {
		return old, nil
	}
	new, err := w.compute(old)
	if err != nil {
		return nil, validationError(err)
	}
	if new != nil {
		if attr.ItemSize(new) > attr.MaxItemSize {
			if w.isUpdate {
				return nil, errUpdateTooLarge
			}
			return nil, errItemTooLarge
		}
		if err := checkIndexKeys(w.t, new, w.isUpdate); err != nil {
			return nil, err
		}
	}
	return new, nil
}

// The item size errors, worded as a put and as an update word them.
var (
	errItemTooLarge   = ErrValidation.WithMessage(attr.ErrItemTooLarge.Message)
	errUpdateTooLarge = ErrValidation.WithMessage("Item size to update has exceeded the maximum allowed size")
)

// write runs one itemWrite atomically and durably: under the item's lock,
// read, check, compute, and commit the item with its index entries. It
// returns the old and new items.
func (s *Service) write(w *itemWrite) (old, new attr.Item, err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cur := s.tables[w.t.Name]
	if cur == nil || cur.ID != w.t.ID {
		return nil, nil, ErrResourceNotFound
	}
	// The definition as of now: an index or stream added since the
	// request looked the table up must see this write.
	w.t = cur
	k := itemKey(w.t, w.key)
	unlock := s.lockItems(k)
	defer unlock()
	if !(w.blind && len(w.t.GSIs) == 0 && len(w.t.LSIs) == 0 && !w.t.Stream.Enabled && w.t.PITRSince.IsZero() && len(w.t.Kinesis) == 0) {
		if old, err = s.readItem(s.store, k); err != nil {
			return nil, nil, err
		}
	}
	new, err = w.checkAndCompute(old)
	if err != nil {
		return old, nil, err
	}
	if old == nil && new == nil {
		return nil, nil, nil // deleting what is not there writes nothing
	}
	if err := s.commitChanges([]change{{t: w.t, key: k, old: old, new: new}}); err != nil {
		return nil, nil, err
	}
	return old, new, nil
}
