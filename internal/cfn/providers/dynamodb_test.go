package providers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func attrDef(name, typ string) map[string]any {
	return map[string]any{"AttributeName": name, "AttributeType": typ}
}

func keyElem(name, typ string) map[string]any {
	return map[string]any{"AttributeName": name, "KeyType": typ}
}

func TestTable(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	props := map[string]any{
		"AttributeDefinitions": []any{attrDef("pk", "S"), attrDef("sk", "S"), attrDef("owner", "S"), attrDef("created", "N")},
		"KeySchema":            []any{keyElem("pk", "HASH"), keyElem("sk", "RANGE")},
		"BillingMode":          "PAY_PER_REQUEST",
		"GlobalSecondaryIndexes": []any{map[string]any{
			"IndexName":  "byOwner",
			"KeySchema":  []any{keyElem("owner", "HASH")},
			"Projection": map[string]any{"ProjectionType": "ALL"},
		}},
		"LocalSecondaryIndexes": []any{map[string]any{
			"IndexName":  "byCreated",
			"KeySchema":  []any{keyElem("pk", "HASH"), keyElem("created", "RANGE")},
			"Projection": map[string]any{"ProjectionType": "KEYS_ONLY"},
		}},
		"StreamSpecification":     map[string]any{"StreamViewType": "NEW_AND_OLD_IMAGES"},
		"TimeToLiveSpecification": map[string]any{"AttributeName": "expires", "Enabled": "true"},
		"SSESpecification":        map[string]any{"SSEEnabled": true},
		"Tags":                    []any{map[string]any{"Key": "team", "Value": "core"}, map[string]any{"Key": "env", "Value": "dev"}},
	}
	tbl := s.create("AWS::DynamoDB::Table", "Table", props)
	name := tbl.ref()
	if !generated(name, "Table") {
		t.Errorf("generated table name %q", name)
	}
	desc := s.call("dynamodb", "DescribeTable", map[string]any{"TableName": name})
	if str(desc, "Table", "TableArn") != tbl.attr("Arn") || !strings.HasSuffix(tbl.attr("Arn"), ":table/"+name) {
		t.Errorf("Arn %s, table %v", tbl.attr("Arn"), desc)
	}
	if str(desc, "Table", "LatestStreamArn") != tbl.attr("StreamArn") || tbl.attr("StreamArn") == "" {
		t.Errorf("StreamArn %s, table %v", tbl.attr("StreamArn"), desc)
	}
	if str(desc, "Table", "StreamSpecification", "StreamViewType") != "NEW_AND_OLD_IMAGES" ||
		len(get(desc, "Table", "GlobalSecondaryIndexes").([]any)) != 1 || len(get(desc, "Table", "LocalSecondaryIndexes").([]any)) != 1 ||
		str(desc, "Table", "SSEDescription", "Status") != "ENABLED" {
		t.Errorf("table as created: %v", desc)
	}
	ttl := s.call("dynamodb", "DescribeTimeToLive", map[string]any{"TableName": name})
	if str(ttl, "TimeToLiveDescription", "TimeToLiveStatus") != "ENABLED" || str(ttl, "TimeToLiveDescription", "AttributeName") != "expires" {
		t.Errorf("TTL: %v", ttl)
	}
	tags := s.call("dynamodb", "ListTagsOfResource", map[string]any{"ResourceArn": tbl.attr("Arn")})
	if len(get(tags, "Tags").([]any)) != 2 {
		t.Errorf("tags: %v", tags)
	}

	tbl.checkReplacement(map[string]map[string]any{
		"TableName":              {"TableName": "other"},
		"KeySchema":              {"KeySchema": []any{keyElem("pk", "HASH")}},
		"LocalSecondaryIndexes":  {"LocalSecondaryIndexes": nil},
		"BillingMode":            {"BillingMode": "PROVISIONED"},
		"GlobalSecondaryIndexes": {"GlobalSecondaryIndexes": nil},
		"StreamSpecification":    {"StreamSpecification": nil},
		"Tags":                   {"Tags": nil},
	}, "TableName", "KeySchema", "LocalSecondaryIndexes")

	// In place: a second index (with a new key attribute), the first
	// dropped, the stream's view type changed, TTL on another attribute,
	// deletion protection on, tags changed.
	updated := with(props, map[string]any{
		"AttributeDefinitions": append(props["AttributeDefinitions"].([]any), attrDef("status", "S")),
		"GlobalSecondaryIndexes": []any{map[string]any{
			"IndexName":  "byStatus",
			"KeySchema":  []any{keyElem("status", "HASH"), keyElem("sk", "RANGE")},
			"Projection": map[string]any{"ProjectionType": "KEYS_ONLY"},
		}},
		"StreamSpecification":       map[string]any{"StreamViewType": "KEYS_ONLY"},
		"TimeToLiveSpecification":   map[string]any{"AttributeName": "ttl", "Enabled": true},
		"DeletionProtectionEnabled": "true",
		"Tags":                      []any{map[string]any{"Key": "team", "Value": "platform"}},
	})
	tbl.update(updated)
	desc = s.call("dynamodb", "DescribeTable", map[string]any{"TableName": name})
	gsis := get(desc, "Table", "GlobalSecondaryIndexes").([]any)
	if len(gsis) != 1 || str(gsis[0].(map[string]any), "IndexName") != "byStatus" {
		t.Errorf("indexes after the update: %v", gsis)
	}
	if str(desc, "Table", "StreamSpecification", "StreamViewType") != "KEYS_ONLY" || str(desc, "Table", "DeletionProtectionEnabled") != "true" {
		t.Errorf("table after the update: %v", desc)
	}
	if tbl.attr("StreamArn") != str(desc, "Table", "LatestStreamArn") {
		t.Errorf("StreamArn after the update: %s, want %s", tbl.attr("StreamArn"), str(desc, "Table", "LatestStreamArn"))
	}
	ttl = s.call("dynamodb", "DescribeTimeToLive", map[string]any{"TableName": name})
	if str(ttl, "TimeToLiveDescription", "AttributeName") != "ttl" {
		t.Errorf("TTL after the update: %v", ttl)
	}
	tags = s.call("dynamodb", "ListTagsOfResource", map[string]any{"ResourceArn": tbl.attr("Arn")})
	if l := get(tags, "Tags").([]any); len(l) != 1 || str(l[0].(map[string]any), "Value") != "platform" {
		t.Errorf("tags after the update: %v", tags)
	}

	// A changed key schema of an existing index is refused, as AWS does.
	bad := with(updated, map[string]any{"GlobalSecondaryIndexes": []any{map[string]any{
		"IndexName":  "byStatus",
		"KeySchema":  []any{keyElem("status", "HASH")},
		"Projection": map[string]any{"ProjectionType": "KEYS_ONLY"},
	}}})
	if err := tbl.tryUpdate(bad); err == nil || !strings.Contains(err.Error(), "byStatus") {
		t.Errorf("changing an index's key schema: %v", err)
	}

	// Deletion protection is the API's: the table cannot go until the
	// template turns it off.
	req := s.request(tbl.typ.Name, "Table")
	req.PhysicalID, req.Properties = name, updated
	if err := tbl.typ.Delete(t.Context(), req); err == nil {
		t.Error("a protected table was deleted")
	}
	tbl.update(with(updated, map[string]any{"DeletionProtectionEnabled": nil}))
	tbl.delete()
	if code := s.callErr("dynamodb", "DescribeTable", map[string]any{"TableName": name}); code != "ResourceNotFoundException" {
		t.Errorf("DescribeTable after the delete: %q", code)
	}
}

