package e2e_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	cctypes "github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

// TestCloudControlFindsServiceResources: resources made by the services'
// own APIs, outside any stack and the Cloud Control API, are found by
// GetResource and ListResources through their types' read handlers, with
// the properties that would make them, and can be updated and deleted.
func TestCloudControlFindsServiceResources(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cc := cloudcontrol.NewFromConfig(env.Config)

	q, err := sqs.NewFromConfig(env.Config).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("byapi"),
		Attributes: map[string]string{"VisibilityTimeout": "40"}})
	if err != nil {
		t.Fatal(err)
	}
	topic, err := sns.NewFromConfig(env.Config).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("byapi")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cloudwatchlogs.NewFromConfig(env.Config).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/byapi")}); err != nil {
		t.Fatal(err)
	}
	_, err = dynamodb.NewFromConfig(env.Config).CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("byapi"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = lambda.NewFromConfig(env.Config).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("byapi"),
		Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Role: aws.String(lambdaRole),
		Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "v1")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3.NewFromConfig(env.Config).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("byapi")}); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ typ, id, prop, want string }{
		{"AWS::SQS::Queue", aws.ToString(q.QueueUrl), "QueueName", "byapi"},
		{"AWS::SNS::Topic", aws.ToString(topic.TopicArn), "TopicName", "byapi"},
		{"AWS::Logs::LogGroup", "/byapi", "LogGroupName", "/byapi"},
		{"AWS::DynamoDB::Table", "byapi", "BillingMode", "PAY_PER_REQUEST"},
		{"AWS::Lambda::Function", "byapi", "Handler", "bootstrap"},
		{"AWS::S3::Bucket", "byapi", "BucketName", "byapi"},
	} {
		got, err := cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String(c.typ), Identifier: aws.String(c.id)})
		if err != nil {
			t.Errorf("GetResource %s %s: %v", c.typ, c.id, err)
			continue
		}
		var m map[string]any
		json.Unmarshal([]byte(aws.ToString(got.ResourceDescription.Properties)), &m)
		if m[c.prop] != c.want {
			t.Errorf("GetResource %s %s: %s = %v, want %s (%v)", c.typ, c.id, c.prop, m[c.prop], c.want, m)
		}
		if ids, err := listedIDs(cc, c.typ, ""); err != nil || !slices.Contains(ids, c.id) {
			t.Errorf("ListResources %s = %v, %v; want %s among them", c.typ, ids, err, c.id)
		}
	}

	// The queue's model has the attribute as its property; an update
	// changes it in SQS.
	got, err := cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String("AWS::SQS::Queue"), Identifier: q.QueueUrl})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal([]byte(aws.ToString(got.ResourceDescription.Properties)), &m)
	if m["VisibilityTimeout"] != float64(40) {
		t.Errorf("the queue's model = %v", m)
	}
	up, err := cc.UpdateResource(ctx, &cloudcontrol.UpdateResourceInput{TypeName: aws.String("AWS::SQS::Queue"), Identifier: q.QueueUrl,
		PatchDocument: aws.String(`[{"op":"replace","path":"/VisibilityTimeout","value":50}]`)})
	if err != nil || up.ProgressEvent.OperationStatus != cctypes.OperationStatusSuccess {
		t.Fatalf("UpdateResource = %+v, %v", up, err)
	}
	attrs, err := sqs.NewFromConfig(env.Config).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"VisibilityTimeout"}})
	if err != nil || attrs.Attributes["VisibilityTimeout"] != "50" {
		t.Errorf("VisibilityTimeout after UpdateResource = %v, %v", attrs, err)
	}

	// DeleteResource deletes the topic.
	del, err := cc.DeleteResource(ctx, &cloudcontrol.DeleteResourceInput{TypeName: aws.String("AWS::SNS::Topic"), Identifier: topic.TopicArn})
	if err != nil {
		t.Fatal(err)
	}
	ccWait(t, cc, del.ProgressEvent)
	_, err = cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String("AWS::SNS::Topic"), Identifier: topic.TopicArn})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
}
