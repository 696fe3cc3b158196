package dynamodb

import (
	"context"

	"github.com/virga/virga/internal/dynamodb/attr"
)

func (s *Service) deleteItem(ctx context.Context, in *DeleteItemInput) (*DeleteItemOutput, error) {
	rv := string(deref(in.ReturnValues))
	if rv != "" && rv != "NONE" && rv != "ALL_OLD" {
		return nil, badRequest("ReturnValues can only be ALL_OLD or NONE")
	}
	if err := conditionStyle(in.ConditionExpression, in.Expected, in.ExpressionAttributeNames, in.ExpressionAttributeValues); err != nil {
		return nil, err
	}
	key, err := decodeRequestItem(in.Key)
	if err != nil {
		return nil, err
	}
	cond, err := s.onlyCondition(in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.ConditionExpression, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	t, err := s.tableByNameOrARN(*in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkKey(t, key); err != nil {
		return nil, err
	}
	old, _, err := s.write(&itemWrite{
		t: t, key: key, cond: cond,
		returnOld: deref(in.ReturnValuesOnConditionCheckFailure) == "ALL_OLD",
		compute:   func(attr.Item) (attr.Item, error) { return nil, nil },
	})
	if err != nil {
		return nil, err
	}
	out := &DeleteItemOutput{ConsumedCapacity: writeConsumed(t, in.ReturnConsumedCapacity, old, nil)}
	if out.ItemCollectionMetrics, err = s.itemCollectionMetrics(t, key, in.ReturnItemCollectionMetrics); err != nil {
		return nil, err
	}
	if rv == "ALL_OLD" {
		out.Attributes = itemToWire(old)
	}
	return out, nil
}
