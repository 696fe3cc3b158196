package e2e

// Builders, renderings and assertions shared by the DynamoDB end-to-end
// tests (dynamodb_*_test.go). Items are compared through a canonical
// rendering in which sets are sorted, since DynamoDB returns set members in
// no particular order.

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// ddbItem is an item or key as the SDK carries it.
type ddbItem = map[string]types.AttributeValue

func avS(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func avN(n string) types.AttributeValue { return &types.AttributeValueMemberN{Value: n} }
func avB(b ...byte) types.AttributeValue {
	if b == nil {
		b = []byte{}
	}
	return &types.AttributeValueMemberB{Value: b}
}
func avBool(b bool) types.AttributeValue    { return &types.AttributeValueMemberBOOL{Value: b} }
func avNull() types.AttributeValue          { return &types.AttributeValueMemberNULL{Value: true} }
func avSS(v ...string) types.AttributeValue { return &types.AttributeValueMemberSS{Value: v} }
func avNS(v ...string) types.AttributeValue { return &types.AttributeValueMemberNS{Value: v} }
func avBS(v ...[]byte) types.AttributeValue { return &types.AttributeValueMemberBS{Value: v} }
func avL(v ...types.AttributeValue) types.AttributeValue {
	if v == nil {
		v = []types.AttributeValue{}
	}
	return &types.AttributeValueMemberL{Value: v}
}
func avM(m ddbItem) types.AttributeValue {
	if m == nil {
		m = ddbItem{}
	}
	return &types.AttributeValueMemberM{Value: m}
}

// avText renders a value canonically: S("x"), N(1.5), B(0a0b), SS[...]
// sorted, L[...] in order, M{...} by name.
func avText(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return fmt.Sprintf("S(%q)", v.Value)
	case *types.AttributeValueMemberN:
		return "N(" + v.Value + ")"
	case *types.AttributeValueMemberB:
		return "B(" + hex.EncodeToString(v.Value) + ")"
	case *types.AttributeValueMemberBOOL:
		return fmt.Sprintf("BOOL(%v)", v.Value)
	case *types.AttributeValueMemberNULL:
		return fmt.Sprintf("NULL(%v)", v.Value)
	case *types.AttributeValueMemberSS:
		s := make([]string, len(v.Value))
		for i, x := range v.Value {
			s[i] = fmt.Sprintf("%q", x)
		}
		sort.Strings(s)
		return "SS[" + strings.Join(s, ",") + "]"
	case *types.AttributeValueMemberNS:
		s := append([]string(nil), v.Value...)
		sort.Strings(s)
		return "NS[" + strings.Join(s, ",") + "]"
	case *types.AttributeValueMemberBS:
		s := make([]string, len(v.Value))
		for i, x := range v.Value {
			s[i] = hex.EncodeToString(x)
		}
		sort.Strings(s)
		return "BS[" + strings.Join(s, ",") + "]"
	case *types.AttributeValueMemberL:
		s := make([]string, len(v.Value))
		for i, x := range v.Value {
			s[i] = avText(x)
		}
		return "L[" + strings.Join(s, ",") + "]"
	case *types.AttributeValueMemberM:
		return "M" + itemText(v.Value)
	case nil:
		return "<nil>"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// itemText renders an item canonically; a nil item is "<none>".
func itemText(it ddbItem) string {
	if it == nil {
		return "<none>"
	}
	names := make([]string, 0, len(it))
	for n := range it {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + ":" + avText(it[n])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// itemsText renders a list of items in order.
func itemsText(items []ddbItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = itemText(it)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// wantItem asserts that got is want (nil: no item).
func wantItem(t testing.TB, what string, got, want ddbItem) {
	t.Helper()
	if g, w := itemText(got), itemText(want); g != w {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// wantItems asserts that got is want, in order.
func wantItems(t testing.TB, what string, got, want []ddbItem) {
	t.Helper()
	if g, w := itemsText(got), itemsText(want); g != w {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// wantDDBError asserts err's AWS error code and exact message.
func wantDDBError(t testing.TB, what string, err error, code, msg string) {
	t.Helper()
	gc, gm := ddbErrorOf(t, what, err)
	if gc != code || gm != msg {
		t.Errorf("%s:\n got %s: %s\nwant %s: %s", what, gc, gm, code, msg)
	}
}

// wantDDBErrorContains asserts err's code and that its message contains
// part (for messages whose surroundings AWS varies by region).
func wantDDBErrorContains(t testing.TB, what string, err error, code, part string) {
	t.Helper()
	gc, gm := ddbErrorOf(t, what, err)
	if gc != code || !strings.Contains(gm, part) {
		t.Errorf("%s:\n got %s: %s\nwant %s containing: %s", what, gc, gm, code, part)
	}
}

func ddbErrorOf(t testing.TB, what string, err error) (string, string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded, want an error", what)
		return "<success>", ""
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s: want an AWS API error, got %v", what, err)
		return "<not an API error>", err.Error()
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

// mustOK fails the test at once on an unexpected error.
func mustOK(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// tableSpec describes a table for createTable.
type tableSpec struct {
	Name string
	// Attrs are the types of every key attribute of the table and its
	// indexes ("S", "N" or "B").
	Attrs       map[string]types.ScalarAttributeType
	Hash, Range string
	GSIs, LSIs  []indexSpec
}

// indexSpec is a secondary index of a tableSpec.
type indexSpec struct {
	Name        string
	Hash, Range string
	Projection  types.ProjectionType
	NonKey      []string
}

// attrDefS defines a string attribute.
func attrDefS(name string) types.AttributeDefinition {
	return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
}

func keySchema(hash, rng string) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}}
	if rng != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange})
	}
	return ks
}

func (ix indexSpec) projection() *types.Projection {
	p := &types.Projection{ProjectionType: ix.Projection}
	if ix.Projection == types.ProjectionTypeInclude {
		p.NonKeyAttributes = ix.NonKey
	}
	return p
}

// createTable creates an on-demand table as spec describes.
func createTable(t testing.TB, c *dynamodb.Client, spec tableSpec) {
	t.Helper()
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(spec.Name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema:   keySchema(spec.Hash, spec.Range),
	}
	names := make([]string, 0, len(spec.Attrs))
	for n := range spec.Attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: spec.Attrs[n]})
	}
	for _, ix := range spec.GSIs {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(ix.Name), KeySchema: keySchema(ix.Hash, ix.Range), Projection: ix.projection(),
		})
	}
	for _, ix := range spec.LSIs {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName: aws.String(ix.Name), KeySchema: keySchema(ix.Hash, ix.Range), Projection: ix.projection(),
		})
	}
	_, err := c.CreateTable(context.Background(), in)
	mustOK(t, "CreateTable "+spec.Name, err)
}

