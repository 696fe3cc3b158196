package dynamodb

import (
	"errors"
	"hash/fnv"
	"slices"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// maxPageBytes is the most a Query or Scan page reads: "A single Query
// (or Scan) operation will read up to the maximum number of items set (if
// using the Limit parameter) or a maximum of 1 MB of data", counted before
// any filter is applied.
const maxPageBytes = 1 << 20

// page describes one page of a Query or Scan over a table or an index.
type page struct {
	t  *table
	ix *index // nil: the table itself
	// [lower, upper) bounds the store keys read.
	lower, upper []byte
	forward      bool
	// start, when set, is the store key of ExclusiveStartKey: reading
	// begins after it (before it, backwards).
	start []byte
	// checkStart, when set, checks an ExclusiveStartKey that has the
	// schema's attributes against the request (a Query's key condition).
	checkStart func(esk attr.Item) error
	// limit is the most items evaluated (0: no limit).
	limit int
	// match, when set, must hold for an item to be evaluated at all (the
	// range key condition, a scan segment).
	match func(attr.Item) bool
	// filter drops evaluated items that do not satisfy it.
	filter *expr.Condition
	// fromTable fetches whole items from the table (an LSI queried for
	// attributes it does not project).
	fromTable bool
	// project, when set, shapes each returned item.
	project   func(attr.Item) attr.Item
	countOnly bool
}

type pageResult struct {
	items   []attr.Item
	count   int
	scanned int
	bytes   int
	lastKey attr.Item
}

// read runs a page on a consistent snapshot of the store.
func (s *Service) read(p *page) (*pageResult, error) {
	snap := s.store.NewSnapshot()
	defer snap.Close()
	it, err := snap.NewIter(p.lower, p.upper)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var ok bool
	switch {
	case p.start != nil && p.forward:
		ok = it.SeekGE(p.start)
		if ok && string(it.Key()) == string(p.start) {
			ok = it.Next()
		}
	case p.start != nil:
		ok = it.SeekLT(p.start)
	case p.forward:
		ok = it.First()
	default:
		ok = it.Last()
	}
	res := &pageResult{}
	for ; ok; ok = step(it, p.forward) {
		item, err := decodeItem(it.Value())
		if err != nil {
			return nil, err
		}
		if p.match != nil && !p.match(item) {
			continue
		}
		res.scanned++
		res.bytes += attr.ItemSize(item)
		res.lastKey = p.keyOf(item)
		if p.fromTable {
			full, err := s.readItem(snap, itemKey(p.t, item))
			if err != nil {
				return nil, err
			}
			if full != nil {
				item = full
			}
		}
		keep := true
		if p.filter != nil {
			if keep, err = p.filter.Eval(item); err != nil {
				return nil, validationError(err)
			}
		}
		if keep {
			res.count++
			if !p.countOnly {
				if p.project != nil {
					item = p.project(item)
				}
				res.items = append(res.items, item)
			}
		}
		if (p.limit > 0 && res.scanned >= p.limit) || res.bytes >= maxPageBytes {
			// Stopped early: LastEvaluatedKey says where to go on, even when
			// nothing is left, as DynamoDB does.
			return res, it.Error()
		}
	}
	res.lastKey = nil
	return res, it.Error()
}

func step(it store.Iterator, forward bool) bool {
	if forward {
		return it.Next()
	}
	return it.Prev()
}

// keyOf is an item's LastEvaluatedKey: the table's key attributes and,
// for an index, the index's.
func (p *page) keyOf(it attr.Item) attr.Item {
	k := keyOf(p.t, it)
	if p.ix != nil {
		for _, n := range p.ix.keyNames() {
			k[n] = it[n]
		}
	}
	return k
}

// startKeyInvalid opens DynamoDB's messages about an ExclusiveStartKey.
const startKeyInvalid = "The provided starting key is invalid: "

// decodeStartKey decodes ExclusiveStartKey as part of reading the
// request, before any table is looked up. DynamoDB names the starting key
// in its complaints about a value's shape (no type, two types, a false
// NULL, an empty string or binary set), but not in those of the later step
// that reads numbers and set members.
func decodeStartKey(wire map[string]AttributeValue) (attr.Item, error) {
	esk, err := itemFromWire(wire)
	if err == nil {
		return esk, nil
	}
	var ae *attr.Error
	if errors.As(err, &ae) && !errors.Is(ae, attr.ErrEmptyStringSet) && !errors.Is(ae, attr.ErrEmptyBinarySet) {
		return nil, requestErr(err)
	}
	re, ok := requestErr(err).(*requestError)
	if !ok {
		return nil, err
	}
	named := &requestError{msg: startKeyInvalid + re.msg}
	if re.older != "" {
		named.older = startKeyInvalid + re.older
	}
	return nil, named
}

// startKey converts a decoded ExclusiveStartKey into a store key, checking
// that it has the key attributes the table (and index) need.
func startKey(t *table, ix *index, esk attr.Item) ([]byte, error) {
	if esk == nil {
		return nil, nil
	}
	bad := invalid(startKeyInvalid + "The provided key element does not match the schema")
	// The key is the table's key attributes and the index's, each once
	// (a local index shares the partition key), and nothing else.
	need := t.keyNames()
	if ix != nil {
		for _, n := range ix.keyNames() {
			if !slices.Contains(need, n) {
				need = append(need, n)
			}
		}
	}
	if len(esk) != len(need) {
		return nil, bad
	}
	for _, n := range need {
		v, ok := esk[n]
		if !ok || v.Type().String() != t.attrType(n) {
			return nil, bad
		}
	}
	if ix == nil {
		return itemKey(t, esk), nil
	}
	k, _, _ := indexEntry(t, ix, esk)
	return k, nil
}

// partitionBounds are the store bounds of one partition key value (all
// of its attributes' values, for a multi-attribute key), or of the part
// of it whose leading sort key attributes have the values that follow.
func partitionBounds(t *table, ix *index, values ...attr.Value) (prefix []byte) {
	if ix == nil {
		prefix = itemsPrefix(t.ID)
	} else {
		prefix = indexPrefix(t.ID, ix.Name)
	}
	for _, v := range values {
		prefix = appendKeyValue(prefix, v)
	}
	return prefix
}

// rangeBounds narrows a partition's bounds by a sort key condition.
func rangeBounds(prefix []byte, term *expr.KeyTerm) (lower, upper []byte) {
	end := keys.PrefixEnd(prefix)
	if term == nil {
		return prefix, end
	}
	at := func(v attr.Value) []byte { return appendKeyValue(append([]byte(nil), prefix...), v) }
	switch term.Op {
	case expr.KeyEQ:
		k := at(term.Values[0])
		return k, keys.PrefixEnd(k)
	case expr.KeyLT:
		return prefix, at(term.Values[0])
	case expr.KeyLE:
		return prefix, keys.PrefixEnd(at(term.Values[0]))
	case expr.KeyGT:
		return keys.PrefixEnd(at(term.Values[0])), end
	case expr.KeyGE:
		return at(term.Values[0]), end
	case expr.KeyBetween:
		return at(term.Values[0]), keys.PrefixEnd(at(term.Values[1]))
	case expr.KeyBeginsWith:
		v := term.Values[0]
		var k []byte
		if v.Type() == attr.TypeS {
			k = keys.AppendStringPrefix(append([]byte(nil), prefix...), v.S())
		} else {
			k = keys.AppendBytesPrefix(append([]byte(nil), prefix...), v.B())
		}
		return k, keys.PrefixEnd(k)
	}
	return prefix, end
}

// segmentOf places an item in one of total scan segments by its partition
// key, so that parallel scans cover every item exactly once.
func segmentOf(t *table, it attr.Item, total int) int {
	h := fnv.New32a()
	h.Write(appendKeyValue(nil, it[t.Hash]))
	return int(h.Sum32() % uint32(total))
}
