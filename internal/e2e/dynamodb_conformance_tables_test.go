package e2e

// CreateTable's and UpdateTable's checks of secondary indexes and
// attribute definitions, with real DynamoDB's codes and messages.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDynamoDBConformanceCreateTableIndexes(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	def := func(names ...string) []types.AttributeDefinition {
		var out []types.AttributeDefinition
		for _, n := range names {
			out = append(out, types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS})
		}
		return out
	}
	gsi := func(name, hash string, p *types.Projection) types.GlobalSecondaryIndex {
		return types.GlobalSecondaryIndex{IndexName: aws.String(name), KeySchema: keySchema(hash, ""), Projection: p}
	}
	all := &types.Projection{ProjectionType: types.ProjectionTypeAll}
	var many []types.GlobalSecondaryIndex
	for i := range 21 {
		many = append(many, gsi(fmt.Sprintf("g%02d", i), "g", all))
	}
	const prefix = "One or more parameter values were invalid: "
	cases := []struct {
		what string
		in   dynamodb.CreateTableInput
		msg  string
	}{
		{"an empty list of GSIs",
			dynamodb.CreateTableInput{AttributeDefinitions: def("pk"), KeySchema: keySchema("pk", ""), GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{}},
			prefix + "List of GlobalSecondaryIndexes is empty"},
		{"an empty list of LSIs",
			dynamodb.CreateTableInput{AttributeDefinitions: def("pk", "sk"), KeySchema: keySchema("pk", "sk"), LocalSecondaryIndexes: []types.LocalSecondaryIndex{}},
			prefix + "List of LocalSecondaryIndexes is empty"},
		{"21 GSIs",
			dynamodb.CreateTableInput{AttributeDefinitions: def("pk", "g"), KeySchema: keySchema("pk", ""), GlobalSecondaryIndexes: many},
			prefix + "GlobalSecondaryIndex count exceeds the per-table limit of 20"},
		{"a projection without a type",
			dynamodb.CreateTableInput{AttributeDefinitions: def("pk", "g"), KeySchema: keySchema("pk", ""),
				GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{gsi("byg", "g", &types.Projection{})}},
			prefix + "Unknown ProjectionType: null"},
		{"a non-key attribute named twice",
			dynamodb.CreateTableInput{AttributeDefinitions: def("pk", "g"), KeySchema: keySchema("pk", ""),
				GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{gsi("byg", "g", &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"x", "y", "x"}})}},
			prefix + "Duplicate element in NonKeyAttributes: x"},
		// Listed as given, and the keys as DynamoDB's hash set of them
		// iterates (g, sk, pk), not sorted and not in request order.
		{"a definition no key uses, with an index",
			dynamodb.CreateTableInput{AttributeDefinitions: def("sk", "g", "extra", "pk"), KeySchema: keySchema("pk", "sk"),
				GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{gsi("byg", "g", all)}},
			prefix + "Some AttributeDefinitions are not used. AttributeDefinitions: [sk, g, extra, pk], keys used: [g, sk, pk]"},
		{"an LSI with one attribute as hash and range key",
			dynamodb.CreateTableInput{AttributeDefinitions: def("pk", "sk"), KeySchema: keySchema("pk", "sk"),
				LocalSecondaryIndexes: []types.LocalSecondaryIndex{{IndexName: aws.String("bypk"), KeySchema: keySchema("pk", "pk"), Projection: all}}},
			"Both the Hash Key and the Range Key element in the KeySchema have the same name"},
		{"an attribute defined twice",
			dynamodb.CreateTableInput{AttributeDefinitions: append(def("xyz"), types.AttributeDefinition{AttributeName: aws.String("xyz"), AttributeType: types.ScalarAttributeTypeN}),
				KeySchema: keySchema("xyz", "")},
			"Attribute Name is duplicated: xyz"},
		{"an unused definition masks a bad projection",
			dynamodb.CreateTableInput{AttributeDefinitions: def("pk", "g", "extra"), KeySchema: keySchema("pk", ""),
				GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{gsi("byg", "g", &types.Projection{})}},
			prefix + "Some AttributeDefinitions are not used. AttributeDefinitions: [pk, g, extra], keys used: [g, pk]"},
	}
	for i, tc := range cases {
		in := tc.in
		in.TableName = aws.String(fmt.Sprintf("ct%d", i))
		in.BillingMode = types.BillingModePayPerRequest
		_, err := c.CreateTable(ctx, &in)
		wantDDBError(t, tc.what, err, "ValidationException", tc.msg)
	}

	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("provisioned"), AttributeDefinitions: def("pk", "g"), KeySchema: keySchema("pk", ""),
		ProvisionedThroughput:  &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{gsi("byg", "g", all)},
	})
	wantDDBError(t, "a provisioned table's GSI without throughput", err, "ValidationException",
		prefix+"ProvisionedThroughput is not specified for index: byg")
}

