package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDynamoDBConsumedCapacityIndexes(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	s := types.ScalarAttributeTypeS
	if _, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String("cap"),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: s},
			{AttributeName: aws.String("g"), AttributeType: s},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("byG"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	}); err != nil {
		t.Fatal(err)
	}
	item := map[string]types.AttributeValue{
		"pk":   &types.AttributeValueMemberS{Value: "a"},
		"g":    &types.AttributeValueMemberS{Value: "x"},
		"data": &types.AttributeValueMemberS{Value: strings.Repeat("d", 1500)}, // two write units
	}
	out, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("cap"), Item: item, ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
	if err != nil {
		t.Fatal(err)
	}
	cc := out.ConsumedCapacity
	if cc == nil || aws.ToFloat64(cc.Table.CapacityUnits) != 2 || aws.ToFloat64(cc.GlobalSecondaryIndexes["byG"].CapacityUnits) != 2 || aws.ToFloat64(cc.CapacityUnits) != 4 {
		t.Fatalf("PutItem INDEXES capacity = %+v", cc)
	}
	out, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("cap"), Item: item, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		t.Fatal(err)
	}
	if cc := out.ConsumedCapacity; aws.ToFloat64(cc.CapacityUnits) != 4 || cc.Table != nil || cc.GlobalSecondaryIndexes != nil {
		t.Errorf("PutItem TOTAL capacity = %+v", cc)
	}
	q, err := c.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String("cap"), IndexName: aws.String("byG"),
		KeyConditionExpression:    aws.String("g = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": &types.AttributeValueMemberS{Value: "x"}},
		ReturnConsumedCapacity:    types.ReturnConsumedCapacityIndexes,
	})
	if err != nil {
		t.Fatal(err)
	}
	if cc := q.ConsumedCapacity; aws.ToFloat64(cc.Table.CapacityUnits) != 0 || aws.ToFloat64(cc.GlobalSecondaryIndexes["byG"].CapacityUnits) != 0.5 {
		t.Errorf("Query of a GSI capacity = %+v, table %+v, gsis %+v", cc, cc.Table, cc.GlobalSecondaryIndexes)
	}
}

// BatchGetItem charges each key as its own GetItem: each item's size
// rounded up to 4 KB, so small items add up to one unit apiece, and half
// that for eventually consistent reads.
func TestDynamoDBConsumedCapacityBatchGetPerItem(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "strong", false)
	createSimpleTable(t, c, "eventual", false)
	var strong, eventual []map[string]types.AttributeValue
	for i := range 5 {
		key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: strings.Repeat("k", i+1)}}
		for _, table := range []string{"strong", "eventual"} {
			if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: key}); err != nil {
				t.Fatal(err)
			}
		}
		strong = append(strong, key)
		if i < 3 {
			eventual = append(eventual, key)
		}
	}
	out, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"strong":   {Keys: strong, ConsistentRead: aws.Bool(true)},
		"eventual": {Keys: eventual},
	}, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"strong": 5, "eventual": 1.5}
	if len(out.ConsumedCapacity) != len(want) {
		t.Fatalf("ConsumedCapacity = %+v", out.ConsumedCapacity)
	}
	for _, cc := range out.ConsumedCapacity {
		if got := aws.ToFloat64(cc.CapacityUnits); got != want[aws.ToString(cc.TableName)] {
			t.Errorf("%s: %v capacity units, want %v", aws.ToString(cc.TableName), got, want[aws.ToString(cc.TableName)])
		}
	}
}
