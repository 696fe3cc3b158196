package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/store/sql/pgtest"
)

// TestPostgresStore runs virga on a PostgreSQL store: a DynamoDB table's
// items are put, read and queried and an SQS message sent and received;
// after a restart on the same database the table, its items and the
// queue are still there.
func TestPostgresStore(t *testing.T) {
	t.Parallel()
	srv, err := pgtest.Start(pgtest.Require(t), pgtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop) // after virga's own cleanup
	url, err := srv.NewDatabase()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	withPG := e2e.WithConfig(func(c *config.Config) { c.InMemory, c.DataDir, c.Store = false, dir, url })
	env := e2e.Start(t, withPG)
	ctx := context.Background()

	resp := do(t, env, rawRequest{Method: http.MethodGet, Path: "/_virga/health"})
	var health struct{ Store string }
	if err := json.Unmarshal(resp.Body, &health); err != nil || health.Store != "postgres" {
		t.Errorf("health store = %q (%v), want postgres", health.Store, err)
	}

	ddb := dynamodb.NewFromConfig(env.Config)
	if _, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String("orders"),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeN},
		},
		KeySchema: []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange},
		},
	}); err != nil {
		t.Fatal(err)
	}
	for _, sk := range []string{"3", "1", "2", "10"} {
		if _, err := ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: "ann"}, "sk": &ddbtypes.AttributeValueMemberN{Value: sk},
			"note": &ddbtypes.AttributeValueMemberS{Value: "order " + sk},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	sq := sqs.NewFromConfig(env.Config)
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("first")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("second")}); err != nil {
		t.Fatal(err)
	}

	check := func(env *e2e.Env, wantBodies ...string) string {
		t.Helper()
		ddb := dynamodb.NewFromConfig(env.Config)
		got, err := ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"), ConsistentRead: aws.Bool(true),
			Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "ann"}, "sk": &ddbtypes.AttributeValueMemberN{Value: "2"}}})
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := got.Item["note"].(*ddbtypes.AttributeValueMemberS); n == nil || n.Value != "order 2" {
			t.Errorf("GetItem note = %v, want order 2", got.Item["note"])
		}
		qo, err := ddb.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), ScanIndexForward: aws.Bool(false),
			KeyConditionExpression:    aws.String("pk = :p AND sk >= :s"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": &ddbtypes.AttributeValueMemberS{Value: "ann"}, ":s": &ddbtypes.AttributeValueMemberN{Value: "2"}}})
		if err != nil {
			t.Fatal(err)
		}
		var sks []string
		for _, it := range qo.Items {
			sks = append(sks, it["sk"].(*ddbtypes.AttributeValueMemberN).Value)
		}
		if got := strings.Join(sks, ","); got != "10,3,2" {
			t.Errorf("Query descending from 2 = %s, want 10,3,2", got)
		}
		sq := sqs.NewFromConfig(env.Config)
		q, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("jobs")})
		if err != nil {
			t.Fatal(err)
		}
		r, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 5})
		if err != nil {
			t.Fatal(err)
		}
		// A standard queue promises no order.
		if len(r.Messages) != 1 || !slices.Contains(wantBodies, aws.ToString(r.Messages[0].Body)) {
			t.Fatalf("ReceiveMessage = %d messages, want one of %q", len(r.Messages), wantBodies)
		}
		if _, err := sq.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: r.Messages[0].ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
		return aws.ToString(r.Messages[0].Body)
	}
	left := "second"
	if check(env, "first", "second") == "second" {
		left = "first"
	}

	env.Stop(t)
	check(e2e.Start(t, withPG), left)
}