func TestProvisionedTable(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	props := map[string]any{
		"TableName":             "orders",
		"AttributeDefinitions":  []any{attrDef("id", "S")},
		"KeySchema":             []any{keyElem("id", "HASH")},
		"ProvisionedThroughput": map[string]any{"ReadCapacityUnits": "5", "WriteCapacityUnits": num("5")},
	}
	tbl := s.create("AWS::DynamoDB::Table", "Orders", props)
	if tbl.ref() != "orders" {
		t.Errorf("Ref %q", tbl.ref())
	}
	if _, ok := tbl.result.Attributes["StreamArn"]; ok {
		t.Errorf("a table without a stream has StreamArn: %v", tbl.result.Attributes)
	}
	tbl.update(map[string]any{
		"TableName":             "orders",
		"AttributeDefinitions":  []any{attrDef("id", "S")},
		"KeySchema":             []any{keyElem("id", "HASH")},
		"ProvisionedThroughput": map[string]any{"ReadCapacityUnits": num("10"), "WriteCapacityUnits": num("7")},
	})
	desc := s.call("dynamodb", "DescribeTable", map[string]any{"TableName": "orders"})
	if str(desc, "Table", "ProvisionedThroughput", "ReadCapacityUnits") != "10" || str(desc, "Table", "ProvisionedThroughput", "WriteCapacityUnits") != "7" {
		t.Errorf("throughput after the update: %v", get(desc, "Table", "ProvisionedThroughput"))
	}
	tbl.update(map[string]any{
		"TableName":            "orders",
		"AttributeDefinitions": []any{attrDef("id", "S")},
		"KeySchema":            []any{keyElem("id", "HASH")},
		"BillingMode":          "PAY_PER_REQUEST",
	})
	desc = s.call("dynamodb", "DescribeTable", map[string]any{"TableName": "orders"})
	if str(desc, "Table", "BillingModeSummary", "BillingMode") != "PAY_PER_REQUEST" {
		t.Errorf("billing after the update: %v", get(desc, "Table", "BillingModeSummary"))
	}
	tbl.delete()
}

