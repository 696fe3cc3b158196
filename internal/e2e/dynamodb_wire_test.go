package e2e_test

// DynamoDB's responses as bytes on the wire, where the SDKs would hide
// the difference.

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"hash/crc32"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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

// TestDynamoDBCompressedRequests: a body sent with Content-Encoding gzip
// (one gzip member or several one after another) is read inflated, and
// amz-1.0, which older clients send, is no encoding at all; a body
// DynamoDB cannot decode (not gzip, cut short, empty, or in an unknown
// encoding) is a 500 InternalServerError, and nothing is written.
func TestDynamoDBCompressedRequests(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	call := func(op, body, encoding string) rawResponse {
		h := map[string]string{"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op}
		if encoding != "" {
			h["Content-Encoding"] = encoding
		}
		return do(t, env, rawRequest{Body: body, Headers: h})
	}
	r := call("CreateTable", `{"TableName":"zipped","BillingMode":"PAY_PER_REQUEST",`+
		`"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}`, "")
	if r.Status != 200 {
		t.Fatalf("CreateTable: %d %s", r.Status, r.Body)
	}
	gz := func(s string) string {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.String()
	}
	put := func(pk string) string { return `{"TableName":"zipped","Item":{"pk":{"S":"` + pk + `"}}}` }
	get := func(pk string) string {
		r := call("GetItem", `{"TableName":"zipped","Key":{"pk":{"S":"`+pk+`"}}}`, "")
		return string(r.Body)
	}

	if r := call("PutItem", gz(put("one")), "gzip"); r.Status != 200 {
		t.Errorf("a gzip body: %d %s", r.Status, r.Body)
	}
	if r := call("PutItem", gz(put("two")[:10])+gz(put("two")[10:]), "gzip"); r.Status != 200 {
		t.Errorf("a body of two gzip members: %d %s", r.Status, r.Body)
	}
	if r := call("PutItem", put("three"), "amz-1.0"); r.Status != 200 {
		t.Errorf("a plain body sent as amz-1.0, as older clients do: %d %s", r.Status, r.Body)
	}
	for _, pk := range []string{"one", "two", "three"} {
		if got := get(pk); got != `{"Item":{"pk":{"S":"`+pk+`"}}}` {
			t.Errorf("GetItem %s after a compressed PutItem = %s", pk, got)
		}
	}

	cases := []struct{ what, body, encoding string }{
		{"a plain body said to be gzip", put("bad1"), "gzip"},
		{"a gzip body cut short", gz(put("bad2"))[:len(gz(put("bad2")))-1], "gzip"},
		{"an empty body said to be gzip", "", "gzip"},
		{"an unknown encoding", put("bad3"), "garbage"},
	}
	for _, c := range cases {
		r := call("PutItem", c.body, c.encoding)
		if r.Status != 500 || !strings.Contains(string(r.Body), "InternalServerError") {
			t.Errorf("%s: %d %s, want 500 InternalServerError", c.what, r.Status, r.Body)
		}
	}
	for _, pk := range []string{"bad1", "bad2", "bad3"} {
		if got := get(pk); got != "{}" {
			t.Errorf("GetItem %s after a refused PutItem = %s, want no item", pk, got)
		}
	}
}

// TestDynamoDBCompressedResponses: a response over 4 KB is compressed in
// the coding the client's Accept-Encoding prefers, and every response
// carries X-Amz-Crc32, the CRC-32 of the body as sent, which the Go SDK
// checks; with EnableAcceptEncodingGzip it reads the gzip response. Every
// response names the Server as DynamoDB's do.
func TestDynamoDBCompressedResponses(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	call := func(op, body, accept string) rawResponse {
		return do(t, env, rawRequest{Body: body, Headers: map[string]string{
			"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op, "Accept-Encoding": accept}})
	}
	if r := call("CreateTable", `{"TableName":"big","BillingMode":"PAY_PER_REQUEST",`+
		`"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}`, ""); r.Status != 200 {
		t.Fatalf("CreateTable: %d %s", r.Status, r.Body)
	}
	long := strings.Repeat("x", 5000)
	if r := call("PutItem", `{"TableName":"big","Item":{"pk":{"S":"a"},"v":{"S":"`+long+`"}}}`, ""); r.Status != 200 {
		t.Fatalf("PutItem: %d %s", r.Status, r.Body)
	}
	want := `{"Item":{"pk":{"S":"a"},"v":{"S":"` + long + `"}}}`
	get := `{"TableName":"big","Key":{"pk":{"S":"a"}}}`
	for _, c := range []struct{ accept, enc string }{{"identity", ""}, {"gzip", "gzip"}, {"deflate", "deflate"}, {"br, deflate;q=0.5, gzip;q=0.2", "deflate"}} {
		r := call("GetItem", get, c.accept)
		if got := r.Header.Get("Content-Encoding"); r.Status != 200 || got != c.enc {
			t.Errorf("Accept-Encoding %q: %d, Content-Encoding %q, want %q", c.accept, r.Status, got, c.enc)
			continue
		}
		if got, crc := r.Header.Get("X-Amz-Crc32"), strconv.FormatUint(uint64(crc32.ChecksumIEEE(r.Body)), 10); got != crc {
			t.Errorf("Accept-Encoding %q: X-Amz-Crc32 %s, want %s", c.accept, got, crc)
		}
		var body io.Reader = bytes.NewReader(r.Body)
		var err error
		switch c.enc {
		case "gzip":
			body, err = gzip.NewReader(body)
		case "deflate":
			body, err = zlib.NewReader(body)
		}
		if err != nil {
			t.Fatalf("Accept-Encoding %q: %v", c.accept, err)
		}
		plain, err := io.ReadAll(body)
		var got, wantJSON any
		json.Unmarshal(plain, &got)
		json.Unmarshal([]byte(want), &wantJSON)
		if err != nil || !reflect.DeepEqual(got, wantJSON) {
			t.Errorf("Accept-Encoding %q: the body decodes to %d bytes (%v), not the item", c.accept, len(plain), err)
		}
	}
	// A short response, an error among them, is not compressed. Results
	// and errors alike name DynamoDB's Server.
	r := call("GetItem", `{"TableName":"absent","Key":{"pk":{"S":"a"}}}`, "gzip")
	if r.Status != 400 || r.Header.Get("Content-Encoding") != "" || r.Header.Get("X-Amz-Crc32") != strconv.FormatUint(uint64(crc32.ChecksumIEEE(r.Body)), 10) {
		t.Errorf("an error: %d, Content-Encoding %q, X-Amz-Crc32 %q of %s", r.Status, r.Header.Get("Content-Encoding"), r.Header.Get("X-Amz-Crc32"), r.Body)
	}
	if result, failure := call("GetItem", get, "").Header.Get("Server"), r.Header.Get("Server"); result != "Server" || failure != "Server" {
		t.Errorf("Server header: %q on a result, %q on an error, want Server", result, failure)
	}

	c := dynamodb.NewFromConfig(env.Config, func(o *dynamodb.Options) { o.EnableAcceptEncodingGzip = true })
	out, err := c.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("big"), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}}})
	if err != nil {
		t.Fatalf("GetItem with EnableAcceptEncodingGzip: %v", err)
	}
	if v, ok := out.Item["v"].(*types.AttributeValueMemberS); !ok || v.Value != long {
		t.Errorf("GetItem with EnableAcceptEncodingGzip: item %v", out.Item)
	}
}
