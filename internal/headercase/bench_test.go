package headercase

import (
	"strconv"
	"strings"
	"testing"
)

// BenchmarkFeedDynamoDBRequest: what the edge pays per request it serves
// to remember header names: a hundred SDK requests on one connection,
// read 4 KB at a time.
func BenchmarkFeedDynamoDBRequest(b *testing.B) {
	body := `{"TableName":"bench","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"partition-0001"}},"Limit":10}`
	req := "POST / HTTP/1.1\r\nHost: 127.0.0.1:4566\r\nUser-Agent: aws-sdk-go-v2/1.30.0 os/linux lang/go#1.26 md/GOOS#linux md/GOARCH#amd64 api/dynamodb#1.34.0\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\nAccept-Encoding: identity\r\nAmz-Sdk-Invocation-Id: 5b8c2d6e-1f0a-4c1e-9d7b-0a1b2c3d4e5f\r\nAmz-Sdk-Request: attempt=1; max=3\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20261128/us-east-1/dynamodb/aws4_request, SignedHeaders=accept-encoding;amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Date: 20261128T010203Z\r\nX-Amz-Target: DynamoDB_20120810.Query\r\n\r\n" + body
	raw := []byte(strings.Repeat(req, 100))
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := &record{p: newParser()}
		for off := 0; off < len(raw); off += 4096 {
			end := min(off+4096, len(raw))
			r.feed(raw[off:end])
		}
		if len(r.p.pending) != maxPending {
			b.Fatal(len(r.p.pending))
		}
	}
}
