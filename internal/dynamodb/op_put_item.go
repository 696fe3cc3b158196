package dynamodb

import (
	"context"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// putItem reads the whole request (item, expressions, placeholders) before
// it looks the table up, as DynamoDB does: a malformed request is refused
// as such even when the table does not exist.
func (s *Service) putItem(ctx context.Context, in *PutItemInput) (*PutItemOutput, error) {
	rv := string(deref(in.ReturnValues))
	if rv != "" && rv != "NONE" && rv != "ALL_OLD" {
		return nil, badRequest("ReturnValues can only be ALL_OLD or NONE")
	}
	if err := conditionStyle(in.ConditionExpression, in.Expected, in.ExpressionAttributeNames, in.ExpressionAttributeValues); err != nil {
		return nil, err
	}
	item, err := decodeRequestItem(in.Item)
	if err != nil {
		return nil, err
	}
	// An item's size is a property of the request: one too large is
	// refused even when the table does not exist.
	if attr.ItemSize(item) > attr.MaxItemSize {
		return nil, errItemTooLarge
	}
	cond, err := s.onlyCondition(in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.ConditionExpression, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	t, err := s.tableByNameOrARN(*in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkItemKeys(t, item); err != nil {
		return nil, err
	}
	old, _, err := s.write(&itemWrite{
		t: t, key: keyOf(t, item), cond: cond,
		returnOld: deref(in.ReturnValuesOnConditionCheckFailure) == "ALL_OLD",
		compute:   func(attr.Item) (attr.Item, error) { return item, nil },
		// ConsumedCapacity is sized by the larger of the old and new item.
		blind: cond == nil && rv != "ALL_OLD" && (in.ReturnConsumedCapacity == nil || *in.ReturnConsumedCapacity == "NONE"),
	})
	if err != nil {
		return nil, err
	}
	out := &PutItemOutput{ConsumedCapacity: writeConsumed(t, in.ReturnConsumedCapacity, old, item)}
	if out.ItemCollectionMetrics, err = s.itemCollectionMetrics(t, keyOf(t, item), in.ReturnItemCollectionMetrics); err != nil {
		return nil, err
	}
	if rv == "ALL_OLD" {
		out.Attributes = itemToWire(old)
	}
	return out, nil
}
