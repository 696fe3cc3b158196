package e2e_test

// DynamoDB's responses as bytes on the wire, where the SDKs would hide
// the difference.

import (
	"testing"

	"github.com/virga/virga/internal/e2e"
)

// TestDynamoDBTagResourceEmptyBody: TagResource and UntagResource answer
// 200 with an empty body, not an empty JSON document.
func TestDynamoDBTagResourceEmptyBody(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	call := func(op, body string) rawResponse {
		return do(t, env, rawRequest{Body: body, Headers: map[string]string{
			"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op}})
	}
	r := call("CreateTable", `{"TableName":"tagged","BillingMode":"PAY_PER_REQUEST",`+
		`"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}`)
	if r.Status != 200 {
		t.Fatalf("CreateTable: %d %s", r.Status, r.Body)
	}
	arn := "arn:aws:dynamodb:us-east-1:000000000000:table/tagged"
	for _, c := range []struct{ op, body string }{
		{"TagResource", `{"ResourceArn":"` + arn + `","Tags":[{"Key":"k","Value":"v"}]}`},
		{"UntagResource", `{"ResourceArn":"` + arn + `","TagKeys":["k"]}`},
	} {
		if r := call(c.op, c.body); r.Status != 200 || len(r.Body) != 0 {
			t.Errorf("%s: %d %q, want 200 and no body", c.op, r.Status, r.Body)
		}
	}
}
