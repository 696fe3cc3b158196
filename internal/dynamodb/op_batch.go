package dynamodb

import (
	"context"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
)

// maxBatchGetBytes is the most one BatchGetItem returns: "A single
// operation can retrieve up to 16 MB of data, which can contain as many as
// 100 items." The keys past it come back in UnprocessedKeys.
const maxBatchGetBytes = 16 << 20

func (s *Service) batchGetItem(ctx context.Context, in *BatchGetItemInput) (*BatchGetItemOutput, error) {
	// The key count was checked by ReviseViolations.
	out := &BatchGetItemOutput{
		Responses:       map[string][]map[string]AttributeValue{},
		UnprocessedKeys: map[string]KeysAndAttributes{},
	}
	// A request may not mix the expression and legacy projections, even
	// across tables.
	var legacy, expression bool
	for _, ka := range in.RequestItems {
		legacy = legacy || ka.AttributesToGet != nil
		expression = expression || ka.ProjectionExpression != nil
	}
	if legacy && expression {
		return nil, mixed([]string{"AttributesToGet"}, []string{"ProjectionExpression"})
	}
	// returned counts the bytes of the items read so far, across tables;
	// once the next item would take it past maxBatchGetBytes, that key and
	// every later one are left unprocessed (still checked).
	// The whole request is read, every table's keys and projection, before
	// any table is looked up.
	keys := map[string][]attr.Item{}
	projs := map[string]*expr.Projection{}
	for _, name := range sortedNames(in.RequestItems) {
		ka := in.RequestItems[name]
		for _, wk := range ka.Keys {
			key, err := decodeRequestItem(wk)
			if err != nil {
				return nil, err
			}
			keys[name] = append(keys[name], key)
		}
		x, err := newExprContext(ka.ExpressionAttributeNames, nil)
		if err != nil {
			return nil, err
		}
		if projs[name], err = s.projectionOf(x, ka.ProjectionExpression, ka.AttributesToGet); err != nil {
			return nil, err
		}
		if err := x.done(); err != nil {
			return nil, err
		}
	}
	returned, full := 0, false
	for _, name := range sortedNames(in.RequestItems) {
		ka, proj := in.RequestItems[name], projs[name]
		t, err := s.tableByNameOrARN(name)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		items := []map[string]AttributeValue{}
		var unprocessed []map[string]AttributeValue
		// Each key is read, and charged, as its own GetItem would be:
		// its item's size rounded up to 4 KB, a missing item as one.
		var units float64
		consistent := deref(ka.ConsistentRead)
		for i, wk := range ka.Keys {
			key := keys[name][i]
			if err := checkKey(t, key); err != nil {
				return nil, err
			}
			k := itemKey(t, key)
			if seen[string(k)] {
				return nil, invalid("Provided list of item keys contains duplicates")
			}
			seen[string(k)] = true
			if full {
				unprocessed = append(unprocessed, wk)
				continue
			}
			it, err := s.readItem(s.store, k)
			if err != nil {
				return nil, err
			}
			if it == nil {
				units += readUnits(0, consistent)
				continue
			}
			size := attr.ItemSize(it)
			if returned+size > maxBatchGetBytes {
				full = true
				unprocessed = append(unprocessed, wk)
				continue
			}
			returned += size
			units += readUnits(size, consistent)
			if proj != nil {
				it = proj.Project(it)
			}
			items = append(items, itemToWire(it))
		}
		out.Responses[name] = items
		if len(unprocessed) > 0 {
			left := ka
			left.Keys = unprocessed
			out.UnprocessedKeys[name] = left
		}
		if c := consumed(t, in.ReturnConsumedCapacity, units, false); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *c)
		}
	}
	return out, nil
}

func (s *Service) batchWriteItem(ctx context.Context, in *BatchWriteItemInput) (*BatchWriteItemOutput, error) {
	// The request count was checked by ReviseViolations. The whole request
	// is read, every table's items and keys, before any table is looked up.
	type request struct {
		put  bool
		item attr.Item // the item to put, or the key to delete
	}
	requests := map[string][]request{}
	for _, name := range sortedNames(in.RequestItems) {
		for _, r := range in.RequestItems[name] {
			var req request
			var err error
			switch {
			case r.PutRequest != nil && r.DeleteRequest == nil:
				req.put = true
				if req.item, err = decodeRequestItem(r.PutRequest.Item); err == nil && attr.ItemSize(req.item) > attr.MaxItemSize {
					err = errItemTooLarge
				}
			case r.DeleteRequest != nil && r.PutRequest == nil:
				req.item, err = decodeRequestItem(r.DeleteRequest.Key)
			default:
				err = invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			if err != nil {
				return nil, err
			}
			requests[name] = append(requests[name], req)
		}
	}
	var writes []*itemWrite
	seen := map[string]bool{}
	for _, name := range sortedNames(in.RequestItems) {
		t, err := s.tableByNameOrARN(name)
		if err != nil {
			return nil, err
		}
		for _, r := range requests[name] {
			var w *itemWrite
			if r.put {
				item := r.item
				// BatchWriteItem words a missing or mistyped key attribute
				// as a schema mismatch, and an empty one as PutItem does.
				if err := checkItemKeys(t, item); err != nil {
					if keyTypesMatch(t, item) {
						return nil, err
					}
					return nil, errKeySchema
				}
				w = &itemWrite{t: t, key: keyOf(t, item), compute: func(attr.Item) (attr.Item, error) { return item, nil }}
			} else {
				if err := checkKey(t, r.item); err != nil {
					return nil, err
				}
				w = &itemWrite{t: t, key: r.item, compute: func(attr.Item) (attr.Item, error) { return nil, nil }}
			}
			k := string(itemKey(t, w.key))
			if seen[k] {
				return nil, invalid("Provided list of item keys contains duplicates")
			}
			seen[k] = true
			writes = append(writes, w)
		}
	}
	// Every request succeeds or the call fails: nothing is left
	// unprocessed, since virga has no throughput to exceed.
	olds, news, err := s.writeAll(writes)
	if err != nil {
		return nil, err
	}
	caps := map[string]*capacity{}
	for i, w := range writes {
		if caps[w.t.Name] == nil {
			caps[w.t.Name] = newCapacity(w.t, true)
		}
		caps[w.t.Name].addWrite(olds[i], news[i], 1)
	}
	out := &BatchWriteItemOutput{UnprocessedItems: map[string][]WriteRequest{}}
	for _, name := range sortedNames(caps) {
		if c := caps[name].render(in.ReturnConsumedCapacity); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *c)
		}
	}
	if out.ItemCollectionMetrics, err = s.collectionMetrics(writes, in.ReturnItemCollectionMetrics); err != nil {
		return nil, err
	}
	return out, nil
}
