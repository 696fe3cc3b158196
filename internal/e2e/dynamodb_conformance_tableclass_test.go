package e2e

// A table's class and its warm throughput, as CreateTable, UpdateTable
// and DescribeTable report them.

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDynamoDBConformanceTableClass(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	create := func(name string, class types.TableClass) (*dynamodb.CreateTableOutput, error) {
		return c.CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName: aws.String(name), BillingMode: types.BillingModePayPerRequest,
			KeySchema: keySchema("p", ""), AttributeDefinitions: []types.AttributeDefinition{attrDefS("p")},
			TableClass: class,
		})
	}
	summary := func(name string) *types.TableClassSummary {
		t.Helper()
		d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		mustOK(t, "DescribeTable "+name, err)
		return d.Table.TableClassSummary
	}

	_, err := create("implicit", "")
	mustOK(t, "CreateTable without a class", err)
	if s := summary("implicit"); s != nil {
		t.Errorf("a table created without a class has TableClassSummary %+v, want none", s)
	}
	_, err = create("explicit", types.TableClassStandard)
	mustOK(t, "CreateTable with STANDARD", err)
	if s := summary("explicit"); s == nil || s.TableClass != types.TableClassStandard || s.LastUpdateDateTime != nil {
		t.Errorf("a table created with STANDARD has TableClassSummary %+v, want STANDARD without LastUpdateDateTime", s)
	}

	const badClass = "Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS]"
	for _, class := range []types.TableClass{"standard", "junk"} {
		_, err = create("bad", class)
		wantDDBError(t, "CreateTable with class "+string(class), err, "ValidationException", badClass)
	}
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("explicit"), TableClass: "junk"})
	wantDDBError(t, "UpdateTable to an unknown class", err, "ValidationException", badClass)

	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("explicit"), TableClass: types.TableClassStandardInfrequentAccess})
	mustOK(t, "UpdateTable to STANDARD_INFREQUENT_ACCESS", err)
	if s := summary("explicit"); s == nil || s.TableClass != types.TableClassStandardInfrequentAccess || s.LastUpdateDateTime == nil {
		t.Errorf("after UpdateTable, TableClassSummary = %+v, want STANDARD_INFREQUENT_ACCESS with LastUpdateDateTime", s)
	}
}

func TestDynamoDBConformanceWarmThroughput(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	warm := func(name string) string {
		t.Helper()
		d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		mustOK(t, "DescribeTable "+name, err)
		w := d.Table.WarmThroughput
		if w == nil {
			return "none"
		}
		return fmt.Sprintf("%s read %d write %d", w.Status, aws.ToInt64(w.ReadUnitsPerSecond), aws.ToInt64(w.WriteUnitsPerSecond))
	}

	createSimpleTable(t, c, "plain", false)
	if got := warm("plain"); got != "ACTIVE read 12000 write 4000" {
		t.Errorf("a new table's warm throughput = %s, want the baseline", got)
	}
	out, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("warm"), BillingMode: types.BillingModePayPerRequest,
		KeySchema: keySchema("p", ""), AttributeDefinitions: []types.AttributeDefinition{attrDefS("p")},
		WarmThroughput: &types.WarmThroughput{ReadUnitsPerSecond: aws.Int64(13000)},
	})
	mustOK(t, "CreateTable with a warm throughput", err)
	if w := out.TableDescription.WarmThroughput; w == nil || aws.ToInt64(w.ReadUnitsPerSecond) != 13000 || aws.ToInt64(w.WriteUnitsPerSecond) != 4000 {
		t.Errorf("CreateTable's WarmThroughput = %+v, want 13000 and the write baseline", w)
	}

	// UpdateTable may carry nothing else, and may only raise the values.
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("warm"), WarmThroughput: &types.WarmThroughput{WriteUnitsPerSecond: aws.Int64(5000)}})
	mustOK(t, "UpdateTable raising the write units", err)
	if got := warm("warm"); got != "ACTIVE read 13000 write 5000" {
		t.Errorf("after UpdateTable, warm throughput = %s", got)
	}
	cases := []struct {
		what string
		in   types.WarmThroughput
		msg  string
	}{
		{"lowering the read units", types.WarmThroughput{ReadUnitsPerSecond: aws.Int64(12500)},
			"One or more parameter values were invalid: Requested ReadUnitsPerSecond for WarmThroughput for table is lower than current WarmThroughput value: 13000"},
		{"write units below the baseline", types.WarmThroughput{WriteUnitsPerSecond: aws.Int64(3999)},
			"One or more parameter values were invalid: Requested WriteUnitsPerSecond for WarmThroughput for table is lower than the minimum allowed value: 4000"},
	}
	for _, tc := range cases {
		_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("warm"), WarmThroughput: &tc.in})
		wantDDBError(t, tc.what, err, "ValidationException", tc.msg)
	}
}
