package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDynamoDBCLI drives DynamoDB through Debian's aws CLI (botocore), a
// second client of the awsJson protocol besides aws-sdk-go-v2.
func TestDynamoDBCLI(t *testing.T) {
	t.Parallel()
	RequireTool(t, AWSCLI)
	env := Start(t)
	run := func(v any, args ...string) {
		t.Helper()
		res := env.CLI(t, append([]string{"dynamodb"}, args...)...)
		if res.ExitCode != 0 {
			t.Fatalf("aws dynamodb %s: exit %d\nstdout: %s\nstderr: %s", args[0], res.ExitCode, res.Stdout, res.Stderr)
		}
		if v == nil {
			return
		}
		if err := json.Unmarshal([]byte(res.Stdout), v); err != nil {
			t.Fatalf("aws dynamodb %s printed no JSON (%v):\n%s", args[0], err, res.Stdout)
		}
	}

	var created struct {
		TableDescription struct {
			TableName, TableStatus string
			KeySchema              []struct{ AttributeName, KeyType string }
		}
	}
	run(&created, "create-table", "--table-name", "cli",
		"--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
		"--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
		"--billing-mode", "PAY_PER_REQUEST")
	if d := created.TableDescription; d.TableName != "cli" || d.TableStatus != "CREATING" || len(d.KeySchema) != 2 || d.KeySchema[1].KeyType != "RANGE" {
		t.Errorf("create-table: %+v", d)
	}
	run(nil, "put-item", "--table-name", "cli", "--item", `{"pk":{"S":"a"},"sk":{"N":"1.50"},"v":{"S":"first"},"tags":{"SS":["x","y"]}}`)
	run(nil, "put-item", "--table-name", "cli", "--item", `{"pk":{"S":"a"},"sk":{"N":"2"},"v":{"S":"second"}}`)

	var got struct {
		Item map[string]map[string]any
	}
	run(&got, "get-item", "--table-name", "cli", "--key", `{"pk":{"S":"a"},"sk":{"N":"1.5"}}`, "--consistent-read")
	if got.Item["v"]["S"] != "first" || got.Item["sk"]["N"] != "1.5" || len(got.Item["tags"]["SS"].([]any)) != 2 {
		t.Errorf("get-item: %v", got.Item)
	}

	var q struct {
		Items        []map[string]map[string]any
		Count        int
		ScannedCount int
	}
	run(&q, "query", "--table-name", "cli", "--key-condition-expression", "pk = :p AND sk > :s",
		"--expression-attribute-values", `{":p":{"S":"a"},":s":{"N":"1"}}`, "--no-scan-index-forward")
	if q.Count != 2 || len(q.Items) != 2 || q.Items[0]["v"]["S"] != "second" || q.Items[1]["v"]["S"] != "first" {
		t.Errorf("query: %+v", q)
	}

	res := env.CLI(t, "dynamodb", "put-item", "--table-name", "cli", "--item", `{"pk":{"S":"a"},"sk":{"N":"2"}}`,
		"--condition-expression", "attribute_not_exists(pk)")
	// This aws CLI (1.4x) exits 254 on a service error and names the code
	// and message on stderr.
	if res.ExitCode != 254 || !strings.Contains(res.Stderr, "An error occurred (ConditionalCheckFailedException) when calling the PutItem operation") ||
		!strings.HasSuffix(strings.TrimSpace(res.Stderr), ": The conditional request failed") {
		t.Errorf("failing put-item: exit %d, stderr %q", res.ExitCode, res.Stderr)
	}

	// DynamoDB writes its doubles with a fraction, and the CLI prints them
	// as they came, as the CLI reference's examples show.
	res = env.CLI(t, "dynamodb", "put-item", "--table-name", "cli", "--item", `{"pk":{"S":"b"},"sk":{"N":"1"}}`,
		"--return-consumed-capacity", "TOTAL")
	if !strings.Contains(res.Stdout, `"CapacityUnits": 1.0`) {
		t.Errorf("put-item --return-consumed-capacity TOTAL printed %s, want \"CapacityUnits\": 1.0", res.Stdout)
	}
}
