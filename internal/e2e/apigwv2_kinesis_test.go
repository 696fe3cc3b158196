package e2e_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/virga/virga/internal/e2e"
)

// TestAPIGWv2KinesisPutRecord serves a Kinesis-PutRecord service
// integration: the mapped Data is the record's blob base64-encoded, the
// response is PutRecord's output, and a request without a required
// parameter is the client's error.
func TestAPIGWv2KinesisPutRecord(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	k := kinesis.NewFromConfig(env.Config)
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("clicks"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	w := kinesis.NewStreamExistsWaiter(k, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 10*time.Millisecond
	})
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("clicks")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}

	c := apigatewayv2.NewFromConfig(env.Config)
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("clicks"), ProtocolType: "HTTP"})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(api.ApiId)
	// Kinesis-PutRecord's parameters are checked as for the other subtypes.
	if _, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &id, IntegrationType: "AWS_PROXY",
		IntegrationSubtype: aws.String("Kinesis-PutRecord"), PayloadFormatVersion: aws.String("1.0"),
		RequestParameters: map[string]string{"StreamName": "clicks", "Data": "$request.body.data"}}); err == nil {
		t.Error("Kinesis-PutRecord without its PartitionKey was created")
	}
	integ, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &id, IntegrationType: "AWS_PROXY",
		IntegrationSubtype: aws.String("Kinesis-PutRecord"), PayloadFormatVersion: aws.String("1.0"),
		CredentialsArn: aws.String("arn:aws:iam::" + testAccount + ":role/api-kinesis"),
		RequestParameters: map[string]string{"StreamName": "clicks", "Data": "$request.body.data",
			"PartitionKey": "$request.body.key"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("POST /clicks"),
		Target: aws.String("integrations/" + aws.ToString(integ.IntegrationId))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}

	// "aGVsbG8=" is "hello" base64-encoded.
	r := callHTTPAPI(t, env, id, "POST", "/clicks", []byte(`{"data": "aGVsbG8=", "key": "user-1"}`),
		map[string]string{"Content-Type": "application/json"}, true)
	var put map[string]any
	if r.Status != 200 || json.Unmarshal(r.Body, &put) != nil || put["ShardId"] != "shardId-000000000000" || put["SequenceNumber"] == nil {
		t.Fatalf("Kinesis-PutRecord: %d %s", r.Status, r.Body)
	}
	it, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("clicks"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: kinesistypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(recs.Records) != 1 || string(recs.Records[0].Data) != "hello" ||
		aws.ToString(recs.Records[0].PartitionKey) != "user-1" ||
		aws.ToString(recs.Records[0].SequenceNumber) != put["SequenceNumber"] {
		t.Fatalf("records: %+v %v", recs, err)
	}

	// A request that leaves a required parameter without a value.
	if r := callHTTPAPI(t, env, id, "POST", "/clicks", []byte(`{"data": "aGVsbG8="}`), nil, true); r.Status != 400 {
		t.Errorf("PutRecord without its PartitionKey: %d %s", r.Status, r.Body)
	}
	// A stream that does not exist is Kinesis's error.
	if _, err := c.UpdateIntegration(ctx, &apigatewayv2.UpdateIntegrationInput{ApiId: &id, IntegrationId: integ.IntegrationId,
		RequestParameters: map[string]string{"StreamName": "nowhere", "Data": "$request.body.data",
			"PartitionKey": "$request.body.key"}}); err != nil {
		t.Fatal(err)
	}
	if r := callHTTPAPI(t, env, id, "POST", "/clicks", []byte(`{"data": "aGVsbG8=", "key": "k"}`), nil, true); r.Status != 400 {
		t.Errorf("PutRecord to a stream that does not exist: %d %s", r.Status, r.Body)
	}
}
