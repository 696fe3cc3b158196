package e2e

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

func ddbClient(env *Env) *dynamodb.Client { return dynamodb.NewFromConfig(env.Config) }

// apiCode returns the AWS error code and message of err.
func apiCode(t *testing.T, err error) (string, string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an AWS API error, got %v", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

func createSimpleTable(t *testing.T, c *dynamodb.Client, name string, withRange bool) *types.TableDescription {
	t.Helper()
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	}
	if withRange {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange})
	}
	out, err := c.CreateTable(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateTable %s: %v", name, err)
	}
	return out.TableDescription
}

func TestDynamoDBTableLifecycle(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()

	d := createSimpleTable(t, c, "orders", true)
	if d.TableStatus != types.TableStatusCreating {
		t.Errorf("CreateTable status = %s, want CREATING", d.TableStatus)
	}
	if got := aws.ToString(d.TableArn); got != "arn:aws:dynamodb:us-east-1:000000000000:table/orders" {
		t.Errorf("TableArn = %s", got)
	}
	if d.BillingModeSummary == nil || d.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("BillingModeSummary = %+v", d.BillingModeSummary)
	}
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = time.Millisecond })
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")}, 10*time.Second); err != nil {
		t.Fatalf("waiting for ACTIVE: %v", err)
	}
	desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if desc.Table.TableStatus != types.TableStatusActive || aws.ToInt64(desc.Table.ItemCount) != 0 {
		t.Errorf("DescribeTable = %s, %d items", desc.Table.TableStatus, aws.ToInt64(desc.Table.ItemCount))
	}
	if len(desc.Table.KeySchema) != 2 || aws.ToString(desc.Table.KeySchema[1].AttributeName) != "sk" {
		t.Errorf("KeySchema = %+v", desc.Table.KeySchema)
	}

	_, err = c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("orders"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	})
	if code, msg := apiCode(t, err); code != "ResourceInUseException" || msg != "Table already exists: orders" {
		t.Errorf("second CreateTable: %s: %s", code, msg)
	}

	del, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if del.TableDescription.TableStatus != types.TableStatusDeleting {
		t.Errorf("DeleteTable status = %s", del.TableDescription.TableStatus)
	}
	// DeleteTable describes the table without its schema, as DynamoDB does.
	if dd := del.TableDescription; dd.KeySchema != nil || dd.AttributeDefinitions != nil || dd.CreationDateTime != nil ||
		aws.ToString(dd.TableName) != "orders" || dd.TableArn == nil || dd.TableId == nil {
		t.Errorf("DeleteTable description = %+v", dd)
	}
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
	if code, msg := apiCode(t, err); code != "ResourceNotFoundException" || msg != "Requested resource not found: Table: orders not found" {
		t.Errorf("DescribeTable after delete: %s: %s", code, msg)
	}
}

func TestDynamoDBListTablesPagination(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	for i := 0; i < 7; i++ {
		createSimpleTable(t, c, fmt.Sprintf("table-%02d", i), false)
	}
	var names []string
	p := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{Limit: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		names = append(names, out.TableNames...)
	}
	if len(names) != 7 || names[0] != "table-00" || names[6] != "table-06" || pages != 3 {
		t.Errorf("paged %d pages: %v", pages, names)
	}
}

