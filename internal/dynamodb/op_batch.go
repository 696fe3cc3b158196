package dynamodb

import (
	"context"

	"github.com/virga/virga/internal/dynamodb/attr"
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
	returned, full := 0, false
	for _, name := range sortedNames(in.RequestItems) {
		ka := in.RequestItems[name]
		t, err := s.tableByNameOrARN(name)
		if err != nil {
			return nil, err
		}
		x, err := newExprContext(ka.ExpressionAttributeNames, nil)
		if err != nil {
			return nil, err
		}
		proj, err := s.projectionOf(x, ka.ProjectionExpression, ka.AttributesToGet)
		if err != nil {
			return nil, err
		}
		if err := x.done(); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		items := []map[string]AttributeValue{}
		var unprocessed []map[string]AttributeValue
		// Each key is read, and charged, as its own GetItem would be:
		// its item's size rounded up to 4 KB, a missing item as one.
		var units float64
		consistent := deref(ka.ConsistentRead)
		for _, wk := range ka.Keys {
			key, err := keyFromRequest(t, wk)
			if err != nil {
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
	// The request count was checked by ReviseViolations.
	var writes []*itemWrite
	seen := map[string]bool{}
	for _, name := range sortedNames(in.RequestItems) {
		t, err := s.tableByNameOrARN(name)
		if err != nil {
			return nil, err
		}
		for _, r := range in.RequestItems[name] {
			var w *itemWrite
			switch {
			case r.PutRequest != nil && r.DeleteRequest == nil:
				item, err := itemFromWire(r.PutRequest.Item)
				if err != nil {
					return nil, requestErr(err)
				}
				// BatchWriteItem words a missing or mistyped key attribute
				// as a schema mismatch, and an empty one as PutItem does.
				if err := checkItemKeys(t, item); err != nil {
					if keyTypesMatch(t, item) {
						return nil, err
					}
					return nil, errKeySchema
				}
				w = &itemWrite{t: t, key: keyOf(t, item), compute: func(attr.Item) (attr.Item, error) { return item, nil }}
			case r.DeleteRequest != nil && r.PutRequest == nil:
				key, err := keyFromRequest(t, r.DeleteRequest.Key)
				if err != nil {
					return nil, err
				}
				w = &itemWrite{t: t, key: key, compute: func(attr.Item) (attr.Item, error) { return nil, nil }}
			default:
				return nil, invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
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
	return out, nil
}