func TestDynamoDBConformanceUpdateTableIndexes(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	createSimpleTable(t, c, "gsis", false)
	gDef := []types.AttributeDefinition{{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS}}
	create := func(defs []types.AttributeDefinition) error {
		_, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{
			TableName: aws.String("gsis"), AttributeDefinitions: defs,
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
				IndexName: aws.String("byg"), KeySchema: keySchema("g", ""), Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			}}},
		})
		return err
	}

	_, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("gsis")})
	wantDDBError(t, "an update that changes nothing", err, "ValidationException",
		"At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, "+
			"ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "+
			"OnDemandThroughput, WarmThroughput or TableClass is required")
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("missing"), AttributeDefinitions: gDef})
	wantDDBErrorContains(t, "an update that changes nothing, of a missing table", err, "ValidationException", "At least one of")

	wantDDBError(t, "a GSI on an undefined attribute", create(nil), "ValidationException",
		"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [g], AttributeDefinitions: [pk]")
	mustOK(t, "create the GSI", create(gDef))
	wantDDBError(t, "a GSI that exists", create(gDef), "ValidationException", "Attempting to create an index which already exists")
	// Keys the table already defines are still defined in the request.
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("gsis"),
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName: aws.String("byg2"), KeySchema: keySchema("g", ""), Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}}}})
	wantDDBError(t, "a GSI on a defined attribute, with no definitions", err, "ValidationException",
		"One or more parameter values were invalid: AttributeDefinitions is not specified for index: byg2")

	for _, u := range []types.GlobalSecondaryIndexUpdate{
		{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("nope")}},
		{Update: &types.UpdateGlobalSecondaryIndexAction{IndexName: aws.String("nope"),
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}}},
	} {
		_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("gsis"), GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{u}})
		wantDDBError(t, "an action on a missing GSI", err, "ResourceNotFoundException", "Requested resource not found: Index nope for table gsis")
	}

	// The shape of the list of updates, checked before any applies.
	createTable(t, c, tableSpec{Name: "withlsi", Hash: "pk", Range: "sk",
		Attrs: map[string]types.ScalarAttributeType{"pk": "S", "sk": "S", "l": "S"},
		LSIs:  []indexSpec{{Name: "byl", Hash: "pk", Range: "l", Projection: types.ProjectionTypeKeysOnly}}})
	pt := &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}
	del := func(name string) *types.DeleteGlobalSecondaryIndexAction {
		return &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String(name)}
	}
	const invalid = "One or more parameter values were invalid: "
	for _, tc := range []struct {
		what    string
		table   string
		updates []types.GlobalSecondaryIndexUpdate
		msg     string
	}{
		{"an entry without an action", "gsis", []types.GlobalSecondaryIndexUpdate{{}},
			invalid + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"},
		{"an entry with two actions", "gsis", []types.GlobalSecondaryIndexUpdate{{Delete: del("byg"), Update: &types.UpdateGlobalSecondaryIndexAction{IndexName: aws.String("byg"), ProvisionedThroughput: pt}}},
			invalid + "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object"},
		{"two entries for one index", "gsis", []types.GlobalSecondaryIndexUpdate{{Delete: del("byg")}, {Delete: del("byg")}},
			invalid + "Only one global secondary index update per index is allowed simultaneously. Index: byg"},
		{"deleting a local index", "withlsi", []types.GlobalSecondaryIndexUpdate{{Delete: del("byl")}},
			"Cannot delete an index that is not a GlobalSecondaryIndex: byl"},
		{"throughput for an on-demand table's GSI", "gsis", []types.GlobalSecondaryIndexUpdate{{Update: &types.UpdateGlobalSecondaryIndexAction{IndexName: aws.String("byg"), ProvisionedThroughput: pt}}},
			invalid + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: byg when BillingMode is PAY_PER_REQUEST"},
	} {
		_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(tc.table), GlobalSecondaryIndexUpdates: tc.updates})
		wantDDBError(t, tc.what, err, "ValidationException", tc.msg)
	}
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("gsis")})
	mustOK(t, "DescribeTable", err)
	if len(d.Table.GlobalSecondaryIndexes) != 1 {
		t.Errorf("refused updates changed the indexes: %+v", d.Table.GlobalSecondaryIndexes)
	}

	// Switched to provisioned, every GSI gets its throughput in the call.
	toProvisioned := func(updates []types.GlobalSecondaryIndexUpdate) error {
		_, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("gsis"), BillingMode: types.BillingModeProvisioned,
			ProvisionedThroughput: pt, GlobalSecondaryIndexUpdates: updates})
		return err
	}
	wantDDBError(t, "provisioned without the GSI's throughput", toProvisioned(nil), "ValidationException",
		invalid+"ProvisionedThroughput must be specified for index: byg")
	mustOK(t, "provisioned with the GSI's throughput", toProvisioned([]types.GlobalSecondaryIndexUpdate{
		{Update: &types.UpdateGlobalSecondaryIndexAction{IndexName: aws.String("byg"), ProvisionedThroughput: pt}}}))
}