func TestDynamoDBCreateTableValidation(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	s := types.ScalarAttributeTypeS
	def := func(n string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: s}
	}
	key := func(n string, kt types.KeyType) types.KeySchemaElement {
		return types.KeySchemaElement{AttributeName: aws.String(n), KeyType: kt}
	}
	cases := []struct {
		name string
		in   dynamodb.CreateTableInput
		msg  string
	}{
		{"undefined key", dynamodb.CreateTableInput{
			AttributeDefinitions: []types.AttributeDefinition{def("a")},
			KeySchema:            []types.KeySchemaElement{key("b", types.KeyTypeHash)},
			BillingMode:          types.BillingModePayPerRequest,
		}, "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [b], AttributeDefinitions: [a]"},
		{"extra definition", dynamodb.CreateTableInput{
			AttributeDefinitions: []types.AttributeDefinition{def("a"), def("b")},
			KeySchema:            []types.KeySchemaElement{key("a", types.KeyTypeHash)},
			BillingMode:          types.BillingModePayPerRequest,
		}, "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		{"range first", dynamodb.CreateTableInput{
			AttributeDefinitions: []types.AttributeDefinition{def("a")},
			KeySchema:            []types.KeySchemaElement{key("a", types.KeyTypeRange)},
			BillingMode:          types.BillingModePayPerRequest,
		}, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
		{"provisioned without throughput", dynamodb.CreateTableInput{
			AttributeDefinitions: []types.AttributeDefinition{def("a")},
			KeySchema:            []types.KeySchemaElement{key("a", types.KeyTypeHash)},
		}, "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
		{"LSI without table range", dynamodb.CreateTableInput{
			AttributeDefinitions: []types.AttributeDefinition{def("a"), def("b")},
			KeySchema:            []types.KeySchemaElement{key("a", types.KeyTypeHash)},
			BillingMode:          types.BillingModePayPerRequest,
			LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
				IndexName:  aws.String("byB"),
				KeySchema:  []types.KeySchemaElement{key("a", types.KeyTypeHash), key("b", types.KeyTypeRange)},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			}},
		}, "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.TableName = aws.String("bad")
			_, err := c.CreateTable(context.Background(), &in)
			if code, msg := apiCode(t, err); code != "ValidationException" || msg != tc.msg {
				t.Errorf("got %s: %s\nwant ValidationException: %s", code, msg, tc.msg)
			}
		})
	}
}

func TestDynamoDBIndexesTagsTTLLimits(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	s := types.ScalarAttributeTypeS
	out, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("users"),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: s},
			{AttributeName: aws.String("sk"), AttributeType: s},
			{AttributeName: aws.String("email"), AttributeType: s},
			{AttributeName: aws.String("created"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:             aws.String("byEmail"),
			KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("email"), KeyType: types.KeyTypeHash}},
			Projection:            &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)},
		}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName:  aws.String("byCreated"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("created"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"name"}},
		}},
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
		Tags:                []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := out.TableDescription
	if len(d.GlobalSecondaryIndexes) != 1 || d.GlobalSecondaryIndexes[0].IndexStatus != types.IndexStatusCreating {
		t.Errorf("GSIs = %+v", d.GlobalSecondaryIndexes)
	}
	if d.LatestStreamArn == nil || d.StreamSpecification == nil || d.StreamSpecification.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("stream = %v %+v", aws.ToString(d.LatestStreamArn), d.StreamSpecification)
	}
	desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("users")})
	if err != nil {
		t.Fatal(err)
	}
	g := desc.Table.GlobalSecondaryIndexes[0]
	if g.IndexStatus != types.IndexStatusActive || aws.ToString(g.IndexArn) != "arn:aws:dynamodb:us-east-1:000000000000:table/users/index/byEmail" {
		t.Errorf("GSI after create = %s %s", g.IndexStatus, aws.ToString(g.IndexArn))
	}
	l := desc.Table.LocalSecondaryIndexes[0]
	if l.Projection.ProjectionType != types.ProjectionTypeInclude || len(l.Projection.NonKeyAttributes) != 1 {
		t.Errorf("LSI projection = %+v", l.Projection)
	}

	arn := desc.Table.TableArn
	if _, err := c.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Errorf("tags = %+v", tags.Tags)
	}

	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("users"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("users")})
	if err != nil {
		t.Fatal(err)
	}
	if ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expires" {
		t.Errorf("TTL = %+v", ttl.TimeToLiveDescription)
	}
	_, err = c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("users"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)}})
	if code, msg := apiCode(t, err); code != "ValidationException" || msg != "TimeToLive is already enabled" {
		t.Errorf("enabling TTL twice: %s: %s", code, msg)
	}

	lim, err := c.DescribeLimits(ctx, &dynamodb.DescribeLimitsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(lim.AccountMaxReadCapacityUnits) != 80000 || aws.ToInt64(lim.TableMaxWriteCapacityUnits) != 40000 {
		t.Errorf("limits = %+v", lim)
	}
}