// putItem writes an item unconditionally.
func putItem(t testing.TB, c *dynamodb.Client, table string, it ddbItem) {
	t.Helper()
	_, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: it})
	mustOK(t, "PutItem "+itemText(it), err)
}

// getItem reads an item with a consistent read; nil if absent.
func getItem(t testing.TB, c *dynamodb.Client, table string, key ddbItem) ddbItem {
	t.Helper()
	out, err := c.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	mustOK(t, "GetItem "+itemText(key), err)
	return out.Item
}

// queryAll runs a Query through the SDK's paginator and returns every
// item of every page, and the number of pages.
func queryAll(t testing.TB, c *dynamodb.Client, in *dynamodb.QueryInput) ([]ddbItem, int) {
	t.Helper()
	var items []ddbItem
	pages := 0
	p := dynamodb.NewQueryPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		mustOK(t, "Query page", err)
		pages++
		items = append(items, out.Items...)
		if pages > 10000 {
			t.Fatal("Query pagination does not end")
		}
	}
	return items, pages
}

// scanAll is queryAll for Scan.
func scanAll(t testing.TB, c *dynamodb.Client, in *dynamodb.ScanInput) ([]ddbItem, int) {
	t.Helper()
	var items []ddbItem
	pages := 0
	p := dynamodb.NewScanPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		mustOK(t, "Scan page", err)
		pages++
		items = append(items, out.Items...)
		if pages > 10000 {
			t.Fatal("Scan pagination does not end")
		}
	}
	return items, pages
}

// batchPut writes items with BatchWriteItem, 25 at a time.
func batchPut(t testing.TB, c *dynamodb.Client, table string, items []ddbItem) {
	t.Helper()
	for len(items) > 0 {
		n := min(25, len(items))
		reqs := make([]types.WriteRequest, n)
		for i := range n {
			reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: items[i]}}
		}
		out, err := c.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
		mustOK(t, "BatchWriteItem", err)
		if len(out.UnprocessedItems) != 0 {
			t.Fatalf("BatchWriteItem left %d tables unprocessed", len(out.UnprocessedItems))
		}
		items = items[n:]
	}
}
