package e2e

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// createIndexedTable makes a table with a range key, a GSI on g and an
// LSI on l.
func createIndexedTable(t *testing.T, c *dynamodb.Client, name string) {
	t.Helper()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("l"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("byG"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName: aws.String("byL"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("l"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
	})
	mustOK(t, "CreateTable "+name, err)
}

func putRow(t *testing.T, c *dynamodb.Client, table string, sk int, v string) {
	t.Helper()
	_, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "p"},
		"sk": &types.AttributeValueMemberN{Value: fmt.Sprint(sk)},
		"g":  &types.AttributeValueMemberS{Value: "g"},
		"l":  &types.AttributeValueMemberS{Value: fmt.Sprintf("l%03d", sk)},
		"v":  &types.AttributeValueMemberS{Value: v},
	}})
	mustOK(t, "PutItem", err)
}

func deleteRow(t *testing.T, c *dynamodb.Client, table string, sk int) {
	t.Helper()
	_, err := c.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "p"},
		"sk": &types.AttributeValueMemberN{Value: fmt.Sprint(sk)},
	}})
	mustOK(t, "DeleteItem", err)
}

// rows are a table's items as "sk=v", sorted; through the table, the GSI
// and the LSI, which must agree.
func rows(t *testing.T, c *dynamodb.Client, table string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	scan, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	mustOK(t, "Scan "+table, err)
	for _, it := range scan.Items {
		out = append(out, it["sk"].(*types.AttributeValueMemberN).Value+"="+it["v"].(*types.AttributeValueMemberS).Value)
	}
	sort.Strings(out)
	g, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String("byG"),
		KeyConditionExpression:    aws.String("g = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": &types.AttributeValueMemberS{Value: "g"}}})
	mustOK(t, "Query GSI "+table, err)
	l, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String("byL"),
		KeyConditionExpression:    aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "p"}}})
	mustOK(t, "Query LSI "+table, err)
	if len(g.Items) != len(out) || len(l.Items) != len(out) {
		t.Errorf("%s: %d items, %d in the GSI, %d in the LSI", table, len(out), len(g.Items), len(l.Items))
	}
	return out
}

