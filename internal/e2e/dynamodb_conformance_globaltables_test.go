package e2e

// The legacy (2017.11.29) global table operations, as DynamoDB answers
// them now that no such global table can be created, the replica auto
// scaling of a table without replicas, and UpdateTable's refusal to add a
// replica in the table's own region.

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDynamoDBConformanceLegacyGlobalTables(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "regional", false)

	_, err := c.CreateGlobalTable(ctx, &dynamodb.CreateGlobalTableInput{
		GlobalTableName: aws.String("regional"), ReplicationGroup: []types.Replica{{RegionName: aws.String("us-west-2")}},
	})
	wantDDBError(t, "CreateGlobalTable", err, "ValidationException",
		"DynamoDB global tables version 2017.11.29 is not supported. We recommend using DynamoDB global tables version 2019.11.21, instead of version 2017.11.29 (Legacy).")

	const notFound = "Global table with name 'regional' does not exist."
	_, err = c.DescribeGlobalTable(ctx, &dynamodb.DescribeGlobalTableInput{GlobalTableName: aws.String("regional")})
	wantDDBError(t, "DescribeGlobalTable", err, "GlobalTableNotFoundException", notFound)
	_, err = c.DescribeGlobalTableSettings(ctx, &dynamodb.DescribeGlobalTableSettingsInput{GlobalTableName: aws.String("regional")})
	wantDDBError(t, "DescribeGlobalTableSettings", err, "GlobalTableNotFoundException", notFound)
	_, err = c.UpdateGlobalTable(ctx, &dynamodb.UpdateGlobalTableInput{
		GlobalTableName: aws.String("regional"), ReplicaUpdates: []types.ReplicaUpdate{{Create: &types.CreateReplicaAction{RegionName: aws.String("us-east-2")}}},
	})
	wantDDBError(t, "UpdateGlobalTable", err, "GlobalTableNotFoundException", notFound)
	_, err = c.UpdateGlobalTableSettings(ctx, &dynamodb.UpdateGlobalTableSettingsInput{
		GlobalTableName: aws.String("regional"), GlobalTableBillingMode: types.BillingModePayPerRequest,
	})
	wantDDBError(t, "UpdateGlobalTableSettings", err, "GlobalTableNotFoundException", notFound)

	list, err := c.ListGlobalTables(ctx, &dynamodb.ListGlobalTablesInput{})
	mustOK(t, "ListGlobalTables", err)
	if len(list.GlobalTables) != 0 {
		t.Errorf("ListGlobalTables = %+v, want none", list.GlobalTables)
	}

	// A table without replicas has no replicas' auto scaling.
	ras, err := c.DescribeTableReplicaAutoScaling(ctx, &dynamodb.DescribeTableReplicaAutoScalingInput{TableName: aws.String("regional")})
	mustOK(t, "DescribeTableReplicaAutoScaling", err)
	if d := ras.TableAutoScalingDescription; d == nil || aws.ToString(d.TableName) != "regional" || d.TableStatus != types.TableStatusActive ||
		d.Replicas == nil || len(d.Replicas) != 0 {
		t.Errorf("DescribeTableReplicaAutoScaling = %+v", ras.TableAutoScalingDescription)
	}
	_, err = c.DescribeTableReplicaAutoScaling(ctx, &dynamodb.DescribeTableReplicaAutoScalingInput{TableName: aws.String("nowhere")})
	wantDDBError(t, "DescribeTableReplicaAutoScaling of no table", err, "ResourceNotFoundException", "Requested resource not found: Table: nowhere not found")

	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{
		TableName: aws.String("regional"), ReplicaUpdates: []types.ReplicationGroupUpdate{{Create: &types.CreateReplicationGroupMemberAction{RegionName: aws.String("us-east-1")}}},
	})
	wantDDBError(t, "UpdateTable adding a replica in the table's own region", err, "ValidationException",
		"Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or UpdateTable as required.")
}