// TestTableToProvisionedWithIndex switches an on-demand table with a
// global secondary index to provisioned: DynamoDB wants the index's
// throughput in the same UpdateTable.
func TestTableToProvisionedWithIndex(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	props := func(provisioned bool) map[string]any {
		gsi := map[string]any{"IndexName": "byOwner", "KeySchema": []any{keyElem("owner", "HASH")},
			"Projection": map[string]any{"ProjectionType": "KEYS_ONLY"}}
		p := map[string]any{
			"TableName":              "accounts",
			"AttributeDefinitions":   []any{attrDef("id", "S"), attrDef("owner", "S")},
			"KeySchema":              []any{keyElem("id", "HASH")},
			"BillingMode":            "PAY_PER_REQUEST",
			"GlobalSecondaryIndexes": []any{gsi},
		}
		if provisioned {
			p["BillingMode"] = "PROVISIONED"
			p["ProvisionedThroughput"] = map[string]any{"ReadCapacityUnits": num("4"), "WriteCapacityUnits": num("2")}
			gsi["ProvisionedThroughput"] = map[string]any{"ReadCapacityUnits": num("3"), "WriteCapacityUnits": num("1")}
		}
		return p
	}
	tbl := s.create("AWS::DynamoDB::Table", "Accounts", props(false))
	tbl.update(props(true))
	desc := s.call("dynamodb", "DescribeTable", map[string]any{"TableName": "accounts"})
	gsis := get(desc, "Table", "GlobalSecondaryIndexes").([]any)
	if str(desc, "Table", "ProvisionedThroughput", "ReadCapacityUnits") != "4" || len(gsis) != 1 ||
		str(gsis[0].(map[string]any), "ProvisionedThroughput", "ReadCapacityUnits") != "3" {
		t.Errorf("after switching to provisioned: %v", desc)
	}
	tbl.update(props(false))
	tbl.delete()
}