func TestDynamoDBBackups(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createIndexedTable(t, c, "src")
	for i := 1; i <= 3; i++ {
		putRow(t, c, "src", i, "a")
	}

	cb, err := c.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String("src"), BackupName: aws.String("first")})
	mustOK(t, "CreateBackup", err)
	d := cb.BackupDetails
	arn := aws.ToString(d.BackupArn)
	if !regexp.MustCompile(`^arn:aws:dynamodb:us-east-1:000000000000:table/src/backup/\d{14}-[0-9a-f]{8}$`).MatchString(arn) ||
		d.BackupStatus != types.BackupStatusCreating || d.BackupType != types.BackupTypeUser ||
		aws.ToString(d.BackupName) != "first" || aws.ToInt64(d.BackupSizeBytes) <= 0 {
		t.Errorf("CreateBackup = %s %+v", arn, d)
	}
	// Changes after the backup are not in it.
	putRow(t, c, "src", 4, "b")
	deleteRow(t, c, "src", 1)

	desc, err := c.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(arn)})
	mustOK(t, "DescribeBackup", err)
	bd := desc.BackupDescription
	if bd.BackupDetails.BackupStatus != types.BackupStatusAvailable || aws.ToInt64(bd.SourceTableDetails.ItemCount) != 3 ||
		aws.ToString(bd.SourceTableDetails.TableName) != "src" || len(bd.SourceTableFeatureDetails.GlobalSecondaryIndexes) != 1 ||
		len(bd.SourceTableFeatureDetails.LocalSecondaryIndexes) != 1 {
		t.Errorf("DescribeBackup = %+v %+v %+v", bd.BackupDetails, bd.SourceTableDetails, bd.SourceTableFeatureDetails)
	}

	rt, err := c.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{TargetTableName: aws.String("restored"), BackupArn: aws.String(arn)})
	mustOK(t, "RestoreTableFromBackup", err)
	if rs := rt.TableDescription.RestoreSummary; rs == nil || aws.ToString(rs.SourceBackupArn) != arn || !aws.ToBool(rs.RestoreInProgress) {
		t.Errorf("RestoreTableFromBackup summary = %+v", rs)
	}
	dt, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("restored")})
	mustOK(t, "DescribeTable", err)
	if dt.Table.TableStatus != types.TableStatusActive || dt.Table.RestoreSummary == nil || aws.ToBool(dt.Table.RestoreSummary.RestoreInProgress) ||
		aws.ToString(dt.Table.RestoreSummary.SourceTableArn) != "arn:aws:dynamodb:us-east-1:000000000000:table/src" ||
		len(dt.Table.GlobalSecondaryIndexes) != 1 || len(dt.Table.LocalSecondaryIndexes) != 1 {
		t.Errorf("restored table = %+v", dt.Table)
	}
	if got, want := fmt.Sprint(rows(t, c, "restored")), "[1=a 2=a 3=a]"; got != want {
		t.Errorf("restored rows = %s, want %s", got, want)
	}

	// Overrides: provisioned billing, and without the GSI.
	_, err = c.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{
		TargetTableName: aws.String("restored2"), BackupArn: aws.String(arn),
		BillingModeOverride:           types.BillingModeProvisioned,
		ProvisionedThroughputOverride: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(3), WriteCapacityUnits: aws.Int64(4)},
		GlobalSecondaryIndexOverride:  []types.GlobalSecondaryIndex{},
	})
	mustOK(t, "RestoreTableFromBackup with overrides", err)
	dt, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("restored2")})
	mustOK(t, "DescribeTable", err)
	if dt.Table.BillingModeSummary != nil || aws.ToInt64(dt.Table.ProvisionedThroughput.ReadCapacityUnits) != 3 || len(dt.Table.GlobalSecondaryIndexes) != 0 {
		t.Errorf("restored with overrides = %+v", dt.Table)
	}

	_, err = c.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{TargetTableName: aws.String("src"), BackupArn: aws.String(arn)})
	wantDDBError(t, "restore onto an existing table", err, "TableAlreadyExistsException", "Table already exists: src")

	// ListBackups: by table, type, time range, and in pages.
	cb2, err := c.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String("src"), BackupName: aws.String("second")})
	mustOK(t, "CreateBackup", err)
	createSimpleTable(t, c, "other", false)
	_, err = c.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String("other"), BackupName: aws.String("third")})
	mustOK(t, "CreateBackup", err)
	list := func(in *dynamodb.ListBackupsInput) ([]string, *string) {
		t.Helper()
		out, err := c.ListBackups(ctx, in)
		mustOK(t, "ListBackups", err)
		var names []string
		for _, s := range out.BackupSummaries {
			names = append(names, aws.ToString(s.BackupName))
		}
		sort.Strings(names)
		return names, out.LastEvaluatedBackupArn
	}
	if got, _ := list(&dynamodb.ListBackupsInput{}); fmt.Sprint(got) != "[first second third]" {
		t.Errorf("ListBackups = %v", got)
	}
	if got, _ := list(&dynamodb.ListBackupsInput{TableName: aws.String("src")}); fmt.Sprint(got) != "[first second]" {
		t.Errorf("ListBackups of src = %v", got)
	}
	if got, _ := list(&dynamodb.ListBackupsInput{BackupType: types.BackupTypeFilterSystem}); len(got) != 0 {
		t.Errorf("ListBackups SYSTEM = %v", got)
	}
	if got, _ := list(&dynamodb.ListBackupsInput{TimeRangeUpperBound: aws.Time(time.Now().Add(-time.Hour))}); len(got) != 0 {
		t.Errorf("ListBackups before an hour ago = %v", got)
	}
	var all []string
	var start *string
	for pages := 0; ; pages++ {
		got, next := list(&dynamodb.ListBackupsInput{Limit: aws.Int32(1), ExclusiveStartBackupArn: start})
		all = append(all, got...)
		if next == nil || pages > 5 {
			break
		}
		start = next
	}
	sort.Strings(all)
	if fmt.Sprint(all) != "[first second third]" {
		t.Errorf("ListBackups in pages of 1 = %v", all)
	}

	del, err := c.DeleteBackup(ctx, &dynamodb.DeleteBackupInput{BackupArn: cb2.BackupDetails.BackupArn})
	mustOK(t, "DeleteBackup", err)
	if del.BackupDescription.BackupDetails.BackupStatus != types.BackupStatusDeleted {
		t.Errorf("DeleteBackup status = %s", del.BackupDescription.BackupDetails.BackupStatus)
	}
	missing := aws.ToString(cb2.BackupDetails.BackupArn)
	_, err = c.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(missing)})
	wantDDBError(t, "DescribeBackup of a deleted backup", err, "BackupNotFoundException", "Backup not found for the given BackupARN.")
	_, err = c.DeleteBackup(ctx, &dynamodb.DeleteBackupInput{BackupArn: aws.String(missing)})
	wantDDBError(t, "DeleteBackup of a deleted backup", err, "BackupNotFoundException", "Backup not found for the given BackupARN.")
	_, err = c.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{TargetTableName: aws.String("xx1"), BackupArn: aws.String(missing)})
	wantDDBError(t, "restore from a deleted backup", err, "BackupNotFoundException", "Backup not found for the given BackupARN.")
	_, err = c.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String("missing"), BackupName: aws.String("bkp")})
	wantDDBError(t, "CreateBackup of a missing table", err, "TableNotFoundException", "Table not found: missing")

	// A backup outlives its table.
	_, err = c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("src")})
	mustOK(t, "DeleteTable", err)
	_, err = c.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{TargetTableName: aws.String("src"), BackupArn: aws.String(arn)})
	mustOK(t, "RestoreTableFromBackup after DeleteTable", err)
	if got := fmt.Sprint(rows(t, c, "src")); got != "[1=a 2=a 3=a]" {
		t.Errorf("rows restored over the deleted table = %s", got)
	}
}

