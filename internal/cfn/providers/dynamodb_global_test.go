package providers_test

import (
	"strings"
	"testing"
)

// TestGlobalTable makes an AWS::DynamoDB::GlobalTable as the CDK's
// TableV2 writes it: an on-demand table with an index and a stream, and
// its replica's settings (tags, point-in-time recovery) applied; an
// update changes the replica's settings in place; a replica in another
// region is refused.
func TestGlobalTable(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	global := func(pitr bool, replicas ...any) map[string]any {
		if len(replicas) == 0 {
			replicas = []any{map[string]any{"Region": "us-east-1",
				"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": pitr},
				"Tags":                             []any{map[string]any{"Key": "team", "Value": "data"}}}}
		}
		return map[string]any{
			"AttributeDefinitions": []any{attrDef("pk", "S"), attrDef("g", "S")},
			"KeySchema":            []any{keyElem("pk", "HASH")},
			"BillingMode":          "PAY_PER_REQUEST",
			"GlobalSecondaryIndexes": []any{map[string]any{"IndexName": "byG", "KeySchema": []any{keyElem("g", "HASH")},
				"Projection": map[string]any{"ProjectionType": "ALL"}}},
			"StreamSpecification":     map[string]any{"StreamViewType": "NEW_AND_OLD_IMAGES"},
			"TimeToLiveSpecification": map[string]any{"AttributeName": "ttl", "Enabled": true},
			"Replicas":                replicas,
		}
	}
	tbl := s.create("AWS::DynamoDB::GlobalTable", "T", global(false))
	name := tbl.ref()
	if !strings.HasPrefix(name, testStack+"-T-") {
		t.Errorf("Ref %q", name)
	}
	if tbl.attr("Arn") != "arn:aws:dynamodb:us-east-1:"+testAccount+":table/"+name || !strings.Contains(tbl.attr("StreamArn"), "/stream/") || tbl.attr("TableId") == "" {
		t.Errorf("attributes %v", tbl.result.Attributes)
	}
	desc := s.call("dynamodb", "DescribeTable", map[string]any{"TableName": name})
	if str(desc, "Table", "BillingModeSummary", "BillingMode") != "PAY_PER_REQUEST" || !strings.Contains(str(desc, "Table", "GlobalSecondaryIndexes"), "IndexName:byG") ||
		str(desc, "Table", "StreamSpecification", "StreamViewType") != "NEW_AND_OLD_IMAGES" {
		t.Errorf("table %v", desc["Table"])
	}
	ttl := s.call("dynamodb", "DescribeTimeToLive", map[string]any{"TableName": name})
	if str(ttl, "TimeToLiveDescription", "AttributeName") != "ttl" {
		t.Errorf("time to live %v", ttl)
	}
	tags := s.call("dynamodb", "ListTagsOfResource", map[string]any{"ResourceArn": tbl.attr("Arn")})
	if str(tags, "Tags") != "[map[Key:team Value:data]]" {
		t.Errorf("the replica's tags %v", tags)
	}

	tbl.update(global(true))
	backups := s.call("dynamodb", "DescribeContinuousBackups", map[string]any{"TableName": name})
	if str(backups, "ContinuousBackupsDescription", "PointInTimeRecoveryDescription", "PointInTimeRecoveryStatus") != "ENABLED" {
		t.Errorf("point-in-time recovery after the update: %v", backups)
	}
	tbl.delete()

	_, err := s.tryCreate("AWS::DynamoDB::GlobalTable", "Far", global(false,
		map[string]any{"Region": "us-east-1"}, map[string]any{"Region": "eu-west-1"}))
	if err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("a replica in another region: %v", err)
	}
	_, err = s.tryCreate("AWS::DynamoDB::GlobalTable", "Elsewhere", global(false, map[string]any{"Region": "eu-west-1"}))
	if err == nil {
		t.Error("a global table with no replica in the stack's region was made")
	}
}
