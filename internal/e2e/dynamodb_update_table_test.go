package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDynamoDBUpdateTableGSIBackfillAndDelete(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "people", false)
	for i := 0; i < 10; i++ {
		item := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: fmt.Sprintf("p%d", i)}}
		if i%2 == 0 { // only even items carry the new index's key: a sparse index
			item["city"] = &types.AttributeValueMemberS{Value: "oslo"}
		}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("people"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{
		TableName:            aws.String("people"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("city"), AttributeType: types.ScalarAttributeTypeS}},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName:  aws.String("byCity"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("city"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.TableDescription.TableStatus != types.TableStatusUpdating {
		t.Errorf("UpdateTable status = %s", out.TableDescription.TableStatus)
	}
	// The new index is CREATING and, allocating its resources, not yet
	// backfilling.
	if g := out.TableDescription.GlobalSecondaryIndexes; len(g) != 1 || g[0].IndexStatus != types.IndexStatusCreating || g[0].Backfilling == nil || *g[0].Backfilling {
		t.Errorf("UpdateTable's new index = %+v", g)
	}
	q, err := c.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String("people"), IndexName: aws.String("byCity"),
		KeyConditionExpression:    aws.String("city = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: "oslo"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if q.Count != 5 {
		t.Errorf("backfilled index holds %d items, want 5", q.Count)
	}
	desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("people")})
	if err != nil {
		t.Fatal(err)
	}
	if g := desc.Table.GlobalSecondaryIndexes; len(g) != 1 || g[0].IndexStatus != types.IndexStatusActive || aws.ToInt64(g[0].ItemCount) != 5 {
		t.Errorf("index after backfill = %+v", g)
	}

	if _, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{
		TableName:                   aws.String("people"),
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("byCity")}}},
	}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String("people"), IndexName: aws.String("byCity"),
		KeyConditionExpression:    aws.String("city = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: "oslo"}},
	})
	if code, msg := apiCode(t, err); code != "ValidationException" || msg != "The table does not have the specified index: byCity" {
		t.Errorf("query of a deleted index: %s: %s", code, msg)
	}
	desc, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("people")})
	if err != nil {
		t.Fatal(err)
	}
	if len(desc.Table.AttributeDefinitions) != 1 {
		t.Errorf("attribute definitions after dropping the index: %+v", desc.Table.AttributeDefinitions)
	}
}

func TestDynamoDBUpdateTableBillingAndStream(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "events", false)
	out, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{
		TableName:             aws.String("events"),
		BillingMode:           types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(7), WriteCapacityUnits: aws.Int64(3)},
		StreamSpecification:   &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := out.TableDescription
	// The summary stays, naming when the table was last on demand.
	if b := d.BillingModeSummary; aws.ToInt64(d.ProvisionedThroughput.ReadCapacityUnits) != 7 || b == nil || b.BillingMode != types.BillingModeProvisioned {
		t.Errorf("after switching to provisioned: %+v %+v", d.ProvisionedThroughput, d.BillingModeSummary)
	}
	if d.LatestStreamArn == nil || d.StreamSpecification == nil {
		t.Errorf("stream not enabled: %+v", d.StreamSpecification)
	}
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{
		TableName:           aws.String("events"),
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage},
	})
	if code, _ := apiCode(t, err); code != "ValidationException" {
		t.Errorf("enabling an enabled stream: %s", code)
	}
	out, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{
		TableName:           aws.String("events"),
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.TableDescription.StreamSpecification != nil {
		t.Errorf("stream still enabled: %+v", out.TableDescription.StreamSpecification)
	}
	// The disabled stream stays readable, and the table still names it.
	if got := aws.ToString(out.TableDescription.LatestStreamArn); got != aws.ToString(d.LatestStreamArn) {
		t.Errorf("LatestStreamArn after disabling = %q, want %q", got, aws.ToString(d.LatestStreamArn))
	}
}
