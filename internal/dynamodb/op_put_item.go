package dynamodb

import (
	"context"

	"github.com/virga/virga/internal/dynamodb/attr"
)

func (s *Service) putItem(ctx context.Context, in *PutItemInput) (*PutItemOutput, error) {
	t, err := s.tableByNameOrARN(*in.TableName)
	if err != nil {
		return nil, err
	}
	rv := string(deref(in.ReturnValues))
	if rv != "" && rv != "NONE" && rv != "ALL_OLD" {
		return nil, invalid("ReturnValues can only be ALL_OLD or NONE")
	}
	item, err := itemFromWire(in.Item)
	if err != nil {
		return nil, validationError(err)
	}
	if err := checkItemKeys(t, item); err != nil {
		return nil, err
	}
	x, err := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
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
	old, _, err := s.write(&itemWrite{
		t: t, key: keyOf(t, item), cond: cond,
		returnOld: deref(in.ReturnValuesOnConditionCheckFailure) == "ALL_OLD",
		compute:   func(attr.Item) (attr.Item, error) { return item, nil },
	})
	if err != nil {
		return nil, err
	}
	out := &PutItemOutput{ConsumedCapacity: writeConsumed(t, in.ReturnConsumedCapacity, old, item)}
	if rv == "ALL_OLD" {
		out.Attributes = itemToWire(old)
	}
	return out, nil
}
