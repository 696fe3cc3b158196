package dynamodb

import (
	"context"

	"github.com/virga/virga/internal/dynamodb/attr"
)

func (s *Service) getItem(ctx context.Context, in *GetItemInput) (*GetItemOutput, error) {
	if err := requestStyle(
		[]styleParam{{"ProjectionExpression", in.ProjectionExpression != nil}},
		[]styleParam{{"AttributesToGet", in.AttributesToGet != nil}},
		in.ExpressionAttributeNames, nil,
	); err != nil {
		return nil, err
	}
	key, err := decodeRequestItem(in.Key)
	if err != nil {
		return nil, err
	}
	x, err := newExprContext(in.ExpressionAttributeNames, nil)
	if err != nil {
		return nil, err
	}
	proj, err := s.projectionOf(x, in.ProjectionExpression, in.AttributesToGet)
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
	if proj != nil {
		if err := checkScalarKeyPaths(t, proj.Paths()); err != nil {
			return nil, err
		}
	}
	it, err := s.readItem(s.store, itemKey(t, key))
	if err != nil {
		return nil, err
	}
	out := &GetItemOutput{ConsumedCapacity: consumed(t, in.ReturnConsumedCapacity, readUnits(attr.ItemSize(it), deref(in.ConsistentRead)), false)}
	if it != nil {
		if proj != nil {
			it = proj.Project(it)
		}
		out.Item = itemToWire(it)
	}
	return out, nil
}