func TestTableUnsupported(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, err := s.tryCreate("AWS::DynamoDB::Table", "Table", map[string]any{
		"AttributeDefinitions": []any{attrDef("id", "S")},
		"KeySchema":            []any{keyElem("id", "HASH")},
		"BillingMode":          "PAY_PER_REQUEST",
		"ImportSourceSpecification": map[string]any{"InputFormat": "CSV",
			"S3BucketSource": map[string]any{"S3Bucket": "no-such-bucket"}},
	})
	if err == nil || !strings.Contains(err.Error(), "S3NoSuchBucket") {
		t.Errorf("an import from a missing bucket: %v", err)
	}
	_, err = s.tryCreate("AWS::DynamoDB::Table", "Table", map[string]any{
		"AttributeDefinitions": []any{attrDef("id", "S")},
		"KeySchema":            []any{keyElem("id", "HASH")},
		"BillingMode":          "PAY_PER_REQUEST",
		"TableClass":           "STANDARD",
		"ImportSourceSpecification": map[string]any{"InputFormat": "CSV",
			"S3BucketSource": map[string]any{"S3Bucket": "b"}},
	})
	if err == nil || !strings.Contains(err.Error(), "TableClass with ImportSourceSpecification") {
		t.Errorf("an import with a table class: %v", err)
	}
	// An invalid table is the API's error, as it is.
	_, err = s.tryCreate("AWS::DynamoDB::Table", "Table", map[string]any{"KeySchema": []any{keyElem("id", "HASH")}})
	if err == nil || !strings.Contains(err.Error(), "ValidationException") {
		t.Errorf("a table without attribute definitions: %v", err)
	}
}

// TestTableKinesisStreamSpecification: KinesisStreamSpecification
// enables the table's Kinesis streaming destination with its precision,
// and an update moves it to another stream or disables it, in place.
func TestTableKinesisStreamSpecification(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	arns := map[string]string{}
	for _, name := range []string{"first", "second"} {
		s.call("kinesis", "CreateStream", map[string]any{"StreamName": name, "ShardCount": 1})
		out := s.call("kinesis", "DescribeStreamSummary", map[string]any{"StreamName": name})
		arns[name] = str(out, "StreamDescriptionSummary", "StreamARN")
	}
	props := map[string]any{
		"AttributeDefinitions": []any{attrDef("pk", "S")},
		"KeySchema":            []any{keyElem("pk", "HASH")},
		"BillingMode":          "PAY_PER_REQUEST",
		"KinesisStreamSpecification": map[string]any{"StreamArn": arns["first"],
			"ApproximateCreationDateTimePrecision": "MICROSECOND"},
	}
	tbl := s.create("AWS::DynamoDB::Table", "Table", props)
	dests := func() map[string]string {
		t.Helper()
		out := s.call("dynamodb", "DescribeKinesisStreamingDestination", map[string]any{"TableName": tbl.ref()})
		m := map[string]string{}
		for _, d := range get(out, "KinesisDataStreamDestinations").([]any) {
			d := d.(map[string]any)
			m[str(d, "StreamArn")] = str(d, "DestinationStatus") + " " + str(d, "ApproximateCreationDateTimePrecision")
		}
		return m
	}
	if got := dests(); got[arns["first"]] != "ACTIVE MICROSECOND" || len(got) != 1 {
		t.Errorf("created streaming to first: %v", got)
	}
	if tbl.replaces(map[string]any{"KinesisStreamSpecification": nil}) {
		t.Errorf("a KinesisStreamSpecification change replaces the table")
	}
	tbl.update(with(props, map[string]any{"KinesisStreamSpecification": map[string]any{"StreamArn": arns["first"]}}))
	if got := dests(); got[arns["first"]] != "ACTIVE MILLISECOND" || len(got) != 1 {
		t.Errorf("precision changed in place: %v", got)
	}
	tbl.update(with(props, map[string]any{"KinesisStreamSpecification": map[string]any{"StreamArn": arns["second"]}}))
	if got := dests(); got[arns["first"]] != "DISABLED MILLISECOND" || got[arns["second"]] != "ACTIVE MILLISECOND" {
		t.Errorf("moved to second: %v", got)
	}
	tbl.update(with(props, map[string]any{"KinesisStreamSpecification": nil}))
	if got := dests(); got[arns["second"]] != "DISABLED MILLISECOND" {
		t.Errorf("removed: %v", got)
	}
	// A stream that is not there is the API's error.
	_, err := s.tryCreate("AWS::DynamoDB::Table", "Other", with(props, map[string]any{
		"KinesisStreamSpecification": map[string]any{"StreamArn": "arn:aws:kinesis:us-east-1:000000000000:stream/missing"}}))
	if err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("a missing stream: %v", err)
	}
}