// TestDynamoDBBackupSurvivesRestart: a backup is in the store once
// CreateBackup returns.
func TestDynamoDBBackupSurvivesRestart(t *testing.T) {
	t.Parallel()
	onDisk := onDisk(t)
	env := Start(t, onDisk)
	c := ddbClient(env)
	ctx := context.Background()
	createIndexedTable(t, c, "src")
	putRow(t, c, "src", 1, "a")
	putRow(t, c, "src", 2, "a")
	cb, err := c.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String("src"), BackupName: aws.String("kept")})
	mustOK(t, "CreateBackup", err)
	env.Stop(t)

	env = Start(t, onDisk)
	c = ddbClient(env)
	_, err = c.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{TargetTableName: aws.String("back"), BackupArn: cb.BackupDetails.BackupArn})
	mustOK(t, "RestoreTableFromBackup after a restart", err)
	if got := fmt.Sprint(rows(t, c, "back")); got != "[1=a 2=a]" {
		t.Errorf("rows restored after a restart = %s", got)
	}
}

// TestDynamoDBRestoreToPointInTime walks a fake clock through a table's
// history and restores it as it was at chosen seconds.
func TestDynamoDBRestoreToPointInTime(t *testing.T) {
	t.Parallel()
	env := Start(t, WithFakeClock())
	// Restore times travel in milliseconds: keep the clock on them.
	env.Clock.Set(env.Clock.Now().Truncate(time.Second))
	c := ddbClient(env)
	ctx := context.Background()
	createIndexedTable(t, c, "hist")
	putRow(t, c, "hist", 1, "before") // before recovery was turned on

	restore := func(target string, at *time.Time) error {
		in := &dynamodb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("hist"), TargetTableName: aws.String(target)}
		if at == nil {
			in.UseLatestRestorableTime = aws.Bool(true)
		} else {
			in.RestoreDateTime = at
		}
		_, err := c.RestoreTableToPointInTime(ctx, in)
		return err
	}
	err := restore("xx0", nil)
	wantDDBError(t, "restore without recovery", err, "PointInTimeRecoveryUnavailableException", "Point in time recovery has not yet been enabled for this source table.")

	_, err = c.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("hist"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
	mustOK(t, "UpdateContinuousBackups", err)
	t0 := env.Clock.Now()

	env.Clock.Advance(time.Minute)
	putRow(t, c, "hist", 2, "v1")
	putRow(t, c, "hist", 1, "changed")
	t1 := env.Clock.Now()
	env.Clock.Advance(time.Minute)
	putRow(t, c, "hist", 2, "v2")
	deleteRow(t, c, "hist", 1)
	t2 := env.Clock.Now()
	env.Clock.Advance(time.Minute)
	putRow(t, c, "hist", 3, "v1")
	env.Clock.Advance(10 * time.Minute)

	cases := []struct {
		target string
		at     time.Time
		want   string
	}{
		{"at0", t0, "[1=before]"},
		{"at1", t1, "[1=changed 2=v1]"},
		{"at1b", t1.Add(30 * time.Second), "[1=changed 2=v1]"},
		{"at2", t2, "[2=v2]"},
	}
	for _, tc := range cases {
		at := tc.at
		mustOK(t, "RestoreTableToPointInTime "+tc.target, restore(tc.target, &at))
		if got := fmt.Sprint(rows(t, c, tc.target)); got != tc.want {
			t.Errorf("%s: rows = %s, want %s", tc.target, got, tc.want)
		}
	}
	mustOK(t, "RestoreTableToPointInTime latest", restore("latest", nil))
	if got := fmt.Sprint(rows(t, c, "latest")); got != "[2=v2 3=v1]" {
		t.Errorf("latest: rows = %s", got)
	}
	dt, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("at1")})
	mustOK(t, "DescribeTable", err)
	if rs := dt.Table.RestoreSummary; rs == nil || !rs.RestoreDateTime.Equal(t1) || rs.SourceBackupArn != nil {
		t.Errorf("RestoreSummary = %+v", rs)
	}

	future := env.Clock.Now()
	err = restore("xx1", &future)
	wantDDBError(t, "restore after the latest restorable time", err, "InvalidRestoreTimeException", "An invalid restore time was specified. RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime.")
	early := t0.Add(-time.Second)
	err = restore("xx2", &early)
	wantDDBError(t, "restore before recovery was on", err, "InvalidRestoreTimeException", "An invalid restore time was specified. RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime.")
	err = restore("at0", nil)
	wantDDBError(t, "restore onto an existing table", err, "TableAlreadyExistsException", "Table already exists: at0")

	// Past the recovery period, the window moves.
	env.Clock.Advance(36 * 24 * time.Hour)
	out, err := c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("hist")})
	mustOK(t, "DescribeContinuousBackups", err)
	p := out.ContinuousBackupsDescription.PointInTimeRecoveryDescription
	if want := env.Clock.Now().Add(-35 * 24 * time.Hour); !p.EarliestRestorableDateTime.Equal(want) ||
		!p.LatestRestorableDateTime.Equal(env.Clock.Now().Add(-5*time.Minute)) {
		t.Errorf("window after 36 days = %v .. %v", p.EarliestRestorableDateTime, p.LatestRestorableDateTime)
	}
	mustOK(t, "RestoreTableToPointInTime after 36 days", restore("late", p.EarliestRestorableDateTime))
	if got := fmt.Sprint(rows(t, c, "late")); got != "[2=v2 3=v1]" {
		t.Errorf("late: rows = %s", got)
	}

	// Turning recovery off drops the history; on again, the window starts anew.
	for _, on := range []bool{false, true} {
		_, err = c.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("hist"),
			PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(on)}})
		mustOK(t, "UpdateContinuousBackups", err)
	}
	out, err = c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("hist")})
	mustOK(t, "DescribeContinuousBackups", err)
	if p := out.ContinuousBackupsDescription.PointInTimeRecoveryDescription; !p.EarliestRestorableDateTime.Equal(env.Clock.Now()) {
		t.Errorf("earliest after re-enabling = %v, want now", p.EarliestRestorableDateTime)
	}

	// A shorter recovery period moves the earliest restorable time.
	env.Clock.Advance(3 * 24 * time.Hour)
	up, err := c.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("hist"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true), RecoveryPeriodInDays: aws.Int32(1)}})
	mustOK(t, "UpdateContinuousBackups RecoveryPeriodInDays", err)
	if p := up.ContinuousBackupsDescription.PointInTimeRecoveryDescription; aws.ToInt32(p.RecoveryPeriodInDays) != 1 ||
		!p.EarliestRestorableDateTime.Equal(env.Clock.Now().Add(-24*time.Hour)) {
		t.Errorf("with a 1-day period: %d days from %v", aws.ToInt32(p.RecoveryPeriodInDays), p.EarliestRestorableDateTime)
	}
	_, err = c.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("hist"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true), RecoveryPeriodInDays: aws.Int32(36)}})
	wantDDBErrorContains(t, "RecoveryPeriodInDays 36", err, "ValidationException", "recoveryPeriodInDays")

	// Deleting a table with recovery on keeps a SYSTEM backup of it.
	putRow(t, c, "hist", 9, "last")
	_, err = c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("hist")})
	mustOK(t, "DeleteTable", err)
	lb, err := c.ListBackups(ctx, &dynamodb.ListBackupsInput{BackupType: types.BackupTypeFilterSystem})
	mustOK(t, "ListBackups SYSTEM", err)
	if len(lb.BackupSummaries) != 1 || aws.ToString(lb.BackupSummaries[0].BackupName) != "hist$DeletedTableBackup" ||
		lb.BackupSummaries[0].BackupType != types.BackupTypeSystem ||
		!lb.BackupSummaries[0].BackupExpiryDateTime.Equal(env.Clock.Now().Add(35*24*time.Hour)) {
		t.Fatalf("SYSTEM backups = %+v", lb.BackupSummaries)
	}
	if user, err := c.ListBackups(ctx, &dynamodb.ListBackupsInput{}); err != nil || len(user.BackupSummaries) != 0 {
		t.Errorf("USER backups = %+v, %v", user, err)
	}
	_, err = c.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{TargetTableName: aws.String("undeleted"), BackupArn: lb.BackupSummaries[0].BackupArn})
	mustOK(t, "RestoreTableFromBackup of the SYSTEM backup", err)
	if got := fmt.Sprint(rows(t, c, "undeleted")); got != "[2=v2 3=v1 9=last]" {
		t.Errorf("undeleted: rows = %s", got)
	}
}