func TestDynamoDBConformanceTagLimits(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	arn := createSimpleTable(t, c, "tagged", false).TableArn
	tags := func(from, to int) []types.Tag {
		var out []types.Tag
		for i := from; i < to; i++ {
			out = append(out, types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
		}
		return out
	}
	tag := func(ts []types.Tag) error {
		_, err := c.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: ts})
		return err
	}
	const tooMany = "Number of Tags exceed the current limit for the provided ResourceArn"

	mustOK(t, "50 tags", tag(tags(0, 50)))
	wantDDBError(t, "a 51st tag", tag(tags(50, 51)), "ValidationException", tooMany)
	mustOK(t, "a new value for a tag the table has", tag(tags(0, 1)))
	wantDDBError(t, "a key twice", tag([]types.Tag{{Key: aws.String("dup"), Value: aws.String("a")}, {Key: aws.String("dup"), Value: aws.String("b")}}),
		"ValidationException", "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup")
	wantDDBError(t, "an aws: key", tag([]types.Tag{{Key: aws.String("aws:zzz"), Value: aws.String("a")}}),
		"ValidationException", "Tag Key cannot be prefixed with aws:, Key: aws:zzz")
	wantDDBError(t, "a key with a character tags do not take", tag([]types.Tag{{Key: aws.String("->>;-)"), Value: aws.String("ok")}}),
		"ValidationException", "The Tag Key provided is invalid, Key: ->>;-)")
	wantDDBError(t, "a value with a character tags do not take", tag([]types.Tag{{Key: aws.String("ok"), Value: aws.String("#!%^")}}),
		"ValidationException", "The Tag Value provided is invalid, Value: #!%^")
	mustOK(t, "a key and a value of every kind tags take", tag([]types.Tag{{Key: aws.String("k00"), Value: aws.String("Grüße 1 _.:/=+-@")}}))
	var keys []string
	for i := range 51 {
		keys = append(keys, fmt.Sprintf("k%02d", i))
	}
	_, err := c.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: arn, TagKeys: keys})
	wantDDBError(t, "untagging 51 keys", err, "ValidationException", tooMany)

	// An empty list is refused, before the table is looked up.
	wantDDBError(t, "no tags", tag([]types.Tag{}), "ValidationException", "Atleast one Tag needs to be provided as Input.")
	_, err = c.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String(aws.ToString(arn) + "x"), Tags: []types.Tag{}})
	wantDDBError(t, "no tags for no table", err, "ValidationException", "Atleast one Tag needs to be provided as Input.")
	_, err = c.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: arn, TagKeys: []string{}})
	wantDDBError(t, "no tag keys", err, "ValidationException", "Atleast one Tag Key needs to be provided as Input.")

	_, err = c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("overtagged"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            keySchema("pk", ""), Tags: tags(0, 51)})
	wantDDBError(t, "CreateTable with 51 tags", err, "ValidationException", tooMany)
	list, err := c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: arn})
	mustOK(t, "ListTagsOfResource", err)
	if len(list.Tags) != 50 {
		t.Errorf("%d tags after the refused requests, want 50", len(list.Tags))
	}
}