// TestTablePointInTimeRecovery: PointInTimeRecoverySpecification turns
// the table's recovery on at creation, and off and on in place.
func TestTablePointInTimeRecovery(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	props := map[string]any{
		"AttributeDefinitions":             []any{attrDef("pk", "S")},
		"KeySchema":                        []any{keyElem("pk", "HASH")},
		"BillingMode":                      "PAY_PER_REQUEST",
		"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": "true"},
	}
	tbl := s.create("AWS::DynamoDB::Table", "Table", props)
	status := func() string {
		t.Helper()
		out := s.call("dynamodb", "DescribeContinuousBackups", map[string]any{"TableName": tbl.ref()})
		return str(out, "ContinuousBackupsDescription", "PointInTimeRecoveryDescription", "PointInTimeRecoveryStatus")
	}
	if got := status(); got != "ENABLED" {
		t.Errorf("created with recovery: %s", got)
	}
	if tbl.replaces(map[string]any{"PointInTimeRecoverySpecification": nil}) {
		t.Errorf("a PointInTimeRecoverySpecification change replaces the table")
	}
	tbl.update(with(props, map[string]any{"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": false}}))
	if got := status(); got != "DISABLED" {
		t.Errorf("updated to disabled: %s", got)
	}
	tbl.update(with(props, map[string]any{"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": "7"}}))
	if got := status(); got != "ENABLED" {
		t.Errorf("updated to enabled: %s", got)
	}
	out := s.call("dynamodb", "DescribeContinuousBackups", map[string]any{"TableName": tbl.ref()})
	if d := get(out, "ContinuousBackupsDescription", "PointInTimeRecoveryDescription", "RecoveryPeriodInDays"); fmt.Sprint(d) != "7" {
		t.Errorf("RecoveryPeriodInDays = %v, want 7", d)
	}
}

// TestTableContributorInsights turns contributor insights on and off for
// a table and its global secondary index through
// ContributorInsightsSpecification.
func TestTableContributorInsights(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	gsi := func(enabled any) map[string]any {
		g := map[string]any{"IndexName": "byG", "KeySchema": []any{keyElem("g", "HASH")},
			"Projection": map[string]any{"ProjectionType": "ALL"}}
		if enabled != nil {
			g["ContributorInsightsSpecification"] = map[string]any{"Enabled": enabled}
		}
		return g
	}
	props := map[string]any{
		"AttributeDefinitions":             []any{attrDef("pk", "S"), attrDef("g", "S")},
		"KeySchema":                        []any{keyElem("pk", "HASH")},
		"BillingMode":                      "PAY_PER_REQUEST",
		"GlobalSecondaryIndexes":           []any{gsi(nil)},
		"ContributorInsightsSpecification": map[string]any{"Enabled": "true"},
	}
	tbl := s.create("AWS::DynamoDB::Table", "Table", props)
	status := func(index string) string {
		t.Helper()
		in := map[string]any{"TableName": tbl.ref()}
		if index != "" {
			in["IndexName"] = index
		}
		return str(s.call("dynamodb", "DescribeContributorInsights", in), "ContributorInsightsStatus")
	}
	if got, gotIndex := status(""), status("byG"); got != "ENABLED" || gotIndex != "DISABLED" {
		t.Errorf("created: table %s, index %s; want ENABLED, DISABLED", got, gotIndex)
	}
	tbl.update(with(props, map[string]any{"ContributorInsightsSpecification": map[string]any{"Enabled": false},
		"GlobalSecondaryIndexes": []any{gsi(true)}}))
	if got, gotIndex := status(""), status("byG"); got != "DISABLED" || gotIndex != "ENABLED" {
		t.Errorf("updated: table %s, index %s; want DISABLED, ENABLED", got, gotIndex)
	}
}

