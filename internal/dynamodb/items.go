package dynamodb

import (
	"errors"
	"math"
	"sort"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// validationError turns the domain packages' errors (attr.Error,
// expr.Error) into ValidationExceptions; other errors pass through.
func validationError(err error) error {
	var ae *attr.Error
	if errors.As(err, &ae) {
		return ErrValidation.WithMessage(ae.Message)
	}
	var ee *expr.Error
	if errors.As(err, &ee) {
		return ErrValidation.WithMessage(ee.Message)
	}
	return err
}

// exprContext holds a request's ExpressionAttributeNames and Values and
// the usage of each by the request's expressions.
type exprContext struct {
	names  map[string]string
	values attr.Item
	usage  expr.Usage
	// used reports whether the request had any expression at all.
	used bool
}

func newExprContext(names map[string]string, values map[string]AttributeValue) (*exprContext, error) {
	var vals attr.Item
	if values != nil {
		vals = make(attr.Item, len(values))
		for _, k := range sortedNames(values) {
			av := values[k]
			v, err := fromWire(&av)
			if err != nil {
				return nil, valueErr(err, k)
			}
			vals[k] = v
		}
	}
	if err := expr.CheckPlaceholders(names, vals); err != nil {
		return nil, requestErr(err)
	}
	return &exprContext{names: names, values: vals}, nil
}

// condition parses an optional ConditionExpression.
func (x *exprContext) condition(s *string) (*expr.Condition, error) {
	if s == nil {
		return nil, nil
	}
	c, err := expr.ParseCondition(*s, x.names, x.values)
	if err != nil {
		return nil, requestErr(err)
	}
	x.add(c.Refs())
	return c, nil
}

// add records an expression's placeholders.
func (x *exprContext) add(r expr.Refs) {
	x.used = true
	x.usage.Add(r)
}

// filter parses an optional FilterExpression.
func (x *exprContext) filter(s *string) (*expr.Condition, error) {
	if s == nil {
		return nil, nil
	}
	c, err := expr.ParseFilter(*s, x.names, x.values)
	if err != nil {
		return nil, requestErr(err)
	}
	x.add(c.Refs())
	return c, nil
}

// projection parses an optional ProjectionExpression.
func (x *exprContext) projection(s *string) (*expr.Projection, error) {
	if s == nil {
		return nil, nil
	}
	p, err := expr.ParseProjection(*s, x.names)
	if err != nil {
		return nil, requestErr(err)
	}
	x.add(p.Refs())
	return p, nil
}

// done applies the rule that every name and value given is used.
func (x *exprContext) done() error {
	if !x.used {
		if x.values != nil {
			return badRequest("ExpressionAttributeValues can only be specified when using expressions")
		}
		if x.names != nil {
			return badRequest("ExpressionAttributeNames can only be specified when using expressions")
		}
	}
	if err := x.usage.Check(x.names, x.values); err != nil {
		return requestErr(err)
	}
	return nil
}

// checkScalarKeyPaths refuses a path that looks inside a key attribute of
// the table (Key) or of one of its indexes (IndexKey): keys are scalars,
// so a map lookup or list element of one names nothing. The table's keys
// are checked first.
func checkScalarKeyPaths(t *table, paths []expr.Path) error {
	const msg = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: %s: %s"
	for _, n := range t.keyNames() {
		if nestedIn(paths, n) {
			return invalid(msg, "Key", n)
		}
	}
	for _, ixs := range [][]index{t.GSIs, t.LSIs} {
		for i := range ixs {
			for _, n := range ixs[i].keyNames() {
				if nestedIn(paths, n) {
					return invalid(msg, "IndexKey", n)
				}
			}
		}
	}
	return nil
}

// nestedIn reports whether a path goes inside top-level attribute name.
func nestedIn(paths []expr.Path, name string) bool {
	for _, p := range paths {
		if p.Nested() && p.Top() == name {
			return true
		}
	}
	return false
}

// errKeySchema is DynamoDB's answer to a Key that is not exactly the
// table's key attributes with their types.
var errKeySchema = ErrValidation.WithMessage("The provided key element does not match the schema")

// decodeRequestItem decodes an item or key of the request: reading it is
// part of reading the request, before any table is looked up.
func decodeRequestItem(wire map[string]AttributeValue) (attr.Item, error) {
	it, err := itemFromWire(wire)
	if err != nil {
		return nil, requestErr(err)
	}
	return it, nil
}

// checkKey checks a decoded Key parameter against the table's schema.
func checkKey(t *table, key attr.Item) error {
	if len(key) != len(t.keyNames()) {
		return errKeySchema
	}
	for _, name := range t.keyNames() {
		v, ok := key[name]
		if !ok || v.Type().String() != t.attrType(name) {
			return errKeySchema
		}
		if err := attr.CheckKey(name, v, name == t.Range); err != nil {
			return validationError(err)
		}
	}
	return nil
}

// checkItemKeys checks that an item to be written has the table's key
// attributes, of the declared types.
func checkItemKeys(t *table, it attr.Item) error {
	for _, name := range t.keyNames() {
		v, ok := it[name]
		if !ok {
			return invalid("One or more parameter values were invalid: Missing the key %s in the item", name)
		}
		if want := t.attrType(name); v.Type().String() != want {
			return invalid("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", name, want, v.Type())
		}
		if err := attr.CheckKey(name, v, name == t.Range); err != nil {
			return validationError(err)
		}
	}
	return nil
}

// itemKey is the store key of the item with the given key attributes.
func itemKey(t *table, it attr.Item) []byte {
	k := appendKeyValue(itemsPrefix(t.ID), it[t.Hash])
	if t.Range != "" {
		k = appendKeyValue(k, it[t.Range])
	}
	return k
}

// keyOf returns just the key attributes of an item.
func keyOf(t *table, it attr.Item) attr.Item {
	k := attr.Item{t.Hash: it[t.Hash]}
	if t.Range != "" {
		k[t.Range] = it[t.Range]
	}
	return k
}

// readItem returns the stored item, or nil if there is none.
func (s *Service) readItem(r store.Reader, key []byte) (attr.Item, error) {
	v, err := r.Get(key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeItem(v)
}

// checkIndexKeys checks the index key attributes a written item carries:
// a secondary index key must have its declared type, not be empty, and
// be no longer than a key of its kind may be.
// Indexes are checked in name order, local and global alike, as DynamoDB
// names the first that fails. An empty value is refused before a
// transaction runs (an upFrontError), and worded differently when an
// update expression wrote it.
func checkIndexKeys(t *table, it attr.Item, isUpdate bool) error {
	ixs := indexesOf(t)
	sort.SliceStable(ixs, func(i, j int) bool { return ixs[i].Name < ixs[j].Name })
	for _, ix := range ixs {
		for _, name := range ix.keyNames() {
			v, ok := it[name]
			if !ok {
				continue
			}
			want := t.attrType(name)
			if v.Type().String() != want {
				return invalid("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", name, want, v.Type(), ix.Name)
			}
			if (v.Type() == attr.TypeS && v.S() == "") || (v.Type() == attr.TypeB && len(v.B()) == 0) {
				what := map[attr.Type]string{attr.TypeS: "string", attr.TypeB: "binary"}[v.Type()]
				if isUpdate {
					return &upFrontError{invalid("One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty %s value.", what)}
				}
				return &upFrontError{invalid("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
					what, ix.Name, name)}
			}
			// An index key is held to the sizes of a table's keys: 2048
			// bytes for a partition key, 1024 for a sort key.
			if err := attr.CheckKey(name, v, ix.isRange(name)); err != nil {
				return &upFrontError{invalid("%s", err.Error())}
			}
		}
	}
	return nil
}

// upFrontError is an error DynamoDB finds before a transaction runs, so
// that TransactWriteItems reports it as it is rather than as a
// cancellation reason.
type upFrontError struct{ error }

func (e *upFrontError) Unwrap() error { return e.error }

func indexesOf(t *table) []index {
	return append(append([]index(nil), t.LSIs...), t.GSIs...)
}

// indexEntry returns an item's entry in an index: its key and the
// projected item. ok is false when the item lacks the index's keys (a
// sparse index leaves it out).
func indexEntry(t *table, ix *index, it attr.Item) (key []byte, proj attr.Item, ok bool) {
	k := indexPrefix(t.ID, ix.Name)
	for _, n := range ix.keyNames() {
		v, ok := it[n]
		if !ok {
			return nil, nil, false
		}
		k = appendKeyValue(k, v)
	}
	k = appendKeyValue(k, it[t.Hash])
	if t.Range != "" {
		k = appendKeyValue(k, it[t.Range])
	}
	return k, projectForIndex(t, ix, it), true
}

// projectForIndex keeps the attributes an index projects.
func projectForIndex(t *table, ix *index, it attr.Item) attr.Item {
	if ix.Projection == "ALL" {
		return it
	}
	p := attr.Item{}
	for n := range projectedNames(t, ix) {
		if v, ok := it[n]; ok {
			p[n] = v
		}
	}
	return p
}

// projectedNames are the attributes an index of a projection other than
// ALL projects: the table's and the index's keys and its NonKey list.
func projectedNames(t *table, ix *index) map[string]bool {
	names := map[string]bool{}
	for _, n := range append(append(t.keyNames(), ix.keyNames()...), ix.NonKey...) {
		names[n] = true
	}
	return names
}

// stage adds the store writes that replace old with new (nil: absent) to
// the batch: the item itself and its index entries.
func stage(b store.Batch, t *table, key []byte, old, new attr.Item) {
	for i := range t.LSIs {
		stageIndex(b, t, &t.LSIs[i], old, new)
	}
	for i := range t.GSIs {
		stageIndex(b, t, &t.GSIs[i], old, new)
	}
	if new == nil {
		b.Delete(key)
	} else {
		b.Set(key, encodeItem(nil, new))
	}
}

func stageIndex(b store.Batch, t *table, ix *index, old, new attr.Item) {
	var oldKey []byte
	if old != nil {
		if k, _, ok := indexEntry(t, ix, old); ok {
			oldKey = k
		}
	}
	if new != nil {
		if k, proj, ok := indexEntry(t, ix, new); ok {
			if oldKey != nil && string(oldKey) != string(k) {
				b.Delete(oldKey)
			}
			b.Set(k, encodeItem(nil, proj))
			return
		}
	}
	if oldKey != nil {
		b.Delete(oldKey)
	}
}

// conditionFailed is ConditionalCheckFailedException, with the item when
// ReturnValuesOnConditionCheckFailure is ALL_OLD.
func conditionFailed(old attr.Item, returnOld bool) error {
	if returnOld && old != nil {
		return ErrConditionalCheckFailed.WithDetails(&struct{ Item map[string]AttributeValue }{itemToWire(old)})
	}
	return ErrConditionalCheckFailed
}

// Capacity units, as DynamoDB counts them: a write unit per started KB of
// the larger of the old and new item, a read unit per started 4 KB,
// halved for eventually consistent reads.
func writeUnits(old, new attr.Item) float64 {
	size := max(attr.ItemSize(old), attr.ItemSize(new))
	return math.Max(1, math.Ceil(float64(size)/1024))
}

func readUnits(size int, consistent bool) float64 {
	u := math.Max(1, math.Ceil(float64(size)/4096))
	if !consistent {
		u /= 2
	}
	return u
}

// capacity adds up the units one request consumes on a table and its
// indexes, for ReturnConsumedCapacity.
type capacity struct {
	t          *table
	write      bool
	table      float64
	gsis, lsis map[string]float64
}

func newCapacity(t *table, write bool) *capacity {
	return &capacity{t: t, write: write, gsis: map[string]float64{}, lsis: map[string]float64{}}
}

// addWrite counts one item write: the table's units, and each index whose
// entry the write puts or deletes (both, when the entry moves).
func (c *capacity) addWrite(old, new attr.Item, factor float64) {
	c.table += factor * writeUnits(old, new)
	for _, ix := range indexesOf(c.t) {
		var n float64
		var size int
		ok, okNew := false, false
		var oldKey, newKey []byte
		if old != nil {
			var proj attr.Item
			if oldKey, proj, ok = indexEntry(c.t, &ix, old); ok {
				size = attr.ItemSize(proj)
				n++
			}
		}
		if new != nil {
			var proj attr.Item
			if newKey, proj, okNew = indexEntry(c.t, &ix, new); okNew {
				size = max(size, attr.ItemSize(proj))
				if !ok || string(oldKey) != string(newKey) {
					n++
				}
			}
		}
		if n == 0 {
			continue
		}
		u := factor * n * math.Max(1, math.Ceil(float64(size)/1024))
		if c.t.isLSI(ix.Name) {
			c.lsis[ix.Name] += u
		} else {
			c.gsis[ix.Name] += u
		}
	}
}

// addRead counts read units on the table or, for a query or scan of an
// index, on the index.
func (c *capacity) addRead(units float64, ix *index) {
	switch {
	case ix == nil:
		c.table += units
	case c.t.isLSI(ix.Name):
		c.lsis[ix.Name] += units
	default:
		c.gsis[ix.Name] += units
	}
}

// render is ConsumedCapacity as the request asked for it (nil for NONE).
func (c *capacity) render(mode *ReturnConsumedCapacity) *ConsumedCapacity {
	if mode == nil || *mode == "NONE" {
		return nil
	}
	total := c.table
	for _, u := range c.gsis {
		total += u
	}
	for _, u := range c.lsis {
		total += u
	}
	cc := &ConsumedCapacity{TableName: ptr(c.t.Name), CapacityUnits: ptr(total)}
	if c.write {
		cc.WriteCapacityUnits = ptr(total)
	} else {
		cc.ReadCapacityUnits = ptr(total)
	}
	if *mode == "INDEXES" {
		cc.Table = &Capacity{CapacityUnits: ptr(c.table)}
		if c.write {
			cc.Table.WriteCapacityUnits = ptr(c.table)
		} else {
			cc.Table.ReadCapacityUnits = ptr(c.table)
		}
		render := func(m map[string]float64) map[string]Capacity {
			if len(m) == 0 {
				return nil
			}
			out := make(map[string]Capacity, len(m))
			for name, u := range m {
				if c.write {
					out[name] = Capacity{CapacityUnits: ptr(u), WriteCapacityUnits: ptr(u)}
				} else {
					out[name] = Capacity{CapacityUnits: ptr(u), ReadCapacityUnits: ptr(u)}
				}
			}
			return out
		}
		cc.GlobalSecondaryIndexes = render(c.gsis)
		cc.LocalSecondaryIndexes = render(c.lsis)
	}
	return cc
}

// consumed renders ConsumedCapacity for a request that touched only the
// table itself.
func consumed(t *table, mode *ReturnConsumedCapacity, units float64, write bool) *ConsumedCapacity {
	c := newCapacity(t, write)
	c.table = units
	return c.render(mode)
}

// writeConsumed renders ConsumedCapacity for one item write.
func writeConsumed(t *table, mode *ReturnConsumedCapacity, old, new attr.Item) *ConsumedCapacity {
	if mode == nil || *mode == "NONE" {
		return nil
	}
	c := newCapacity(t, true)
	c.addWrite(old, new, 1)
	return c.render(mode)
}

// itemCollectionMetrics is ReturnItemCollectionMetrics' answer for a write
// of the item with the given key: nil unless the request asked for SIZE
// and the table has local secondary indexes (only those make item
// collections). SizeEstimateRangeGB is the range of whole gigabytes the
// collection's size falls in, as DynamoDB reports it: [0, 1] for a
// collection under a gigabyte.
func (s *Service) itemCollectionMetrics(t *table, key attr.Item, mode *ReturnItemCollectionMetrics) (*ItemCollectionMetrics, error) {
	if mode == nil || *mode != "SIZE" || len(t.LSIs) == 0 {
		return nil, nil
	}
	prefix := partitionBounds(t, nil, key[t.Hash])
	it, err := s.store.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var size int64
	for it.First(); it.Valid(); it.Next() {
		size += int64(len(it.Value()))
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	gb := float64(size / (1 << 30))
	return &ItemCollectionMetrics{
		ItemCollectionKey:   itemToWire(attr.Item{t.Hash: key[t.Hash]}),
		SizeEstimateRangeGB: []float64{gb, gb + 1},
	}, nil
}

// collectionMetrics is ReturnItemCollectionMetrics' answer for a request
// of several writes (BatchWriteItem, TransactWriteItems): per table name,
// one entry for each item collection the writes changed, in the order of
// the writes. A write that only checks a condition changes nothing.
func (s *Service) collectionMetrics(writes []*itemWrite, mode *ReturnItemCollectionMetrics) (map[string][]ItemCollectionMetrics, error) {
	var out map[string][]ItemCollectionMetrics
	seen := map[string]bool{}
	for _, w := range writes {
		if w.compute == nil {
			continue
		}
		k := string(partitionBounds(w.t, nil, w.key[w.t.Hash]))
		if seen[k] {
			continue
		}
		seen[k] = true
		m, err := s.itemCollectionMetrics(w.t, w.key, mode)
		if err != nil {
			return nil, err
		}
		if m == nil {
			continue
		}
		if out == nil {
			out = map[string][]ItemCollectionMetrics{}
		}
		out[w.t.Name] = append(out[w.t.Name], *m)
	}
	return out, nil
}
