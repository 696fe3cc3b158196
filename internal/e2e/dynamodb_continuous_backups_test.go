package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestDynamoDBContinuousBackups turns point-in-time recovery on and off
// and reads the setting back, as DynamoDB reports it.
func TestDynamoDBContinuousBackups(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "pitr", false)

	describe := func() *types.ContinuousBackupsDescription {
		t.Helper()
		out, err := c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("pitr")})
		mustOK(t, "DescribeContinuousBackups", err)
		return out.ContinuousBackupsDescription
	}
	d := describe()
	if d.ContinuousBackupsStatus != types.ContinuousBackupsStatusEnabled ||
		d.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusDisabled ||
		d.PointInTimeRecoveryDescription.EarliestRestorableDateTime != nil {
		t.Errorf("a new table's backups = %+v, %+v", d, d.PointInTimeRecoveryDescription)
	}

	update := func(on bool) *types.ContinuousBackupsDescription {
		t.Helper()
		out, err := c.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
			TableName:                        aws.String("pitr"),
			PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(on)},
		})
		mustOK(t, "UpdateContinuousBackups", err)
		return out.ContinuousBackupsDescription
	}
	on := update(true).PointInTimeRecoveryDescription
	if on.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled || on.EarliestRestorableDateTime == nil ||
		on.LatestRestorableDateTime == nil || on.LatestRestorableDateTime.Before(*on.EarliestRestorableDateTime) {
		t.Errorf("after enabling: %+v", on)
	}
	if again := describe().PointInTimeRecoveryDescription; again.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled ||
		!again.EarliestRestorableDateTime.Equal(*on.EarliestRestorableDateTime) {
		t.Errorf("described after enabling: %+v", again)
	}
	if off := update(false).PointInTimeRecoveryDescription; off.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusDisabled {
		t.Errorf("after disabling: %+v", off)
	}

	_, err := c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("missing")})
	wantDDBError(t, "DescribeContinuousBackups of a missing table", err, "TableNotFoundException", "Table not found: missing")
	_, err = c.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
		TableName:                        aws.String("missing"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)},
	})
	wantDDBError(t, "UpdateContinuousBackups of a missing table", err, "TableNotFoundException", "Table not found: missing")
}
