package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// writeAll runs several item writes as one: every item is locked, every
// condition checked, and all changes committed in one atomic batch — or,
// if any write fails, none is. The error of the first failing write is
// returned, and failures holds each write's error (nil for those that
// would have succeeded), in order.
func (s *Service) writeAll(writes []*itemWrite) (olds, news []attr.Item, err error) {
	olds, news, _, err = s.writeAllReasons(writes)
	return olds, news, err
}

func (s *Service) writeAllReasons(writes []*itemWrite) (olds, news []attr.Item, failures []error, err error) {
	// A write found invalid before the run (a key of the wrong shape)
	// cancels it before anything is read: as in DynamoDB, the first such
	// write is the only reason given, and no condition is checked.
	for i, w := range writes {
		if w.fail != nil {
			failures = make([]error, len(writes))
			failures[i] = w.fail
			return nil, nil, failures, w.fail
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	itemKeys := make([][]byte, len(writes))
	for i, w := range writes {
		cur := s.tables[w.t.Name]
		if cur == nil || cur.ID != w.t.ID {
			return nil, nil, nil, ErrResourceNotFound
		}
		w.t = cur // the definition as of now, as in write
		itemKeys[i] = itemKey(w.t, w.key)
	}
	unlock := s.lockItems(itemKeys...)
	defer unlock()
	olds = make([]attr.Item, len(writes))
	news = make([]attr.Item, len(writes))
	failures = make([]error, len(writes))
	var first error
	for i, w := range writes {
		if olds[i], err = s.readItem(s.store, itemKeys[i]); err != nil {
			return nil, nil, nil, err
		}
		news[i], failures[i] = w.checkAndCompute(olds[i])
		if failures[i] != nil && first == nil {
			first = failures[i]
		}
	}
	if first != nil {
		return olds, news, failures, first
	}
	changes := make([]change, 0, len(writes))
	for i, w := range writes {
		if w.compute != nil {
			changes = append(changes, change{t: w.t, key: itemKeys[i], old: olds[i], new: news[i]})
		}
	}
	if err := s.commitChanges(changes); err != nil {
		return nil, nil, nil, err
	}
	return olds, news, failures, nil
}

// clientTokenTTL is how long a ClientRequestToken makes
// TransactWriteItems idempotent: "valid for 10 minutes after the first
// request that uses it completes".
const clientTokenTTL = 10 * time.Minute

type tokenRecord struct {
	Hash    []byte    `json:"hash"`
	Expires time.Time `json:"expires"`
}

func tokenKey(token string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "ddb"), "txtoken"), token)
}

// maxTransactionBytes is the most a TransactWriteItems request may carry:
// "The aggregate size of the items in the transaction cannot exceed 4 MB."
const maxTransactionBytes = 4 << 20

// TransactWriteItems checks a request in two passes, as DynamoDB does.
// The first reads every action in request order (its values, expressions
// and placeholders, an item's size) and reports the first problem met,
// before any table is looked up; the second resolves the tables and keys,
// and refuses two actions on one item. What only the stored items can
// tell (a condition, a key of the wrong type, an update's result) cancels
// the transaction with a reason per action.
func (s *Service) transactWriteItems(ctx context.Context, in *TransactWriteItemsInput) (*TransactWriteItemsOutput, error) {
	tok := s.clientToken(tokenKey, in.ClientRequestToken, in.TransactItems)
	if replay, err := tok.check(); err != nil || replay {
		return &TransactWriteItemsOutput{}, err
	}
	actions := make([]*transactAction, len(in.TransactItems))
	size := 0
	for i := range in.TransactItems {
		a, err := s.readTransactAction(&in.TransactItems[i])
		if err != nil {
			return nil, err
		}
		actions[i] = a
		size += attr.ItemSize(a.item) + attr.ItemSize(a.key)
	}
	if size > maxTransactionBytes {
		return nil, invalid("Transaction request cannot be larger than 4 MB")
	}
	writes := make([]*itemWrite, len(actions))
	seen := map[string]bool{}
	for i, a := range actions {
		w, err := s.bindTransactAction(a)
		if err != nil {
			return nil, err
		}
		writes[i] = w
		if w.fail != nil {
			continue
		}
		k := string(itemKey(w.t, w.key))
		if seen[k] {
			return nil, invalid("Transaction request cannot include multiple operations on one item")
		}
		seen[k] = true
	}
	olds, news, failures, err := s.writeAllReasons(writes)
	if err != nil && failures == nil {
		return nil, err
	}
	if err != nil {
		for _, f := range failures {
			var up *upFrontError
			if errors.As(f, &up) {
				return nil, up.error
			}
		}
		return nil, canceled(failures)
	}
	if err := tok.remember(); err != nil {
		return nil, err
	}
	metrics, err := s.collectionMetrics(writes, in.ReturnItemCollectionMetrics)
	if err != nil {
		return nil, err
	}
	return &TransactWriteItemsOutput{ConsumedCapacity: transactConsumed(writes, olds, news, in.ReturnConsumedCapacity), ItemCollectionMetrics: metrics}, nil
}

