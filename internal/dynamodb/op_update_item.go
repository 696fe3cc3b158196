package dynamodb

import (
	"context"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
)

func (s *Service) updateItem(ctx context.Context, in *UpdateItemInput) (*UpdateItemOutput, error) {
	rv := string(deref(in.ReturnValues))
	if err := requestStyle(
		[]styleParam{{"UpdateExpression", in.UpdateExpression != nil}, {"ConditionExpression", in.ConditionExpression != nil}},
		[]styleParam{{"AttributeUpdates", in.AttributeUpdates != nil}, {"Expected", in.Expected != nil}},
		in.ExpressionAttributeNames, in.ExpressionAttributeValues,
	); err != nil {
		return nil, err
	}
	key, err := decodeRequestItem(in.Key)
	if err != nil {
		return nil, err
	}
	x, err := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	upd, err := s.updateOf(x, in.UpdateExpression, in.AttributeUpdates)
	if err != nil {
		return nil, err
	}
	cond, err := s.conditionOf(x, in.ConditionExpression, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	if err := x.done(); err != nil {
		return nil, err
	}
	t, err := s.tableByNameOrARN(*in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkKey(t, key); err != nil {
		return nil, err
	}
	if upd != nil {
		for _, p := range upd.Paths() {
			if p.Top() == t.Hash || p.Top() == t.Range {
				return nil, invalid("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", p.Top())
			}
		}
		if err := checkScalarKeyPaths(t, upd.Paths()); err != nil {
			return nil, err
		}
	}
	var updated []expr.Path
	old, new, err := s.write(&itemWrite{
		t: t, key: key, cond: cond, isUpdate: true,
		returnOld: deref(in.ReturnValuesOnConditionCheckFailure) == "ALL_OLD",
		compute: func(old attr.Item) (attr.Item, error) {
			base := old
			if base == nil {
				if upd != nil && upd.OnlyRemoves() {
					// Nothing to take away from a missing item: DynamoDB
					// neither creates it nor checks the paths.
					return nil, nil
				}
				base = key
			}
			if upd == nil {
				return base, nil
			}
			n, paths, err := upd.Apply(base)
			updated = paths
			if err == nil && updateWriteSize(upd, n) > attr.MaxItemSize {
				return nil, errUpdateTooLarge
			}
			return n, err
		},
	})
	if err != nil {
		return nil, err
	}
	out := &UpdateItemOutput{ConsumedCapacity: writeConsumed(t, in.ReturnConsumedCapacity, old, new)}
	if out.ItemCollectionMetrics, err = s.itemCollectionMetrics(t, key, in.ReturnItemCollectionMetrics); err != nil {
		return nil, err
	}
	switch rv {
	case "ALL_OLD":
		out.Attributes = itemToWire(old)
	case "ALL_NEW":
		out.Attributes = itemToWire(new)
	case "UPDATED_OLD":
		if old != nil {
			out.Attributes = itemToWire(expr.ProjectPaths(old, updated))
		}
	case "UPDATED_NEW":
		out.Attributes = itemToWire(expr.ProjectPaths(new, updated))
	}
	if len(out.Attributes) == 0 {
		out.Attributes = nil
	}
	return out, nil
}

// Costs UpdateItem adds to what an update writes when it applies the item
// size limit, measured against DynamoDB (they are not documented): 3 bytes
// for the update, 19 for each SET or ADD action (20 when it writes a list
// element) and 2 for each REMOVE or DELETE.
const (
	updateBaseCost   = 3
	updateSetCost    = 19
	updateRemoveCost = 2
)

// updateWriteSize is the size standalone UpdateItem holds to the item size
// limit besides the finished item's: the top-level attributes its SET and
// ADD actions write (name and finished value), plus a fixed cost per
// action. The key and every attribute the update leaves alone are out of
// it, so at a short key UpdateItem refuses a finished item somewhat under
// 400 KB that PutItem, or an Update inside TransactWriteItems, accepts.
func updateWriteSize(upd *expr.Update, item attr.Item) int {
	size := updateBaseCost
	written := map[string]bool{}
	clauses := upd.Clauses()
	for i, p := range upd.Paths() {
		switch clauses[i] {
		case "SET", "ADD":
			size += updateSetCost
			if p[len(p)-1].IsIndex {
				size++
			}
			written[p.Top()] = true
		default:
			size += updateRemoveCost
		}
	}
	for name := range written {
		if v, ok := item[name]; ok {
			size += attr.Size(name, v)
		}
	}
	return size
}