// UpdateTable's index changes: more than one index created or deleted is
// refused before any is looked up, an attribute keeps its type, and an
// index key is held to the lengths of a table's keys, on writes and when
// a new index is filled from the items already there.
func TestDynamoDBConformanceUpdateTableIndexRules(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	all := &types.Projection{ProjectionType: types.ProjectionTypeAll}
	create := func(name, hash, rng string) types.GlobalSecondaryIndexUpdate {
		return types.GlobalSecondaryIndexUpdate{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String(name), KeySchema: keySchema(hash, rng), Projection: all}}
	}
	if _, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("idx"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{attrDefS("pk"), attrDefS("sk"), attrDefS("g")}, KeySchema: keySchema("pk", "sk"),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("byg"), KeySchema: keySchema("g", ""), Projection: all}}}); err != nil {
		t.Fatal(err)
	}
	update := func(defs []types.AttributeDefinition, us ...types.GlobalSecondaryIndexUpdate) error {
		_, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("idx"), AttributeDefinitions: defs, GlobalSecondaryIndexUpdates: us})
		return err
	}

	const twoAtOnce = "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
	del := func(name string) types.GlobalSecondaryIndexUpdate {
		return types.GlobalSecondaryIndexUpdate{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String(name)}}
	}
	wantDDBError(t, "two deletes of missing indexes", update(nil, del("nope1"), del("nope2")), "LimitExceededException", twoAtOnce)
	wantDDBError(t, "a create and a delete", update([]types.AttributeDefinition{attrDefS("x")}, create("byx", "x", ""), del("nope")), "LimitExceededException", twoAtOnce)

	n := types.AttributeDefinition{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeN}
	wantDDBError(t, "an attribute redefined", update([]types.AttributeDefinition{n}, create("byg2", "g", "")), "ValidationException",
		"One or more parameter values were invalid: Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. "+
			"Existing schema: Schema:[SchemaElement: key{g:S:HASH}] New schema: Schema:[SchemaElement: key{g:N:HASH}]")

	put := func(pk, g string) error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("idx"), Item: ddbItem{"pk": avS(pk), "sk": avS("s"), "g": avS(g), "x": avS(g)}})
		return err
	}
	mustOK(t, "a 2,048-byte index partition key", put("p2048", strings.Repeat("g", 2048)))
	wantDDBError(t, "a 2,049-byte index partition key", put("p2049", strings.Repeat("g", 2049)), "ValidationException",
		"One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
	if _, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("idx")}); err != nil {
		t.Fatal(err)
	}

	// Items already in a table whose value cannot key the new index are
	// left out of it.
	createSimpleTable(t, c, "fill", false)
	for _, l := range []int{1024, 1025, 2048, 2049} {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("fill"),
			Item: ddbItem{"pk": avS(fmt.Sprint(l)), "x": avS(strings.Repeat("x", l)), "k": avS("k")}}); err != nil {
			t.Fatal(err)
		}
	}
	indexed := func(name, hash, rng string, defs ...types.AttributeDefinition) []string {
		if _, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("fill"), AttributeDefinitions: defs,
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{create(name, hash, rng)}}); err != nil {
			t.Fatal(err)
		}
		out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("fill"), IndexName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range out.Items {
			got = append(got, it["pk"].(*types.AttributeValueMemberS).Value)
		}
		slices.Sort(got)
		return got
	}
	if got := indexed("byx", "x", "", attrDefS("x")); !slices.Equal(got, []string{"1024", "1025", "2048"}) {
		t.Errorf("index on x as partition key holds %v", got)
	}
	if got := indexed("bykx", "k", "x", attrDefS("k"), attrDefS("x")); !slices.Equal(got, []string{"1024"}) {
		t.Errorf("index on x as sort key holds %v", got)
	}
}