// transactConsumed is a write transaction's ConsumedCapacity, per table:
// transactional writes cost two units per KB.
func transactConsumed(writes []*itemWrite, olds, news []attr.Item, mode *ReturnConsumedCapacity) []ConsumedCapacity {
	if mode == nil || *mode == "NONE" {
		return nil
	}
	caps := map[string]*capacity{}
	for i, w := range writes {
		if caps[w.t.Name] == nil {
			caps[w.t.Name] = newCapacity(w.t, true)
		}
		caps[w.t.Name].addWrite(olds[i], news[i], 2)
	}
	var out []ConsumedCapacity
	for _, name := range sortedNames(caps) {
		out = append(out, *caps[name].render(mode))
	}
	return out
}

// clientToken makes a ClientRequestToken idempotent for clientTokenTTL:
// the same token with the same request is answered without running it
// again; with another request it is an error.
type clientToken struct {
	s    *Service
	key  []byte // nil: no token
	hash []byte
}

// clientToken prepares the token of a request (nil token: none) whose
// identity is the JSON of body; keyOf places it in the store.
func (s *Service) clientToken(keyOf func(string) []byte, token *string, body any) *clientToken {
	t := &clientToken{s: s}
	if token != nil {
		raw, _ := json.Marshal(body)
		sum := sha256.Sum256(raw)
		t.key, t.hash = keyOf(*token), sum[:]
	}
	return t
}

