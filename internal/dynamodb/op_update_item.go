package dynamodb

import (
	"context"

	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
)

func (s *Service) updateItem(ctx context.Context, in *UpdateItemInput) (*UpdateItemOutput, error) {
	t, err := s.tableByNameOrARN(*in.TableName)
	if err != nil {
		return nil, err
	}
	rv := string(deref(in.ReturnValues))
	key, err := keyFromRequest(t, in.Key)
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
	if upd != nil {
		for _, p := range upd.Paths() {
			if p.Top() == t.Hash || p.Top() == t.Range {
				return nil, invalid("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", p.Top())
			}
		}
	}
	var updated []expr.Path
	old, new, err := s.write(&itemWrite{
		t: t, key: key, cond: cond, isUpdate: true,
		returnOld: deref(in.ReturnValuesOnConditionCheckFailure) == "ALL_OLD",
		compute: func(old attr.Item) (attr.Item, error) {
			base := old
			if base == nil {
				base = key
			}
			if upd == nil {
				return base, nil
			}
			n, paths, err := upd.Apply(base)
			updated = paths
			return n, err
		},
	})
	if err != nil {
		return nil, err
	}
	out := &UpdateItemOutput{ConsumedCapacity: writeConsumed(t, in.ReturnConsumedCapacity, old, new)}
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