// TestDynamoDBConformanceCapacityOutOfBounds: a capacity above 10^12 is
// malformed (ValidationException naming the value), checked before the
// per-table quota (LimitExceededException), for a table and an index, in
// CreateTable and UpdateTable.
func TestDynamoDBConformanceCapacityOutOfBounds(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := ddbClient(env)
	ctx := context.Background()
	const huge, quota = 1_000_000_000_001, 1_000_000_000_000
	pt := func(r, w int64) *types.ProvisionedThroughput {
		return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(r), WriteCapacityUnits: aws.Int64(w)}
	}
	create := func(table, index *types.ProvisionedThroughput) error {
		in := &dynamodb.CreateTableInput{TableName: aws.String("bounds"),
			AttributeDefinitions:  []types.AttributeDefinition{attrDefS("pk")},
			KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
			ProvisionedThroughput: table}
		if index != nil {
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("byPk"),
				KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
				Projection:            &types.Projection{ProjectionType: types.ProjectionTypeAll},
				ProvisionedThroughput: index}}
		}
		_, err := c.CreateTable(ctx, in)
		return err
	}
	for _, tc := range []struct {
		name         string
		table, index *types.ProvisionedThroughput
		code, msg    string
	}{
		{"read", pt(huge, 1), nil, "ValidationException", "Given value 1000000000001 for ReadCapacityUnits is out of bounds"},
		{"both", pt(huge, huge), nil, "ValidationException", "Given value 1000000000001 for ReadCapacityUnits is out of bounds"},
		{"write", pt(quota, huge), nil, "ValidationException", "Given value 1000000000001 for WriteCapacityUnits is out of bounds"},
		{"index write", pt(1, 1), pt(1, huge), "ValidationException", "Given value 1000000000001 for WriteCapacityUnits is out of bounds"},
		{"at the bound", pt(quota, 1), nil, "LimitExceededException",
			"Subscriber limit exceeded: Provisioned throughput for table exceeds the maximum allowed: 40000 read capacity units and 40000 write capacity units"},
	} {
		wantDDBError(t, "CreateTable "+tc.name, create(tc.table, tc.index), tc.code, tc.msg)
	}
	// Before the keys: here a key attribute has no definition.
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("bounds"),
		AttributeDefinitions:  []types.AttributeDefinition{attrDefS("other")},
		KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		ProvisionedThroughput: pt(huge, huge)})
	wantDDBError(t, "CreateTable before the keys", err, "ValidationException", "Given value 1000000000001 for ReadCapacityUnits is out of bounds")
	mustOK(t, "CreateTable", create(pt(1, 1), nil))
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("bounds"), ProvisionedThroughput: pt(huge, 1)})
	wantDDBError(t, "UpdateTable read", err, "ValidationException", "Given value 1000000000001 for ReadCapacityUnits is out of bounds")
}