// check reports whether the request already ran under its token.
func (t *clientToken) check() (replay bool, err error) {
	if t.key == nil {
		return false, nil
	}
	v, err := t.s.store.Get(t.key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var rec tokenRecord
	if json.Unmarshal(v, &rec) != nil || !t.s.clock.Now().Before(rec.Expires) {
		return false, nil
	}
	if string(rec.Hash) != string(t.hash) {
		return false, ErrIdempotentParameterMismatch.WithMessage("Request parameters do not match the parameters of a previous request with the same client request token")
	}
	return true, nil
}

// remember records that the request ran under its token.
func (t *clientToken) remember() error {
	if t.key == nil {
		return nil
	}
	rec, _ := json.Marshal(tokenRecord{Hash: t.hash, Expires: t.s.clock.Now().Add(clientTokenTTL)})
	b := t.s.store.NewBatch()
	defer b.Close()
	b.Set(t.key, rec)
	return b.Commit()
}

// canceled is TransactionCanceledException with a reason per action, in
// request order.
func canceled(failures []error) error {
	reasons := make([]CancellationReason, len(failures))
	codes := make([]string, len(failures))
	for i, f := range failures {
		switch e := apierr.As(f); {
		case f == nil:
			reasons[i] = CancellationReason{Code: ptr("None")}
		case e != nil && e.Code == ErrConditionalCheckFailed.Code:
			reasons[i] = CancellationReason{Code: ptr("ConditionalCheckFailed"), Message: ptr(ErrConditionalCheckFailed.Message)}
			if d, ok := e.Details.(*struct{ Item map[string]AttributeValue }); ok {
				reasons[i].Item = d.Item
			}
		default:
			msg := f.Error()
			if e != nil {
				msg = e.Message
			}
			reasons[i] = CancellationReason{Code: ptr("ValidationError"), Message: ptr(msg)}
		}
		codes[i] = *reasons[i].Code
	}
	return ErrTransactionCanceled.
		Withf("Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", ")).
		WithDetails(&struct{ CancellationReasons []CancellationReason }{reasons})
}

// transactAction is one TransactWriteItem as the first pass reads it,
// before its table is looked up.
type transactAction struct {
	table     string
	cond      *expr.Condition
	returnOld bool
	// item is a Put's item; key the Key of the other actions.
	item, key attr.Item
	upd       *expr.Update // an Update's update
	kind      string       // "ConditionCheck", "Put", "Delete" or "Update"
}

// readTransactAction reads one action of the request: its values, its
// expressions and placeholders, and a Put item's size.
func (s *Service) readTransactAction(ti *TransactWriteItem) (*transactAction, error) {
	n := 0
	for _, set := range []bool{ti.ConditionCheck != nil, ti.Put != nil, ti.Delete != nil, ti.Update != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, invalid("TransactItems can only contain one of Check, Put, Update or Delete")
	}
	type common struct {
		table, cond *string
		names       map[string]string
		values      map[string]AttributeValue
		rvOnFail    *ReturnValuesOnConditionCheckFailure
		key         map[string]AttributeValue
	}
	var c common
	a := &transactAction{}
	switch {
	case ti.ConditionCheck != nil:
		cc := ti.ConditionCheck
		c = common{cc.TableName, cc.ConditionExpression, cc.ExpressionAttributeNames, cc.ExpressionAttributeValues, cc.ReturnValuesOnConditionCheckFailure, cc.Key}
		a.kind = "ConditionCheck"
	case ti.Put != nil:
		p := ti.Put
		c = common{p.TableName, p.ConditionExpression, p.ExpressionAttributeNames, p.ExpressionAttributeValues, p.ReturnValuesOnConditionCheckFailure, nil}
		a.kind = "Put"
	case ti.Delete != nil:
		d := ti.Delete
		c = common{d.TableName, d.ConditionExpression, d.ExpressionAttributeNames, d.ExpressionAttributeValues, d.ReturnValuesOnConditionCheckFailure, d.Key}
		a.kind = "Delete"
	default:
		u := ti.Update
		c = common{u.TableName, u.ConditionExpression, u.ExpressionAttributeNames, u.ExpressionAttributeValues, u.ReturnValuesOnConditionCheckFailure, u.Key}
		a.kind = "Update"
	}
	a.table = *c.table
	a.returnOld = deref(c.rvOnFail) == "ALL_OLD"
	var err error
	if a.kind == "Put" {
		if a.item, err = decodeRequestItem(ti.Put.Item); err != nil {
			return nil, err
		}
		// A put's size is known from the request: it is refused before the
		// transaction runs, not as a cancellation.
		if attr.ItemSize(a.item) > attr.MaxItemSize {
			return nil, errItemTooLarge
		}
	} else if a.key, err = decodeRequestItem(c.key); err != nil {
		return nil, err
	}
	x, err := newExprContext(c.names, c.values)
	if err != nil {
		return nil, err
	}
	if a.kind == "Update" {
		if a.upd, err = s.updateOf(x, ti.Update.UpdateExpression, nil); err != nil {
			return nil, err
		}
	}
	if a.cond, err = x.condition(c.cond); err != nil {
		return nil, err
	}
	if err := x.done(); err != nil {
		return nil, err
	}
	return a, nil
}

// bindTransactAction resolves an action's table and key into the
// itemWrite the transaction runs.
func (s *Service) bindTransactAction(a *transactAction) (*itemWrite, error) {
	t, err := s.tableByNameOrARN(a.table)
	if err != nil {
		return nil, err
	}
	w := &itemWrite{t: t, cond: a.cond, returnOld: a.returnOld}
	switch a.kind {
	case "ConditionCheck":
		if err := checkKey(t, a.key); err != nil {
			return deferred(w, err)
		}
		w.key = a.key
	case "Put":
		item := a.item
		if err := checkItemKeys(t, item); err != nil {
			if keyTypesMatch(t, item) {
				return nil, err // an empty or oversized key is refused at once
			}
			return deferred(w, err)
		}
		// An empty index key is refused at once too; a mistyped one
		// cancels the transaction.
		var up *upFrontError
		if err := checkIndexKeys(t, item, false); errors.As(err, &up) {
			return nil, up.error
		}
		w.key = keyOf(t, item)
		w.compute = func(attr.Item) (attr.Item, error) { return item, nil }
	case "Delete":
		if err := checkKey(t, a.key); err != nil {
			return deferred(w, err)
		}
		w.key = a.key
		w.compute = func(attr.Item) (attr.Item, error) { return nil, nil }
	default:
		if err := checkKey(t, a.key); err != nil {
			return deferred(w, err)
		}
		w.key = a.key
		upd := a.upd
		for _, p := range upd.Paths() {
			if p.Top() == t.Hash || p.Top() == t.Range {
				return nil, invalid("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", p.Top())
			}
		}
		key := w.key
		w.isUpdate = true
		w.compute = func(old attr.Item) (attr.Item, error) {
			if old == nil {
				if upd.OnlyRemoves() {
					return nil, nil // as UpdateItem: no item to remove from
				}
				old = key
			}
			n, _, err := upd.Apply(old)
			return n, err
		}
	}
	return w, nil
}

// A key of the wrong shape inside a transaction is found when the
// transaction runs, and cancels it with a ValidationError reason.
func deferred(w *itemWrite, err error) (*itemWrite, error) {
	if apierr.As(err) == errKeySchema || keyTypeError(err) {
		w.fail = err
		return w, nil
	}
	return nil, err
}

// keyTypesMatch reports whether an item has the table's key attributes
// with their declared types.
func keyTypesMatch(t *table, it attr.Item) bool {
	for _, n := range t.keyNames() {
		if v, ok := it[n]; !ok || v.Type().String() != t.attrType(n) {
			return false
		}
	}
	return true
}

func keyTypeError(err error) bool {
	e := apierr.As(err)
	return e != nil && (strings.Contains(e.Message, "Type mismatch for key") || strings.Contains(e.Message, "Missing the key"))
}

// transactGetItems reads every Get (key, projection, placeholders) before
// it looks a table up; a key that does not match its table's schema
// cancels the transaction with a ValidationError reason, as in
// TransactWriteItems.
func (s *Service) transactGetItems(ctx context.Context, in *TransactGetItemsInput) (*TransactGetItemsOutput, error) {
	type get struct {
		t    *table
		key  attr.Item
		k    []byte
		proj func(attr.Item) attr.Item
		fail error
	}
	gets := make([]get, len(in.TransactItems))
	for i, ti := range in.TransactItems {
		g := ti.Get
		key, err := decodeRequestItem(g.Key)
		if err != nil {
			return nil, err
		}
		x, err := newExprContext(g.ExpressionAttributeNames, nil)
		if err != nil {
			return nil, err
		}
		proj, err := x.projection(g.ProjectionExpression)
		if err != nil {
			return nil, err
		}
		if err := x.done(); err != nil {
			return nil, err
		}
		gets[i].key = key
		if proj != nil {
			gets[i].proj = proj.Project
		}
	}
	seen := map[string]bool{}
	var failures []error
	for i, ti := range in.TransactItems {
		t, err := s.tableByNameOrARN(*ti.Get.TableName)
		if err != nil {
			return nil, err
		}
		gets[i].t = t
		if err := checkKey(t, gets[i].key); err != nil {
			if apierr.As(err) != errKeySchema {
				return nil, err
			}
			gets[i].fail = err
			continue
		}
		k := itemKey(t, gets[i].key)
		if seen[string(k)] {
			return nil, invalid("Transaction request cannot include multiple operations on one item")
		}
		seen[string(k)] = true
		gets[i].k = k
	}
	for _, g := range gets {
		if g.fail != nil {
			failures = make([]error, len(gets))
			for i := range gets {
				failures[i] = gets[i].fail
			}
			return nil, canceled(failures)
		}
	}
	// One snapshot: the items are read as of one moment.
	snap := s.store.NewSnapshot()
	defer snap.Close()
	out := &TransactGetItemsOutput{Responses: make([]ItemResponse, len(gets))}
	units := map[string]float64{}
	for i, g := range gets {
		it, err := s.readItem(snap, g.k)
		if err != nil {
			return nil, err
		}
		units[g.t.Name] += 2 * readUnits(attr.ItemSize(it), true)
		if it != nil && g.proj != nil {
			it = g.proj(it)
		}
		out.Responses[i] = ItemResponse{Item: itemToWire(it)}
	}
	if mode := in.ReturnConsumedCapacity; mode != nil && *mode != "NONE" {
		for _, name := range sortedNames(units) {
			t, _ := s.tableByNameOrARN(name)
			out.ConsumedCapacity = append(out.ConsumedCapacity, *consumed(t, mode, units[name], false))
		}
	}
	return out, nil
}