// TestTableImportSourceSpecification creates a table from CSV objects in
// S3 through ImportTable, with a GSI and a stream.
func TestTableImportSourceSpecification(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(s.v.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("seed")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("seed"), Key: aws.String("rows/1.csv"),
		Body: strings.NewReader("id|g\na|x\nb|x\n")}); err != nil {
		t.Fatal(err)
	}
	tbl := s.create("AWS::DynamoDB::Table", "Seeded", map[string]any{
		"TableName":            "seeded",
		"AttributeDefinitions": []any{attrDef("id", "S"), attrDef("g", "S")},
		"KeySchema":            []any{keyElem("id", "HASH")},
		"BillingMode":          "PAY_PER_REQUEST",
		"GlobalSecondaryIndexes": []any{map[string]any{"IndexName": "byG", "KeySchema": []any{keyElem("g", "HASH")},
			"Projection": map[string]any{"ProjectionType": "ALL"}}},
		"StreamSpecification": map[string]any{"StreamViewType": "NEW_IMAGE"},
		"ImportSourceSpecification": map[string]any{"InputFormat": "CSV", "InputCompressionType": "NONE",
			"InputFormatOptions": map[string]any{"Csv": map[string]any{"Delimiter": "|"}},
			"S3BucketSource":     map[string]any{"S3Bucket": "seed", "S3KeyPrefix": "rows/"}},
	})
	if tbl.result.PhysicalID != "seeded" || tbl.result.Attributes["StreamArn"] == "" {
		t.Errorf("result = %+v", tbl.result)
	}
	q := s.call("dynamodb", "Query", map[string]any{"TableName": "seeded", "IndexName": "byG",
		"KeyConditionExpression": "g = :g", "ExpressionAttributeValues": map[string]any{":g": map[string]any{"S": "x"}}})
	if n := len(q["Items"].([]any)); n != 2 {
		t.Errorf("the imported table's GSI holds %d items, want 2", n)
	}
	tbl.delete()
}

// TestTableCreateFailsAfterMaking: a table whose creation fails after
// CreateTable made it (its KinesisStreamSpecification names no stream)
// is named in the result, so that the rollback deletes it; a table
// CreateTable refused is not.
func TestTableCreateFailsAfterMaking(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	props := map[string]any{
		"TableName":            "made",
		"AttributeDefinitions": []any{attrDef("pk", "S")},
		"KeySchema":            []any{keyElem("pk", "HASH")},
		"BillingMode":          "PAY_PER_REQUEST",
		"KinesisStreamSpecification": map[string]any{
			"StreamArn": "arn:aws:kinesis:us-east-1:000000000000:stream/nothing"},
	}
	if res := s.failedCreate("AWS::DynamoDB::Table", "Table", props); res == nil || res.PhysicalID != "made" {
		t.Fatalf("Create: %+v", res)
	}
	s.call("dynamodb", "DescribeTable", map[string]any{"TableName": "made"})

	// The name is taken now: CreateTable refuses, and the result names
	// no table, so that the rollback leaves the one that stands.
	delete(props, "KinesisStreamSpecification")
	if res := s.failedCreate("AWS::DynamoDB::Table", "Table", props); res != nil {
		t.Fatalf("Create of a taken name: %+v", res)
	}
}
